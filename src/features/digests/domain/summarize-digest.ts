/**
 * Digest computation: from the replica task sessions of a window to the figures a team reads in the morning.
 * Pure: no I/O, no clock; the window says what "now" is.
 */

import type { SessionKind } from '../../../core/backup-sessions.js';
import { must } from '../../../core/must.js';
import type { ReplicaTaskSession, SessionResult } from '../../../core/sessions.js';
import { runToEnd } from '../../../core/slices.js';
import type { DigestWindow } from './digest-window.js';

/** What a digest is limited to. `failedOnly` shapes what is shown and whether a scheduled digest is posted. */
export interface DigestFilters {
  jobName: string | null;
  serverName: string | null;
  failedOnly: boolean;
  /** the sessions summed up: replication (the default, also when absent) or backup (`digest ... backups`) */
  kind?: SessionKind;
}

export const NO_DIGEST_FILTERS: DigestFilters = { jobName: null, serverName: null, failedOnly: false };

export interface ResultTotals {
  /** every run that started in the period, finished or not */
  runs: number;
  success: number;
  warning: number;
  failed: number;
  /** still running when the digest was made (EM result `None`) */
  running: number;
}

export interface PeriodFigures {
  totals: ResultTotals;
  /**
   * finished runs that updated the replica (Success or Warning) over all finished runs, 0..1;
   * null when nothing finished
   */
  successRate: number | null;
}

export interface DigestChange {
  runs: number;
  failed: number;
  /** percentage points; null when either period has no finished run */
  successRatePoints: number | null;
}

export interface DigestVmFailure {
  vmName: string;
  failures: number;
  lastReason: string;
  lastFailedAt: Date;
  /** the VM's latest finished run in the period succeeded (a retry or the next run fixed it) */
  recovered: boolean;
}

export interface DigestJobFailures {
  jobName: string;
  vms: DigestVmFailure[];
}

export interface DigestWarning {
  jobName: string;
  vmName: string;
  count: number;
  lastReason: string;
  lastAt: Date;
}

/** A VM whose latest runs all failed, the latest one in this period. */
export interface DigestStreak {
  jobName: string;
  vmName: string;
  failedRuns: number;
  /** the first failed run of the streak */
  since: Date;
  lastReason: string;
  /** every run replibot could see failed, so the streak may be longer (EM keeps about 30 days) */
  atLeast: boolean;
}

/**
 * A VM replicated in the previous period with no run at all in this one. VMs whose usual interval between runs
 * is longer than the period (a weekly job seen from a daily digest) are left out: they were not expected.
 */
export interface DigestStoppedVm {
  jobName: string;
  vmName: string;
  lastRunAt: Date;
  lastResult: SessionResult;
}

export interface DigestRun {
  jobName: string;
  vmName: string;
  result: SessionResult;
  startedAt: Date;
  endedAt: Date | null;
  durationMs: number;
  totalSize: number;
}

export interface DigestDay {
  /** `yyyy-MM-dd` in the digest's time zone */
  date: string;
  start: Date;
  /** not a whole day of data: not over when the digest is made, or at the edge of EM's 30 days (drawn pale) */
  partial: boolean;
  /** the day begins at the edge of the 30 days EM keeps, so part of it is already cleaned up */
  atRetentionEdge: boolean;
  success: number;
  warning: number;
  failed: number;
}

export interface Digest {
  window: DigestWindow;
  filters: DigestFilters;
  current: PeriodFigures;
  previous: PeriodFigures;
  change: DigestChange;
  /** jobs with the most failing VMs first */
  failedByJob: DigestJobFailures[];
  warnings: DigestWarning[];
  streaks: DigestStreak[];
  stopped: DigestStoppedVm[];
  longest: DigestRun[];
  largest: DigestRun[];
  perDay: DigestDay[];
  /** distinct VMs and jobs with a run in the period */
  vmCount: number;
  jobCount: number;
}

export interface SummarizeDigestOptions {
  /** failed runs in a row that make a streak; default 2 */
  streakMin?: number;
  /** how many longest / largest runs to keep; default 3 */
  topRuns?: number;
}

/** Job name shown when EM gave none (the `Up` link was missing). */
export const UNKNOWN_JOB = '(unknown job)';

export function summarizeDigest(
  sessions: Iterable<ReplicaTaskSession>,
  window: DigestWindow,
  filters: DigestFilters = NO_DIGEST_FILTERS,
  options: SummarizeDigestOptions = {},
): Digest {
  return runToEnd(summarizeDigestSteps(sessions, window, filters, options));
}

/** Rows handled between two yields of `summarizeDigestSteps`. */
export const DIGEST_SLICE_ROWS = 5_000;

/**
 * `summarizeDigest` in slices: the generator yields every `DIGEST_SLICE_ROWS` rows and between passes, so a
 * caller can give the event loop a turn at each yield (`runInSlices` in src/core/slices.ts) and acks keep
 * flowing during a large digest.
 */
export function* summarizeDigestSteps(
  sessions: Iterable<ReplicaTaskSession>,
  window: DigestWindow,
  filters: DigestFilters = NO_DIGEST_FILTERS,
  options: SummarizeDigestOptions = {},
): Generator<void, Digest, void> {
  const streakMin = Math.max(2, options.streakMin ?? 2);
  const topRuns = Math.max(0, options.topRuns ?? 3);
  const start = window.start.getTime();
  const end = window.end.getTime();
  const previousStart = window.previousStart.getTime();

  // EM pages can repeat a row when sessions are added while we read; the UID is the identity
  const byUid = new Map<string, ReplicaTaskSession>();
  let rows = 0;
  for (const session of sessions) {
    if (++rows % DIGEST_SLICE_ROWS === 0) yield;
    if (!matchesDigestFilters(session, filters)) continue;
    const t = session.creationTime.getTime();
    if (t < window.fetchStart.getTime() || t >= end) continue;
    byUid.set(session.uid, session);
  }
  yield;
  const all = [...byUid.values()].sort(byCreation);
  yield;
  const current = all.filter((s) => s.creationTime.getTime() >= start);
  const previous = all.filter((s) => {
    const t = s.creationTime.getTime();
    return t >= previousStart && t < start;
  });

  const currentFigures = toFigures(current);
  const previousFigures = toFigures(previous);
  yield;
  const streaks = toStreaks(all, start, streakMin);
  yield;
  const stopped = toStopped(all, current, previous, end - start, window.fetchStart.getTime());
  yield;
  const runs = toRuns(current);
  yield;
  const perDay = toPerDay(all, window);
  yield;

  return {
    window,
    filters,
    current: currentFigures,
    previous: previousFigures,
    change: toDigestChange(currentFigures, previousFigures),
    failedByJob: toFailedByJob(current),
    warnings: toWarnings(current),
    streaks,
    stopped,
    longest: topPerReplica(
      runs.filter((run) => run.endedAt !== null),
      (run) => run.durationMs,
      topRuns,
    ),
    largest: topPerReplica(
      runs.filter((run) => run.totalSize > 0),
      (run) => run.totalSize,
      topRuns,
    ),
    perDay,
    vmCount: new Set(current.map(vmKey)).size,
    jobCount: new Set(current.map(jobOf)).size,
  };
}

/** Results per chart day, in one pass over the sessions (sorted by creation, as the slots are). */
function toPerDay(all: ReplicaTaskSession[], window: DigestWindow): DigestDay[] {
  const days: DigestDay[] = window.chartDays.map((slot) => ({
    date: slot.date,
    start: slot.start,
    partial: slot.partial,
    atRetentionEdge: slot.atRetentionEdge,
    success: 0,
    warning: 0,
    failed: 0,
  }));
  let i = 0;
  for (const s of all) {
    const t = s.creationTime.getTime();
    while (
      i < window.chartDays.length &&
      t >= must(window.chartDays[i], 'i < chartDays.length').end.getTime()
    )
      i++;
    if (i === window.chartDays.length) break;
    if (t < must(window.chartDays[i], 'the session is inside the chart window').start.getTime()) continue;
    const day = must(days[i], 'one day count per chart day');
    if (s.result === 'Success') day.success++;
    else if (s.result === 'Warning') day.warning++;
    else if (s.result === 'Failed') day.failed++;
  }
  return days;
}

/** True when a failed-only digest has something to say. */
export function hasDigestProblems(digest: Digest): boolean {
  return digest.failedByJob.length > 0 || digest.streaks.length > 0 || digest.stopped.length > 0;
}

/** The change figures between a period and the one before. */
export function toDigestChange(current: PeriodFigures, previous: PeriodFigures): DigestChange {
  return {
    runs: current.totals.runs - previous.totals.runs,
    failed: current.totals.failed - previous.totals.failed,
    successRatePoints:
      current.successRate === null || previous.successRate === null
        ? null
        : round1((current.successRate - previous.successRate) * 100),
  };
}

/** True when the session is one the digest's job and server filters keep. */
export function matchesDigestFilters(session: ReplicaTaskSession, filters: DigestFilters): boolean {
  // EM compares names case-insensitively in filters; do the same so a filter typed in Slack behaves alike
  if (filters.jobName !== null && !sameName(session.jobName, filters.jobName)) return false;
  if (filters.serverName !== null && !sameName(session.backupServerName, filters.serverName)) return false;
  return true;
}

function sameName(actual: string | null, wanted: string): boolean {
  return actual !== null && actual.toLowerCase() === wanted.toLowerCase();
}

function toFigures(sessions: ReplicaTaskSession[]): PeriodFigures {
  const totals: ResultTotals = { runs: sessions.length, success: 0, warning: 0, failed: 0, running: 0 };
  for (const s of sessions) {
    if (s.result === 'Success') totals.success++;
    else if (s.result === 'Warning') totals.warning++;
    else if (s.result === 'Failed') totals.failed++;
    else totals.running++;
  }
  return toPeriodFigures(totals);
}

/** The totals with their success rate. */
export function toPeriodFigures(totals: ResultTotals): PeriodFigures {
  const finished = totals.success + totals.warning + totals.failed;
  return { totals, successRate: finished === 0 ? null : (totals.success + totals.warning) / finished };
}

export function jobOf(session: ReplicaTaskSession): string {
  return session.jobName ?? UNKNOWN_JOB;
}

/** A replica is one VM in one job: the same VM replicated by two jobs is two replicas. */
export function vmKey(session: ReplicaTaskSession): string {
  return `${jobOf(session)}\u0000${session.vmDisplayName}`;
}

function isFinished(session: ReplicaTaskSession): boolean {
  return session.result !== 'None';
}

function toFailedByJob(current: ReplicaTaskSession[]): DigestJobFailures[] {
  const jobs = new Map<string, Map<string, DigestVmFailure>>();
  const latestFinished = new Map<string, ReplicaTaskSession>();
  for (const s of current) if (isFinished(s)) latestFinished.set(vmKey(s), s);
  for (const s of current) {
    if (s.result !== 'Failed') continue;
    const vms = jobs.get(jobOf(s)) ?? new Map<string, DigestVmFailure>();
    jobs.set(jobOf(s), vms);
    const entry = vms.get(s.vmDisplayName);
    if (entry === undefined) {
      vms.set(s.vmDisplayName, {
        vmName: s.vmDisplayName,
        failures: 1,
        lastReason: s.reason,
        lastFailedAt: s.creationTime,
        recovered: false,
      });
    } else {
      entry.failures++;
      entry.lastFailedAt = s.creationTime;
      if (s.reason !== '') entry.lastReason = s.reason;
    }
  }
  const result: DigestJobFailures[] = [];
  for (const [jobName, vms] of jobs) {
    const list = [...vms.values()].map((vm) => ({
      ...vm,
      recovered: latestFinished.get(`${jobName}\u0000${vm.vmName}`)?.result !== 'Failed',
    }));
    result.push({ jobName, vms: list });
  }
  return sortFailedByJob(result);
}

/** Jobs with VMs still failing first, and in each job the VMs still failing first, then by how often. */
export function sortFailedByJob(jobs: DigestJobFailures[]): DigestJobFailures[] {
  for (const job of jobs) {
    job.vms.sort(
      (a, b) =>
        Number(a.recovered) - Number(b.recovered) ||
        b.failures - a.failures ||
        a.vmName.localeCompare(b.vmName),
    );
  }
  return jobs.sort(
    (a, b) =>
      stillFailing(b) - stillFailing(a) ||
      b.vms.length - a.vms.length ||
      Number(a.jobName === UNKNOWN_JOB) - Number(b.jobName === UNKNOWN_JOB) ||
      a.jobName.localeCompare(b.jobName),
  );
}

function stillFailing(job: DigestJobFailures): number {
  return job.vms.filter((vm) => !vm.recovered).length;
}

function toWarnings(current: ReplicaTaskSession[]): DigestWarning[] {
  const byKey = new Map<string, DigestWarning>();
  for (const s of current) {
    if (s.result !== 'Warning') continue;
    const entry = byKey.get(vmKey(s));
    if (entry === undefined) {
      byKey.set(vmKey(s), {
        jobName: jobOf(s),
        vmName: s.vmDisplayName,
        count: 1,
        lastReason: s.reason,
        lastAt: s.creationTime,
      });
    } else {
      entry.count++;
      entry.lastAt = s.creationTime;
      if (s.reason !== '') entry.lastReason = s.reason;
    }
  }
  return sortByReplica([...byKey.values()]);
}

/** By job, then VM: the order of the warnings and the stopped replicas. */
export function sortByReplica<T extends { jobName: string; vmName: string }>(list: T[]): T[] {
  return list.sort((a, b) => a.jobName.localeCompare(b.jobName) || a.vmName.localeCompare(b.vmName));
}

function toStreaks(all: ReplicaTaskSession[], start: number, streakMin: number): DigestStreak[] {
  const runs = new Map<string, ReplicaTaskSession[]>();
  for (const s of all) {
    if (!isFinished(s)) continue;
    const list = runs.get(vmKey(s)) ?? [];
    list.push(s);
    runs.set(vmKey(s), list);
  }
  const streaks: DigestStreak[] = [];
  for (const list of runs.values()) {
    const last = must(list.at(-1), 'the list is not empty');
    if (last.result !== 'Failed' || last.creationTime.getTime() < start) continue;
    let first = list.length - 1;
    while (first > 0 && must(list[first - 1], 'first - 1 >= 0').result === 'Failed') first--;
    const failedRuns = list.length - first;
    if (failedRuns < streakMin) continue;
    streaks.push({
      jobName: jobOf(last),
      vmName: last.vmDisplayName,
      failedRuns,
      since: must(list[first], 'first is inside the list').creationTime,
      lastReason: last.reason,
      atLeast: first === 0,
    });
  }
  return sortStreaks(streaks);
}

/** The longest streaks first; the same VM in two jobs by job. */
export function sortStreaks(streaks: DigestStreak[]): DigestStreak[] {
  return streaks.sort(
    (a, b) =>
      b.failedRuns - a.failedRuns || a.vmName.localeCompare(b.vmName) || a.jobName.localeCompare(b.jobName),
  );
}

function toStopped(
  all: ReplicaTaskSession[],
  current: ReplicaTaskSession[],
  previous: ReplicaTaskSession[],
  periodMs: number,
  fetchStart: number,
): DigestStoppedVm[] {
  const seen = new Set(current.map(vmKey));
  const lastBefore = new Map<string, ReplicaTaskSession>();
  for (const s of previous) if (!seen.has(vmKey(s))) lastBefore.set(vmKey(s), s);
  const times = new Map<string, number[]>();
  for (const s of all) {
    if (!lastBefore.has(vmKey(s))) continue;
    const list = times.get(vmKey(s)) ?? [];
    list.push(s.creationTime.getTime());
    times.set(vmKey(s), list);
  }
  return sortByReplica(
    [...lastBefore.entries()]
      .filter(([key]) => isExpectedInPeriod(times.get(key) ?? [], periodMs, fetchStart))
      .map(([, s]) => ({
        jobName: jobOf(s),
        vmName: s.vmDisplayName,
        lastRunAt: s.creationTime,
        lastResult: s.result,
      })),
  );
}

/**
 * True when a replica with these run times (sorted) runs at least about once a period, so a period without a run
 * means it stopped. With one run in all the history fetched, its interval is at least the time since the history
 * starts.
 */
export function isExpectedInPeriod(sortedTimes: number[], periodMs: number, fetchStart: number): boolean {
  const usual = medianInterval(sortedTimes) ?? must(sortedTimes[0], 'sortedTimes is not empty') - fetchStart;
  // the slack absorbs DST days (23 h) and jobs that drift a little
  return usual <= periodMs * 1.5;
}

/** Median gap between consecutive runs; null with fewer than two runs. */
function medianInterval(sortedTimes: number[]): number | null {
  if (sortedTimes.length < 2) return null;
  const gaps = sortedTimes
    .slice(1)
    .map((t, i) => t - must(sortedTimes[i], 'i < sortedTimes.length'))
    .sort((a, b) => a - b);
  return must(gaps[Math.floor((gaps.length - 1) / 2)], 'gaps is not empty');
}

function toRuns(current: ReplicaTaskSession[]): DigestRun[] {
  return current.map(toDigestRun);
}

export function toDigestRun(s: ReplicaTaskSession): DigestRun {
  return {
    jobName: jobOf(s),
    vmName: s.vmDisplayName,
    result: s.result,
    startedAt: s.creationTime,
    endedAt: s.endTime,
    durationMs: s.endTime === null ? 0 : Math.max(0, s.endTime.getTime() - s.creationTime.getTime()),
    totalSize: s.totalSize,
  };
}

/** The top runs by `measure`, one per replica: three runs of the same VM would tell less than three VMs. */
function topPerReplica(runs: DigestRun[], measure: (run: DigestRun) => number, count: number): DigestRun[] {
  const best = new Map<string, DigestRun>();
  for (const run of runs) {
    const key = `${run.jobName}\u0000${run.vmName}`;
    const kept = best.get(key);
    if (kept === undefined || measure(run) > measure(kept)) best.set(key, run);
  }
  return sortTopRuns([...best.values()], measure, count);
}

/** The `count` runs with the highest `measure`; equal ones by VM, then job. */
export function sortTopRuns(
  runs: DigestRun[],
  measure: (run: DigestRun) => number,
  count: number,
): DigestRun[] {
  return runs
    .sort(
      (a, b) =>
        measure(b) - measure(a) || a.vmName.localeCompare(b.vmName) || a.jobName.localeCompare(b.jobName),
    )
    .slice(0, count);
}

function byCreation(a: ReplicaTaskSession, b: ReplicaTaskSession): number {
  return a.creationTime.getTime() - b.creationTime.getTime() || a.uid.localeCompare(b.uid);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
