import type { Migration } from '../../store/open-database.js';

/**
 * Digest tables, versions 50..99 (alerts own 1..49). The composition root runs them with the alerts' steps.
 * A step is never edited once released: add a new one. Times are epoch milliseconds.
 */
export const DIGEST_MIGRATIONS: Migration[] = [
  {
    version: 50,
    name: 'digest schedules and sent digests',
    up: `
      CREATE TABLE digest_schedules (
        id INTEGER PRIMARY KEY,
        channel_id TEXT NOT NULL,
        period TEXT NOT NULL CHECK (period IN ('day', 'week')),
        weekday INTEGER CHECK (weekday BETWEEN 0 AND 6),
        hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
        minute INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 59),
        time_zone TEXT NOT NULL,
        job TEXT,
        server TEXT,
        failed_only INTEGER NOT NULL DEFAULT 0,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_error TEXT
      );
      CREATE INDEX digest_schedules_channel ON digest_schedules (channel_id, id);
      -- one row per schedule and period: the primary key is what makes a digest go out once
      CREATE TABLE sent_digests (
        schedule_id INTEGER NOT NULL REFERENCES digest_schedules (id) ON DELETE CASCADE,
        period_start INTEGER NOT NULL,
        period_end INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'skipped')),
        late INTEGER NOT NULL DEFAULT 0,
        claimed_at INTEGER NOT NULL,
        done_at INTEGER,
        ts TEXT,
        note TEXT,
        PRIMARY KEY (schedule_id, period_start)
      );
    `,
  },
  {
    version: 250,
    name: 'backup digests: the kind of sessions a digest sums up',
    // 'replication' (every digest so far) or 'backup' (`/replicas digest daily 08:00 backups`)
    up: "ALTER TABLE digest_schedules ADD COLUMN kind TEXT NOT NULL DEFAULT 'replication';",
  },
];
