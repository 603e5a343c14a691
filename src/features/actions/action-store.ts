/**
 * The job actions' store: the append-only audit and the state of each click. Async repositories (every method
 * returns a Promise) over the process's one SQLite connection, so the store can move to Kysely and PostgreSQL
 * without its callers changing.
 */
import type { JobAction } from '../../core/jobs.js';
import type { SqliteDatabase } from '../../store/open-database.js';

export type AuditEvent = 'requested' | 'confirmed' | 'refused' | 'em_call' | 'em_task' | 'outcome';

export interface AuditEntry {
  at: Date;
  event: AuditEvent;
  clickKey: string | null;
  slackUser: string;
  channelId: string | null;
  messageTs: string | null;
  alertId: number | null;
  action: JobAction | string;
  jobUid: string | null;
  jobName: string | null;
  serverName: string | null;
  emTask: string | null;
  /** `ok`, `refused:<why>`, `failed`, `succeeded`, `unknown` ... */
  result: string;
  detail: string | null;
}

export interface AuditRow extends AuditEntry {
  id: number;
}

export interface JobActionRow {
  id: number;
  clickKey: string;
  action: JobAction;
  jobUid: string;
  jobName: string;
  serverName: string | null;
  slackUser: string;
  channelId: string;
  messageTs: string | null;
  alertId: number | null;
  state: 'running' | 'done';
  startedAt: Date;
  emTask: string | null;
  /** `succeeded`, `failed: <why>`, `warning`, `refused by EM: ...`, `unknown: ...` */
  outcome: string | null;
  outcomeAt: Date | null;
}

export type NewJobAction = Omit<JobActionRow, 'id' | 'state' | 'emTask' | 'outcome' | 'outcomeAt'>;

export interface ActionStore {
  audit: {
    append(entry: AuditEntry): Promise<void>;
    /** newest first, at most `limit`, since `since`, for one job name (case-insensitive) when given */
    list(query: { since: Date; jobName?: string | null; limit: number }): Promise<AuditRow[]>;
  };
  actions: {
    /**
     * Starts a click's action unless one of the same job is running: `started`, `repeat` (this click was seen
     * before: a retried request) or `busy` with the action already running.
     */
    begin(
      input: NewJobAction,
      /** a running row started before this no longer blocks (its follow-through ended with a restart) */
      staleBefore: Date,
    ): Promise<
      | { status: 'started'; row: JobActionRow }
      | { status: 'repeat'; row: JobActionRow }
      | { status: 'busy'; row: JobActionRow }
    >;
    setTask(id: number, emTask: string): Promise<void>;
    finish(id: number, outcome: string, at: Date): Promise<JobActionRow | null>;
    /** the actions pressed on one alert, oldest first */
    forAlert(alertId: number): Promise<JobActionRow[]>;
    get(id: number): Promise<JobActionRow | null>;
    /** the row of a click seen before (a retried request), or null */
    byClick(clickKey: string): Promise<JobActionRow | null>;
    /** the action running on a job, or null */
    /** the action of the same kind (a run, a stop, the schedule) running on a job, or null */
    runningFor(jobUid: string, action: JobAction, staleBefore: Date): Promise<JobActionRow | null>;
  };
}

interface ActionRecord {
  id: number;
  click_key: string;
  action: string;
  job_uid: string;
  job_name: string;
  server_name: string | null;
  slack_user: string;
  channel_id: string;
  message_ts: string | null;
  alert_id: number | null;
  state: string;
  started_at: number;
  em_task: string | null;
  outcome: string | null;
  outcome_at: number | null;
}

interface AuditRecord {
  id: number;
  at: number;
  event: string;
  click_key: string | null;
  slack_user: string;
  channel_id: string | null;
  message_ts: string | null;
  alert_id: number | null;
  action: string;
  job_uid: string | null;
  job_name: string | null;
  server_name: string | null;
  em_task: string | null;
  result: string;
  detail: string | null;
}

/**
 * Actions that wait for each other on one job: a run (retry, start), a stop, the schedule (pause, resume). A Stop
 * is never kept waiting by the run it stops.
 */
function sameKind(action: JobAction): [JobAction, JobAction] {
  switch (action) {
    case 'retry':
    case 'start':
      return ['retry', 'start'];
    case 'pause':
    case 'resume':
      return ['pause', 'resume'];
    case 'stop':
      return ['stop', 'stop'];
  }
}

function toActionRow(r: ActionRecord): JobActionRow {
  return {
    id: r.id,
    clickKey: r.click_key,
    // written by `begin` from a JobAction only
    action: r.action as JobAction,
    jobUid: r.job_uid,
    jobName: r.job_name,
    serverName: r.server_name,
    slackUser: r.slack_user,
    channelId: r.channel_id,
    messageTs: r.message_ts,
    alertId: r.alert_id,
    state: r.state === 'running' ? 'running' : 'done',
    startedAt: new Date(r.started_at),
    emTask: r.em_task,
    outcome: r.outcome,
    outcomeAt: r.outcome_at === null ? null : new Date(r.outcome_at),
  };
}

function toAuditRow(r: AuditRecord): AuditRow {
  return {
    id: r.id,
    at: new Date(r.at),
    // the CHECK constraint keeps it one of the AuditEvent words
    event: r.event as AuditEvent,
    clickKey: r.click_key,
    slackUser: r.slack_user,
    channelId: r.channel_id,
    messageTs: r.message_ts,
    alertId: r.alert_id,
    action: r.action,
    jobUid: r.job_uid,
    jobName: r.job_name,
    serverName: r.server_name,
    emTask: r.em_task,
    result: r.result,
    detail: r.detail,
  };
}

export function createActionStore(db: SqliteDatabase): ActionStore {
  // better-sqlite3 types rows as unknown: every `as ActionRecord` / `as AuditRecord` below reads a SELECT * of the
  // table migrations.ts creates, whose columns these records list
  const insertAudit = db.prepare(
    `INSERT INTO action_audit (at, event, click_key, slack_user, channel_id, message_ts, alert_id, action, job_uid,
       job_name, server_name, em_task, result, detail)
     VALUES (@at, @event, @clickKey, @slackUser, @channelId, @messageTs, @alertId, @action, @jobUid, @jobName,
       @serverName, @emTask, @result, @detail)`,
  );
  const byClick = db.prepare('SELECT * FROM job_actions WHERE click_key = ?');
  const runningForJob = db.prepare(
    "SELECT * FROM job_actions WHERE job_uid = ? AND action IN (?, ?) AND state = 'running' AND started_at >= ? ORDER BY id LIMIT 1",
  );
  const insertAction = db.prepare(
    `INSERT INTO job_actions (click_key, action, job_uid, job_name, server_name, slack_user, channel_id, message_ts,
       alert_id, state, started_at)
     VALUES (@clickKey, @action, @jobUid, @jobName, @serverName, @slackUser, @channelId, @messageTs, @alertId,
       'running', @startedAt)`,
  );
  const byId = db.prepare('SELECT * FROM job_actions WHERE id = ?');

  const begin = db.transaction((input: NewJobAction, staleBefore: Date) => {
    const seen = byClick.get(input.clickKey) as ActionRecord | undefined;
    if (seen) return { status: 'repeat' as const, row: toActionRow(seen) };
    const running = runningForJob.get(input.jobUid, ...sameKind(input.action), staleBefore.getTime()) as
      | ActionRecord
      | undefined;
    if (running) return { status: 'busy' as const, row: toActionRow(running) };
    const info = insertAction.run({ ...input, startedAt: input.startedAt.getTime() });
    const row = byId.get(Number(info.lastInsertRowid)) as ActionRecord;
    return { status: 'started' as const, row: toActionRow(row) };
  });

  return {
    audit: {
      async append(entry) {
        insertAudit.run({ ...entry, at: entry.at.getTime() });
      },
      async list({ since, jobName, limit }) {
        const rows = (
          jobName
            ? db
                .prepare(
                  'SELECT * FROM action_audit WHERE at >= ? AND lower(job_name) = lower(?) ORDER BY id DESC LIMIT ?',
                )
                .all(since.getTime(), jobName, limit)
            : db
                .prepare('SELECT * FROM action_audit WHERE at >= ? ORDER BY id DESC LIMIT ?')
                .all(since.getTime(), limit)
        ) as AuditRecord[];
        return rows.map(toAuditRow);
      },
    },
    actions: {
      async begin(input, staleBefore) {
        return begin(input, staleBefore);
      },
      async setTask(id, emTask) {
        db.prepare('UPDATE job_actions SET em_task = ? WHERE id = ?').run(emTask, id);
      },
      async finish(id, outcome, at) {
        db.prepare(
          "UPDATE job_actions SET state = 'done', outcome = ?, outcome_at = ? WHERE id = ? AND state = 'running'",
        ).run(outcome, at.getTime(), id);
        const row = byId.get(id) as ActionRecord | undefined;
        return row ? toActionRow(row) : null;
      },
      async forAlert(alertId) {
        const rows = db
          .prepare('SELECT * FROM job_actions WHERE alert_id = ? ORDER BY id')
          .all(alertId) as ActionRecord[];
        return rows.map(toActionRow);
      },
      async get(id) {
        const row = byId.get(id) as ActionRecord | undefined;
        return row ? toActionRow(row) : null;
      },
      async byClick(clickKey) {
        const row = byClick.get(clickKey) as ActionRecord | undefined;
        return row ? toActionRow(row) : null;
      },
      async runningFor(jobUid, action, staleBefore) {
        const row = runningForJob.get(jobUid, ...sameKind(action), staleBefore.getTime()) as
          | ActionRecord
          | undefined;
        return row ? toActionRow(row) : null;
      },
    },
  };
}
