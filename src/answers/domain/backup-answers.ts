/**
 * Backup questions in the answers (src/question/read-kind.ts reads them): the EM view of the question's kind,
 * the job names of the job types a task-level question named (EM's BackupTaskSession has no JobType), and job
 * runs of either kind behind the one "Details" button.
 */

import { toParentJob } from '../../core/backup-sessions.js';
import { ReplibotError } from '../../core/errors.js';
import { and, anyOf, eq, type Filter, or } from '../../core/filter.js';
import { toKindApi } from '../../core/kind-api.js';
import type { EmApi } from '../../core/ports.js';
import type { QueryIntent } from '../../question/query-intent.js';
import type { SessionRow } from './reply.js';

/** The EM port seen through the question's kind (replication: `em` itself). */
export function toIntentEm(em: EmApi, intent: QueryIntent): EmApi {
  return toKindApi(em, intent.kind ?? 'replication');
}

/** Job names looked up per question at most (EM keeps 30 days; a site has far fewer backup jobs). */
const MAX_JOB_ROWS = 5_000;

/**
 * "agent backups for srv04": task sessions carry no job type, so the job names of those types come from one
 * job-session query (`JobType==...`, the 30 days EM keeps) and narrow the task filter (`JobName==...`).
 */
export async function withJobTypeNames(intent: QueryIntent, em: EmApi): Promise<QueryIntent> {
  const types = intent.jobTypes ?? [];
  if (intent.kind !== 'backup' || types.length === 0 || intent.type !== 'ReplicaTaskSession') return intent;
  const names = new Set<string>();
  for await (const run of em.queryJobSessions({ filter: anyOf('JobType', types), limit: MAX_JOB_ROWS })) {
    names.add(run.jobName);
  }
  // no job of those types: a filter no task session matches (EM has no "false"), so the answer is empty, and says so
  const jobFilter = names.size === 0 ? eq('JobName', '') : anyOf('JobName', [...names].sort());
  return {
    ...intent,
    filter: intent.filter === null ? jobFilter : { kind: 'and', items: [intent.filter, jobFilter] },
  };
}

/** Runs `run` for a replication job session id, and again for a backup one when EM has no such replication run. */
export async function withEitherKind<T>(em: EmApi, run: (em: EmApi) => Promise<T>): Promise<T> {
  try {
    return await run(em);
  } catch (error) {
    // session GUIDs are unique across kinds: a bare id that is no replication run may be a backup run
    if (
      !(error instanceof ReplibotError && error.code === 'em_not_found') ||
      em.getBackupJobSession === undefined
    )
      throw error;
    return run(toKindApi(em, 'backup'));
  }
}

/** Job names checked per answer page at most (a page shows 25 sessions). */
const MAX_WORKER_NAMES = 40;

/**
 * Backup task rows carry no JobType, so an immediate-copy worker's task (job `Offsite Copy\Nightly`) would be
 * shown under the worker's own name. For the rows on a page whose job name could be a worker's (a backslash in
 * it), one job-run query tells which are (`JobType==ImmediateBackupCopyWorker`), and those rows get the type, so
 * they are named under their parent copy job ("job Offsite Copy (copying Nightly)"). Nothing is asked when no
 * row could be one; a failed lookup leaves the names as EM gave them.
 */
export async function withWorkerJobTypes<T extends SessionRow>(
  rows: readonly T[],
  intent: QueryIntent,
  em: EmApi,
): Promise<T[]> {
  if (intent.kind !== 'backup') return [...rows];
  const names = [
    ...new Set(
      rows
        .filter((r) => r.kind === 'task' && r.jobType === undefined && (r.jobName ?? '').indexOf('\\') > 0)
        .map((r) => r.jobName ?? ''),
    ),
  ].slice(0, MAX_WORKER_NAMES);
  if (names.length === 0) return [...rows];
  const workers = new Set<string>();
  try {
    for await (const run of em.queryJobSessions({
      filter: and(eq('JobType', 'ImmediateBackupCopyWorker'), anyOf('JobName', names)),
      limit: 1_000,
    })) {
      workers.add(run.jobName);
    }
  } catch {
    return [...rows];
  }
  return rows.map((r) =>
    r.kind === 'task' && r.jobName !== null && workers.has(r.jobName)
      ? { ...r, jobType: 'ImmediateBackupCopyWorker' }
      : r,
  );
}

/**
 * "failed backups in job Offsite Copy": an immediate copy job's runs are its workers' (`Offsite Copy\Nightly`,
 * src/core/backup-sessions.ts toParentJob), and EM's filters have no wildcard (reference NOTES.md), so each
 * `JobName=="<parent>"` a backup question asks for becomes the parent or any of its workers, found with one
 * job-run query (`JobType==ImmediateBackupCopyWorker`, EM's 30 days). A failed lookup leaves the question as it is.
 */
export async function withParentJobNames(intent: QueryIntent, em: EmApi): Promise<QueryIntent> {
  if (intent.kind !== 'backup' || intent.filter === null) return intent;
  const asked = new Set<string>();
  const walk = (node: Filter): void => {
    if (node.kind !== 'cmp') for (const item of node.items) walk(item);
    else if (node.field === 'JobName' && node.op === '==' && typeof node.value === 'string')
      asked.add(node.value.toLowerCase());
  };
  walk(intent.filter);
  if (asked.size === 0) return intent;
  const workers = new Map<string, Set<string>>();
  try {
    for await (const run of em.queryJobSessions({
      filter: eq('JobType', 'ImmediateBackupCopyWorker'),
      limit: MAX_JOB_ROWS,
    })) {
      const parent = toParentJob(run.jobName, run.jobType).jobName.toLowerCase();
      if (parent === run.jobName.toLowerCase() || !asked.has(parent)) continue;
      const set = workers.get(parent) ?? new Set<string>();
      set.add(run.jobName);
      workers.set(parent, set);
    }
  } catch {
    return intent;
  }
  if (workers.size === 0) return intent;
  const expand = (node: Filter): Filter => {
    if (node.kind !== 'cmp') return { kind: node.kind, items: node.items.map(expand) };
    const names =
      node.field === 'JobName' && node.op === '==' && typeof node.value === 'string'
        ? workers.get(node.value.toLowerCase())
        : undefined;
    return names === undefined ? node : or(node, ...[...names].sort().map((n) => eq('JobName', n)));
  };
  return { ...intent, filter: expand(intent.filter) };
}
