/**
 * Pure alert planning: given the sessions one poll found for the first time, the subscriptions, the mutes and
 * what is known about each VM's previous runs, decide what each channel hears. No I/O: the poller reads the
 * store before and writes the plan after, in one transaction.
 */
import { and, anyOf, cmp, eq, type Filter } from '../../../core/filter.js';
import type { ReplicaTaskSession } from '../../../core/sessions.js';
import type { AlertVm, CatchUpRun, Mute, Subscription } from './alert-notice.js';
import { isMuted, matchesSubscription } from './subscription-filter.js';

/** What the store remembers of a VM's last run in a job. */
export interface PreviousRun {
  failedRuns: number;
  lastResult: string;
  lastEndTime: Date;
}

export interface PlannedAlert {
  channelId: string;
  jobSessionUid: string;
  jobName: string;
  /** EM's JobType of a backup run, set by the backup poller; absent for replication */
  jobType?: string | null;
  serverName: string | null;
  runStartedAt: Date;
  vms: Array<Omit<AlertVm, 'recoveredAt'>>;
  /** set by the poller (`planLateness`) when EM reported the run later than the regular poll looks back */
  reportedLateMs?: number | null;
}

export interface PlannedStatus {
  jobName: string;
  vmName: string;
  failedRuns: number;
  lastResult: string;
  lastEndTime: Date;
}

/** A successful run of a VM that had failed: its open alerts may now say "recovered". */
export interface PlannedRecovery {
  jobName: string;
  vmName: string;
  jobSessionUid: string;
  recoveredAt: Date;
}

export interface AlertPlan {
  statuses: PlannedStatus[];
  alerts: PlannedAlert[];
  summaries: Array<{ channelId: string; runs: CatchUpRun[] }>;
  recoveries: PlannedRecovery[];
}

export interface PlanAlertsInput {
  /** completed task sessions this poll found for the first time (any result) */
  sessions: readonly ReplicaTaskSession[];
  subscriptions: readonly Subscription[];
  /** mutes still active now */
  mutes: readonly Mute[];
  previous: (jobName: string, vmName: string) => PreviousRun | null;
  /** set when this poll catches up after downtime; a channel with more runs than the threshold gets a summary */
  catchUp: boolean;
  catchUpThreshold: number;
}

export const UNKNOWN_JOB = '(unknown job)';

export function jobNameOf(session: ReplicaTaskSession): string {
  return session.jobName ?? UNKNOWN_JOB;
}

export function planAlerts(input: PlanAlertsInput): AlertPlan {
  const ordered = [...input.sessions].sort(
    (a, b) => (a.endTime?.getTime() ?? 0) - (b.endTime?.getTime() ?? 0) || a.uid.localeCompare(b.uid),
  );
  const status = new Map<string, PlannedStatus>();
  const streakOf = new Map<string, number>();
  const recoveries: PlannedRecovery[] = [];

  for (const s of ordered) {
    if (s.endTime === null) continue;
    const jobName = jobNameOf(s);
    const key = `${jobName}\u0000${s.vmDisplayName}`;
    const before = status.get(key) ?? input.previous(jobName, s.vmDisplayName);
    // a run that ended before the last one we know of (EM reported it late) does not move the streak
    const stale = before !== null && before.lastEndTime.getTime() > s.endTime.getTime();
    const failedRuns = s.result === 'Failed' ? (stale ? 1 : (before?.failedRuns ?? 0) + 1) : 0;
    streakOf.set(s.uid, failedRuns);
    if (!stale) {
      status.set(key, {
        jobName,
        vmName: s.vmDisplayName,
        // a warning, or a result replibot does not know, neither ends nor extends a failure streak
        failedRuns: s.result === 'Warning' || s.result === 'Unknown' ? (before?.failedRuns ?? 0) : failedRuns,
        lastResult: s.result,
        lastEndTime: s.endTime,
      });
    }
    if (s.result === 'Success') {
      recoveries.push({
        jobName,
        vmName: s.vmDisplayName,
        jobSessionUid: s.jobSessionUid,
        recoveredAt: s.endTime,
      });
    }
  }

  // channel -> job run -> alert
  const byChannel = new Map<string, Map<string, PlannedAlert>>();
  for (const s of ordered) {
    // an unknown result of a completed session is alerted ("ended with result X"), never dropped
    if (s.endTime === null || (s.result !== 'Failed' && s.result !== 'Warning' && s.result !== 'Unknown'))
      continue;
    const channels = new Set<string>();
    for (const sub of input.subscriptions) {
      if (channels.has(sub.channelId) || !matchesSubscription(sub, s)) continue;
      if (isMuted(input.mutes, sub.channelId, jobNameOf(s), s.vmDisplayName)) continue;
      channels.add(sub.channelId);
    }
    for (const channelId of channels) {
      let runs = byChannel.get(channelId);
      if (runs === undefined) {
        runs = new Map();
        byChannel.set(channelId, runs);
      }
      let alert = runs.get(s.jobSessionUid);
      if (alert === undefined) {
        alert = {
          channelId,
          jobSessionUid: s.jobSessionUid,
          jobName: jobNameOf(s),
          serverName: s.backupServerName,
          runStartedAt: s.creationTime,
          vms: [],
        };
        runs.set(s.jobSessionUid, alert);
      }
      if (s.creationTime < alert.runStartedAt) alert.runStartedAt = s.creationTime;
      alert.vms.push({
        taskUid: s.uid,
        vmName: s.vmDisplayName,
        result: s.result,
        ...(s.result === 'Unknown' ? { resultWord: s.resultWord ?? 'Unknown' } : {}),
        reason: s.reason,
        failedRuns: streakOf.get(s.uid) ?? 0,
        endTime: s.endTime,
      });
    }
  }

  const alerts: PlannedAlert[] = [];
  const summaries: AlertPlan['summaries'] = [];
  for (const [channelId, runs] of [...byChannel].sort(([a], [b]) => a.localeCompare(b))) {
    const list = [...runs.values()].sort((a, b) => a.runStartedAt.getTime() - b.runStartedAt.getTime());
    if (input.catchUp && list.length > input.catchUpThreshold) {
      summaries.push({ channelId, runs: list.map(toCatchUpRun) });
    } else {
      for (const alert of list) {
        alert.vms.sort((a, b) => a.vmName.localeCompare(b.vmName));
        alerts.push(alert);
      }
    }
  }
  return { statuses: [...status.values()], alerts, summaries, recoveries };
}

function toCatchUpRun(alert: PlannedAlert): CatchUpRun {
  const failed = alert.vms.filter((v) => v.result === 'Failed').length;
  return {
    jobName: alert.jobName,
    serverName: alert.serverName,
    failed,
    warnings: alert.vms.length - failed,
    vmNames: alert.vms
      .map((v) => v.vmName)
      .sort()
      .slice(0, 5),
  };
}

/** Where the next poll starts reading, and whether it is catching up after downtime. */
export function planPollWindow(input: {
  now: Date;
  /** the `now` of the last successful poll; null on the very first poll */
  watermark: Date | null;
  overlapMinutes: number;
  intervalSeconds: number;
}): { from: Date; catchUp: boolean; since: Date } {
  const overlapMs = input.overlapMinutes * 60_000;
  const since = input.watermark ?? input.now;
  // a gap of several missed polls (or more than the overlap) means replibot was not watching for a while
  const gapMs = input.now.getTime() - since.getTime();
  const catchUp = input.watermark !== null && gapMs > Math.max(3 * input.intervalSeconds * 1000, 5 * 60_000);
  return { from: new Date(since.getTime() - overlapMs), catchUp, since };
}

/**
 * The EM filters for one poll: completed failures and warnings that ended in the window, and (only for jobs with
 * VMs whose last run did not succeed) the successes that may end a failure streak. Reading successes of every
 * job would make a poll cost grow with the size of the estate for nothing.
 */
export function toPollFilters(from: Date, jobsWithOpenFailures: readonly string[]): Filter[] {
  const completed = eq('State', 'Completed');
  const ended = cmp('EndTime', '>=', from);
  // `!= Success` rather than "Warning or Failed": a result word a newer EM adds is read too, and alerted
  const filters: Filter[] = [and(completed, ended, cmp('Result', '!=', 'Success'))];
  // EM URLs have a length limit; a few dozen names per request keeps each one short
  for (let i = 0; i < jobsWithOpenFailures.length; i += 40) {
    filters.push(
      and(completed, ended, eq('Result', 'Success'), anyOf('JobName', jobsWithOpenFailures.slice(i, i + 40))),
    );
  }
  return filters;
}
