/**
 * The App Home's "last 24 hours at a glance": counts by result and the newest problems. Only the rows that can
 * matter are read: the totals are EM's counts, the newest problems one small page, and the failing VMs come from
 * the Failed rows of the day plus, for each VM that failed, the sessions it ran after its last failure (a VM is
 * failing when there are none).
 */
import { and, anyOf, cmp, eq, type Filter, or } from '../../core/filter.js';
import { must } from '../../core/must.js';
import type { EmApi } from '../../core/ports.js';
import { countResults } from './count-results.js';
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

/** VMs asked about in one "anything after its last failure?" query, so its filter stays a few KB long. */
const VMS_PER_QUERY = 25;

export async function summarizeLastDay(em: EmApi, now: Date, maxProblems = 8): Promise<LastDaySummary> {
  const from = new Date(now.getTime() - 24 * 3600_000);
  const window = cmp('CreationTime', '>=', from);
  const newestFirst = { field: 'CreationTime', direction: 'desc' } as const;
  const [{ total, counts }, problems, lastFailures] = await Promise.all([
    countResults(em, 'ReplicaTaskSession', window),
    maxProblems > 0
      ? em.queryTaskSessionPage(
          {
            filter: and(window, anyOf('Result', ['Failed', 'Warning'])),
            sort: newestFirst,
            pageSize: maxProblems,
          },
          1,
        )
      : Promise.resolve({ items: [] }),
    newestFailures(em, window),
  ]);
  const latestProblems = problems.items.slice(0, maxProblems).map(toTaskRow);

  // A VM that ran again after its last failure of the day is not failing; those later sessions are the only
  // other rows that can change the answer.
  const recovered = new Set<string>();
  const vms = [...lastFailures.keys()];
  for (let i = 0; i < vms.length; i += VMS_PER_QUERY) {
    const batch = vms.slice(i, i + VMS_PER_QUERY);
    const later: Filter = or(
      ...batch.map((vm) => {
        const last = must(lastFailures.get(vm), 'the VM came from lastFailures');
        return and(
          eq('VmDisplayName', last.vmDisplayName ?? ''),
          cmp('CreationTime', '>', last.creationTime),
        );
      }),
    );
    for await (const session of em.queryTaskSessions({ filter: and(window, later) }))
      recovered.add(session.vmDisplayName.toLowerCase());
  }
  const failingVms = [...lastFailures.values()]
    .filter((row) => !recovered.has((row.vmDisplayName ?? '').toLowerCase()))
    .map((row) => row.vmDisplayName ?? '?')
    .sort((a, b) => a.localeCompare(b));
  return { from, to: now, total, counts, latestProblems, failingVms };
}

/** The newest Failed session of each VM in the window, by VM name as EM compares it (case aside). */
async function newestFailures(em: EmApi, window: Filter): Promise<Map<string, SessionRow>> {
  const newest = new Map<string, SessionRow>();
  for await (const session of em.queryTaskSessions({
    filter: and(window, eq('Result', 'Failed')),
    sort: { field: 'CreationTime', direction: 'desc' },
  })) {
    const row = toTaskRow(session);
    const key = (row.vmDisplayName ?? '').toLowerCase();
    const seen = newest.get(key);
    if (seen === undefined || seen.creationTime < row.creationTime) newest.set(key, row);
  }
  return newest;
}
