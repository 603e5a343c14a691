/**
 * The alerts' store: one repository per concern over the shared database (src/store/open-database.ts).
 * Everything the alerts need to survive a restart lives here: the poll watermark, the session UIDs already
 * seen, per-VM failure streaks, subscriptions, mutes, posted alerts and the outbox of notifications.
 */

import type { Generated, Kysely, Selectable, Updateable } from 'kysely';
import type { SessionKind } from '../../core/backup-sessions.js';
import { type StoreDb, toDialect } from '../../store/open-database.js';
import type {
  AlertNotice,
  AlertVm,
  JobRunAlert,
  Mute,
  MuteScope,
  Subscription,
  SubscriptionFilter,
} from './domain/alert-notice.js';
import { reviveNotice, toAlertResult, toStoredAlertResult } from './domain/alert-notice.js';
import type { PlannedAlert } from './domain/plan-alerts.js';

export interface VmStatus {
  jobName: string;
  vmName: string;
  failedRuns: number;
  lastResult: string;
  lastEndTime: Date;
}

export type OutboxAction = 'post' | 'update' | 'reply';
/** `dead`: Slack refused it for good; it is kept (with the reason) but never sent */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'dead';

export interface OutboxRow {
  id: number;
  key: string;
  channelId: string;
  action: OutboxAction;
  /** set for notices about an alert message: the notice is rendered from the alert as it is at send time */
  alertId: number | null;
  notice: AlertNotice | null;
  status: OutboxStatus;
  attempts: number;
  notBefore: Date;
  createdAt: Date;
  sentAt: Date | null;
  ts: string | null;
  lastError: string | null;
  /** why Slack refused it for good (status `dead`) */
  deadReason: string | null;
  /** set when the message an update or reply was for is gone: the row is sent as a new channel message */
  fallbackReason: string | null;
}

/** Items Slack refused for good, for `/healthz` and the App Home. */
export interface DeadLetters {
  count: number;
  lastReason: string | null;
  lastAt: Date | null;
}

export interface NewOutboxRow {
  key: string;
  channelId: string;
  action: OutboxAction;
  alertId?: number | null;
  notice?: AlertNotice | null;
  notBefore?: Date;
}

/** What the poller plans is what the store keeps. */
export type NewAlert = PlannedAlert;

/** An unrecovered VM of a posted (or queued) alert. */
export interface OpenAlertVm {
  alertId: number;
  channelId: string;
  taskUid: string;
  vmName: string;
  jobName: string;
  endTime: Date;
}

export interface AlertStore {
  /**
   * The database this store runs on: the open transaction inside `transaction`, else the database. A fence
   * asked with it (`fence(store.db)`) holds until the transaction commits.
   */
  readonly db: StoreDb;
  readonly state: {
    get(key: string): Promise<string | null>;
    set(key: string, value: string | null): Promise<void>;
  };
  readonly seen: {
    /** the UIDs of the list that were never seen, in the order given */
    unseen(uids: readonly string[]): Promise<string[]>;
    markSeen(sessions: ReadonlyArray<{ uid: string; endTime: Date }>, now: Date): Promise<void>;
    /** forgets sessions that ended before `before` (they can no longer fall into a poll window) */
    prune(before: Date): Promise<number>;
    count(): Promise<number>;
  };
  readonly vmStatus: {
    get(jobName: string, vmName: string): Promise<VmStatus | null>;
    put(status: VmStatus): Promise<void>;
    /** job names with at least one VM whose last run failed or warned */
    jobsWithOpenFailures(): Promise<string[]>;
  };
  readonly subscriptions: {
    add(channelId: string, filter: SubscriptionFilter, createdBy: string, now: Date): Promise<Subscription>;
    list(channelId?: string): Promise<Subscription[]>;
    remove(id: number): Promise<boolean>;
  };
  readonly mutes: {
    /**
     * A new mute, or, when the channel already mutes that name (case aside) and scope, that mute made to last
     * until the later of the two ends: one entry per name, never two (`extended` says which happened).
     */
    add(
      input: {
        channelId: string;
        scope: MuteScope;
        name: string;
        until: Date;
        createdBy: string;
        /** what it mutes; replication when absent */
        kind?: SessionKind;
      },
      now: Date,
    ): Promise<{ mute: Mute; extended: boolean }>;
    active(now: Date, channelId?: string): Promise<Mute[]>;
    remove(id: number): Promise<boolean>;
  };
  readonly alerts: {
    create(alert: NewAlert, now: Date): Promise<JobRunAlert>;
    /** the alert of this job run in this channel (the first, if there were more), null when there is none */
    findByRun(channelId: string, jobSessionUid: string): Promise<number | null>;
    /** adds VMs to an alert (an immediate-copy worker failing later in the same parent run); known ones are kept */
    addVms(alertId: number, vms: NewAlert['vms']): Promise<void>;
    get(id: number): Promise<JobRunAlert | null>;
    setTs(id: number, ts: string): Promise<void>;
    acknowledge(id: number, userId: string, at: Date): Promise<JobRunAlert | null>;
    openVms(jobName: string, vmName: string): Promise<OpenAlertVm[]>;
    markRecovered(alertId: number, taskUid: string, at: Date): Promise<void>;
  };
  readonly outbox: {
    /** adds a row unless its key exists; returns false for a duplicate */
    enqueue(row: NewOutboxRow, now: Date): Promise<boolean>;
    /** the oldest open row of each channel (FIFO per channel), due or not */
    heads(): Promise<OutboxRow[]>;
    markSending(id: number): Promise<void>;
    /**
     * Marks an open row `sending` for the leader with this fencing token (null: no lease, one process); false when
     * the row is no longer open or another transaction holds it (PostgreSQL: `FOR UPDATE SKIP LOCKED`). Call it
     * inside a transaction, after the fence.
     */
    claim(id: number, token: number | null): Promise<boolean>;
    /**
     * Marks the row sent; with `token`, only if that claim is still the row's (false when another leader claimed
     * it since).
     */
    markSent(id: number, ts: string | null, now: Date, token?: number | null): Promise<boolean>;
    /**
     * Tries again after `notBefore`. `uncertain` keeps the row in `sending`: the attempt may have reached Slack
     * (a timeout), so the next attempt checks for a delivered copy first.
     */
    retryLater(id: number, notBefore: Date, error: string, uncertain?: boolean): Promise<void>;
    /** every channel's open rows wait until `notBefore` (a 429 blocks the whole channel) */
    delayChannel(channelId: string, notBefore: Date): Promise<void>;
    /** ends the row: it is never sent (Slack refused it for good); kept with the reason */
    markDead(id: number, reason: string, now: Date): Promise<void>;
    /** the message the row updates or replies to is gone: send it as a new channel message, now */
    useFallback(id: number, reason: string, now: Date): Promise<void>;
    deadLetters(): Promise<DeadLetters>;
    open(): Promise<OutboxRow[]>;
    all(): Promise<OutboxRow[]>;
    /** the ts of the message sent under this key, null when it was not sent (or has none) */
    sentTs(key: string): Promise<string | null>;
  };
  /**
   * Runs `fn` in one transaction with a store bound to it: use only `tx` inside (the SQLite connection is held
   * by the transaction, so a call through the outer store would wait for it forever). Nested calls join it.
   */
  transaction<T>(fn: (tx: AlertStore) => Promise<T>): Promise<T>;
}

/** The alerts' tables (migrations.ts), as Kysely sees them. */
export type AlertTables = {
  poller_state: { key: string; value: string };
  seen_sessions: { uid: string; end_time: number; seen_at: number };
  vm_status: {
    job_name: string;
    vm_name: string;
    failed_runs: number;
    last_result: string;
    last_end_time: number;
  };
  subscriptions: {
    id: Generated<number>;
    channel_id: string;
    level: string;
    job: string | null;
    vm: string | null;
    server: string | null;
    /** migration 7: 'replication' or 'backup' */
    kind: Generated<string>;
    created_by: string;
    created_at: number;
  };
  mutes: {
    id: Generated<number>;
    channel_id: string;
    scope: string;
    name: string;
    until: number;
    created_by: string;
    created_at: number;
    /** null: replication (added by the RPO migration 201) */
    kind: string | null;
  };
  alerts: {
    id: Generated<number>;
    channel_id: string;
    job_session_uid: string;
    job_name: string;
    server_name: string | null;
    run_started_at: number;
    created_at: number;
    ts: string | null;
    acked_by: string | null;
    acked_at: number | null;
    reported_late_ms: number | null;
    /** migration 7: EM's JobType of a backup run */
    job_type: string | null;
  };
  alert_vms: {
    alert_id: number;
    task_uid: string;
    job_name: string;
    vm_name: string;
    result: string;
    reason: string;
    failed_runs: number;
    end_time: number;
    recovered_at: number | null;
  };
  outbox: {
    id: Generated<number>;
    dedupe_key: string;
    channel_id: string;
    action: string;
    alert_id: number | null;
    notice: string | null;
    status: Generated<string>;
    attempts: Generated<number>;
    not_before: number;
    created_at: number;
    sent_at: number | null;
    ts: string | null;
    last_error: string | null;
    dead_reason: string | null;
    dead_at: number | null;
    fallback_reason: string | null;
    claim_token: number | null;
  };
};

type Db = Kysely<AlertTables>;
type SubscriptionRecord = Selectable<AlertTables['subscriptions']>;
type MuteRecord = Selectable<AlertTables['mutes']>;
type OutboxRecord = Selectable<AlertTables['outbox']>;

const toSubscription = (r: SubscriptionRecord): Subscription => ({
  id: r.id,
  channelId: r.channel_id,
  level: r.level === 'warnings' ? 'warnings' : 'failed',
  job: r.job,
  vm: r.vm,
  server: r.server,
  // replication is the default and is left out, so subscriptions read as they did before backups
  ...(r.kind === 'backup' ? { kind: 'backup' as const } : {}),
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
});

const toMute = (r: MuteRecord): Mute => ({
  id: r.id,
  channelId: r.channel_id,
  scope: r.scope === 'job' ? 'job' : 'vm',
  name: r.name,
  until: new Date(r.until),
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
  // replication is the default and is left out (the column is the RPO migration 201's)
  ...(r.kind === 'backup' ? { kind: 'backup' as const } : {}),
});

const toOutboxRow = (r: OutboxRecord): OutboxRow => ({
  id: r.id,
  key: r.dedupe_key,
  channelId: r.channel_id,
  // cast: the column holds only what toOutboxRecord wrote (an OutboxAction / OutboxStatus); replibot is its only writer
  action: r.action as OutboxAction,
  alertId: r.alert_id,
  notice: r.notice === null ? null : reviveNotice(r.notice),
  status: r.status as OutboxStatus,
  attempts: r.attempts,
  notBefore: new Date(r.not_before),
  createdAt: new Date(r.created_at),
  sentAt: r.sent_at === null ? null : new Date(r.sent_at),
  ts: r.ts,
  lastError: r.last_error,
  deadReason: r.dead_reason,
  fallbackReason: r.fallback_reason,
});

/** rows per statement for the batched reads and writes (both engines bind far more parameters than this) */
const BATCH = 500;

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += BATCH) yield items.slice(i, i + BATCH);
}

const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): number =>
  Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);

/** The poll watermark and other small values of the poller, by key. */
function createStateRepository(db: Db): AlertStore['state'] {
  return {
    get: async (key) =>
      (await db.selectFrom('poller_state').select('value').where('key', '=', key).executeTakeFirst())
        ?.value ?? null,
    set: async (key, value) => {
      if (value === null) await db.deleteFrom('poller_state').where('key', '=', key).execute();
      else
        await db
          .insertInto('poller_state')
          .values({ key, value })
          .onConflict((c) => c.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
          .execute();
    },
  };
}

/** The session UIDs already handled, so a poll window that overlaps the last one alerts once. */
function createSeenRepository(db: Db): AlertStore['seen'] {
  return {
    unseen: async (uids) => {
      const seen = new Set<string>();
      for (const part of chunks(uids)) {
        const rows = await db.selectFrom('seen_sessions').select('uid').where('uid', 'in', part).execute();
        for (const r of rows) seen.add(r.uid);
      }
      return uids.filter((uid) => !seen.has(uid));
    },
    markSeen: async (sessions, now) => {
      for (const part of chunks(sessions)) {
        await db
          .insertInto('seen_sessions')
          .values(part.map((s) => ({ uid: s.uid, end_time: s.endTime.getTime(), seen_at: now.getTime() })))
          .onConflict((c) => c.column('uid').doNothing())
          .execute();
      }
    },
    prune: async (before) =>
      changed(
        await db.deleteFrom('seen_sessions').where('end_time', '<', before.getTime()).executeTakeFirst(),
      ),
    count: async () =>
      Number(
        (
          await db
            .selectFrom('seen_sessions')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
  };
}

/** Each VM's failure streak and last result, per job. */
function createVmStatusRepository(db: Db): AlertStore['vmStatus'] {
  return {
    get: async (jobName, vmName) => {
      const r = await db
        .selectFrom('vm_status')
        .selectAll()
        .where('job_name', '=', jobName)
        .where('vm_name', '=', vmName)
        .executeTakeFirst();
      return r === undefined
        ? null
        : {
            jobName: r.job_name,
            vmName: r.vm_name,
            failedRuns: r.failed_runs,
            lastResult: r.last_result,
            lastEndTime: new Date(r.last_end_time),
          };
    },
    put: async (s) => {
      await db
        .insertInto('vm_status')
        .values({
          job_name: s.jobName,
          vm_name: s.vmName,
          failed_runs: s.failedRuns,
          last_result: s.lastResult,
          last_end_time: s.lastEndTime.getTime(),
        })
        .onConflict((c) =>
          c.columns(['job_name', 'vm_name']).doUpdateSet((eb) => ({
            failed_runs: eb.ref('excluded.failed_runs'),
            last_result: eb.ref('excluded.last_result'),
            last_end_time: eb.ref('excluded.last_end_time'),
          })),
        )
        .execute();
    },
    jobsWithOpenFailures: async () =>
      (
        await db
          .selectFrom('vm_status')
          .select('job_name')
          .distinct()
          .where('last_result', '!=', 'Success')
          .orderBy('job_name')
          .execute()
      ).map((r) => r.job_name),
  };
}

/** Which channels get which alerts (`/replicas subscribe`). */
function createSubscriptionRepository(db: Db): AlertStore['subscriptions'] {
  return {
    add: async (channelId, f, createdBy, now) =>
      toSubscription(
        await db
          .insertInto('subscriptions')
          .values({
            channel_id: channelId,
            level: f.level,
            job: f.job,
            vm: f.vm,
            server: f.server,
            kind: f.kind ?? 'replication',
            created_by: createdBy,
            created_at: now.getTime(),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      ),
    list: async (channelId) =>
      (
        await (channelId === undefined
          ? db.selectFrom('subscriptions').selectAll().orderBy('channel_id').orderBy('id')
          : db.selectFrom('subscriptions').selectAll().where('channel_id', '=', channelId).orderBy('id')
        ).execute()
      ).map(toSubscription),
    remove: async (id) =>
      changed(await db.deleteFrom('subscriptions').where('id', '=', id).executeTakeFirst()) > 0,
  };
}

/** Names left out of a channel's alerts until a time (`/replicas mute`). */
function createMuteRepository(db: Db): AlertStore['mutes'] {
  const byId = async (id: number): Promise<Mute> =>
    toMute(await db.selectFrom('mutes').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  return {
    add: async (m, now) => {
      const same = await db
        .selectFrom('mutes')
        .selectAll()
        .where('channel_id', '=', m.channelId)
        .where('scope', '=', m.scope)
        .where((eb) =>
          m.kind === 'backup'
            ? eb('kind', '=', 'backup')
            : eb.or([eb('kind', 'is', null), eb('kind', '!=', 'backup')]),
        )
        .where((eb) => eb(eb.fn('lower', ['name']), '=', eb.fn('lower', [eb.val(m.name)])))
        .where('until', '>', now.getTime())
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (same !== undefined) {
        if (m.until.getTime() > same.until)
          await db.updateTable('mutes').set({ until: m.until.getTime() }).where('id', '=', same.id).execute();
        return { mute: await byId(same.id), extended: true };
      }
      const row = await db
        .insertInto('mutes')
        .values({
          channel_id: m.channelId,
          scope: m.scope,
          name: m.name,
          kind: m.kind === 'backup' ? 'backup' : null,
          until: m.until.getTime(),
          created_by: m.createdBy,
          created_at: now.getTime(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { mute: toMute(row), extended: false };
    },
    active: async (now, channelId) =>
      (
        await (channelId === undefined
          ? db
              .selectFrom('mutes')
              .selectAll()
              .where('until', '>', now.getTime())
              .orderBy('channel_id')
              .orderBy('until')
              .orderBy('id')
          : db
              .selectFrom('mutes')
              .selectAll()
              .where('channel_id', '=', channelId)
              .where('until', '>', now.getTime())
              .orderBy('until')
              .orderBy('id')
        ).execute()
      ).map(toMute),
    remove: async (id) => changed(await db.deleteFrom('mutes').where('id', '=', id).executeTakeFirst()) > 0,
  };
}

/** The posted (or queued) alert messages and their VMs, acknowledgements and recoveries. */
function createAlertRepository(db: Db): AlertStore['alerts'] {
  const insertVms = async (alertId: number, jobName: string, vms: NewAlert['vms']): Promise<void> => {
    if (vms.length === 0) return;
    await db
      .insertInto('alert_vms')
      .values(
        vms.map((vm) => ({
          alert_id: alertId,
          task_uid: vm.taskUid,
          // the VM's own job (a worker's in its parent's alert): recoveries match on it
          job_name: vm.jobName ?? jobName,
          vm_name: vm.vmName,
          result: toStoredAlertResult(vm),
          reason: vm.reason,
          failed_runs: vm.failedRuns,
          end_time: vm.endTime.getTime(),
        })),
      )
      .onConflict((oc) => oc.columns(['alert_id', 'task_uid']).doNothing())
      .execute();
  };
  const getAlert = async (id: number): Promise<JobRunAlert | null> => {
    const a = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    if (a === undefined) return null;
    const vms = (
      await db
        .selectFrom('alert_vms')
        .selectAll()
        .where('alert_id', '=', id)
        .orderBy('vm_name')
        .orderBy('task_uid')
        .execute()
    ).map(
      (v): AlertVm => ({
        taskUid: v.task_uid,
        vmName: v.vm_name,
        ...toAlertResult(v.result),
        reason: v.reason,
        failedRuns: v.failed_runs,
        endTime: new Date(v.end_time),
        recoveredAt: v.recovered_at === null ? null : new Date(v.recovered_at),
        // an immediate-copy worker's VM in its parent run's alert: the job it ran in
        ...(v.job_name !== a.job_name ? { jobName: v.job_name } : {}),
      }),
    );
    return {
      id: a.id,
      channelId: a.channel_id,
      jobSessionUid: a.job_session_uid,
      jobName: a.job_name,
      ...(a.job_type ? { jobType: a.job_type } : {}),
      serverName: a.server_name,
      runStartedAt: new Date(a.run_started_at),
      reportedLateMs: a.reported_late_ms,
      vms,
      acknowledgedBy: a.acked_by,
      acknowledgedAt: a.acked_at === null ? null : new Date(a.acked_at),
      ts: a.ts,
    };
  };

  return {
    create: async (alert, now) => {
      const { id } = await db
        .insertInto('alerts')
        .values({
          channel_id: alert.channelId,
          job_session_uid: alert.jobSessionUid,
          job_name: alert.jobName,
          server_name: alert.serverName,
          run_started_at: alert.runStartedAt.getTime(),
          created_at: now.getTime(),
          reported_late_ms: alert.reportedLateMs ?? null,
          job_type: alert.jobType ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await insertVms(id, alert.jobName, alert.vms);
      const created = await getAlert(id);
      if (created === null) throw new Error(`alert ${id} vanished right after it was written`);
      return created;
    },
    findByRun: async (channelId, jobSessionUid) =>
      (
        await db
          .selectFrom('alerts')
          .select('id')
          .where('channel_id', '=', channelId)
          .where('job_session_uid', '=', jobSessionUid)
          .orderBy('id')
          .limit(1)
          .executeTakeFirst()
      )?.id ?? null,
    addVms: async (alertId, vms) => {
      const a = await db.selectFrom('alerts').select('job_name').where('id', '=', alertId).executeTakeFirst();
      if (a === undefined) throw new Error(`alert ${alertId} does not exist`);
      await insertVms(alertId, a.job_name, vms);
    },
    get: getAlert,
    setTs: async (id, ts) => {
      await db.updateTable('alerts').set({ ts }).where('id', '=', id).execute();
    },
    acknowledge: async (id, userId, at) => {
      await db
        .updateTable('alerts')
        .set({ acked_by: userId, acked_at: at.getTime() })
        .where('id', '=', id)
        .where('acked_by', 'is', null)
        .execute();
      return getAlert(id);
    },
    openVms: async (jobName, vmName) =>
      (
        await db
          .selectFrom('alert_vms as v')
          .innerJoin('alerts as a', 'a.id', 'v.alert_id')
          .select(['v.alert_id', 'a.channel_id', 'v.task_uid', 'v.vm_name', 'v.job_name', 'v.end_time'])
          .where('v.job_name', '=', jobName)
          .where('v.vm_name', '=', vmName)
          .where('v.recovered_at', 'is', null)
          .orderBy('v.alert_id')
          .execute()
      ).map((r) => ({
        alertId: r.alert_id,
        channelId: r.channel_id,
        taskUid: r.task_uid,
        vmName: r.vm_name,
        jobName: r.job_name,
        endTime: new Date(r.end_time),
      })),
    markRecovered: async (alertId, taskUid, at) => {
      await db
        .updateTable('alert_vms')
        .set({ recovered_at: at.getTime() })
        .where('alert_id', '=', alertId)
        .where('task_uid', '=', taskUid)
        .where('recovered_at', 'is', null)
        .execute();
    },
  };
}

const OPEN: OutboxStatus[] = ['pending', 'sending'];

/** The notifications waiting to reach Slack, in order per channel, kept across restarts. */
function createOutboxRepository(db: Db): AlertStore['outbox'] {
  const postgres = toDialect(db) === 'postgres';
  const setById = (id: number, values: Updateable<AlertTables['outbox']>) =>
    db.updateTable('outbox').set(values).where('id', '=', id).execute();
  return {
    enqueue: async (row, now) =>
      Number(
        (
          await db
            .insertInto('outbox')
            .values({
              dedupe_key: row.key,
              channel_id: row.channelId,
              action: row.action,
              alert_id: row.alertId ?? null,
              notice: row.notice == null ? null : JSON.stringify(row.notice),
              not_before: (row.notBefore ?? now).getTime(),
              created_at: now.getTime(),
            })
            .onConflict((c) => c.column('dedupe_key').doNothing())
            .executeTakeFirst()
        ).numInsertedOrUpdatedRows ?? 0n,
      ) > 0,
    heads: async () =>
      (
        await db
          .selectFrom('outbox as o')
          .innerJoin(
            (eb) =>
              eb
                .selectFrom('outbox')
                .select((e) => ['channel_id', e.fn.min('id').as('head_id')])
                .where('status', 'in', OPEN)
                .groupBy('channel_id')
                .as('h'),
            (join) => join.onRef('h.head_id', '=', 'o.id'),
          )
          .selectAll('o')
          .orderBy('o.id')
          .execute()
      ).map(toOutboxRow),
    markSending: async (id) => {
      await db
        .updateTable('outbox')
        .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .execute();
    },
    claim: async (id, token) => {
      let open = db.selectFrom('outbox').select('id').where('id', '=', id).where('status', 'in', OPEN);
      if (postgres) open = open.forUpdate().skipLocked();
      if ((await open.executeTakeFirst()) === undefined) return false;
      await db
        .updateTable('outbox')
        .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), claim_token: token }))
        .where('id', '=', id)
        .execute();
      return true;
    },
    markSent: async (id, ts, now, token) => {
      let query = db
        .updateTable('outbox')
        .set({ status: 'sent', ts, sent_at: now.getTime(), last_error: null })
        .where('id', '=', id);
      if (token !== undefined && token !== null) query = query.where('claim_token', '=', token);
      return changed(await query.executeTakeFirst()) > 0;
    },
    retryLater: async (id, notBefore, error, uncertain = false) => {
      await setById(id, {
        status: uncertain ? 'sending' : 'pending',
        not_before: notBefore.getTime(),
        last_error: error.slice(0, 500),
      });
    },
    delayChannel: async (channelId, notBefore) => {
      await db
        .updateTable('outbox')
        .set({ not_before: notBefore.getTime() })
        .where('channel_id', '=', channelId)
        .where('status', 'in', OPEN)
        .where('not_before', '<', notBefore.getTime())
        .execute();
    },
    markDead: async (id, reason, now) => {
      const text = reason.slice(0, 500);
      await setById(id, { status: 'dead', dead_reason: text, dead_at: now.getTime(), last_error: text });
    },
    useFallback: async (id, reason, now) => {
      const text = reason.slice(0, 500);
      await setById(id, {
        status: 'pending',
        fallback_reason: text,
        not_before: now.getTime(),
        last_error: text,
      });
    },
    deadLetters: async () => {
      const last = await db
        .selectFrom('outbox')
        .select(['dead_reason', 'dead_at'])
        .where('status', '=', 'dead')
        .orderBy('dead_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const { n } = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', 'dead')
        .executeTakeFirstOrThrow();
      return {
        count: Number(n),
        lastReason: last?.dead_reason ?? null,
        lastAt: last?.dead_at == null ? null : new Date(last.dead_at),
      };
    },
    open: async () =>
      (await db.selectFrom('outbox').selectAll().where('status', 'in', OPEN).orderBy('id').execute()).map(
        toOutboxRow,
      ),
    all: async () => (await db.selectFrom('outbox').selectAll().orderBy('id').execute()).map(toOutboxRow),
    sentTs: async (key) =>
      (
        await db
          .selectFrom('outbox')
          .select('ts')
          .where('dedupe_key', '=', key)
          .where('status', '=', 'sent')
          .executeTakeFirst()
      )?.ts ?? null,
  };
}

/** The alerts' repositories over the shared database (its tables: migrations.ts), one factory each. */
export function createAlertStore(database: StoreDb): AlertStore {
  const bind = (executor: StoreDb, inTransaction: boolean): AlertStore => {
    const db = executor.withTables<AlertTables>();
    const store: AlertStore = {
      db: executor,
      state: createStateRepository(db),
      seen: createSeenRepository(db),
      vmStatus: createVmStatusRepository(db),
      subscriptions: createSubscriptionRepository(db),
      mutes: createMuteRepository(db),
      alerts: createAlertRepository(db),
      outbox: createOutboxRepository(db),
      transaction: (fn) =>
        inTransaction ? fn(store) : executor.transaction().execute((trx) => fn(bind(trx, true))),
    };
    return store;
  };
  return bind(database, false);
}
