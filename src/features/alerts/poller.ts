/**
 * The alert poller: asks EM every interval for task sessions that completed since the watermark (minus an
 * overlap, because EM collects from backup servers every 15 minutes and reports late), skips the UIDs it has
 * seen, plans the alerts and writes everything (seen UIDs, streaks, alerts, outbox rows, new watermark) in one
 * transaction. Polls never overlap; failures back off; 3 failures in a row tell the alert channels once.
 */

import type { Clock } from '../../core/clock.js';
import { toReplibotError } from '../../core/errors.js';
import type { EmApi } from '../../core/ports.js';
import { type ReplicaTaskSession, toSessionId } from '../../core/sessions.js';
import type { Logger } from '../../logger.js';
import type { AlertStore } from './alert-store.js';
import type { AlertNotice } from './domain/alert-notice.js';
import {
  type AlertPlan,
  planAlerts,
  planPollWindow,
  toPollFilters,
  UNKNOWN_JOB,
} from './domain/plan-alerts.js';

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
  /** the one-writer lease (src/app/leadership.ts): a poll writes nothing once this is false */
  fence?: () => boolean;
}

export interface PollResult {
  ok: boolean;
  /** sessions read from EM */
  read: number;
  /** sessions not seen before */
  fresh: number;
  alerts: number;
  summaries: number;
  recoveries: number;
  error?: string;
}

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
}

export interface Poller {
  start(): void;
  stop(): Promise<void>;
  /** one poll now (waits for a running one first: polls never overlap) */
  pollOnce(): Promise<PollResult>;
  health(): PollerHealth;
}

const KEY = {
  watermark: 'poller.watermark',
  lastSuccess: 'poller.last_success',
  failures: 'poller.consecutive_failures',
  firstFailure: 'poller.first_failure',
  lastError: 'poller.last_error',
  downNotified: 'poller.down_notified',
} as const;

export function createPoller(options: PollerOptions): Poller {
  const { em, store, clock, logger } = options;
  const catchUpThreshold = options.catchUpThreshold ?? 5;
  const unreachableAfter = options.unreachableAfter ?? 3;
  const maxBackoffMs = options.maxBackoffMs ?? Math.max(options.intervalMs, 5 * 60_000);
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<PollResult> | null = null;
  let lastAttemptAt: Date | null = null;

  const readDate = (key: string): Date | null => {
    const v = store.state.get(key);
    return v === null ? null : new Date(Number(v));
  };
  const failures = (): number => Number(store.state.get(KEY.failures) ?? '0');

  async function poll(): Promise<PollResult> {
    const now = clock.now();
    lastAttemptAt = now;
    const window = planPollWindow({
      now,
      watermark: readDate(KEY.watermark),
      overlapMinutes: options.overlapMinutes,
      intervalSeconds: options.intervalMs / 1000,
    });
    try {
      const openJobs = store.vmStatus.jobsWithOpenFailures().filter((j) => j !== UNKNOWN_JOB);
      const byUid = new Map<string, ReplicaTaskSession>();
      for (const filter of toPollFilters(window.from, openJobs)) {
        for await (const s of em.queryTaskSessions({
          filter,
          sort: { field: 'EndTime', direction: 'asc' },
        })) {
          if (s.state === 'Completed' && s.endTime !== null) byUid.set(s.uid, s);
        }
      }
      const fresh = store.seen.unseen([...byUid.keys()]).map((uid) => byUid.get(uid)!);
      const plan = planAlerts({
        sessions: fresh,
        subscriptions: store.subscriptions.list(),
        mutes: store.mutes.active(now),
        previous: (job, vm) => store.vmStatus.get(job, vm),
        catchUp: window.catchUp,
        catchUpThreshold,
      });
      const retryOf = await findRetryRuns(plan);
      const queued = store.transaction(() =>
        options.fence?.() === false ? 0 : writePoll(plan, fresh, retryOf, now, window.since),
      );
      store.seen.prune(new Date(window.from.getTime() - 86_400_000));
      logger.debug(
        { read: byUid.size, fresh: fresh.length, queued, catchUp: window.catchUp },
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
      };
    } catch (error) {
      const e = toReplibotError(error);
      const count = failures() + 1;
      let queued = 0;
      store.transaction(() => {
        store.state.set(KEY.failures, String(count));
        store.state.set(KEY.lastError, e.message);
        if (store.state.get(KEY.firstFailure) === null)
          store.state.set(KEY.firstFailure, String(now.getTime()));
        if (count >= unreachableAfter && store.state.get(KEY.downNotified) === null) {
          const since = readDate(KEY.firstFailure) ?? now;
          store.state.set(KEY.downNotified, String(since.getTime()));
          const notice: AlertNotice = { kind: 'em-unreachable', since, failedPolls: count, error: e.message };
          queued = broadcast(notice, `em-unreachable:${since.getTime()}`, now);
        }
      });
      logger.warn({ code: e.code, failures: count, err: e.message }, 'alert poll failed');
      if (queued > 0) options.onQueued?.();
      return { ok: false, read: 0, fresh: 0, alerts: 0, summaries: 0, recoveries: 0, error: e.message };
    }
  }

  /** Looks up whether the runs that fixed VMs were retries; one request per recovering run, only when needed. */
  async function findRetryRuns(plan: AlertPlan): Promise<Map<string, boolean | null>> {
    const result = new Map<string, boolean | null>();
    for (const r of plan.recoveries) {
      if (result.has(r.jobSessionUid)) continue;
      if (store.alerts.openVms(r.jobName, r.vmName).every((v) => v.endTime >= r.recoveredAt)) continue;
      try {
        result.set(r.jobSessionUid, (await em.getJobSession(toSessionId(r.jobSessionUid))).isRetry);
      } catch {
        result.set(r.jobSessionUid, null);
      }
    }
    return result;
  }

  /** Sends a notice to every channel that has a subscription. */
  function broadcast(notice: AlertNotice, keyPrefix: string, now: Date): number {
    const channels = [...new Set(store.subscriptions.list().map((s) => s.channelId))];
    let queued = 0;
    for (const channelId of channels) {
      if (store.outbox.enqueue({ key: `${keyPrefix}:${channelId}`, channelId, action: 'post', notice }, now))
        queued += 1;
    }
    return queued;
  }

  function writePoll(
    plan: AlertPlan,
    fresh: ReplicaTaskSession[],
    retryOf: Map<string, boolean | null>,
    now: Date,
    since: Date,
  ): number {
    let queued = 0;
    store.seen.markSeen(
      fresh.map((s) => ({ uid: s.uid, endTime: s.endTime! })),
      now,
    );
    for (const s of plan.statuses) store.vmStatus.put(s);
    for (const a of plan.alerts) {
      const alert = store.alerts.create(a, now);
      if (
        store.outbox.enqueue(
          { key: `alert:${alert.id}`, channelId: a.channelId, action: 'post', alertId: alert.id },
          now,
        )
      )
        queued += 1;
    }
    for (const s of plan.summaries) {
      const notice: AlertNotice = { kind: 'catch-up', since, until: now, runs: s.runs };
      if (
        store.outbox.enqueue(
          { key: `catch-up:${now.getTime()}:${s.channelId}`, channelId: s.channelId, action: 'post', notice },
          now,
        )
      )
        queued += 1;
    }
    // recoveries: every open alert VM of the same job and VM that failed before this success
    const recovered = new Map<number, { vmNames: Set<string>; at: Date; run: string }>();
    for (const r of plan.recoveries) {
      for (const open of store.alerts.openVms(r.jobName, r.vmName)) {
        if (open.endTime >= r.recoveredAt) continue;
        store.alerts.markRecovered(open.alertId, open.taskUid, r.recoveredAt);
        const entry = recovered.get(open.alertId) ?? {
          vmNames: new Set<string>(),
          at: r.recoveredAt,
          run: r.jobSessionUid,
        };
        entry.vmNames.add(open.vmName);
        if (r.recoveredAt > entry.at) entry.at = r.recoveredAt;
        recovered.set(open.alertId, entry);
      }
    }
    for (const [alertId, r] of recovered) {
      const alert = store.alerts.get(alertId)!;
      const key = `alert:${alertId}:recovery:${r.run}`;
      store.outbox.enqueue(
        { key: `${key}:update`, channelId: alert.channelId, action: 'update', alertId },
        now,
      );
      const notice: AlertNotice = {
        kind: 'recovery',
        alert,
        vmNames: [...r.vmNames].sort(),
        recoveredAt: r.at,
        byRetry: retryOf.get(r.run) ?? null,
      };
      store.outbox.enqueue(
        { key: `${key}:reply`, channelId: alert.channelId, action: 'reply', alertId, notice },
        now,
      );
      queued += 2;
    }
    const downSince = readDate(KEY.downNotified);
    if (downSince !== null) {
      queued += broadcast(
        { kind: 'em-reachable', downSince, at: now },
        `em-reachable:${downSince.getTime()}`,
        now,
      );
    }
    store.state.set(KEY.watermark, String(now.getTime()));
    store.state.set(KEY.lastSuccess, String(now.getTime()));
    store.state.set(KEY.failures, '0');
    store.state.set(KEY.firstFailure, null);
    store.state.set(KEY.lastError, null);
    store.state.set(KEY.downNotified, null);
    return queued;
  }

  function pollOnce(): Promise<PollResult> {
    const run = (current ?? Promise.resolve()).then(poll, poll);
    current = run;
    void run.finally(() => {
      if (current === run) current = null;
    });
    return run;
  }

  function nextDelay(): number {
    const n = failures();
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
      schedule(nextDelay());
    }, delayMs);
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await current?.catch(() => undefined);
    },
    pollOnce,
    health() {
      const n = failures();
      return {
        running,
        lastSuccessAt: readDate(KEY.lastSuccess),
        lastAttemptAt,
        consecutiveFailures: n,
        lastError: store.state.get(KEY.lastError),
        emReachable: n < unreachableAfter,
        watermark: readDate(KEY.watermark),
        intervalMs: options.intervalMs,
      };
    },
  };
}
