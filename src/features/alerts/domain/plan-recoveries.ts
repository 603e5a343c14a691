/**
 * Which alert VMs a poll's successful runs recover, grouped per alert: pure, so the poller's transaction only
 * writes what this decided.
 */
import type { PlannedAlert, PlannedRecovery } from './plan-alerts.js';

/** An alert already stored (its id), or one this poll is about to create (its index in `AlertPlan.alerts`). */
export type AlertRef = { alertId: number } | { planned: number };

/** An unrecovered VM of a stored alert, as the store reads it. */
export interface StoredOpenVm {
  alertId: number;
  taskUid: string;
  vmName: string;
  endTime: Date;
}

export interface RecoveryMark {
  alert: AlertRef;
  taskUid: string;
  recoveredAt: Date;
}

/** One alert's recovery: its message is updated and its thread gets one reply. */
export interface AlertRecovery {
  alert: AlertRef;
  /** sorted */
  vmNames: string[];
  /** the latest success among those VMs */
  at: Date;
  /** the job session of the first success that recovered a VM of this alert (the reply's key) */
  run: string;
}

export interface RecoveryPlan {
  marks: RecoveryMark[];
  recoveries: AlertRecovery[];
}

const refKey = (ref: AlertRef): string => ('alertId' in ref ? `a${ref.alertId}` : `p${ref.planned}`);

/**
 * Every open VM of the same job and VM that failed before a success is recovered by it. The open VMs are the
 * stored ones (in alert id order) followed by those of the alerts this poll creates (in plan order, which is the
 * order their ids are given in), so a failure and its fix found by one poll end the same way as found by two.
 */
export function planRecoveries(input: {
  recoveries: readonly PlannedRecovery[];
  alerts: readonly PlannedAlert[];
  openVms: (jobName: string, vmName: string) => readonly StoredOpenVm[];
}): RecoveryPlan {
  const marks: RecoveryMark[] = [];
  const marked = new Set<string>();
  const byAlert = new Map<string, { alert: AlertRef; vmNames: Set<string>; at: Date; run: string }>();
  for (const r of input.recoveries) {
    const open: Array<{ alert: AlertRef; taskUid: string; vmName: string; endTime: Date }> = [
      ...input.openVms(r.jobName, r.vmName).map((v) => ({
        alert: { alertId: v.alertId },
        taskUid: v.taskUid,
        vmName: v.vmName,
        endTime: v.endTime,
      })),
    ];
    input.alerts.forEach((a, planned) => {
      // a VM's own job: an immediate-copy worker's, in its parent run's alert
      for (const v of a.vms)
        if (v.vmName === r.vmName && (v.jobName ?? a.jobName) === r.jobName)
          open.push({ alert: { planned }, taskUid: v.taskUid, vmName: v.vmName, endTime: v.endTime });
    });
    for (const v of open) {
      const key = refKey(v.alert);
      // a VM recovered by an earlier success of this poll is no longer open
      if (marked.has(`${key}\u0000${v.taskUid}`)) continue;
      if (v.endTime >= r.recoveredAt) continue;
      marked.add(`${key}\u0000${v.taskUid}`);
      marks.push({ alert: v.alert, taskUid: v.taskUid, recoveredAt: r.recoveredAt });
      const entry = byAlert.get(key) ?? {
        alert: v.alert,
        vmNames: new Set<string>(),
        at: r.recoveredAt,
        run: r.jobSessionUid,
      };
      entry.vmNames.add(v.vmName);
      if (r.recoveredAt > entry.at) entry.at = r.recoveredAt;
      byAlert.set(key, entry);
    }
  }
  return {
    marks,
    recoveries: [...byAlert.values()].map((e) => ({
      alert: e.alert,
      vmNames: [...e.vmNames].sort(),
      at: e.at,
      run: e.run,
    })),
  };
}
