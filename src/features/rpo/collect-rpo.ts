/**
 * What one RPO evaluation reads from EM: every VM replica point (reduced to the newest per VM as the pages
 * stream in, so memory holds one row per VM, never the points), the replication job runs and the failed task
 * sessions of the lookback window (for "what happened since" and each job's usual interval). Three queries,
 * each paged to the end.
 */

import { ReplibotError } from '../../core/errors.js';
import { and, cmp, eq } from '../../core/filter.js';
import type { EmApi } from '../../core/ports.js';
import { type JobRun, keepNewest, type VmCopy, type VmFailure } from './domain/evaluate-rpo.js';

export interface RpoInputs {
  copies: VmCopy[];
  runs: JobRun[];
  failures: VmFailure[];
  /** rows EM sent that could not be read (left out) */
  unreadableRows: number;
}

export async function collectRpo(em: EmApi, now: Date, lookbackMs: number): Promise<RpoInputs> {
  if (em.queryReplicaPoints === undefined) {
    throw new ReplibotError('internal', 'This EM connection cannot read replica points.');
  }
  let unreadableRows = 0;
  const onUnreadableRow = () => {
    unreadableRows += 1;
  };
  const from = new Date(now.getTime() - lookbackMs);
  const newest = new Map<string, VmCopy>();
  for await (const point of em.queryReplicaPoints({ onUnreadableRow })) keepNewest(newest, point);
  const copies = [...newest.values()];
  const runs: JobRun[] = [];
  for await (const run of em.queryJobSessions({ filter: cmp('CreationTime', '>=', from), onUnreadableRow })) {
    runs.push({
      jobName: run.jobName,
      serverName: run.backupServerName,
      creationTime: run.creationTime,
      endTime: run.endTime,
      state: run.state,
      result: run.result,
      isRetry: run.isRetry,
    });
  }
  const failures: VmFailure[] = [];
  for await (const task of em.queryTaskSessions({
    filter: and(cmp('CreationTime', '>=', from), eq('Result', 'Failed')),
    onUnreadableRow,
  })) {
    if (task.jobName === null || task.endTime === null) continue;
    failures.push({
      jobName: task.jobName,
      vmName: task.vmDisplayName,
      endTime: task.endTime,
      reason: task.reason,
    });
  }
  return { copies, runs, failures, unreadableRows };
}
