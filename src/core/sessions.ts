/** Domain types for Enterprise Manager replication sessions. Everything above src/veeam/ sees only these. */

export const TASK_STATES = ['Pending', 'InProgress', 'Completed'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const JOB_STATES = ['Starting', 'Working', 'Pausing', 'Resuming', 'Stopping', 'Stopped'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** EM orders results by index: Success < Warning < Failed. `None` is what EM reports for items still running. */
export const SESSION_RESULTS = ['None', 'Success', 'Warning', 'Failed'] as const;
export type KnownSessionResult = (typeof SESSION_RESULTS)[number];
/**
 * What a session ended with. `Unknown` is a word EM sent that replibot does not know (a newer EM's result); the
 * session keeps it in `resultWord`, so a completed one is still shown and alerted ("ended with result X").
 */
export type SessionResult = KnownSessionResult | 'Unknown';

/** One VM in one replication run (`ReplicaTaskSession`). */
export interface ReplicaTaskSession {
  /** `urn:veeam:ReplicaTaskSession:<guid>` */
  uid: string;
  /** the bare GUID, used in resource URLs */
  id: string;
  /** `<vm>@<yyyy-MM-dd HH:mm:ss>` as EM names it */
  name: string;
  vmDisplayName: string;
  /** `urn:veeam:ReplicaJobSession:<guid>` */
  jobSessionUid: string;
  /** from the `Up` ReplicaJobSessionReference link, without its `@timestamp` suffix; null when EM gave none */
  jobName: string | null;
  /** from the `Up` BackupServerReference link */
  backupServerName: string | null;
  creationTime: Date;
  /** null while the task is running */
  endTime: Date | null;
  state: TaskState;
  result: SessionResult;
  /** EM's own word when `result` is `Unknown` */
  resultWord?: string;
  /** empty string when EM gives none */
  reason: string;
  /** bytes */
  totalSize: number;
}

/** One run of a replication job (`ReplicaJobSession`). */
export interface ReplicaJobSession {
  /** `urn:veeam:ReplicaJobSession:<guid>` */
  uid: string;
  id: string;
  name: string;
  /** `urn:veeam:Job:<guid>` */
  jobUid: string;
  jobName: string;
  /** `Replica` for replication jobs */
  jobType: string;
  backupServerName: string | null;
  creationTime: Date;
  endTime: Date | null;
  state: JobState;
  result: SessionResult;
  /** EM's own word when `result` is `Unknown` */
  resultWord?: string;
  /** 0..100 */
  progress: number;
  isRetry: boolean;
  failureMessage: string | null;
}

export type SessionType =
  | 'ReplicaTaskSession'
  | 'ReplicaJobSession'
  // EM's backup sessions have the replica shapes (RestAPI.xsd derives both from the same base types)
  | 'BackupTaskSession'
  | 'BackupJobSession';

/** `urn:veeam:ReplicaTaskSession:abc` -> `abc`; a bare id stays as it is. */
export function toSessionId(uidOrId: string): string {
  const at = uidOrId.lastIndexOf(':');
  return at === -1 ? uidOrId : uidOrId.slice(at + 1);
}

/** A session that has not ended yet: a task not Completed, a job not Stopped. */
export function isRunningState(state: TaskState | JobState): boolean {
  return state !== 'Completed' && state !== 'Stopped';
}

/**
 * The one place where EM's State and Result are reconciled, so answers, digests and alerts agree. A session that
 * is still running has no result yet: EM v10 was seen sending `State=InProgress` with `Result=Success`, which
 * means "nothing failed so far", not a success. Warning and Failed stay (something already went wrong).
 */
export function toRunningAwareResult(state: TaskState | JobState, result: SessionResult): SessionResult {
  return result === 'Success' && isRunningState(state) ? 'None' : result;
}
