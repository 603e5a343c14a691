import type { Migration } from '../../store/open-database.js';

/**
 * Job action tables, versions 300..349. Times are epoch milliseconds. A step is never edited once released.
 *
 * `action_audit` is append-only: triggers refuse every UPDATE and DELETE, so what was asked, refused, sent to
 * EM and what came of it stays as it was written. `job_actions` is the working state of each click (one row per
 * click, unique by its key, so a retried Slack request finds its row instead of acting twice).
 */
export const ACTION_MIGRATIONS: Migration[] = [
  {
    version: 300,
    name: 'job action audit (append-only)',
    up: `
      CREATE TABLE action_audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        event TEXT NOT NULL CHECK (event IN ('requested', 'confirmed', 'refused', 'em_call', 'em_task', 'outcome')),
        click_key TEXT,
        slack_user TEXT NOT NULL,
        channel_id TEXT,
        message_ts TEXT,
        alert_id INTEGER,
        action TEXT NOT NULL,
        job_uid TEXT,
        job_name TEXT,
        server_name TEXT,
        em_task TEXT,
        result TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX action_audit_at ON action_audit (at);
      CREATE INDEX action_audit_job ON action_audit (job_name, at);
      CREATE TRIGGER action_audit_no_update BEFORE UPDATE ON action_audit
        BEGIN SELECT RAISE(ABORT, 'action_audit is append-only'); END;
      CREATE TRIGGER action_audit_no_delete BEFORE DELETE ON action_audit
        BEGIN SELECT RAISE(ABORT, 'action_audit is append-only'); END;
    `,
  },
  {
    version: 301,
    name: 'job actions in progress and done',
    up: `
      CREATE TABLE job_actions (
        id INTEGER PRIMARY KEY,
        click_key TEXT NOT NULL UNIQUE,
        action TEXT NOT NULL,
        job_uid TEXT NOT NULL,
        job_name TEXT NOT NULL,
        server_name TEXT,
        slack_user TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        message_ts TEXT,
        alert_id INTEGER,
        state TEXT NOT NULL CHECK (state IN ('running', 'done')),
        started_at INTEGER NOT NULL,
        em_task TEXT,
        outcome TEXT,
        outcome_at INTEGER
      );
      CREATE INDEX job_actions_job ON job_actions (job_uid, state);
      CREATE INDEX job_actions_alert ON job_actions (alert_id, id);
    `,
  },
];
