/**
 * The job actions' store: the append-only audit and the state of each click. Async repositories over the shared
 * database (SQLite or PostgreSQL) through Kysely.
 */
import type { ExpressionBuilder, Generated, Kysely, Selectable } from 'kysely';
import { isJobAction, type JobAction } from '../../core/jobs.js';
import type { StoreDb } from '../../store/open-database.js';

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
  /** the job's latest run when the click was confirmed (or the alert's run): never the run the action started */
  priorSessionUid: string | null;
  /** the instance following it (null: nobody, another instance may take it over) */
  followOwner: string | null;
  /** when its follower last said it still follows */
  followBeat: Date | null;
}

export type NewJobAction = Omit<
  JobActionRow,
  'id' | 'state' | 'emTask' | 'outcome' | 'outcomeAt' | 'followOwner' | 'followBeat' | 'priorSessionUid'
> & {
  priorSessionUid?: string | null;
  /** the instance that will follow it (the one that sends it to EM) */
  followOwner?: string | null;
};

export interface ActionStore {
  audit: {
    append(entry: AuditEntry): Promise<void>;
    /** newest first, at most `limit`, since `since`, for one job name (case-insensitive) when given */
    list(query: { since: Date; jobName?: string | null; limit: number }): Promise<AuditRow[]>;
  };
  actions: {
    /**
     * Starts a click's action unless one of the same job is running: `started`, `repeat` (this click was seen
     * before: a retried request) or `busy` with the action already running. The database enforces it (a unique
     * index on the running action of a job and kind, and on the click): two instances racing get one `started`.
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
    /** ends a running action; the row when this call ended it, null when it had ended already */
    finish(id: number, outcome: string, at: Date): Promise<JobActionRow | null>;
    /** the follower says it still follows; false when the row is no longer its own (or ended) */
    beat(id: number, owner: string, at: Date): Promise<boolean>;
    /** the follower lets go of it (a clean stop): the next instance to look takes it over at once */
    release(id: number, owner: string): Promise<void>;
    /**
     * Takes over the running actions nobody follows (no owner, or a beat before `quietBefore`): each is claimed
     * by one instance only (a conditional update), and returned to it.
     */
    claimUnfollowed(owner: string, at: Date, quietBefore: Date): Promise<JobActionRow[]>;
    /** the actions pressed on one alert, oldest first */
    forAlert(alertId: number): Promise<JobActionRow[]>;
    get(id: number): Promise<JobActionRow | null>;
    /** the row of a click seen before (a retried request), or null */
    byClick(clickKey: string): Promise<JobActionRow | null>;
    /** the action of the same kind (a run, a stop, the schedule) running on a job, or null */
    runningFor(jobUid: string, action: JobAction, staleBefore: Date): Promise<JobActionRow | null>;
  };
}

/** The job actions' tables (migrations.ts), as Kysely sees them. */
export type ActionTables = {
  action_audit: {
    id: Generated<number>;
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
  };
  job_actions: {
    id: Generated<number>;
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
    kind: string | null;
    follow_owner: string | null;
    follow_beat: number | null;
    prior_session_uid: string | null;
  };
};

type ActionRecord = Selectable<ActionTables['job_actions']>;
type AuditRecord = Selectable<ActionTables['action_audit']>;

const AUDIT_EVENTS: readonly AuditEvent[] = [
  'requested',
  'confirmed',
  'refused',
  'em_call',
  'em_task',
  'outcome',
];

/**
 * Actions that wait for each other on one job: a run (retry, start), a stop, the schedule (pause, resume). A Stop
 * is never kept waiting by the run it stops.
 */
export function toActionKind(action: JobAction): 'run' | 'stop' | 'schedule' {
  switch (action) {
    case 'retry':
    case 'start':
      return 'run';
    case 'pause':
    case 'resume':
      return 'schedule';
    case 'stop':
      return 'stop';
  }
}

function sameKind(action: JobAction): JobAction[] {
  switch (action) {
    case 'retry':
    case 'start':
      return ['retry', 'start'];
    case 'pause':
    case 'resume':
      return ['pause', 'resume'];
    case 'stop':
      return ['stop'];
  }
}

const num = (value: number | string | bigint | null): number | null =>
  value === null ? null : Number(value);

function toActionRow(r: ActionRecord): JobActionRow {
  const outcomeAt = num(r.outcome_at);
  return {
    id: Number(r.id),
    clickKey: r.click_key,
    // written by `begin` from a JobAction only; anything else reads as the mildest action
    action: isJobAction(r.action) ? r.action : 'start',
    jobUid: r.job_uid,
    jobName: r.job_name,
    serverName: r.server_name,
    slackUser: r.slack_user,
    channelId: r.channel_id,
    messageTs: r.message_ts,
    alertId: num(r.alert_id),
    state: r.state === 'running' ? 'running' : 'done',
    startedAt: new Date(Number(r.started_at)),
    emTask: r.em_task,
    outcome: r.outcome,
    outcomeAt: outcomeAt === null ? null : new Date(outcomeAt),
    priorSessionUid: r.prior_session_uid,
    followOwner: r.follow_owner,
    followBeat: r.follow_beat === null ? null : new Date(Number(r.follow_beat)),
  };
}

function toAuditRow(r: AuditRecord): AuditRow {
  return {
    id: Number(r.id),
    at: new Date(Number(r.at)),
    // the CHECK constraint keeps it one of the AuditEvent words
    event: AUDIT_EVENTS.find((e) => e === r.event) ?? 'refused',
    clickKey: r.click_key,
    slackUser: r.slack_user,
    channelId: r.channel_id,
    messageTs: r.message_ts,
    alertId: num(r.alert_id),
    action: r.action,
    jobUid: r.job_uid,
    jobName: r.job_name,
    serverName: r.server_name,
    emTask: r.em_task,
    result: r.result,
    detail: r.detail,
  };
}

export function createActionStore(store: StoreDb): ActionStore {
  const db: Kysely<ActionTables> = store.withTables<ActionTables>();
  const byClick = (executor: Kysely<ActionTables>, clickKey: string) =>
    executor.selectFrom('job_actions').selectAll().where('click_key', '=', clickKey).executeTakeFirst();
  const runningFor = (executor: Kysely<ActionTables>, jobUid: string, action: JobAction, staleBefore: Date) =>
    executor
      .selectFrom('job_actions')
      .selectAll()
      .where('job_uid', '=', jobUid)
      .where('action', 'in', sameKind(action))
      .where('state', '=', 'running')
      .where('started_at', '>=', staleBefore.getTime())
      .orderBy('id')
      .executeTakeFirst();
  const byId = async (id: number) =>
    db.selectFrom('job_actions').selectAll().where('id', '=', id).executeTakeFirst();

  return {
    audit: {
      async append(entry) {
        await db
          .insertInto('action_audit')
          .values({
            at: entry.at.getTime(),
            event: entry.event,
            click_key: entry.clickKey,
            slack_user: entry.slackUser,
            channel_id: entry.channelId,
            message_ts: entry.messageTs,
            alert_id: entry.alertId,
            action: entry.action,
            job_uid: entry.jobUid,
            job_name: entry.jobName,
            server_name: entry.serverName,
            em_task: entry.emTask,
            result: entry.result,
            detail: entry.detail,
          })
          .execute();
      },
      async list({ since, jobName, limit }) {
        let query = db
          .selectFrom('action_audit')
          .selectAll()
          .where('at', '>=', since.getTime())
          .orderBy('id', 'desc')
          .limit(limit);
        if (jobName)
          query = query.where((eb) => eb(eb.fn('lower', ['job_name']), '=', jobName.toLowerCase()));
        return (await query.execute()).map(toAuditRow);
      },
    },
    actions: {
      begin: (input, staleBefore) =>
        db.transaction().execute(async (trx) => {
          const seen = await byClick(trx, input.clickKey);
          if (seen) return { status: 'repeat' as const, row: toActionRow(seen) };
          // a running action older than any follow-through was cut short: it no longer holds the job
          await trx
            .updateTable('job_actions')
            .set({
              state: 'done',
              outcome: 'unknown: its follow-through ended before an outcome was seen',
              outcome_at: input.startedAt.getTime(),
            })
            .where('job_uid', '=', input.jobUid)
            .where('kind', '=', toActionKind(input.action))
            .where('state', '=', 'running')
            .where('started_at', '<', staleBefore.getTime())
            .execute();
          const running = await runningFor(trx, input.jobUid, input.action, staleBefore);
          if (running) return { status: 'busy' as const, row: toActionRow(running) };
          // the unique indexes decide between two instances that both got here: the loser inserts nothing
          const row = await trx
            .insertInto('job_actions')
            .values({
              click_key: input.clickKey,
              action: input.action,
              kind: toActionKind(input.action),
              job_uid: input.jobUid,
              job_name: input.jobName,
              server_name: input.serverName,
              slack_user: input.slackUser,
              channel_id: input.channelId,
              message_ts: input.messageTs,
              alert_id: input.alertId,
              prior_session_uid: input.priorSessionUid ?? null,
              state: 'running',
              started_at: input.startedAt.getTime(),
              follow_owner: input.followOwner ?? null,
              follow_beat: input.startedAt.getTime(),
            })
            .onConflict((oc) => oc.doNothing())
            .returningAll()
            .executeTakeFirst();
          if (row) return { status: 'started' as const, row: toActionRow(row) };
          const again = await byClick(trx, input.clickKey);
          if (again) return { status: 'repeat' as const, row: toActionRow(again) };
          const winner = await runningFor(trx, input.jobUid, input.action, new Date(0));
          if (winner) return { status: 'busy' as const, row: toActionRow(winner) };
          throw new Error('job action neither started nor held by another action');
        }),
      async setTask(id, emTask) {
        await db.updateTable('job_actions').set({ em_task: emTask }).where('id', '=', id).execute();
      },
      async finish(id, outcome, at) {
        const result = await db
          .updateTable('job_actions')
          .set({ state: 'done', outcome, outcome_at: at.getTime(), follow_owner: null })
          .where('id', '=', id)
          .where('state', '=', 'running')
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return null;
        const row = await byId(id);
        return row ? toActionRow(row) : null;
      },
      async beat(id, owner, at) {
        const result = await db
          .updateTable('job_actions')
          .set({ follow_beat: at.getTime() })
          .where('id', '=', id)
          .where('follow_owner', '=', owner)
          .where('state', '=', 'running')
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      },
      async release(id, owner) {
        await db
          .updateTable('job_actions')
          .set({ follow_owner: null })
          .where('id', '=', id)
          .where('follow_owner', '=', owner)
          .execute();
      },
      async claimUnfollowed(owner, at, quietBefore) {
        const unfollowed = (eb: ExpressionBuilder<ActionTables, 'job_actions'>) =>
          eb.or([eb('follow_owner', 'is', null), eb('follow_beat', '<', quietBefore.getTime())]);
        const candidates = await db
          .selectFrom('job_actions')
          .select('id')
          .where('state', '=', 'running')
          .where(unfollowed)
          .orderBy('id')
          .limit(100)
          .execute();
        const claimed: JobActionRow[] = [];
        for (const { id } of candidates) {
          const result = await db
            .updateTable('job_actions')
            .set({ follow_owner: owner, follow_beat: at.getTime() })
            .where('id', '=', id)
            .where('state', '=', 'running')
            .where(unfollowed)
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) === 0) continue;
          const row = await byId(Number(id));
          if (row) claimed.push(toActionRow(row));
        }
        return claimed;
      },
      async forAlert(alertId) {
        const rows = await db
          .selectFrom('job_actions')
          .selectAll()
          .where('alert_id', '=', alertId)
          .orderBy('id')
          .execute();
        return rows.map(toActionRow);
      },
      async get(id) {
        const row = await byId(id);
        return row ? toActionRow(row) : null;
      },
      async byClick(clickKey) {
        const row = await byClick(db, clickKey);
        return row ? toActionRow(row) : null;
      },
      async runningFor(jobUid, action, staleBefore) {
        const row = await runningFor(db, jobUid, action, staleBefore);
        return row ? toActionRow(row) : null;
      },
    },
  };
}
