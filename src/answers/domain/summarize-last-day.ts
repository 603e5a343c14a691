/** The App Home's "last 24 hours at a glance": counts by result and the newest problems. */
import { cmp } from '../../core/filter.js';
import type { EmApi } from '../../core/ports.js';
import type { ResultCounts, SessionRow } from './reply.js';
import { toTaskRow } from './session-row.js';

export interface LastDaySummary {
  from: Date;
  to: Date;
  total: number;
  counts: ResultCounts;
  /** Failed and Warning task sessions, newest first */
  latestProblems: SessionRow[];
  /** VMs whose newest session in the window failed */
  failingVms: string[];
}

export async function summarizeLastDay(em: EmApi, now: Date, maxProblems = 8): Promise<LastDaySummary> {
  const from = new Date(now.getTime() - 24 * 3600_000);
  const counts: ResultCounts = { None: 0, Success: 0, Warning: 0, Failed: 0, Unknown: 0 };
  const latestProblems: SessionRow[] = [];
  const newestByVm = new Map<string, SessionRow>();
  let total = 0;
  for await (const session of em.queryTaskSessions({
    filter: cmp('CreationTime', '>=', from),
    sort: { field: 'CreationTime', direction: 'desc' },
  })) {
    const row = toTaskRow(session);
    total += 1;
    counts[row.result] += 1;
    if ((row.result === 'Failed' || row.result === 'Warning') && latestProblems.length < maxProblems)
      latestProblems.push(row);
    const vm = row.vmDisplayName ?? '';
    const seen = newestByVm.get(vm);
    if (seen === undefined || seen.creationTime < row.creationTime) newestByVm.set(vm, row);
  }
  const failingVms = [...newestByVm.values()]
    .filter((row) => row.result === 'Failed')
    .map((row) => row.vmDisplayName ?? '?')
    .sort((a, b) => a.localeCompare(b));
  return { from, to: now, total, counts, latestProblems, failingVms };
}
