import { sql } from 'kysely';
import { type Migration, toIdType } from '../../store/open-database.js';

/**
 * Digest tables, versions 50..99 (alerts own 1..49). The composition root runs them with the alerts' steps.
 * A step is never edited once released: add a new one. Times are epoch milliseconds (`bigint`). Kysely's schema
 * builder, so each step runs on SQLite and PostgreSQL alike.
 */
export const DIGEST_MIGRATIONS: Migration[] = [
  {
    version: 50,
    name: 'digest schedules and sent digests',
    async up(db, dialect) {
      await db.schema
        .createTable('digest_schedules')
        .addColumn('id', toIdType(dialect), (c) => c.primaryKey())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull().check(sql`period IN ('day', 'week')`))
        .addColumn('weekday', 'integer', (c) => c.check(sql`weekday BETWEEN 0 AND 6`))
        .addColumn('hour', 'integer', (c) => c.notNull().check(sql`hour BETWEEN 0 AND 23`))
        .addColumn('minute', 'integer', (c) => c.notNull().check(sql`minute BETWEEN 0 AND 59`))
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('job', 'text')
        .addColumn('server', 'text')
        .addColumn('failed_only', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .execute();
      await db.schema
        .createIndex('digest_schedules_channel')
        .on('digest_schedules')
        .columns(['channel_id', 'id'])
        .execute();
      // one row per schedule and period: the primary key is what makes a digest go out once
      await db.schema
        .createTable('sent_digests')
        .addColumn('schedule_id', 'bigint', (c) =>
          c.notNull().references('digest_schedules.id').onDelete('cascade'),
        )
        .addColumn('period_start', 'bigint', (c) => c.notNull())
        .addColumn('period_end', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('sending', 'sent', 'skipped')`))
        .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('claimed_at', 'bigint', (c) => c.notNull())
        .addColumn('done_at', 'bigint')
        .addColumn('ts', 'text')
        .addColumn('note', 'text')
        .addPrimaryKeyConstraint('sent_digests_pkey', ['schedule_id', 'period_start'])
        .execute();
    },
  },
  {
    version: 250,
    name: 'backup digests: the kind of sessions a digest sums up',
    // 'replication' (every digest so far) or 'backup' (`/replicas digest daily 08:00 backups`)
    async up(db) {
      await db.schema
        .alterTable('digest_schedules')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('replication'))
        .execute();
    },
  },
];
