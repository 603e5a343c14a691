/**
 * Jobs and job actions, as replibot sees them (pure). EM's `/jobs/{ID}` gives a job's type, schedule and next
 * run; the five actions replibot may send are `start` (or `sync` for backup copy jobs), `stop`, `retry` and
 * `toggleScheduleEnabled`, the last one only through `pause`/`resume`, which say the state wanted so a double
 * click can never undo itself. Nothing else (failover, failover plans, restores, job edits or deletes) exists here.
 */

export type EmJobType = 'Replica' | 'Backup' | 'BackupCopy' | 'ImmediateBackupCopy' | 'Unknown';

export interface EmJob {
  /** bare GUID */
  id: string;
  /** `urn:veeam:Job:<GUID>` */
  uid: string;
  name: string;
  type: EmJobType;
  /** EM's own word for the type, as sent */
  typeWord: string;
  serverName: string | null;
  scheduleConfigured: boolean;
  scheduleEnabled: boolean;
  nextRun: Date | null;
}

/** What a person asks for; `pause`/`resume` become EM's toggle after the state has been read. */
export type JobAction = 'retry' | 'start' | 'stop' | 'pause' | 'resume';
export const JOB_ACTIONS: readonly JobAction[] = ['retry', 'start', 'stop', 'pause', 'resume'];

/** The EM `action=` word. */
export type EmJobAction = 'retry' | 'start' | 'sync' | 'stop' | 'toggleScheduleEnabled';

export interface EmTaskState {
  taskId: string;
  state: 'Running' | 'OperationFinished' | 'Finished' | 'Unknown';
  operation: string;
  /** null while running */
  success: boolean | null;
  message: string | null;
}

export function isJobAction(word: string): word is JobAction {
  // cast: widening the tuple to readonly string[] only asks whether any string is one of its members
  return (JOB_ACTIONS as readonly string[]).includes(word);
}

export function isBackupCopy(job: Pick<EmJob, 'type'>): boolean {
  return job.type === 'BackupCopy' || job.type === 'ImmediateBackupCopy';
}

/** The EM action for what was asked: start is sync on a backup copy job; pause and resume are the toggle. */
export function toEmJobAction(action: JobAction, job: Pick<EmJob, 'type'>): EmJobAction {
  switch (action) {
    case 'start':
      return isBackupCopy(job) ? 'sync' : 'start';
    case 'pause':
    case 'resume':
      return 'toggleScheduleEnabled';
    default:
      return action;
  }
}

/**
 * Why the action cannot be sent to this job as it is now, or null. `pause`/`resume` are refused when the
 * schedule is already in the wanted state: EM's toggle would flip it the wrong way.
 */
export function refuseJobAction(action: JobAction, job: EmJob): string | null {
  if (action === 'pause' && !job.scheduleEnabled) return 'its schedule is already paused';
  if (action === 'resume' && job.scheduleEnabled) return 'its schedule is already enabled';
  if ((action === 'pause' || action === 'resume') && !job.scheduleConfigured) return 'it has no schedule';
  return null;
}

/** Words for what an action does, for the confirmation and the audit. */
export function describeJobAction(action: JobAction, job: Pick<EmJob, 'type'>): string {
  switch (action) {
    case 'retry':
      return 'retry the VMs that failed in its last run';
    case 'start':
      return isBackupCopy(job) ? 'start a sync of this backup copy job now' : 'start a run of this job now';
    case 'stop':
      return 'stop the run in progress (VMs not yet processed are not replicated)';
    case 'pause':
      return 'disable its schedule: no run starts on its own until it is resumed';
    case 'resume':
      return 'enable its schedule again';
  }
}

/** The button label. */
export function toJobActionLabel(action: JobAction, job: Pick<EmJob, 'type'>): string {
  switch (action) {
    case 'retry':
      return 'Retry failed VMs';
    case 'start':
      return isBackupCopy(job) ? 'Sync now' : 'Start now';
    case 'stop':
      return 'Stop';
    case 'pause':
      return 'Pause schedule';
    case 'resume':
      return 'Resume schedule';
  }
}

/** The past tense for outcome lines: "Retry started", "Schedule paused". */
export function toJobActionDone(action: JobAction): string {
  switch (action) {
    case 'retry':
      return 'Retry started';
    case 'start':
      return 'Run started';
    case 'stop':
      return 'Stop requested';
    case 'pause':
      return 'Schedule paused';
    case 'resume':
      return 'Schedule resumed';
  }
}

/** `Name=="<name>"` with `"` doubled: a name can never add a clause. */
export function toJobNameFilter(name: string): string {
  return `Name=="${name.replace(/"/g, '""')}"`;
}

export function toEmJobType(word: string): EmJobType {
  const known = ['Replica', 'Backup', 'BackupCopy', 'ImmediateBackupCopy'] as const;
  return known.find((k) => k.toLowerCase() === word.trim().toLowerCase()) ?? 'Unknown';
}
