/**
 * How an answer's totals by result are counted in EM instead of from rows: one count query per result that can
 * occur under the question's filter. The buckets are the results as replibot reads a row (a running session EM
 * says succeeded is running, `None`; a word replibot does not know is `Unknown`), so counts from EM and counts
 * from rows agree. A result the filter already fixes ("failed replicas") needs no bucket filter at all: the one
 * count of the question is its count.
 */
import { and, cmp, eq, type Filter } from '../../core/filter.js';
import { must } from '../../core/must.js';
import {
  isRunningState,
  type JobState,
  SESSION_RESULTS,
  type SessionResult,
  type SessionType,
  type TaskState,
} from '../../core/sessions.js';

export interface ResultCountPlan {
  /** the results to count, each with the filter that selects exactly its rows (AND the question's filter) */
  buckets: Array<{ result: SessionResult; filter: Filter }>;
  /** set when only one result can occur: the question's own count is that result's count */
  only: SessionResult | null;
}

const ALL: readonly SessionResult[] = ['Success', 'Warning', 'Failed', 'None', 'Unknown'];

/** The state in which a session has ended: a task `Completed`, a job `Stopped`. */
function endedState(type: SessionType): TaskState | JobState {
  return type === 'ReplicaTaskSession' ? 'Completed' : 'Stopped';
}

/** The filter of one bucket: the rows replibot reads as that result, and no others. */
export function toResultFilter(type: SessionType, result: SessionResult): Filter {
  const ended = endedState(type);
  switch (result) {
    case 'Success':
      return and(eq('Result', 'Success'), eq('State', ended));
    case 'None':
      // EM v10 says Success for a task still running: replibot reads it as running (toRunningAwareResult)
      return {
        kind: 'or',
        items: [eq('Result', 'None'), and(eq('Result', 'Success'), cmp('State', '!=', ended))],
      };
    case 'Unknown':
      return and(...SESSION_RESULTS.map((known) => cmp('Result', '!=', known)));
    default:
      return eq('Result', result);
  }
}

/** `Field == a` or `Field == a, Field == b ...`: the values one top-level item allows, or null if it is not that. */
function allowedValues(item: Filter, field: 'Result' | 'State'): string[] | null {
  if (item.kind === 'cmp')
    return item.field === field && item.op === '==' && typeof item.value === 'string' ? [item.value] : null;
  if (item.kind === 'or') {
    const values: string[] = [];
    for (const part of item.items) {
      const inner = allowedValues(part, field);
      if (inner === null) return null;
      values.push(...inner);
    }
    return values;
  }
  return null;
}

/** Results that can occur under `filter`, from the Result and State conditions every row must meet. */
export function toPossibleResults(filter: Filter | null): SessionResult[] {
  let possible = new Set<SessionResult>(ALL);
  const items = filter === null ? [] : filter.kind === 'and' ? filter.items : [filter];
  for (const item of items) {
    const results = allowedValues(item, 'Result');
    if (results !== null) {
      const allowed = new Set<SessionResult>();
      for (const r of results) {
        if (r === 'Success') allowed.add('Success').add('None');
        else if (r === 'None' || r === 'Warning' || r === 'Failed') allowed.add(r);
      }
      possible = new Set([...possible].filter((r) => allowed.has(r)));
    }
    const states = allowedValues(item, 'State');
    // only sessions still running: none of them can have ended in Success
    if (states?.every((s) => isRunningState(s as TaskState | JobState))) possible.delete('Success');
  }
  return ALL.filter((r) => possible.has(r));
}

/** The count queries for an answer's totals by result (see the file comment). */
export function planResultCounts(type: SessionType, filter: Filter | null): ResultCountPlan {
  const possible = toPossibleResults(filter);
  // a filter that rules every result out still gets counted, in full, so nothing is hidden
  const results = possible.length === 0 ? ALL : possible;
  return {
    buckets: results.map((result) => ({ result, filter: toResultFilter(type, result) })),
    only: results.length === 1 ? must(results[0], 'results has one item') : null,
  };
}
