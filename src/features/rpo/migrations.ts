import { sql } from 'kysely';
import { type Migration, toIdType } from '../../store/open-database.js';

/**
 * RPO watch tables, versions 200..249 (201 also gives the alerts' mutes their kind). A step is never edited once released: add a new one. Times are epoch
 * milliseconds (`bigint`); names keep EM's spelling, with a lower-case key beside them (EM compares names
 * without case). Kysely's schema builder, so each step runs on SQLite and PostgreSQL alike.
 */
export const RPO_MIGRATIONS: Migration[] = [
  {
    version: 200,
    name: 'rpo subscriptions, known VMs and alerts',
    async up(db, dialect) {
      await db.schema
        .createTable('rpo_subscriptions')
        .addColumn('id', toIdType(dialect), (c) => c.primaryKey())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('rpo_ms', 'bigint')
        .addColumn('job', 'text')
        .addColumn('vm', 'text')
        .addColumn('server', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('rpo_subscriptions_channel')
        .on('rpo_subscriptions')
        .columns(['channel_id', 'id'])
        .execute();
      await db.schema
        .createTable('rpo_vms')
        .addColumn('job_key', 'text', (c) => c.notNull())
        .addColumn('vm_key', 'text', (c) => c.notNull())
        .addColumn('job_name', 'text', (c) => c.notNull())
        .addColumn('vm_name', 'text', (c) => c.notNull())
        .addColumn('server_name', 'text')
        .addColumn('last_good_at', 'bigint')
        .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('gone_since', 'bigint')
        // when the digest said "no longer replicated" (said once)
        .addColumn('gone_reported_at', 'bigint')
        .addPrimaryKeyConstraint('rpo_vms_pk', ['job_key', 'vm_key'])
        .execute();
      await db.schema
        .createTable('rpo_alerts')
        .addColumn('id', toIdType(dialect), (c) => c.primaryKey())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('job_key', 'text', (c) => c.notNull())
        .addColumn('opened_at', 'bigint', (c) => c.notNull())
        .addColumn('closed_at', 'bigint')
        .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('content', 'text', (c) => c.notNull())
        .execute();
      // one open alert per job and channel
      await db.schema
        .createIndex('rpo_alerts_open')
        .on('rpo_alerts')
        .columns(['channel_id', 'job_key'])
        .unique()
        .where(sql.ref('closed_at'), 'is', null)
        .execute();
    },
  },
  {
    version: 201,
    name: 'the session kind of RPO subscriptions, known VMs and mutes',
    async up(db) {
      // null: replication (the default), so the rows written before backups keep their meaning
      await db.schema.alterTable('rpo_subscriptions').addColumn('kind', 'text').execute();
      await db.schema
        .alterTable('rpo_vms')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('replication'))
        .execute();
      // the alerts' mutes (`/replicas mute backups vm srv04 4h`): here because RPO mutes read them by kind too;
      // null: replication, as a mute was before
      await db.schema.alterTable('mutes').addColumn('kind', 'text').execute();
    },
  },
];
