import { sql } from 'kysely';
import { type Migration, toIdType } from '../../store/open-database.js';

/**
 * Job action tables, versions 300..349. Times are epoch milliseconds (`bigint`). Kysely's schema builder, so each
 * step runs on SQLite and PostgreSQL alike. A step is never edited once released.
 *
 * `action_audit` is append-only: a trigger refuses every UPDATE and DELETE on either engine, so what was asked,
 * refused, sent to EM and what came of it stays as it was written. `job_actions` is the working state of each
 * click (one row per click, unique by its key, so a retried Slack request finds its row instead of acting twice).
 */
export const ACTION_MIGRATIONS: Migration[] = [
  {
    version: 300,
    name: 'job action audit (append-only)',
    async up(db, dialect) {
      await db.schema
        .createTable('action_audit')
        .addColumn('id', toIdType(dialect), (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('event', 'text', (c) =>
          c
            .notNull()
            .check(sql`event IN ('requested', 'confirmed', 'refused', 'em_call', 'em_task', 'outcome')`),
        )
        .addColumn('click_key', 'text')
        .addColumn('slack_user', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text')
        .addColumn('message_ts', 'text')
        .addColumn('alert_id', 'bigint')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('job_uid', 'text')
        .addColumn('job_name', 'text')
        .addColumn('server_name', 'text')
        .addColumn('em_task', 'text')
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('action_audit_at').on('action_audit').columns(['at']).execute();
      await db.schema
        .createIndex('action_audit_job')
        .on('action_audit')
        .columns(['job_name', 'at'])
        .execute();
      if (dialect === 'postgres') {
        await sql`CREATE FUNCTION action_audit_append_only() RETURNS trigger AS $$
          BEGIN RAISE EXCEPTION 'action_audit is append-only'; END; $$ LANGUAGE plpgsql`.execute(db);
        await sql`CREATE TRIGGER action_audit_no_change BEFORE UPDATE OR DELETE ON action_audit
          FOR EACH ROW EXECUTE FUNCTION action_audit_append_only()`.execute(db);
      } else {
        await sql`CREATE TRIGGER action_audit_no_update BEFORE UPDATE ON action_audit
          BEGIN SELECT RAISE(ABORT, 'action_audit is append-only'); END`.execute(db);
        await sql`CREATE TRIGGER action_audit_no_delete BEFORE DELETE ON action_audit
          BEGIN SELECT RAISE(ABORT, 'action_audit is append-only'); END`.execute(db);
      }
    },
  },
  {
    version: 301,
    name: 'job actions in progress and done',
    async up(db, dialect) {
      await db.schema
        .createTable('job_actions')
        .addColumn('id', toIdType(dialect), (c) => c.primaryKey())
        .addColumn('click_key', 'text', (c) => c.notNull().unique())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('job_uid', 'text', (c) => c.notNull())
        .addColumn('job_name', 'text', (c) => c.notNull())
        .addColumn('server_name', 'text')
        .addColumn('slack_user', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('message_ts', 'text')
        .addColumn('alert_id', 'bigint')
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('running', 'done')`))
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('em_task', 'text')
        .addColumn('outcome', 'text')
        .addColumn('outcome_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('job_actions_job')
        .on('job_actions')
        .columns(['job_uid', 'state'])
        .execute();
      await db.schema
        .createIndex('job_actions_alert')
        .on('job_actions')
        .columns(['alert_id', 'id'])
        .execute();
    },
  },
  {
    version: 302,
    name: 'one running job action per job and kind; follow-through kept in the store',
    async up(db) {
      // `kind` groups the actions that wait for each other on one job (a run, a stop, the schedule)
      await db.schema.alterTable('job_actions').addColumn('kind', 'text').execute();
      await sql`UPDATE job_actions SET kind = CASE
        WHEN action IN ('retry', 'start') THEN 'run'
        WHEN action IN ('pause', 'resume') THEN 'schedule'
        ELSE 'stop' END`.execute(db);
      // who follows a running action, and when it last said so: another instance (or this one after a
      // restart) takes over an action whose follower went quiet
      await db.schema.alterTable('job_actions').addColumn('follow_owner', 'text').execute();
      await db.schema.alterTable('job_actions').addColumn('follow_beat', 'bigint').execute();
      // the job's latest run when the click was confirmed: never taken for the run the action started
      await db.schema.alterTable('job_actions').addColumn('prior_session_uid', 'text').execute();
      // two instances racing before this index could both have started one: keep the newest running
      await sql`UPDATE job_actions SET state = 'done', outcome = 'unknown: another action of the job was started at the same time', outcome_at = started_at
        WHERE state = 'running' AND id NOT IN (
          SELECT MAX(id) FROM job_actions WHERE state = 'running' GROUP BY job_uid, kind)`.execute(db);
      await db.schema
        .createIndex('job_actions_one_running')
        .unique()
        .on('job_actions')
        .columns(['job_uid', 'kind'])
        .where(sql<boolean>`state = 'running'`)
        .execute();
      await db.schema
        .createIndex('job_actions_following')
        .on('job_actions')
        .columns(['state', 'follow_beat'])
        .execute();
    },
  },
];
