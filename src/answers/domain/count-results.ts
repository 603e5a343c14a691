/** An answer's totals by result from EM's counts (see plan-result-counts.ts). */
import { and, type Filter } from '../../core/filter.js';
import { must } from '../../core/must.js';
import type { EmApi } from '../../core/ports.js';
import type { SessionType } from '../../core/sessions.js';
import { planResultCounts, type ResultCountPlan } from './plan-result-counts.js';
import type { ResultCounts } from './reply.js';

/** An answer's totals as its first page counted them. */
export interface KnownCounts {
  total: number;
  counts: ResultCounts;
}

/** The totals by result of an answer, from EM's counts: one query per result that can occur, side by side. */
export async function countResults(
  em: EmApi,
  type: SessionType,
  filter: Filter,
  plan: ResultCountPlan = planResultCounts(type, filter),
  limit: number | null = null,
): Promise<KnownCounts> {
  const count = (f: Filter) =>
    type === 'ReplicaTaskSession' ? em.countTaskSessions({ filter: f }) : em.countJobSessions({ filter: f });
  const counts: ResultCounts = { None: 0, Success: 0, Warning: 0, Failed: 0, Unknown: 0 };
  if (plan.only !== null) {
    const total = Math.min(await count(filter), limit ?? Number.POSITIVE_INFINITY);
    counts[plan.only] = total;
    return { total, counts };
  }
  const found = await Promise.all(plan.buckets.map((bucket) => count(and(filter, bucket.filter))));
  plan.buckets.forEach((bucket, i) => {
    counts[bucket.result] = must(found[i], 'one count per bucket');
  });
  return { total: found.reduce((sum, n) => sum + n, 0), counts };
}
