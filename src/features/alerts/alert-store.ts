/**
 * The alerts' store: one repository per concern over the shared database (src/store/open-database.ts).
 * Everything the alerts need to survive a restart lives here: the poll watermark, the session UIDs already
 * seen, per-VM failure streaks, subscriptions, mutes, posted alerts and the outbox of notifications.
 */

import type { SqliteDatabase } from '../../store/open-database.js';
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
  readonly state: {
    get(key: string): string | null;
    set(key: string, value: string | null): void;
  };
  readonly seen: {
    /** the UIDs of the list that were never seen, in the order given */
    unseen(uids: readonly string[]): string[];
    markSeen(sessions: ReadonlyArray<{ uid: string; endTime: Date }>, now: Date): void;
    /** forgets sessions that ended before `before` (they can no longer fall into a poll window) */
    prune(before: Date): number;
    count(): number;
  };
  readonly vmStatus: {
    get(jobName: string, vmName: string): VmStatus | null;
    put(status: VmStatus): void;
    /** job names with at least one VM whose last run failed or warned */
    jobsWithOpenFailures(): string[];
  };
  readonly subscriptions: {
    add(channelId: string, filter: SubscriptionFilter, createdBy: string, now: Date): Subscription;
    list(channelId?: string): Subscription[];
    remove(id: number): boolean;
  };
  readonly mutes: {
    /**
     * A new mute, or, when the channel already mutes that name (case aside) and scope, that mute made to last
     * until the later of the two ends: one entry per name, never two (`extended` says which happened).
     */
    add(
      input: { channelId: string; scope: MuteScope; name: string; until: Date; createdBy: string },
      now: Date,
    ): { mute: Mute; extended: boolean };
    active(now: Date, channelId?: string): Mute[];
    remove(id: number): boolean;
  };
  readonly alerts: {
    create(alert: NewAlert, now: Date): JobRunAlert;
    get(id: number): JobRunAlert | null;
    setTs(id: number, ts: string): void;
    acknowledge(id: number, userId: string, at: Date): JobRunAlert | null;
    openVms(jobName: string, vmName: string): OpenAlertVm[];
    markRecovered(alertId: number, taskUid: string, at: Date): void;
  };
  readonly outbox: {
    /** adds a row unless its key exists; returns false for a duplicate */
    enqueue(row: NewOutboxRow, now: Date): boolean;
    /** the oldest open row of each channel (FIFO per channel), due or not */
    heads(): OutboxRow[];
    markSending(id: number): void;
    markSent(id: number, ts: string | null, now: Date): void;
    /**
     * Tries again after `notBefore`. `uncertain` keeps the row in `sending`: the attempt may have reached Slack
     * (a timeout), so the next attempt checks for a delivered copy first.
     */
    retryLater(id: number, notBefore: Date, error: string, uncertain?: boolean): void;
    /** every channel's open rows wait until `notBefore` (a 429 blocks the whole channel) */
    delayChannel(channelId: string, notBefore: Date): void;
    /** ends the row: it is never sent (Slack refused it for good); kept with the reason */
    markDead(id: number, reason: string, now: Date): void;
    /** the message the row updates or replies to is gone: send it as a new channel message, now */
    useFallback(id: number, reason: string, now: Date): void;
    deadLetters(): DeadLetters;
    open(): OutboxRow[];
    all(): OutboxRow[];
  };
  transaction<T>(fn: () => T): T;
}

interface SubscriptionRecord {
  id: number;
  channel_id: string;
  level: string;
  job: string | null;
  vm: string | null;
  server: string | null;
  /** migration 6 */
  kind?: string;
  created_by: string;
  created_at: number;
}

interface MuteRecord {
  id: number;
  channel_id: string;
  scope: string;
  name: string;
  until: number;
  created_by: string;
  created_at: number;
}

interface AlertRecord {
  id: number;
  channel_id: string;
  job_session_uid: string;
  job_name: string;
  server_name: string | null;
  run_started_at: number;
  reported_late_ms: number | null;
  job_type?: string | null;
  ts: string | null;
  acked_by: string | null;
  acked_at: number | null;
}

interface AlertVmRecord {
  task_uid: string;
  vm_name: string;
  result: string;
  reason: string;
  failed_runs: number;
  end_time: number;
  recovered_at: number | null;
}

interface OutboxRecord {
  id: number;
  dedupe_key: string;
  channel_id: string;
  action: string;
  alert_id: number | null;
  notice: string | null;
  status: string;
  attempts: number;
  not_before: number;
  created_at: number;
  sent_at: number | null;
  ts: string | null;
  last_error: string | null;
  dead_reason: string | null;
  fallback_reason: string | null;
}

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
});

const toOutboxRow = (r: OutboxRecord): OutboxRow => ({
  id: r.id,
  key: r.dedupe_key,
  channelId: r.channel_id,
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

/** The poll watermark and other small values of the poller, by key. */
function createStateRepository(db: SqliteDatabase): AlertStore['state'] {
  const q = {
    stateGet: db.prepare('SELECT value FROM poller_state WHERE key = ?'),
    stateSet: db.prepare(
      'INSERT INTO poller_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    stateDelete: db.prepare('DELETE FROM poller_state WHERE key = ?'),
  };

  return {
    get: (key) => (q.stateGet.get(key) as { value: string } | undefined)?.value ?? null,
    set: (key, value) => {
      if (value === null) q.stateDelete.run(key);
      else q.stateSet.run(key, value);
    },
  };
}

/** The session UIDs already handled, so a poll window that overlaps the last one alerts once. */
function createSeenRepository(db: SqliteDatabase): AlertStore['seen'] {
  const q = {
    seenOne: db.prepare('SELECT 1 FROM seen_sessions WHERE uid = ?').pluck(),
    seenInsert: db.prepare(
      'INSERT INTO seen_sessions (uid, end_time, seen_at) VALUES (?, ?, ?) ON CONFLICT (uid) DO NOTHING',
    ),
    seenPrune: db.prepare('DELETE FROM seen_sessions WHERE end_time < ?'),
    seenCount: db.prepare('SELECT COUNT(*) FROM seen_sessions').pluck(),
  };

  return {
    unseen: (uids) => uids.filter((uid) => q.seenOne.get(uid) === undefined),
    markSeen: (sessions, now) => {
      for (const s of sessions) q.seenInsert.run(s.uid, s.endTime.getTime(), now.getTime());
    },
    prune: (before) => q.seenPrune.run(before.getTime()).changes,
    count: () => q.seenCount.get() as number,
  };
}

/** Each VM's failure streak and last result, per job. */
function createVmStatusRepository(db: SqliteDatabase): AlertStore['vmStatus'] {
  const q = {
    vmGet: db.prepare('SELECT * FROM vm_status WHERE job_name = ? AND vm_name = ?'),
    vmPut: db.prepare(
      `INSERT INTO vm_status (job_name, vm_name, failed_runs, last_result, last_end_time) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (job_name, vm_name) DO UPDATE SET failed_runs = excluded.failed_runs,
         last_result = excluded.last_result, last_end_time = excluded.last_end_time`,
    ),
    vmOpenJobs: db
      .prepare("SELECT DISTINCT job_name FROM vm_status WHERE last_result != 'Success' ORDER BY job_name")
      .pluck(),
  };

  return {
    get: (jobName, vmName) => {
      const r = q.vmGet.get(jobName, vmName) as
        | {
            job_name: string;
            vm_name: string;
            failed_runs: number;
            last_result: string;
            last_end_time: number;
          }
        | undefined;
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
    put: (s) => {
      q.vmPut.run(s.jobName, s.vmName, s.failedRuns, s.lastResult, s.lastEndTime.getTime());
    },
    jobsWithOpenFailures: () => q.vmOpenJobs.all() as string[],
  };
}

/** Which channels get which alerts (`/replicas subscribe`). */
function createSubscriptionRepository(db: SqliteDatabase): AlertStore['subscriptions'] {
  const q = {
    subInsert: db.prepare(
      'INSERT INTO subscriptions (channel_id, level, job, vm, server, created_by, created_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    subById: db.prepare('SELECT * FROM subscriptions WHERE id = ?'),
    subAll: db.prepare('SELECT * FROM subscriptions ORDER BY channel_id, id'),
    subChannel: db.prepare('SELECT * FROM subscriptions WHERE channel_id = ? ORDER BY id'),
    subDelete: db.prepare('DELETE FROM subscriptions WHERE id = ?'),
  };

  return {
    add: (channelId, f, createdBy, now) => {
      const id = Number(
        q.subInsert.run(
          channelId,
          f.level,
          f.job,
          f.vm,
          f.server,
          createdBy,
          now.getTime(),
          f.kind ?? 'replication',
        ).lastInsertRowid,
      );
      return toSubscription(q.subById.get(id) as SubscriptionRecord);
    },
    list: (channelId) =>
      ((channelId === undefined ? q.subAll.all() : q.subChannel.all(channelId)) as SubscriptionRecord[]).map(
        toSubscription,
      ),
    remove: (id) => q.subDelete.run(id).changes > 0,
  };
}

/** Names left out of a channel's alerts until a time (`/replicas mute`). */
function createMuteRepository(db: SqliteDatabase): AlertStore['mutes'] {
  const q = {
    muteInsert: db.prepare(
      'INSERT INTO mutes (channel_id, scope, name, until, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    muteById: db.prepare('SELECT * FROM mutes WHERE id = ?'),
    muteActive: db.prepare('SELECT * FROM mutes WHERE until > ? ORDER BY channel_id, until, id'),
    muteActiveChannel: db.prepare(
      'SELECT * FROM mutes WHERE channel_id = ? AND until > ? ORDER BY until, id',
    ),
    muteDelete: db.prepare('DELETE FROM mutes WHERE id = ?'),
    muteSame: db.prepare(
      'SELECT * FROM mutes WHERE channel_id = ? AND scope = ? AND lower(name) = lower(?) AND until > ? ORDER BY id LIMIT 1',
    ),
    muteExtend: db.prepare('UPDATE mutes SET until = ? WHERE id = ?'),
  };

  return {
    add: (m, now) => {
      const same = q.muteSame.get(m.channelId, m.scope, m.name, now.getTime()) as MuteRecord | undefined;
      if (same !== undefined) {
        if (m.until.getTime() > same.until) q.muteExtend.run(m.until.getTime(), same.id);
        return { mute: toMute(q.muteById.get(same.id) as MuteRecord), extended: true };
      }
      const id = Number(
        q.muteInsert.run(m.channelId, m.scope, m.name, m.until.getTime(), m.createdBy, now.getTime())
          .lastInsertRowid,
      );
      return { mute: toMute(q.muteById.get(id) as MuteRecord), extended: false };
    },
    active: (now, channelId) =>
      (
        (channelId === undefined
          ? q.muteActive.all(now.getTime())
          : q.muteActiveChannel.all(channelId, now.getTime())) as MuteRecord[]
      ).map(toMute),
    remove: (id) => q.muteDelete.run(id).changes > 0,
  };
}

/** The posted (or queued) alert messages and their VMs, acknowledgements and recoveries. */
function createAlertRepository(db: SqliteDatabase): AlertStore['alerts'] {
  const q = {
    alertInsert: db.prepare(
      `INSERT INTO alerts (channel_id, job_session_uid, job_name, server_name, run_started_at, created_at,
         reported_late_ms, job_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    alertVmInsert: db.prepare(
      `INSERT INTO alert_vms (alert_id, task_uid, job_name, vm_name, result, reason, failed_runs, end_time)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    alertById: db.prepare('SELECT * FROM alerts WHERE id = ?'),
    alertVms: db.prepare('SELECT * FROM alert_vms WHERE alert_id = ? ORDER BY vm_name, task_uid'),
    alertSetTs: db.prepare('UPDATE alerts SET ts = ? WHERE id = ?'),
    alertAck: db.prepare('UPDATE alerts SET acked_by = ?, acked_at = ? WHERE id = ? AND acked_by IS NULL'),
    alertOpenVms: db.prepare(
      `SELECT v.alert_id, a.channel_id, v.task_uid, v.vm_name, v.job_name, v.end_time FROM alert_vms v
       JOIN alerts a ON a.id = v.alert_id
       WHERE v.job_name = ? AND v.vm_name = ? AND v.recovered_at IS NULL ORDER BY v.alert_id`,
    ),
    alertRecover: db.prepare(
      'UPDATE alert_vms SET recovered_at = ? WHERE alert_id = ? AND task_uid = ? AND recovered_at IS NULL',
    ),
  };

  const getAlert = (id: number): JobRunAlert | null => {
    const a = q.alertById.get(id) as AlertRecord | undefined;
    if (a === undefined) return null;
    const vms = (q.alertVms.all(id) as AlertVmRecord[]).map(
      (v): AlertVm => ({
        taskUid: v.task_uid,
        vmName: v.vm_name,
        ...toAlertResult(v.result),
        reason: v.reason,
        failedRuns: v.failed_runs,
        endTime: new Date(v.end_time),
        recoveredAt: v.recovered_at === null ? null : new Date(v.recovered_at),
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
    create: (alert, now) => {
      const id = Number(
        q.alertInsert.run(
          alert.channelId,
          alert.jobSessionUid,
          alert.jobName,
          alert.serverName,
          alert.runStartedAt.getTime(),
          now.getTime(),
          alert.reportedLateMs ?? null,
          alert.jobType ?? null,
        ).lastInsertRowid,
      );
      for (const vm of alert.vms) {
        q.alertVmInsert.run(
          id,
          vm.taskUid,
          alert.jobName,
          vm.vmName,
          toStoredAlertResult(vm),
          vm.reason,
          vm.failedRuns,
          vm.endTime.getTime(),
        );
      }
      return getAlert(id)!;
    },
    get: getAlert,
    setTs: (id, ts) => {
      q.alertSetTs.run(ts, id);
    },
    acknowledge: (id, userId, at) => {
      q.alertAck.run(userId, at.getTime(), id);
      return getAlert(id);
    },
    openVms: (jobName, vmName) =>
      (
        q.alertOpenVms.all(jobName, vmName) as Array<{
          alert_id: number;
          channel_id: string;
          task_uid: string;
          vm_name: string;
          job_name: string;
          end_time: number;
        }>
      ).map((r) => ({
        alertId: r.alert_id,
        channelId: r.channel_id,
        taskUid: r.task_uid,
        vmName: r.vm_name,
        jobName: r.job_name,
        endTime: new Date(r.end_time),
      })),
    markRecovered: (alertId, taskUid, at) => {
      q.alertRecover.run(at.getTime(), alertId, taskUid);
    },
  };
}

/** The notifications waiting to reach Slack, in order per channel, kept across restarts. */
function createOutboxRepository(db: SqliteDatabase): AlertStore['outbox'] {
  const q = {
    outboxInsert: db.prepare(
      `INSERT INTO outbox (dedupe_key, channel_id, action, alert_id, notice, not_before, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
    ),
    outboxHeads: db.prepare(
      `SELECT o.* FROM outbox o JOIN (SELECT channel_id, MIN(id) AS id FROM outbox
       WHERE status IN ('pending', 'sending') GROUP BY channel_id) h ON h.id = o.id ORDER BY o.id`,
    ),
    outboxSending: db.prepare("UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?"),
    outboxSent: db.prepare(
      "UPDATE outbox SET status = 'sent', ts = ?, sent_at = ?, last_error = NULL WHERE id = ?",
    ),
    outboxRetry: db.prepare('UPDATE outbox SET status = ?, not_before = ?, last_error = ? WHERE id = ?'),
    outboxDelayChannel: db.prepare(
      "UPDATE outbox SET not_before = MAX(not_before, ?) WHERE channel_id = ? AND status IN ('pending', 'sending')",
    ),
    outboxOpen: db.prepare("SELECT * FROM outbox WHERE status IN ('pending', 'sending') ORDER BY id"),
    outboxDead: db.prepare(
      "UPDATE outbox SET status = 'dead', dead_reason = ?, dead_at = ?, last_error = ? WHERE id = ?",
    ),
    outboxFallback: db.prepare(
      "UPDATE outbox SET status = 'pending', fallback_reason = ?, not_before = ?, last_error = ? WHERE id = ?",
    ),
    outboxDeadCount: db.prepare("SELECT COUNT(*) FROM outbox WHERE status = 'dead'").pluck(),
    outboxLastDead: db.prepare(
      "SELECT dead_reason, dead_at FROM outbox WHERE status = 'dead' ORDER BY dead_at DESC, id DESC LIMIT 1",
    ),
    outboxAll: db.prepare('SELECT * FROM outbox ORDER BY id'),
  };

  return {
    enqueue: (row, now) =>
      q.outboxInsert.run(
        row.key,
        row.channelId,
        row.action,
        row.alertId ?? null,
        row.notice == null ? null : JSON.stringify(row.notice),
        (row.notBefore ?? now).getTime(),
        now.getTime(),
      ).changes > 0,
    heads: () => (q.outboxHeads.all() as OutboxRecord[]).map(toOutboxRow),
    markSending: (id) => {
      q.outboxSending.run(id);
    },
    markSent: (id, ts, now) => {
      q.outboxSent.run(ts, now.getTime(), id);
    },
    retryLater: (id, notBefore, error, uncertain = false) => {
      q.outboxRetry.run(uncertain ? 'sending' : 'pending', notBefore.getTime(), error.slice(0, 500), id);
    },
    delayChannel: (channelId, notBefore) => {
      q.outboxDelayChannel.run(notBefore.getTime(), channelId);
    },
    markDead: (id, reason, now) => {
      const text = reason.slice(0, 500);
      q.outboxDead.run(text, now.getTime(), text, id);
    },
    useFallback: (id, reason, now) => {
      const text = reason.slice(0, 500);
      q.outboxFallback.run(text, now.getTime(), text, id);
    },
    deadLetters: () => {
      const last = q.outboxLastDead.get() as
        | { dead_reason: string | null; dead_at: number | null }
        | undefined;
      return {
        count: q.outboxDeadCount.get() as number,
        lastReason: last?.dead_reason ?? null,
        lastAt: last?.dead_at == null ? null : new Date(last.dead_at),
      };
    },
    open: () => (q.outboxOpen.all() as OutboxRecord[]).map(toOutboxRow),
    all: () => (q.outboxAll.all() as OutboxRecord[]).map(toOutboxRow),
  };
}

/** The alerts' repositories over the shared database (its tables: migrations.ts), one factory each. */
export function createAlertStore(db: SqliteDatabase): AlertStore {
  return {
    state: createStateRepository(db),
    seen: createSeenRepository(db),
    vmStatus: createVmStatusRepository(db),
    subscriptions: createSubscriptionRepository(db),
    mutes: createMuteRepository(db),
    alerts: createAlertRepository(db),
    outbox: createOutboxRepository(db),
    transaction: (fn) => db.transaction(fn)(),
  };
}
