import { sql } from 'kysely';
import { type Migration, toIdType } from '../../store/open-database.js';

/**
 * The schema, as numbered steps. Alerts own versions 1..49 (digests own 50..99 in
 * features/digests/migrations.ts; the composition root runs both). A step is never edited once released: add a new one.
 * Times are epoch milliseconds (`bigint`: INTEGER affinity on SQLite, int8 on PostgreSQL), so comparisons and
 * indexes stay cheap and time-zone free. Each step is Kysely's schema builder, so it runs on both engines; the
 * SQLite schema it builds is the one the released SQL steps built (same tables, columns, keys and indexes).
 */
export const ALERT_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'poller state, seen sessions, vm status',
    async up(db) {
      await db.schema
        .createTable('poller_state')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('seen_sessions')
        .addColumn('uid', 'text', (c) => c.primaryKey())
        .addColumn('end_time', 'bigint', (c) => c.notNull())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('seen_sessions_end_time').on('seen_sessions').column('end_time').execute();
      await db.schema
        .createTable('vm_status')
        .addColumn('job_name', 'text', (c) => c.notNull())
        .addColumn('vm_name', 'text', (c) => c.notNull())
        .addColumn('failed_runs', 'integer', (c) => c.notNull())
        .addColumn('last_result', 'text', (c) => c.notNull())
        .addColumn('last_end_time', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('vm_status_pkey', ['job_name', 'vm_name'])
        .execute();
    },
  },
  {
    version: 2,
    name: 'subscriptions and mutes',
    async up(db, dialect) {
      await db.schema
        .createTable('subscriptions')
        .addColumn('id', toIdType(dialect), (c) => c.primaryKey())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('job', 'text')
        .addColumn('vm', 'text')
        .addColumn('server', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('subscriptions_channel')
        .on('subscriptions')
        .columns(['channel_id', 'id'])
        .execute();
      await db.schema
        .createTable('mutes')
        .addColumn('id', toIdType(dialect), (c) => c.primaryKey())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('until', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('mutes_channel_until')
        .on('mutes')
        .columns(['channel_id', 'until'])
        .execute();
    },
  },
  {
    version: 3,
    name: 'alert messages and outbox',
    async up(db, dialect) {
      await db.schema
        .createTable('alerts')
        .addColumn('id', toIdType(dialect), (c) => c.primaryKey())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('job_session_uid', 'text', (c) => c.notNull())
        .addColumn('job_name', 'text', (c) => c.notNull())
        .addColumn('server_name', 'text')
        .addColumn('run_started_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('ts', 'text')
        .addColumn('acked_by', 'text')
        .addColumn('acked_at', 'bigint')
        .execute();
      await db.schema
        .createTable('alert_vms')
        .addColumn('alert_id', 'bigint', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
        .addColumn('task_uid', 'text', (c) => c.notNull())
        .addColumn('job_name', 'text', (c) => c.notNull())
        .addColumn('vm_name', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('failed_runs', 'integer', (c) => c.notNull())
        .addColumn('end_time', 'bigint', (c) => c.notNull())
        .addColumn('recovered_at', 'bigint')
        .addPrimaryKeyConstraint('alert_vms_pkey', ['alert_id', 'task_uid'])
        .execute();
      await db.schema
        .createIndex('alert_vms_open')
        .on('alert_vms')
        .columns(['job_name', 'vm_name'])
        .where(sql.ref('recovered_at'), 'is', null)
        .execute();
      await db.schema
        .createTable('outbox')
        .addColumn('id', toIdType(dialect), (c) => c.primaryKey())
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('alert_id', 'bigint')
        .addColumn('notice', 'text')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('not_before', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .addColumn('ts', 'text')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema
        .createIndex('outbox_open')
        .on('outbox')
        .columns(['status', 'channel_id', 'id'])
        .execute();
    },
  },
  {
    version: 4,
    name: 'outbox dead letters and fallback posts',
    // dead: Slack refused the item for good (dead_reason says why); fallback_reason: the message an update or
    // reply was for is gone (message_not_found...), so the item is sent as a new channel message instead
    async up(db) {
      await db.schema.alterTable('outbox').addColumn('dead_reason', 'text').execute();
      await db.schema.alterTable('outbox').addColumn('dead_at', 'bigint').execute();
      await db.schema.alterTable('outbox').addColumn('fallback_reason', 'text').execute();
      await db.schema
        .createIndex('outbox_dead')
        .on('outbox')
        .column('dead_at')
        .where(sql.ref('status'), '=', 'dead')
        .execute();
    },
  },
  {
    version: 5,
    name: 'how late EM reported an alert',
    // null when EM reported it within POLL_OVERLAP_MINUTES (the usual case)
    async up(db) {
      await db.schema.alterTable('alerts').addColumn('reported_late_ms', 'bigint').execute();
    },
  },
  {
    version: 6,
    name: 'outbox claims carry the fencing token',
    // the lease token of the leader that marked the row `sending`: only that claim may mark it `sent`, so a
    // leader that lost the lease while posting leaves the row to the new one (which finds the message by its
    // metadata) instead of overwriting its state
    async up(db) {
      await db.schema.alterTable('outbox').addColumn('claim_token', 'bigint').execute();
    },
  },
  {
    // 7, not 6: the store's outbox fencing took 6 first
    version: 7,
    name: 'backup sessions: the kind a subscription hears, the job type of an alert',
    // kind: 'replication' (every subscription so far) or 'backup'; job_type: EM's JobType of the alerted run
    // (null for replication and for alerts written before). An alert's kind is its job session's URN type.
    async up(db) {
      await db.schema
        .alterTable('subscriptions')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('replication'))
        .execute();
      await db.schema.alterTable('alerts').addColumn('job_type', 'text').execute();
    },
  },
];
