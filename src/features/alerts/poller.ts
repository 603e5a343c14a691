/**
 * The alert poller: asks EM every interval for task sessions that completed since the watermark (minus an
 * overlap, because EM collects from backup servers every 15 minutes and reports late), skips the UIDs it has
 * seen, plans the alerts and writes everything (seen UIDs, streaks, alerts, outbox rows, new watermark) in one
 * transaction. Polls never overlap; failures back off; 3 failures in a row tell the alert channels once.
 */

import { type SessionKind, toParentJob } from '../../core/backup-sessions.js';
import type { Clock } from '../../core/clock.js';
import { toReplibotError } from '../../core/errors.js';
import { and, cmp, eq } from '../../core/filter.js';
import { must } from '../../core/must.js';
import type { EmApi } from '../../core/ports.js';
import { type ReplicaTaskSession, toSessionId } from '../../core/sessions.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { Fence } from '../../store/lease.js';
import { toStoreProblem } from '../../store/open-database.js';
import type { AlertStore, OpenAlertVm, VmStatus } from './alert-store.js';
import type { AlertNotice } from './domain/alert-notice.js';
import {
  type AlertAddition,
  groupWorkerAlerts,
  PARENT_JOB_TYPE,
  type ParentRun,
  WORKER_JOB_TYPE,
} from './domain/group-worker-alerts.js';
import {
  type AlertPlan,
  jobNameOf,
  planAlerts,
  planPollWindow,
  toPollFilters,
  UNKNOWN_JOB,
} from './domain/plan-alerts.js';
import {
  planSweep,
  type SweepKind,
  toClockOffsetMs,
  toEffectiveOverlapMinutes,
  toLateReportWarnings,
  toPruneBefore,
  toReportLagMs,
} from './domain/plan-reconcile.js';
import { type AlertRef, planRecoveries, type RecoveryPlan } from './domain/plan-recoveries.js';
import { toMuteKind, toSubscriptionKind } from './domain/subscription-filter.js';

export interface PollerOptions {
  em: EmApi;
  store: AlertStore;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  overlapMinutes: number;
  /** a catch-up poll that would post more job-run alerts than this to one channel posts one summary */
  catchUpThreshold?: number;
  /** failed polls in a row before "EM unreachable" is posted */
  unreachableAfter?: number;
  /** the longest wait between polls while EM fails */
  maxBackoffMs?: number;
  /** called after a poll queued notifications, so delivery starts at once */
  onQueued?: () => void;
  /** RECONCILE_LOOKBACK_HOURS: how far back the reconciling sweep reads failures; default 24 */
  reconcileLookbackHours?: number;
  /** RECONCILE_INTERVAL_SECONDS, in ms: how often the sweep runs; default an hour */
  reconcileIntervalMs?: number;
  /** false in tests: `start` plans no polls; the test drives each one with `pollOnce()` and its own clock */
  timers?: boolean;
  /** the one-writer lease (src/app/leadership.ts): a poll writes nothing once this is false */
  fence?: Fence;
  /**
   * The sessions this poller watches: replication (default) or backup (`em` is then `toKindApi(em, 'backup')`).
   * A backup poller keeps its own watermark and sweep marks, hears only backup subscriptions, looks up the job
   * type of each alerted run, and leaves "EM unreachable" to the replication poller (one message, not two).
   */
  kind?: SessionKind;
  /** told of each poll and the alerts it queued (src/metrics.ts) */
  metrics?: Pick<Metrics, 'poll' | 'alertsFound'>;
}

export interface PollResult {
  ok: boolean;
  /** a backup poller with no backup subscription: it asked EM nothing */
  idle?: true;
  /** sessions read from EM */
  read: number;
  /** sessions not seen before */
  fresh: number;
  alerts: number;
  summaries: number;
  recoveries: number;
  /** set when this poll also ran the reconciling sweep */
  sweep?: SweepKind | null;
  /** rows EM returned from outside the window asked for (left out) */
  outside?: number;
  error?: string;
  /** the error code of a failed poll (`store` when the store failed) */
  reason?: string;
  /** the poll failed on the store (disk full, locked, damaged), not on EM */
  storeError?: true;
}

/** how long /healthz keeps warning about a report later than the overlap */
const LATE_WARNING_MS = 24 * 3_600_000;

const EMPTY_RESULT: PollResult = { ok: true, read: 0, fresh: 0, alerts: 0, summaries: 0, recoveries: 0 };

/** What `/healthz` and the App Home show about alerting. */
export interface PollerHealth {
  running: boolean;
  lastSuccessAt: Date | null;
  lastAttemptAt: Date | null;
  consecutiveFailures: number;
  lastError: string | null;
  /** false after `unreachableAfter` failed polls in a row */
  emReachable: boolean;
  watermark: Date | null;
  intervalMs: number;
  /** the last reconciling sweep (see planSweep) */
  lastSweepAt: Date | null;
  /** EM's clock minus replibot's, from EM's `Date` header; null before the first answer */
  clockOffsetMs: number | null;
  /** the longest EM took to report a session after it ended, since replibot started */
  largestReportLagMs: number | null;
  /** late reports or an EM clock the overlap does not cover (see toLateReportWarnings) */
  warnings: string[];
  /** set while the store fails: what happened and what to do */
  storeError: { code: string; message: string; since: Date } | null;
  /** rows EM sent to the polls since start that could not be read (left out; each is in the log with its UID) */
  unreadableRows: number;
}

export interface Poller {
  start(): void;
  stop(): Promise<void>;
  /** one poll now, at the clock's now (waits for a running one first: polls never overlap); the driven pass */
  pollOnce(): Promise<PollResult>;
  health(): Promise<PollerHealth>;
}

const REPLICATION_KEY = {
  watermark: 'poller.watermark',
  lastSuccess: 'poller.last_success',
  failures: 'poller.consecutive_failures',
  firstFailure: 'poller.first_failure',
  lastError: 'poller.last_error',
  downNotified: 'poller.down_notified',
  /** the window start of the very first poll: no sweep reads from before it */
  watchingSince: 'poller.watching_since',
  lastSweep: 'poller.last_sweep',
  lastDeepSweep: 'poller.last_deep_sweep',
} as const;

const vmKey = (jobName: string, vmName: string): string => `${jobName}\u0000${vmName}`;

/** A backup poller's own state keys (`backup.poller.watermark`...): the two pollers never share a watermark. */
function toStateKeys(kind: SessionKind): typeof REPLICATION_KEY {
  if (kind === 'replication') return REPLICATION_KEY;
  const keys: Record<string, string> = {};
  for (const [name, key] of Object.entries(REPLICATION_KEY)) keys[name] = `${kind}.${key}`;
  // same names as REPLICATION_KEY, each value prefixed
  return keys as typeof REPLICATION_KEY;
}

export function createPoller(options: PollerOptions): Poller {
  const { em, store, clock, logger } = options;
  const kind = options.kind ?? 'replication';
  const KEY = toStateKeys(kind);
  /** job session UID -> EM's JobType, for the alerted backup runs (bounded: cleared when it grows large) */
  const jobTypes = new Map<string, string | null>();
  /** immediate-copy worker run UID -> its parent `ImmediateBackupCopy` run (null: none found), bounded likewise */
  const parents = new Map<string, ParentRun | null>();
  const catchUpThreshold = options.catchUpThreshold ?? 5;
  const unreachableAfter = options.unreachableAfter ?? 3;
  const maxBackoffMs = options.maxBackoffMs ?? Math.max(options.intervalMs, 5 * 60_000);
  const timers = options.timers !== false;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<PollResult> | null = null;
  let lastAttemptAt: Date | null = null;
  const lookbackMs = (options.reconcileLookbackHours ?? 24) * 3_600_000;
  const reconcileIntervalMs = options.reconcileIntervalMs ?? 3_600_000;
  let clockOffsetMs: number | null = null;
  let largestLagMs: number | null = null;
  /** the latest report beyond the overlap; /healthz warns about it for a day */
  let lateReport: { lagMs: number; at: Date } | null = null;
  let storeProblem: { code: string; message: string; since: Date } | null = null;
  let unreadableRows = 0;

  const readDate = async (key: string, from: AlertStore = store): Promise<Date | null> => {
    const v = await from.state.get(key);
    return v === null ? null : new Date(Number(v));
  };
  const failures = async (): Promise<number> => Number((await store.state.get(KEY.failures)) ?? '0');

  async function poll(): Promise<PollResult> {
    const now = clock.now();
    lastAttemptAt = now;
    try {
      return await pollEm(now);
    } catch (error) {
      if (toStoreProblem(error) !== null) return storeFailed(error, now);
      try {
        return await emFailed(error, now);
      } catch (storeError) {
        if (toStoreProblem(storeError) !== null) return storeFailed(storeError, now);
        throw storeError;
      }
    }
  }

  async function pollEm(now: Date): Promise<PollResult> {
    if (kind !== 'replication') {
      const listening = (await store.subscriptions.list()).some((sub) => toSubscriptionKind(sub) === kind);
      if (!listening) {
        // nobody listens to this kind: no EM requests; the next subscription starts watching from its first poll
        // (no catch-up and no sweep of what happened while nobody listened)
        if (
          (await store.state.get(KEY.watermark)) !== null ||
          (await store.state.get(KEY.watchingSince)) !== null
        ) {
          await store.transaction(async (tx) => {
            if ((await options.fence?.(tx.db)) === false) return;
            for (const key of [KEY.watermark, KEY.watchingSince, KEY.lastSweep, KEY.lastDeepSweep])
              await tx.state.set(key, null);
          });
        }
        return { ...EMPTY_RESULT, idle: true };
      }
    }
    const window = planPollWindow({
      now,
      watermark: await readDate(KEY.watermark),
      overlapMinutes: toEffectiveOverlapMinutes(options.overlapMinutes, clockOffsetMs),
      intervalSeconds: options.intervalMs / 1000,
    });
    const watchingSince = (await readDate(KEY.watchingSince)) ?? window.from;
    const sweep = planSweep({
      now,
      watchingSince,
      lastSweepAt: await readDate(KEY.lastSweep),
      lastDeepSweepAt: await readDate(KEY.lastDeepSweep),
      intervalMs: reconcileIntervalMs,
      lookbackMs,
    });
    const openJobs = (await store.vmStatus.jobsWithOpenFailures()).filter((j) => j !== UNKNOWN_JOB);
    const regular = toPollFilters(window.from, openJobs).map((filter) => ({ filter, from: window.from }));
    // the sweep reads failures and warnings from further back; successes (recoveries) only over the regular window
    const queries =
      sweep !== null && sweep.from < window.from
        ? [
            {
              filter: must(toPollFilters(sweep.from, [])[0], 'toPollFilters returns at least one filter'),
              from: sweep.from,
            },
            ...regular.slice(1),
          ]
        : regular;
    const byUid = new Map<string, ReplicaTaskSession>();
    let outside = 0;
    for (const query of queries) {
      for await (const s of em.queryTaskSessions({
        filter: query.filter,
        sort: { field: 'EndTime', direction: 'asc' },
        onUnreadableRow: () => {
          unreadableRows += 1;
        },
      })) {
        if (s.state !== 'Completed' || s.endTime === null) continue;
        // an EM that ignores the EndTime filter: a row outside the window asked for is not this poll's to judge
        if (s.endTime < query.from) {
          outside += 1;
          continue;
        }
        byUid.set(s.uid, s);
      }
    }
    clockOffsetMs = toClockOffsetMs(em.serverDate?.() ?? null, clock.now()) ?? clockOffsetMs;
    const fresh = (await store.seen.unseen([...byUid.keys()])).map((uid) =>
      must(byUid.get(uid), 'the uid came from byUid'),
    );
    const offset = clockOffsetMs ?? 0;
    const overlapMs = options.overlapMinutes * 60_000;
    let lateSessions = 0;
    for (const s of fresh) {
      const lag = toReportLagMs(must(s.endTime, 'only ended sessions are fresh'), now, offset);
      if (lag > (largestLagMs ?? 0)) largestLagMs = lag;
      if (lag > overlapMs) {
        lateSessions += 1;
        const recent = lateReport !== null && now.getTime() - lateReport.at.getTime() < LATE_WARNING_MS;
        if (!recent || lag >= must(lateReport, 'recent implies a late report').lagMs)
          lateReport = { lagMs: lag, at: now };
      }
    }
    // the planners are pure and synchronous: what they may ask of the store is read first
    const previous = new Map<string, VmStatus | null>();
    for (const s of fresh) {
      const key = vmKey(jobNameOf(s), s.vmDisplayName);
      if (!previous.has(key)) previous.set(key, await store.vmStatus.get(jobNameOf(s), s.vmDisplayName));
    }
    const plan = planAlerts({
      sessions: fresh,
      subscriptions: (await store.subscriptions.list()).filter((sub) => toSubscriptionKind(sub) === kind),
      // a mute silences one kind: `/replicas mute backups vm srv04 4h` leaves srv04's replication alerts alone
      mutes: (await store.mutes.active(now)).filter((mute) => toMuteKind(mute) === kind),
      previous: (job, vm) => previous.get(vmKey(job, vm)) ?? null,
      catchUp: window.catchUp,
      catchUpThreshold,
    });
    for (const a of plan.alerts) {
      const lag = Math.max(...a.vms.map((v) => toReportLagMs(v.endTime, now, offset)));
      if (lag > overlapMs) a.reportedLateMs = lag;
    }
    const openVms = new Map<string, OpenAlertVm[]>();
    for (const r of plan.recoveries) {
      const key = vmKey(r.jobName, r.vmName);
      if (!openVms.has(key)) openVms.set(key, await store.alerts.openVms(r.jobName, r.vmName));
    }
    let additions: AlertAddition[] = [];
    if (kind === 'backup') {
      await addJobTypes(plan);
      await findParentRuns(plan);
      // one alert per parent run and channel: workers' failures grouped, a later worker's added to the posted one
      const existing = new Map<string, number | null>();
      for (const a of plan.alerts) {
        const parent = a.jobType === WORKER_JOB_TYPE ? (parents.get(a.jobSessionUid) ?? null) : null;
        const key = parent === null ? null : `${a.channelId}\u0000${parent.jobSessionUid}`;
        if (parent !== null && key !== null && !existing.has(key))
          existing.set(key, await store.alerts.findByRun(a.channelId, parent.jobSessionUid));
      }
      const grouped = groupWorkerAlerts({
        alerts: plan.alerts,
        parentOf: (uid) => parents.get(uid) ?? null,
        existing: (channelId, uid) => existing.get(`${channelId}\u0000${uid}`) ?? null,
      });
      plan.alerts = grouped.alerts;
      additions = grouped.additions;
    }
    const retryOf = await findRetryRuns(plan, openVms);
    const recoveries = planRecoveries({
      recoveries: plan.recoveries,
      alerts: plan.alerts,
      openVms: (job, vm) => openVms.get(vmKey(job, vm)) ?? [],
    });
    const queued = await store.transaction(async (tx) => {
      // the one-writer lease, asked inside the transaction: a process that lost it writes nothing (the new leader
      // reads the same sessions)
      if ((await options.fence?.(tx.db)) === false) return 0;
      const n = await writePoll(tx, plan, recoveries, fresh, retryOf, now, window.since, additions);
      if ((await readDate(KEY.watchingSince, tx)) === null)
        await tx.state.set(KEY.watchingSince, String(watchingSince.getTime()));
      if (sweep !== null) await tx.state.set(KEY.lastSweep, String(now.getTime()));
      if (sweep?.kind === 'deep') await tx.state.set(KEY.lastDeepSweep, String(now.getTime()));
      return n;
    });
    // only what can no longer come back: older than EM keeps sessions, and than any sweep reads
    await store.seen.prune(toPruneBefore(now, lookbackMs));
    if (storeProblem !== null) {
      logger.info(
        { code: storeProblem.code, since: storeProblem.since },
        'alert store writable again; polling resumed',
      );
      storeProblem = null;
    }
    if (lateSessions > 0)
      logger.warn(
        {
          sessions: lateSessions,
          largestLagMs,
          overlapMinutes: options.overlapMinutes,
          sweep: sweep?.kind ?? null,
        },
        'EM reported sessions later than POLL_OVERLAP_MINUTES after they ended; alerted now, marked as late',
      );
    if (outside > 0)
      logger.warn({ rows: outside }, 'EM returned sessions outside the EndTime window asked for; left out');
    logger.debug(
      { read: byUid.size, fresh: fresh.length, queued, catchUp: window.catchUp, sweep: sweep?.kind ?? null },
      'alert poll finished',
    );
    if (queued > 0) options.onQueued?.();
    return {
      ok: true,
      read: byUid.size,
      fresh: fresh.length,
      alerts: plan.alerts.length,
      summaries: plan.summaries.length,
      recoveries: plan.recoveries.length,
      sweep: sweep?.kind ?? null,
      outside,
    };
  }

  /** EM failed (or answered nonsense): counts towards "EM unreachable". */
  async function emFailed(error: unknown, now: Date): Promise<PollResult> {
    const e = toReplibotError(error);
    const count = (await failures()) + 1;
    let queued = 0;
    await store.transaction(async (tx) => {
      if ((await options.fence?.(tx.db)) === false) return;
      await tx.state.set(KEY.failures, String(count));
      await tx.state.set(KEY.lastError, e.message);
      if ((await tx.state.get(KEY.firstFailure)) === null)
        await tx.state.set(KEY.firstFailure, String(now.getTime()));
      // only the replication poller tells the channels: one "EM unreachable", not one per kind
      if (
        kind === 'replication' &&
        count >= unreachableAfter &&
        (await tx.state.get(KEY.downNotified)) === null
      ) {
        const since = (await readDate(KEY.firstFailure, tx)) ?? now;
        await tx.state.set(KEY.downNotified, String(since.getTime()));
        const notice: AlertNotice = { kind: 'em-unreachable', since, failedPolls: count, error: e.message };
        queued = await broadcast(tx, notice, `em-unreachable:${since.getTime()}`, now);
      }
    });
    logger.warn({ code: e.code, failures: count, err: e.message }, 'alert poll failed');
    if (queued > 0) options.onQueued?.();
    return { ...EMPTY_RESULT, ok: false, error: e.message, reason: e.code };
  }

  /**
   * The store failed (disk full, locked, damaged): not EM's fault, so it does not count towards "EM unreachable".
   * Nothing of the poll was written (one transaction), so the next poll reads the same window again; the store
   * cannot carry a message to the channels now, so the operator hears of it once in the log and on /healthz.
   */
  function storeFailed(error: unknown, now: Date): PollResult {
    const problem = must(toStoreProblem(error), 'the caller checked that the error is a store problem');
    if (storeProblem === null || storeProblem.code !== problem.code) {
      logger.error(
        { code: problem.code, err: problem.message },
        'alert store failed: alerts wait until it works again (EM keeps the sessions; the next polls read them again)',
      );
      storeProblem = { code: problem.code, message: problem.message, since: storeProblem?.since ?? now };
    }
    return { ...EMPTY_RESULT, ok: false, error: problem.message, reason: 'store', storeError: true };
  }

  /**
   * The JobType of each alerted backup run (one request per run, remembered): the alert says "backup copy",
   * "agent backup" or "file share backup", and shows an immediate-copy worker under its parent copy job. A
   * lookup that fails leaves the type unknown ("backup"); the alert is sent all the same.
   */
  async function addJobTypes(plan: AlertPlan): Promise<void> {
    if (jobTypes.size > 5_000) jobTypes.clear();
    for (const alert of plan.alerts) {
      if (!jobTypes.has(alert.jobSessionUid)) {
        try {
          jobTypes.set(
            alert.jobSessionUid,
            (await em.getJobSession(toSessionId(alert.jobSessionUid))).jobType,
          );
        } catch (error) {
          logger.warn(
            { code: toReplibotError(error).code },
            'backup job type lookup failed; alerted as a backup',
          );
          jobTypes.set(alert.jobSessionUid, null);
        }
      }
      alert.jobType = jobTypes.get(alert.jobSessionUid) ?? null;
    }
  }

  /**
   * The parent `ImmediateBackupCopy` run of each alerted worker run (one query per worker run, remembered): EM names
   * a worker `<copy job>\<source job>` and runs it inside the copy job's newest run that started before it. A lookup
   * that fails, or finds none, leaves the worker's alert on its own (as before), under its parent job's name.
   */
  async function findParentRuns(plan: AlertPlan): Promise<void> {
    if (parents.size > 5_000) parents.clear();
    for (const alert of plan.alerts) {
      if (alert.jobType !== WORKER_JOB_TYPE || parents.has(alert.jobSessionUid)) continue;
      const parentName = toParentJob(alert.jobName, WORKER_JOB_TYPE).jobName;
      let found: ParentRun | null = null;
      try {
        for await (const run of em.queryJobSessions({
          filter: and(
            eq('JobType', PARENT_JOB_TYPE),
            eq('JobName', parentName),
            cmp('CreationTime', '<=', alert.runStartedAt),
          ),
          sort: { field: 'CreationTime', direction: 'desc' },
          limit: 1,
        })) {
          found = {
            jobSessionUid: run.uid,
            jobName: run.jobName,
            serverName: run.backupServerName,
            runStartedAt: run.creationTime,
          };
        }
      } catch (error) {
        logger.warn(
          { code: toReplibotError(error).code },
          'immediate copy parent run lookup failed; the worker is alerted on its own',
        );
      }
      parents.set(alert.jobSessionUid, found);
    }
  }

  /** Looks up whether the runs that fixed VMs were retries; one request per recovering run, only when needed. */
  async function findRetryRuns(
    plan: AlertPlan,
    openVms: ReadonlyMap<string, OpenAlertVm[]>,
  ): Promise<Map<string, boolean | null>> {
    const result = new Map<string, boolean | null>();
    for (const r of plan.recoveries) {
      if (result.has(r.jobSessionUid)) continue;
      if ((openVms.get(vmKey(r.jobName, r.vmName)) ?? []).every((v) => v.endTime >= r.recoveredAt)) continue;
      try {
        result.set(r.jobSessionUid, (await em.getJobSession(toSessionId(r.jobSessionUid))).isRetry);
      } catch {
        result.set(r.jobSessionUid, null);
      }
    }
    return result;
  }

  /** Sends a notice to every channel that has a subscription. */
  async function broadcast(
    tx: AlertStore,
    notice: AlertNotice,
    keyPrefix: string,
    now: Date,
  ): Promise<number> {
    const channels = [...new Set((await tx.subscriptions.list()).map((s) => s.channelId))];
    let queued = 0;
    for (const channelId of channels) {
      if (
        await tx.outbox.enqueue({ key: `${keyPrefix}:${channelId}`, channelId, action: 'post', notice }, now)
      )
        queued += 1;
    }
    return queued;
  }

  /** Everything a poll found, written through `tx` (the poll's one transaction). */
  async function writePoll(
    tx: AlertStore,
    plan: AlertPlan,
    recoveries: RecoveryPlan,
    fresh: ReplicaTaskSession[],
    retryOf: Map<string, boolean | null>,
    now: Date,
    since: Date,
    additions: readonly AlertAddition[] = [],
  ): Promise<number> {
    let queued = 0;
    // "EM is reachable again" first: the outbox sends FIFO per channel (by row id), so every channel reads that
    // the outage is over before the failures and recoveries this poll found
    const downSince = await readDate(KEY.downNotified, tx);
    if (downSince !== null) {
      queued += await broadcast(
        tx,
        { kind: 'em-reachable', downSince, at: now },
        `em-reachable:${downSince.getTime()}`,
        now,
      );
    }
    await tx.seen.markSeen(
      fresh.map((s) => ({ uid: s.uid, endTime: must(s.endTime, 'only ended sessions are fresh') })),
      now,
    );
    for (const s of plan.statuses) await tx.vmStatus.put(s);
    const created: number[] = [];
    for (const a of plan.alerts) {
      const alert = await tx.alerts.create(a, now);
      created.push(alert.id);
      if (
        await tx.outbox.enqueue(
          { key: `alert:${alert.id}`, channelId: a.channelId, action: 'post', alertId: alert.id },
          now,
        )
      )
        queued += 1;
    }
    // a worker that failed later in a parent run the channel already has an alert for: into that message (an edit)
    for (const add of additions) {
      await tx.alerts.addVms(add.alertId, add.vms);
      const first = must(add.vms[0], 'an addition has VMs');
      if (
        await tx.outbox.enqueue(
          {
            key: `alert:${add.alertId}:add:${first.taskUid}`,
            channelId: add.channelId,
            action: 'update',
            alertId: add.alertId,
          },
          now,
        )
      )
        queued += 1;
    }
    for (const s of plan.summaries) {
      const notice: AlertNotice = { kind: 'catch-up', since, until: now, runs: s.runs };
      if (
        await tx.outbox.enqueue(
          { key: `catch-up:${now.getTime()}:${s.channelId}`, channelId: s.channelId, action: 'post', notice },
          now,
        )
      )
        queued += 1;
    }
    // recoveries, as planned: marks first, then one update and one reply per alert
    const idOf = (ref: AlertRef): number =>
      'alertId' in ref ? ref.alertId : must(created[ref.planned], 'every planned alert was created');
    for (const m of recoveries.marks) await tx.alerts.markRecovered(idOf(m.alert), m.taskUid, m.recoveredAt);
    for (const r of recoveries.recoveries) {
      const alertId = idOf(r.alert);
      // read back after the marks: the notice shows the alert as it now is
      const alert = must(await tx.alerts.get(alertId), 'the alert was just created or already exists');
      const key = `alert:${alertId}:recovery:${r.run}`;
      await tx.outbox.enqueue(
        { key: `${key}:update`, channelId: alert.channelId, action: 'update', alertId },
        now,
      );
      const notice: AlertNotice = {
        kind: 'recovery',
        alert,
        vmNames: r.vmNames,
        recoveredAt: r.at,
        byRetry: retryOf.get(r.run) ?? null,
      };
      await tx.outbox.enqueue(
        { key: `${key}:reply`, channelId: alert.channelId, action: 'reply', alertId, notice },
        now,
      );
      queued += 2;
    }
    await tx.state.set(KEY.watermark, String(now.getTime()));
    await tx.state.set(KEY.lastSuccess, String(now.getTime()));
    await tx.state.set(KEY.failures, '0');
    await tx.state.set(KEY.firstFailure, null);
    await tx.state.set(KEY.lastError, null);
    await tx.state.set(KEY.downNotified, null);
    return queued;
  }

  async function measuredPoll(): Promise<PollResult> {
    const started = performance.now();
    const result = await poll();
    const seconds = (performance.now() - started) / 1000;
    // an idle backup poller (nobody subscribes to backups) asked EM nothing: not a poll to count
    if (result.idle === true) return result;
    options.metrics?.poll({ ok: result.ok, seconds, ...(result.reason ? { reason: result.reason } : {}) });
    options.metrics?.alertsFound(result.alerts + result.summaries + result.recoveries);
    return result;
  }

  function pollOnce(): Promise<PollResult> {
    const run = (current ?? Promise.resolve()).then(measuredPoll, measuredPoll);
    current = run;
    const settle = () => {
      if (current === run) current = null;
    };
    // both branches: a bare finally() would leave a rejection nobody handles, and end the process
    run.then(settle, settle);
    return run;
  }

  async function nextDelay(): Promise<number> {
    const n = await failures().catch(() => 1);
    if (n === 0) return options.intervalMs;
    return Math.min(maxBackoffMs, options.intervalMs * 2 ** Math.min(n - 1, 16));
  }

  function schedule(delayMs: number): void {
    if (!running) return;
    timer = setTimeout(async () => {
      timer = undefined;
      try {
        await pollOnce();
      } catch (error) {
        logger.error({ err: error }, 'alert poll crashed');
      }
      // the next poll is planned only after this one ended: a slow EM can never pile polls up
      schedule(await nextDelay());
    }, delayMs);
  }

  return {
    start() {
      if (running) return;
      running = true;
      if (timers) schedule(0);
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await current?.catch(() => undefined);
    },
    pollOnce,
    async health() {
      // a damaged database may fail even to read: health still answers, with what is known in memory
      const read = <T>(get: () => Promise<T>, fallback: T): Promise<T> => get().catch(() => fallback);
      const n = await read(failures, 0);
      return {
        running,
        lastSuccessAt: await read(() => readDate(KEY.lastSuccess), null),
        lastAttemptAt,
        consecutiveFailures: n,
        lastError: storeProblem?.message ?? (await read(() => store.state.get(KEY.lastError), null)),
        emReachable: n < unreachableAfter,
        watermark: await read(() => readDate(KEY.watermark), null),
        intervalMs: options.intervalMs,
        lastSweepAt: await read(() => readDate(KEY.lastSweep), null),
        clockOffsetMs,
        largestReportLagMs: largestLagMs,
        warnings: toLateReportWarnings({
          overlapMinutes: options.overlapMinutes,
          clockOffsetMs,
          largestLagMs:
            lateReport !== null && clock.now().getTime() - lateReport.at.getTime() < LATE_WARNING_MS
              ? lateReport.lagMs
              : null,
        }),
        storeError: storeProblem,
        unreadableRows,
      };
    },
  };
}
