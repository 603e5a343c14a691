/**
 * Immediate backup copy: EM runs one `ImmediateBackupCopyWorker` session per source job run, inside the copy job's
 * own `ImmediateBackupCopy` session (the parent run, a day or more long). A channel hears of the parent run once:
 * the failed VMs of every worker of one parent run go into one alert (one message per parent run and channel), each
 * VM line naming its worker, and a worker failing later in the same parent run is added to that alert's message
 * (an edit, not a new post). Pure: the poller finds the parent runs and the alerts already posted.
 */
import type { PlannedAlert } from './plan-alerts.js';

/** The `ImmediateBackupCopy` run a worker session ran in. */
export interface ParentRun {
  jobSessionUid: string;
  jobName: string;
  serverName: string | null;
  runStartedAt: Date;
}

/** Failed VMs of a parent run that a channel already has an alert for: added to it, and its message edited. */
export interface AlertAddition {
  alertId: number;
  channelId: string;
  vms: PlannedAlert['vms'];
}

export const WORKER_JOB_TYPE = 'ImmediateBackupCopyWorker';
export const PARENT_JOB_TYPE = 'ImmediateBackupCopy';

/**
 * Regroups a poll's planned alerts: a worker run's alert is merged into its parent run's (per channel), its VMs
 * keeping the worker's job name; when `existing` names an alert of that parent run and channel already stored, the
 * VMs become an addition to it instead. A worker whose parent is unknown (the lookup failed, an EM without one)
 * keeps its own alert, as before. The order of the other alerts is kept.
 */
export function groupWorkerAlerts(input: {
  alerts: readonly PlannedAlert[];
  parentOf: (workerJobSessionUid: string) => ParentRun | null;
  existing: (channelId: string, parentJobSessionUid: string) => number | null;
}): { alerts: PlannedAlert[]; additions: AlertAddition[] } {
  const alerts: PlannedAlert[] = [];
  const additions = new Map<string, AlertAddition>();
  const merged = new Map<string, PlannedAlert>();
  for (const alert of input.alerts) {
    const parent = alert.jobType === WORKER_JOB_TYPE ? input.parentOf(alert.jobSessionUid) : null;
    if (parent === null) {
      alerts.push(alert);
      continue;
    }
    const vms = alert.vms.map((vm) => ({ ...vm, jobName: vm.jobName ?? alert.jobName }));
    const key = `${alert.channelId}\u0000${parent.jobSessionUid}`;
    const stored = input.existing(alert.channelId, parent.jobSessionUid);
    if (stored !== null) {
      const addition = additions.get(key) ?? { alertId: stored, channelId: alert.channelId, vms: [] };
      addition.vms.push(...vms);
      additions.set(key, addition);
      continue;
    }
    const into = merged.get(key);
    if (into !== undefined) {
      into.vms.push(...vms);
      if (alert.reportedLateMs != null && (into.reportedLateMs ?? 0) < alert.reportedLateMs)
        into.reportedLateMs = alert.reportedLateMs;
      continue;
    }
    const grouped: PlannedAlert = {
      channelId: alert.channelId,
      jobSessionUid: parent.jobSessionUid,
      jobName: parent.jobName,
      jobType: PARENT_JOB_TYPE,
      serverName: parent.serverName ?? alert.serverName,
      runStartedAt: parent.runStartedAt,
      vms,
      ...(alert.reportedLateMs != null ? { reportedLateMs: alert.reportedLateMs } : {}),
    };
    merged.set(key, grouped);
    alerts.push(grouped);
  }
  const byName = (a: { vmName: string }, b: { vmName: string }) => a.vmName.localeCompare(b.vmName);
  for (const alert of merged.values()) alert.vms.sort(byName);
  for (const addition of additions.values()) addition.vms.sort(byName);
  return { alerts, additions: [...additions.values()] };
}
