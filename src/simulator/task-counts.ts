/**
 * Counting task sessions without looking at each one: block counts of the creation-sorted list by (State,
 * Result), so `PagesCount` of a count query (`pageSize=1`) over a month of a million sessions is a sum of a few
 * thousand numbers instead of a million views. Only filters whose answer for a settled task depends on its State
 * and Result alone (besides the CreationTime range the list is cut to) are counted this way: `Result==Failed`,
 * `Result==Success;State==Completed`, an OR of those. Anything else (a name, EndTime, Reason, a CreationTime inside
 * an OR) is counted by the scan as before, so every answer is that of a full scan.
 *
 * A task is settled at `now` when EM shows it (`visibleFrom <= now`) and shows its finish (`finishVisibleFrom <=
 * now`): its view is then its own State and Result. Tasks whose lateness (the later of the two, after creation)
 * is at most LATE_MS are settled once `creation < now - span` (span: the largest such lateness); the others
 * (runs still going added through the control API, finishes reported long after creation) are kept aside and
 * looked at one by one. The records never change without the store's `version` moving, so an index is built for
 * one version and rebuilt lazily after any add or finish.
 */
import { must } from '../core/must.js';
import { SESSION_RESULTS, TASK_STATES } from '../core/sessions.js';
import type { EmFilterNode } from './parse-em-filter.js';
import { type TaskRecord, type TaskView, viewTask } from './sim-model.js';

const BLOCK = 1024;
const RESULTS = SESSION_RESULTS.length;
const COMBOS = TASK_STATES.length * RESULTS;
/** lateness beyond this makes a task an outlier, looked at on its own */
const LATE_MS = 6 * 3_600_000;
const STATE_INDEX = new Map<string, number>(TASK_STATES.map((s, i) => [s, i]));
const RESULT_INDEX = new Map<string, number>(SESSION_RESULTS.map((r, i) => [r, i]));

function comboOf(task: TaskRecord): number {
  return (
    must(STATE_INDEX.get(task.state), 'a task state is one of TASK_STATES') * RESULTS +
    must(RESULT_INDEX.get(task.result), 'a task result is one of SESSION_RESULTS')
  );
}

export interface TaskCountIndex {
  /**
   * The tasks of `tasks[start, end)` EM shows at `now` and `predicate` accepts, counted as a scan would count
   * them; `tasks` must be the list the index was built from, `[start, end)` a range that satisfies every
   * CreationTime comparison of the filter, and the filter one `isCountable` accepts.
   */
  prepare(start: number, end: number, now: number, predicate: (view: TaskView) => boolean): CountedRange;
}

export interface CountedRange {
  /** the matches in [from, to), a part of the prepared range */
  count(from: number, to: number): number;
  /**
   * Where a scan that must pass over `skip` matches can start: whole blocks of the range whose matches are all
   * to be passed over are jumped. Ascending, `at` is the first index to scan; descending, one past it (the scan
   * goes down from `at - 1`). `skipped` is how many matches were jumped (at most `skip`).
   */
  seek(skip: number, desc: boolean): { at: number; skipped: number };
}

/** Whether `node` reads only State, Result and required (top-level AND) CreationTime comparisons. */
export function isCountable(node: EmFilterNode | null, canonical: (field: string) => string | null): boolean {
  const walk = (n: EmFilterNode, top: boolean): boolean => {
    if (n.kind === 'cmp') {
      const field = canonical(n.field);
      return field === 'State' || field === 'Result' || (top && field === 'CreationTime');
    }
    return n.items.every((item) => walk(item, top && n.kind === 'and'));
  };
  return node === null || walk(node, true);
}

export function buildTaskCountIndex(tasks: readonly TaskRecord[]): TaskCountIndex {
  const blocks = Math.floor(tasks.length / BLOCK);
  // prefix[b * COMBOS + c]: tasks of combination c among tasks[0, b * BLOCK)
  const prefix = new Int32Array((blocks + 1) * COMBOS);
  const running = new Int32Array(COMBOS);
  const outliers: number[] = [];
  let span = 0;
  for (let i = 0; i < tasks.length; i++) {
    if (i % BLOCK === 0) prefix.set(running, (i / BLOCK) * COMBOS);
    const task = must(tasks[i], 'i < tasks.length');
    const combo = comboOf(task);
    running[combo] = must(running[combo], 'combo < COMBOS') + 1;
    const lateness = Math.max(task.visibleFrom, task.finishVisibleFrom) - task.creation;
    if (lateness > LATE_MS) outliers.push(i);
    else if (lateness > span) span = lateness;
  }
  if (tasks.length % BLOCK === 0) prefix.set(running, blocks * COMBOS);

  /** settled tasks of [start, end) whose own combination `matches` allows (every task taken as settled) */
  const countSettled = (start: number, end: number, matches: readonly boolean[]): number => {
    let total = 0;
    const scan = (from: number, to: number) => {
      for (let i = from; i < to; i++) if (matches[comboOf(must(tasks[i], 'i < end <= length'))]) total++;
    };
    const firstBlock = Math.ceil(start / BLOCK);
    const lastBlock = Math.floor(end / BLOCK);
    if (lastBlock <= firstBlock) {
      scan(start, end);
      return total;
    }
    scan(start, firstBlock * BLOCK);
    for (let c = 0; c < COMBOS; c++) {
      if (!matches[c]) continue;
      total +=
        must(prefix[lastBlock * COMBOS + c], 'lastBlock <= blocks') -
        must(prefix[firstBlock * COMBOS + c], 'firstBlock <= blocks');
    }
    scan(lastBlock * BLOCK, end);
    return total;
  };

  return {
    prepare(start, end, now, predicate) {
      const sample = tasks[start];
      // the filter reads State, Result and CreationTime comparisons every task of the range meets: one view
      // per combination, made on a task of the range, answers for every settled task of that combination
      const matches: boolean[] = [];
      for (let c = 0; c < COMBOS; c++) {
        const state = must(TASK_STATES[Math.floor(c / RESULTS)], 'c < COMBOS');
        const result = must(SESSION_RESULTS[c % RESULTS], 'c < COMBOS');
        matches.push(
          sample !== undefined &&
            predicate({ record: sample, creation: sample.creation, end: null, state, result, reason: '' }),
        );
      }
      const isVisibleMatch = (task: TaskRecord): boolean =>
        task.visibleFrom <= now && predicate(viewTask(task, now));
      // tasks created before `now - span` are settled, outliers aside; the rest are looked at one by one
      const settledEnd = lowerBoundCreation(tasks, now - span, start, end);
      const count = (from: number, to: number): number => {
        if (to <= from) return 0;
        const cut = Math.max(from, Math.min(to, settledEnd));
        let total = countSettled(from, cut, matches);
        for (let o = lowerBoundIndex(outliers, from); o < outliers.length; o++) {
          const i = must(outliers[o], 'o < outliers.length');
          if (i >= cut) break;
          const task = must(tasks[i], 'an outlier index is < length');
          if (task.visibleFrom <= now && task.finishVisibleFrom <= now) continue;
          if (matches[comboOf(task)]) total--;
          if (isVisibleMatch(task)) total++;
        }
        for (let i = cut; i < to; i++) if (isVisibleMatch(must(tasks[i], 'i < to <= length'))) total++;
        return total;
      };
      const seek = (skip: number, desc: boolean): { at: number; skipped: number } => {
        let skipped = 0;
        if (!desc) {
          // the partial block first, then whole blocks, up to the unsettled tail
          let at = start;
          while (at < settledEnd) {
            const next = Math.min(settledEnd, (Math.floor(at / BLOCK) + 1) * BLOCK);
            const n = count(at, next);
            if (skipped + n > skip) break;
            skipped += n;
            at = next;
          }
          return { at, skipped };
        }
        // down: the unsettled tail is scanned (it is short), then whole blocks from settledEnd down
        const tail = count(settledEnd, end);
        if (tail > skip) return { at: end, skipped: 0 };
        skipped = tail;
        let at = settledEnd;
        while (at > start) {
          const next = Math.max(start, (Math.ceil(at / BLOCK) - 1) * BLOCK);
          const n = count(next, at);
          if (skipped + n > skip) break;
          skipped += n;
          at = next;
        }
        return { at, skipped };
      };
      return { count: (from, to) => count(from, to), seek };
    },
  };
}

/** The first position in the sorted list of indexes whose index is >= i. */
function lowerBoundIndex(indexes: readonly number[], i: number): number {
  let lo = 0;
  let hi = indexes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (must(indexes[mid], 'lo <= mid < hi') < i) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in [from, to) whose creation is >= ms (to when none). */
function lowerBoundCreation(tasks: readonly TaskRecord[], ms: number, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (must(tasks[mid], 'from <= mid < to').creation < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
