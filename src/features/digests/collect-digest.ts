/**
 * Reads a digest from Enterprise Manager without copying its window: every row of the current and the previous
 * period streamed through an accumulator (one small record per replica, never the rows), EM's counts for the
 * chart days before those, and the history of the few replicas whose streak or usual interval reaches further
 * back. See docs/digests.md ("How a digest is read") for why each part is fetched the way it is.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { checkFilterNames, type UnknownName } from '../../answers/domain/check-names.js';
import { and, cmp, eq, type Filter } from '../../core/filter.js';
import { toKindApi } from '../../core/kind-api.js';
import { must } from '../../core/must.js';
import type { EmApi } from '../../core/ports.js';
import {
  type ChartResult,
  createDigestAccumulator,
  type ReplicaRef,
} from './domain/create-digest-accumulator.js';
import { type DigestPeriod, toDigestWindow } from './domain/digest-window.js';
import {
  type Digest,
  type DigestFilters,
  NO_DIGEST_FILTERS,
  type SummarizeDigestOptions,
} from './domain/summarize-digest.js';

export interface CollectDigestOptions extends SummarizeDigestOptions {
  period: DigestPeriod;
  /** the end of the period: the scheduled time, or now for a preview */
  end: Date;
  timeZone: string;
  filters?: DigestFilters;
  /** EM requests at once for the counts and the per-replica histories; default 4, 1 sends one at a time */
  concurrency?: number;
}

/** A digest, and when it is empty, the job or server filter names EM has never seen. */
export interface CollectedDigest extends Digest {
  /** set only on an empty digest whose job or server filter names something EM has no session for */
  unknownNames?: UnknownName[];
}

const DEFAULT_CONCURRENCY = 4;
/** a streak's history is read newest first and stops at the first run that did not fail: usually row one */
const STREAK_PAGE_SIZE = 20;
const CHART_RESULTS: ChartResult[] = ['Success', 'Warning', 'Failed'];
const SLICE_MS = 6 * 3_600_000;
/** rows fed to the accumulator between two turns of the event loop (a page decodes in one go before them) */
const ROWS_PER_TURN = 500;

export async function collectDigest(
  emOfAnyKind: EmApi,
  options: CollectDigestOptions,
): Promise<CollectedDigest> {
  const window = toDigestWindow(options.period, options.end, options.timeZone);
  const filters = options.filters ?? NO_DIGEST_FILTERS;
  // a backup digest reads EM's backup sessions through the same code (core/kind-api.ts)
  const em = toKindApi(emOfAnyKind, filters.kind ?? 'replication');
  const concurrency = Math.max(1, Math.trunc(options.concurrency ?? DEFAULT_CONCURRENCY));
  const accumulator = createDigestAccumulator(window, filters, options);
  // the job and server filters go to EM so a big estate sends only what the digest shows; the accumulator
  // applies them again, which keeps its output right whatever EM's matching rules are
  const named = [
    filters.jobName === null ? null : eq('JobName', filters.jobName),
    filters.serverName === null ? null : eq('BackupServerName', filters.serverName),
  ];
  const within = (from: Date, to: Date, ...more: Array<Filter | null>): Filter =>
    and(cmp('CreationTime', '>=', from), cmp('CreationTime', '<', to), ...named, ...more);
  const ascending = { field: 'CreationTime', direction: 'asc' } as const;

  // the chart days before the previous period: counts only, side by side with the streams below
  const counts = accumulator.dayCountsNeeded().flatMap((part) =>
    CHART_RESULTS.map((result) => async () => {
      const count = await em.countTaskSessions({
        filter: within(part.from, part.to, ...toResultFilter(result)),
      });
      accumulator.addDayCount(part.day, result, count);
    }),
  );
  const counting = runLimited(counts, concurrency);

  // a turn of the event loop every ROWS_PER_TURN rows: the rows of a page arrive as microtasks, so without it
  // an ack (or a timer) waits for every page the client has already decoded
  let sinceTurn = 0;
  const step = async () => {
    if (++sinceTurn < ROWS_PER_TURN) return;
    sinceTurn = 0;
    await nextTurn();
  };
  const streaming = (async () => {
    // six hours per query: the client's set of UIDs seen (its dedupe across pages) lives only as long as a query
    for (const [from, to] of toSlices(window.start, window.end)) {
      for await (const session of em.queryTaskSessions({ filter: within(from, to), sort: ascending })) {
        accumulator.addCurrent(session);
        await step();
      }
    }
    for (const [from, to] of toSlices(window.previousStart, window.start)) {
      for await (const session of em.queryTaskSessions({ filter: within(from, to), sort: ascending })) {
        accumulator.addPrevious(session);
        await step();
      }
    }
    const replicaFilter = (ref: ReplicaRef): Filter[] => [
      eq('VmDisplayName', ref.vmName),
      ...(ref.jobName === null ? [] : [eq('JobName', ref.jobName)]),
    ];
    await runLimited(
      [
        ...accumulator.streakHistoryNeeded().map((ref) => async () => {
          for await (const session of em.queryTaskSessions({
            filter: within(window.fetchStart, window.previousStart, ...replicaFilter(ref)),
            sort: { field: 'CreationTime', direction: 'desc' },
            pageSize: STREAK_PAGE_SIZE,
          })) {
            if (!accumulator.addStreakHistory(ref, session)) break;
          }
        }),
        ...accumulator.stoppedHistoryNeeded().map((ref) => async () => {
          for await (const session of em.queryTaskSessions({
            filter: within(window.fetchStart, window.previousStart, ...replicaFilter(ref)),
            sort: ascending,
          })) {
            accumulator.addStoppedHistory(ref, session);
            await step();
          }
        }),
      ],
      concurrency,
    );
  })();
  await Promise.all([counting, streaming]);

  const digest = accumulator.finish();
  if (filters.jobName === null && filters.serverName === null) return digest;
  if (accumulator.rows > 0 || digest.perDay.some((day) => day.success + day.warning + day.failed > 0))
    return digest;
  // An empty digest for a mistyped job or server reads like an all-clear; say which name EM does not know.
  try {
    // a run still going (or with a result replibot does not know) before the previous period is in no count
    if ((await em.countTaskSessions({ filter: within(window.fetchStart, window.previousStart) })) > 0)
      return digest;
    const unknownNames = await checkFilterNames(em, filters, options.end);
    return unknownNames.length === 0 ? digest : { ...digest, unknownNames };
  } catch {
    // the digest itself was read; a warning EM cannot check right now must not hold it back
    return digest;
  }
}

/**
 * The EM filter for a chart result, as replibot reads results: a Success still running is not a success yet
 * (toRunningAwareResult), so it takes State==Completed; Warning and Failed count whatever the state.
 */
function toResultFilter(result: ChartResult): Filter[] {
  return result === 'Success' ? [eq('Result', 'Success'), eq('State', 'Completed')] : [eq('Result', result)];
}

/** [from, to) cut into consecutive spans of at most SLICE_MS, oldest first. */
function toSlices(from: Date, to: Date): Array<[Date, Date]> {
  const slices: Array<[Date, Date]> = [];
  for (let t = from.getTime(); t < to.getTime(); t += SLICE_MS)
    slices.push([new Date(t), new Date(Math.min(t + SLICE_MS, to.getTime()))]);
  return slices;
}

/** Runs the tasks with at most `limit` at once; the first failure rejects (the rest still finish). */
async function runLimited(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (next < tasks.length && failure === null) {
      const task = must(tasks[next++], 'next < tasks.length');
      try {
        await task();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  // cast: the workers assign `failure`, which TypeScript cannot see through the closures (it narrows it to null)
  if (failure !== null) throw (failure as { error: unknown }).error;
}
