/**
 * The digest computed as rows stream in: the same figures as summarizeDigest, from
 * - every row of the current period, then every row of the previous period (each in CreationTime order),
 * - counts per chart day and result for the part of the chart before the previous period,
 * - for the few replicas that need it, their history before the previous period (a failure streak that reaches
 *   back past it, a replica that stopped and whose usual interval is needed).
 * It keeps one small record per replica, never the rows. Pure: no I/O, no clock.
 */

import { must } from '../../../core/must.js';
import type { ReplicaTaskSession, SessionResult } from '../../../core/sessions.js';
import type { DigestWindow } from './digest-window.js';
import {
  type Digest,
  type DigestDay,
  type DigestFilters,
  type DigestJobFailures,
  type DigestRun,
  type DigestStoppedVm,
  type DigestStreak,
  type DigestVmFailure,
  type DigestWarning,
  isExpectedInPeriod,
  jobOf,
  matchesDigestFilters,
  NO_DIGEST_FILTERS,
  type ResultTotals,
  type SummarizeDigestOptions,
  sortByReplica,
  sortFailedByJob,
  sortStreaks,
  sortTopRuns,
  toDigestChange,
  toDigestRun,
  toPeriodFigures,
  vmKey,
} from './summarize-digest.js';

/** The results a chart day counts. */
export type ChartResult = 'Success' | 'Warning' | 'Failed';

/** A replica (VM in a job) whose history before the previous period the digest needs. */
export interface ReplicaRef {
  key: string;
  /** null when EM gave the sessions no job (shown as UNKNOWN_JOB) */
  jobName: string | null;
  vmName: string;
}

/** A part of a chart day the streams do not cover, to be counted by EM. */
export interface DayCountRequest {
  day: number;
  from: Date;
  to: Date;
}

export interface DigestAccumulator {
  /** A row of the current period; rows come in CreationTime order, before any row of the previous period. */
  addCurrent(session: ReplicaTaskSession): void;
  /** A row of the previous period, in CreationTime order, after every row of the current one. */
  addPrevious(session: ReplicaTaskSession): void;
  /** The parts of chart days before the previous period: EM counts them (addDayCount). */
  dayCountsNeeded(): DayCountRequest[];
  addDayCount(day: number, result: ChartResult, count: number): void;
  /** After both periods: replicas failing through the whole of both periods, whose streak may reach further. */
  streakHistoryNeeded(): ReplicaRef[];
  /**
   * A row of the replica before the previous period, NEWEST FIRST. Answers false once the streak is bounded
   * (a finished run that did not fail): older rows cannot change it.
   */
  addStreakHistory(ref: ReplicaRef, session: ReplicaTaskSession): boolean;
  /** After both periods: replicas with runs in the previous period and none in this one. */
  stoppedHistoryNeeded(): ReplicaRef[];
  /** A row of the replica before the previous period, in any order. */
  addStoppedHistory(ref: ReplicaRef, session: ReplicaTaskSession): void;
  /** rows seen in the two periods */
  readonly rows: number;
  finish(): Digest;
}

interface ReplicaState {
  ref: ReplicaRef;
  inCurrent: boolean;
  /** latest finished run of the current period */
  latestFinished: SessionResult | null;
  /** failed finished runs since the latest finished run that did not fail, in the current period */
  trailing: number;
  trailingSince: Date | null;
  trailingReason: string;
  /** a finished run that did not fail was seen (the streak is bounded) */
  bounded: boolean;
  /** the same over the previous period (only while the current period's streak is unbounded) */
  prevTrailing: number;
  prevSince: Date | null;
  prevBounded: boolean;
  /** the same over the history before it, newest first */
  oldTrailing: number;
  oldSince: Date | null;
  oldBounded: boolean;
  longest: DigestRun | null;
  largest: DigestRun | null;
  /** replicas not in the current period: their latest run of the previous one and every run time */
  lastBefore: { lastRunAt: Date; lastResult: SessionResult } | null;
  times: number[] | null;
}

export function createDigestAccumulator(
  window: DigestWindow,
  filters: DigestFilters = NO_DIGEST_FILTERS,
  options: SummarizeDigestOptions = {},
): DigestAccumulator {
  const streakMin = Math.max(2, options.streakMin ?? 2);
  const topRuns = Math.max(0, options.topRuns ?? 3);
  const start = window.start.getTime();
  const end = window.end.getTime();
  const previousStart = window.previousStart.getTime();
  const fetchStart = window.fetchStart.getTime();

  const current: ResultTotals = { runs: 0, success: 0, warning: 0, failed: 0, running: 0 };
  const previous: ResultTotals = { runs: 0, success: 0, warning: 0, failed: 0, running: 0 };
  const days: DigestDay[] = window.chartDays.map((slot) => ({
    date: slot.date,
    start: slot.start,
    partial: slot.partial,
    atRetentionEdge: slot.atRetentionEdge,
    success: 0,
    warning: 0,
    failed: 0,
  }));
  const replicas = new Map<string, ReplicaState>();
  const failures = new Map<string, Map<string, DigestVmFailure>>();
  const warnings = new Map<string, DigestWarning>();
  const jobs = new Set<string>();
  let rows = 0;
  let phase: 'current' | 'previous' = 'current';

  const replicaOf = (s: ReplicaTaskSession): ReplicaState => {
    const key = vmKey(s);
    let state = replicas.get(key);
    if (state === undefined) {
      state = {
        ref: {
          key: own(key),
          jobName: s.jobName === null ? null : own(s.jobName),
          vmName: own(s.vmDisplayName),
        },
        inCurrent: false,
        latestFinished: null,
        trailing: 0,
        trailingSince: null,
        trailingReason: '',
        bounded: false,
        prevTrailing: 0,
        prevSince: null,
        prevBounded: false,
        oldTrailing: 0,
        oldSince: null,
        oldBounded: false,
        longest: null,
        largest: null,
        lastBefore: null,
        times: null,
      };
      replicas.set(state.ref.key, state);
    }
    return state;
  };

  const countDay = (s: ReplicaTaskSession): void => {
    const day = findDay(window, s.creationTime.getTime());
    if (day === -1) return;
    if (s.result === 'Success') must(days[day], 'day is inside the chart days').success++;
    else if (s.result === 'Warning') must(days[day], 'day is inside the chart days').warning++;
    else if (s.result === 'Failed') must(days[day], 'day is inside the chart days').failed++;
  };

  const keep = (s: ReplicaTaskSession, from: number, to: number): boolean => {
    const t = s.creationTime.getTime();
    return t >= from && t < to && matchesDigestFilters(s, filters);
  };

  function addCurrent(s: ReplicaTaskSession): void {
    if (phase !== 'current') throw new Error('addCurrent after addPrevious: the current period comes first');
    if (!keep(s, start, end)) return;
    rows++;
    addTotals(current, s.result);
    countDay(s);
    const state = replicaOf(s);
    state.inCurrent = true;
    jobs.add(state.ref.jobName ?? jobOf(s));
    if (s.result !== 'None') {
      state.latestFinished = s.result;
      if (s.result === 'Failed') {
        if (state.trailing === 0) state.trailingSince = s.creationTime;
        state.trailing++;
        state.trailingReason = own(s.reason);
      } else {
        state.trailing = 0;
        state.trailingSince = null;
        state.bounded = true;
      }
    }
    if (s.result === 'Failed') addFailure(s, state);
    if (s.result === 'Warning') addWarning(s, state);
    const run = toDigestRun(s);
    if (run.endedAt !== null && (state.longest === null || run.durationMs > state.longest.durationMs))
      state.longest = withRef(run, state.ref);
    if (run.totalSize > 0 && (state.largest === null || run.totalSize > state.largest.totalSize))
      state.largest = withRef(run, state.ref);
  }

  function addFailure(s: ReplicaTaskSession, state: ReplicaState): void {
    const job = state.ref.jobName ?? jobOf(s);
    let vms = failures.get(job);
    if (vms === undefined) {
      vms = new Map();
      failures.set(job, vms);
    }
    const entry = vms.get(state.ref.vmName);
    if (entry === undefined) {
      vms.set(state.ref.vmName, {
        vmName: state.ref.vmName,
        failures: 1,
        lastReason: own(s.reason),
        lastFailedAt: s.creationTime,
        recovered: false,
      });
    } else {
      entry.failures++;
      entry.lastFailedAt = s.creationTime;
      if (s.reason !== '') entry.lastReason = own(s.reason);
    }
  }

  function addWarning(s: ReplicaTaskSession, state: ReplicaState): void {
    const entry = warnings.get(state.ref.key);
    if (entry === undefined) {
      warnings.set(state.ref.key, {
        jobName: state.ref.jobName ?? jobOf(s),
        vmName: state.ref.vmName,
        count: 1,
        lastReason: own(s.reason),
        lastAt: s.creationTime,
      });
    } else {
      entry.count++;
      entry.lastAt = s.creationTime;
      if (s.reason !== '') entry.lastReason = own(s.reason);
    }
  }

  function addPrevious(s: ReplicaTaskSession): void {
    phase = 'previous';
    if (!keep(s, previousStart, start)) return;
    rows++;
    addTotals(previous, s.result);
    countDay(s);
    const known = replicas.get(vmKey(s));
    if (known?.inCurrent) {
      // only a streak that runs through the whole current period looks back into this one
      if (known.trailing === 0 || known.bounded || s.result === 'None') return;
      if (s.result === 'Failed') {
        if (known.prevTrailing === 0) known.prevSince = s.creationTime;
        known.prevTrailing++;
      } else {
        known.prevTrailing = 0;
        known.prevSince = null;
        known.prevBounded = true;
      }
      return;
    }
    const state = known ?? replicaOf(s);
    state.lastBefore = { lastRunAt: s.creationTime, lastResult: s.result };
    if (state.times === null) state.times = [];
    state.times.push(s.creationTime.getTime());
  }

  function dayCountsNeeded(): DayCountRequest[] {
    const needed: DayCountRequest[] = [];
    window.chartDays.forEach((slot, day) => {
      if (slot.start.getTime() >= previousStart) return;
      const to = Math.min(slot.end.getTime(), previousStart);
      needed.push({ day, from: slot.start, to: new Date(to) });
    });
    return needed;
  }

  function addDayCount(day: number, result: ChartResult, count: number): void {
    const slot = days[day];
    if (slot === undefined || !Number.isFinite(count) || count < 0) return;
    if (result === 'Success') slot.success += count;
    else if (result === 'Warning') slot.warning += count;
    else slot.failed += count;
  }

  const unboundedStreaks = (): ReplicaState[] =>
    [...replicas.values()].filter(
      (state) => state.inCurrent && state.latestFinished === 'Failed' && !state.bounded && !state.prevBounded,
    );

  function streakHistoryNeeded(): ReplicaRef[] {
    if (fetchStart >= previousStart) return [];
    return unboundedStreaks().map((state) => state.ref);
  }

  function addStreakHistory(ref: ReplicaRef, s: ReplicaTaskSession): boolean {
    const state = replicas.get(ref.key);
    if (state === undefined || state.oldBounded) return false;
    if (vmKey(s) !== ref.key || !keep(s, fetchStart, previousStart)) return true;
    if (s.result === 'None') return true;
    if (s.result !== 'Failed') {
      state.oldBounded = true;
      return false;
    }
    state.oldTrailing++;
    state.oldSince = s.creationTime;
    return true;
  }

  const stoppedCandidates = (): ReplicaState[] =>
    [...replicas.values()].filter((state) => !state.inCurrent && state.lastBefore !== null);

  function stoppedHistoryNeeded(): ReplicaRef[] {
    if (fetchStart >= previousStart) return [];
    return stoppedCandidates().map((state) => state.ref);
  }

  function addStoppedHistory(ref: ReplicaRef, s: ReplicaTaskSession): void {
    const state = replicas.get(ref.key);
    if (state?.times == null || vmKey(s) !== ref.key || !keep(s, fetchStart, previousStart)) return;
    state.times.push(s.creationTime.getTime());
  }

  function finish(): Digest {
    const currentFigures = toPeriodFigures(current);
    const previousFigures = toPeriodFigures(previous);

    const failedByJob: DigestJobFailures[] = [];
    for (const [jobName, vms] of failures) {
      failedByJob.push({
        jobName,
        vms: [...vms.values()].map((vm) => ({
          ...vm,
          recovered: replicas.get(`${jobName}\u0000${vm.vmName}`)?.latestFinished !== 'Failed',
        })),
      });
    }

    const streaks: DigestStreak[] = [];
    for (const state of replicas.values()) {
      if (!state.inCurrent || state.latestFinished !== 'Failed') continue;
      let failedRuns = state.trailing;
      let since = must(state.trailingSince, 'a trailing failure run has a start');
      let atLeast = false;
      if (!state.bounded) {
        failedRuns += state.prevTrailing;
        since = state.prevSince ?? since;
        if (!state.prevBounded) {
          failedRuns += state.oldTrailing;
          since = state.oldSince ?? since;
          atLeast = !state.oldBounded;
        }
      }
      if (failedRuns < streakMin) continue;
      streaks.push({
        jobName: state.ref.jobName ?? jobOfRef(state.ref),
        vmName: state.ref.vmName,
        failedRuns,
        since,
        lastReason: state.trailingReason,
        atLeast,
      });
    }

    const stopped: DigestStoppedVm[] = [];
    for (const state of stoppedCandidates()) {
      const times = [...must(state.times, 'a job with runs has their times')].sort((a, b) => a - b);
      if (!isExpectedInPeriod(times, end - start, fetchStart)) continue;
      stopped.push({
        jobName: state.ref.jobName ?? jobOfRef(state.ref),
        vmName: state.ref.vmName,
        lastRunAt: must(state.lastBefore, 'a job seen only before the window has its last run').lastRunAt,
        lastResult: must(state.lastBefore, 'a job seen only before the window has its last run').lastResult,
      });
    }

    const longest: DigestRun[] = [];
    const largest: DigestRun[] = [];
    let vmCount = 0;
    for (const state of replicas.values()) {
      if (!state.inCurrent) continue;
      vmCount++;
      if (state.longest) longest.push(state.longest);
      if (state.largest) largest.push(state.largest);
    }

    return {
      window,
      filters,
      current: currentFigures,
      previous: previousFigures,
      change: toDigestChange(currentFigures, previousFigures),
      failedByJob: sortFailedByJob(failedByJob),
      warnings: sortByReplica([...warnings.values()]),
      streaks: sortStreaks(streaks),
      stopped: sortByReplica(stopped),
      longest: sortTopRuns(longest, (run) => run.durationMs, topRuns),
      largest: sortTopRuns(largest, (run) => run.totalSize, topRuns),
      perDay: days,
      vmCount,
      jobCount: jobs.size,
    };
  }

  return {
    addCurrent,
    addPrevious,
    dayCountsNeeded,
    addDayCount,
    streakHistoryNeeded,
    addStreakHistory,
    stoppedHistoryNeeded,
    addStoppedHistory,
    get rows() {
      return rows;
    },
    finish,
  };
}

function addTotals(totals: ResultTotals, result: SessionResult): void {
  totals.runs++;
  if (result === 'Success') totals.success++;
  else if (result === 'Warning') totals.warning++;
  else if (result === 'Failed') totals.failed++;
  else totals.running++;
}

/** The chart day a time falls in, or -1. */
function findDay(window: DigestWindow, t: number): number {
  const slots = window.chartDays;
  let lo = 0;
  let hi = slots.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const slot = must(slots[mid], 'lo <= mid < hi <= slots.length');
    if (t < slot.start.getTime()) hi = mid - 1;
    else if (t >= slot.end.getTime()) lo = mid + 1;
    else return mid;
  }
  return -1;
}

function jobOfRef(ref: ReplicaRef): string {
  return ref.key.slice(0, ref.key.indexOf('\u0000'));
}

function withRef(run: DigestRun, ref: ReplicaRef): DigestRun {
  return { ...run, jobName: ref.jobName ?? run.jobName, vmName: ref.vmName };
}

/**
 * A copy of a string that does not keep the text it was cut from alive (V8 keeps a sliced string's parent,
 * here a whole EM page); only strings the digest keeps are copied.
 */
function own(text: string): string {
  return text.length === 0 ? '' : (JSON.parse(JSON.stringify(text)) as string);
}
