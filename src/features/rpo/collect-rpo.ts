/**
 * What one RPO evaluation reads from EM, per session kind.
 *
 * Replication: every VM replica point (reduced to the newest per VM as the pages stream in, so memory holds one
 * row per VM, never the points), the replication job runs and the failed task sessions of the lookback window
 * (for "what happened since" and each job's usual interval). Three queries, each paged to the end.
 *
 * Backups: every restore point (`type=RestorePoint`, one per backup run: it names the backup, which Veeam names
 * after its job), then every VM restore point (`type=VmRestorePoint`, reduced to the newest per VM and job as
 * they stream in; a VM restore point names its restore point, not its job), the backup job runs and the failed
 * backup task sessions of the lookback window. Four queries. An immediate copy worker's runs and failures count
 * for its copy job (`Offsite Copy\Nightly` is `Offsite Copy`, whose backup holds the points), and an agent job's
 * per-machine child sessions are not runs of their own (the parent session is the run).
 */

import { type SessionKind, toParentJob } from '../../core/backup-sessions.js';
import { ReplibotError } from '../../core/errors.js';
import { and, cmp, eq, or } from '../../core/filter.js';
import { toKindApi } from '../../core/kind-api.js';
import type { EmApi } from '../../core/ports.js';
import { type JobRun, keepNewest, type VmCopy, type VmFailure } from './domain/evaluate-rpo.js';

export interface RpoInputs {
  copies: VmCopy[];
  runs: JobRun[];
  failures: VmFailure[];
  /** rows EM sent that could not be read (left out) */
  unreadableRows: number;
}

/** The job name a VM restore point is filed under when its restore point names no backup. */
export const UNKNOWN_BACKUP = '(unknown backup)';

export async function collectRpo(
  em: EmApi,
  now: Date,
  lookbackMs: number,
  kind: SessionKind = 'replication',
): Promise<RpoInputs> {
  let unreadableRows = 0;
  const onUnreadableRow = () => {
    unreadableRows += 1;
  };
  const from = new Date(now.getTime() - lookbackMs);
  const newest = new Map<string, VmCopy>();
  if (kind === 'backup') {
    if (em.queryVmRestorePoints === undefined || em.queryRestorePoints === undefined) {
      throw new ReplibotError('internal', 'This EM connection cannot read restore points.');
    }
    const backupOf = new Map<string, string>();
    for await (const point of em.queryRestorePoints({ onUnreadableRow })) {
      if (point.backupName !== null) backupOf.set(point.uid.toLowerCase(), point.backupName);
    }
    for await (const point of em.queryVmRestorePoints({ onUnreadableRow })) {
      const jobName =
        (point.restorePointUid === null ? undefined : backupOf.get(point.restorePointUid.toLowerCase())) ??
        UNKNOWN_BACKUP;
      keepNewest(newest, {
        jobName,
        vmDisplayName: point.vmDisplayName,
        backupServerName: point.backupServerName,
        creationTime: point.creationTime,
      });
    }
  } else {
    if (em.queryReplicaPoints === undefined) {
      throw new ReplibotError('internal', 'This EM connection cannot read replica points.');
    }
    for await (const point of em.queryReplicaPoints({ onUnreadableRow })) keepNewest(newest, point);
  }
  const copies = [...newest.values()];
  const sessions = toKindApi(em, kind);
  const runs: JobRun[] = [];
  const jobTypes = new Map<string, string>();
  for await (const run of sessions.queryJobSessions({
    // a copy job's parent session stays Working for its whole copy interval: one that began before the
    // lookback is still the job running, so backups read it too
    filter:
      kind === 'backup'
        ? or(cmp('CreationTime', '>=', from), eq('State', 'Working'))
        : cmp('CreationTime', '>=', from),
    onUnreadableRow,
  })) {
    jobTypes.set(run.jobName.toLowerCase(), run.jobType);
    // an agent job's per-machine child sessions are part of the parent's run
    if (kind === 'backup' && run.jobType === 'AgentManagement') continue;
    runs.push({
      jobName: kind === 'backup' ? toParentJob(run.jobName, run.jobType).jobName : run.jobName,
      serverName: run.backupServerName,
      creationTime: run.creationTime,
      endTime: run.endTime,
      state: run.state,
      result: run.result,
      isRetry: run.isRetry,
      ...(kind === 'backup' ? { jobType: run.jobType } : {}),
    });
  }
  const failures: VmFailure[] = [];
  for await (const task of sessions.queryTaskSessions({
    filter: and(cmp('CreationTime', '>=', from), eq('Result', 'Failed')),
    onUnreadableRow,
  })) {
    if (task.jobName === null || task.endTime === null) continue;
    const jobName =
      kind === 'backup'
        ? toParentJob(task.jobName, jobTypes.get(task.jobName.toLowerCase()) ?? null).jobName
        : task.jobName;
    failures.push({ jobName, vmName: task.vmDisplayName, endTime: task.endTime, reason: task.reason });
  }
  return { copies, runs, failures, unreadableRows };
}
