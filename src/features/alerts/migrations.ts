import type { Migration } from '../../store/open-database.js';

/**
 * The schema, as numbered steps. Alerts own versions 1..49 (digests own 50..99 in
 * features/digests/migrations.ts; the composition root runs both). A step is never edited once released: add a new one.
 * Times are epoch milliseconds (INTEGER), so comparisons and indexes stay cheap and time-zone free.
 */
export const ALERT_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'poller state, seen sessions, vm status',
    up: `
      CREATE TABLE poller_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE seen_sessions (
        uid TEXT PRIMARY KEY,
        end_time INTEGER NOT NULL,
        seen_at INTEGER NOT NULL
      );
      CREATE INDEX seen_sessions_end_time ON seen_sessions (end_time);
      CREATE TABLE vm_status (
        job_name TEXT NOT NULL,
        vm_name TEXT NOT NULL,
        failed_runs INTEGER NOT NULL,
        last_result TEXT NOT NULL,
        last_end_time INTEGER NOT NULL,
        PRIMARY KEY (job_name, vm_name)
      );
    `,
  },
  {
    version: 2,
    name: 'subscriptions and mutes',
    up: `
      CREATE TABLE subscriptions (
        id INTEGER PRIMARY KEY,
        channel_id TEXT NOT NULL,
        level TEXT NOT NULL,
        job TEXT,
        vm TEXT,
        server TEXT,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX subscriptions_channel ON subscriptions (channel_id, id);
      CREATE TABLE mutes (
        id INTEGER PRIMARY KEY,
        channel_id TEXT NOT NULL,
        scope TEXT NOT NULL,
        name TEXT NOT NULL,
        until INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX mutes_channel_until ON mutes (channel_id, until);
    `,
  },
  {
    version: 3,
    name: 'alert messages and outbox',
    up: `
      CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        channel_id TEXT NOT NULL,
        job_session_uid TEXT NOT NULL,
        job_name TEXT NOT NULL,
        server_name TEXT,
        run_started_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        ts TEXT,
        acked_by TEXT,
        acked_at INTEGER
      );
      CREATE TABLE alert_vms (
        alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        task_uid TEXT NOT NULL,
        job_name TEXT NOT NULL,
        vm_name TEXT NOT NULL,
        result TEXT NOT NULL,
        reason TEXT NOT NULL,
        failed_runs INTEGER NOT NULL,
        end_time INTEGER NOT NULL,
        recovered_at INTEGER,
        PRIMARY KEY (alert_id, task_uid)
      );
      CREATE INDEX alert_vms_open ON alert_vms (job_name, vm_name) WHERE recovered_at IS NULL;
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        dedupe_key TEXT NOT NULL UNIQUE,
        channel_id TEXT NOT NULL,
        action TEXT NOT NULL,
        alert_id INTEGER,
        notice TEXT,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        sent_at INTEGER,
        ts TEXT,
        last_error TEXT
      );
      CREATE INDEX outbox_open ON outbox (status, channel_id, id);
    `,
  },
  {
    version: 4,
    name: 'outbox dead letters and fallback posts',
    // dead: Slack refused the item for good (dead_reason says why); fallback_reason: the message an update or
    // reply was for is gone (message_not_found...), so the item is sent as a new channel message instead
    up: `
      ALTER TABLE outbox ADD COLUMN dead_reason TEXT;
      ALTER TABLE outbox ADD COLUMN dead_at INTEGER;
      ALTER TABLE outbox ADD COLUMN fallback_reason TEXT;
      CREATE INDEX outbox_dead ON outbox (dead_at) WHERE status = 'dead';
    `,
  },
  {
    version: 5,
    name: 'how late EM reported an alert',
    // null when EM reported it within POLL_OVERLAP_MINUTES (the usual case)
    up: 'ALTER TABLE alerts ADD COLUMN reported_late_ms INTEGER;',
  },
  {
    version: 6,
    name: 'backup sessions: the kind a subscription hears, the job type of an alert',
    // kind: 'replication' (every subscription so far) or 'backup'; job_type: EM's JobType of the alerted run
    // (null for replication and for alerts written before). An alert's kind is its job session's URN type.
    up: `
      ALTER TABLE subscriptions ADD COLUMN kind TEXT NOT NULL DEFAULT 'replication';
      ALTER TABLE alerts ADD COLUMN job_type TEXT;
    `,
  },
];
