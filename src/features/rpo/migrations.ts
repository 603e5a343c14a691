import type { Migration } from '../../store/open-database.js';

/**
 * RPO watch tables, versions 200..249. A step is never edited once released: add a new one. Times are epoch
 * milliseconds; names keep EM's spelling, with a lower-case key beside them (EM compares names without case).
 */
export const RPO_MIGRATIONS: Migration[] = [
  {
    version: 200,
    name: 'rpo subscriptions, known VMs and alerts',
    up: `
      CREATE TABLE rpo_subscriptions (
        id INTEGER PRIMARY KEY,
        channel_id TEXT NOT NULL,
        rpo_ms INTEGER,
        job TEXT,
        vm TEXT,
        server TEXT,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX rpo_subscriptions_channel ON rpo_subscriptions (channel_id, id);
      CREATE TABLE rpo_vms (
        job_key TEXT NOT NULL,
        vm_key TEXT NOT NULL,
        job_name TEXT NOT NULL,
        vm_name TEXT NOT NULL,
        server_name TEXT,
        last_good_at INTEGER,
        first_seen_at INTEGER NOT NULL,
        gone_since INTEGER,
        -- when the digest said "no longer replicated" (said once)
        gone_reported_at INTEGER,
        PRIMARY KEY (job_key, vm_key)
      );
      CREATE TABLE rpo_alerts (
        id INTEGER PRIMARY KEY,
        channel_id TEXT NOT NULL,
        job_key TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        closed_at INTEGER,
        revision INTEGER NOT NULL DEFAULT 0,
        content TEXT NOT NULL
      );
      -- one open alert per job and channel
      CREATE UNIQUE INDEX rpo_alerts_open ON rpo_alerts (channel_id, job_key) WHERE closed_at IS NULL;
      CREATE TABLE rpo_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];
