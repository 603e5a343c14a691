/**
 * Backup sessions, and the session kind as a dimension of alerts, questions and digests.
 *
 * EM's backup sessions have the replica shapes: RestAPI.xsd derives `BackupTaskSession` and
 * `ReplicaTaskSession` from the same base type with the same elements, and `BackupJobSession` and
 * `ReplicaJobSession` likewise. So a backup session is decoded into the same domain types (`ReplicaTaskSession`,
 * `ReplicaJobSession` in sessions.ts, named for the kind they were first written for) and the kind travels beside
 * the rows (which query read them), not inside each row: the poller, the answers and the digests keep one code
 * path and take the kind as a parameter. What differs by kind is here: the EM types to query, the job types and
 * the words people use for them.
 */
import type { ReplicaJobSession, ReplicaTaskSession, SessionType } from './sessions.js';

/** What a session protects by: replication (the default everywhere a user names no kind) or backup. */
export const SESSION_KINDS = ['replication', 'backup'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** A backup task session: one VM, machine or file share in one backup run. */
export type BackupTaskSession = ReplicaTaskSession;
/** One run of a backup job (`BackupJobSession`); `jobType` is one of BACKUP_JOB_TYPES (or a newer EM's word). */
export type BackupJobSession = ReplicaJobSession;

/** EM's `BackupJobSession.JobType` values (get_query_backupjobsession). */
export const BACKUP_JOB_TYPES = [
  'Backup',
  'BackupCopy',
  'ImmediateBackupCopy',
  'ImmediateBackupCopyWorker',
  'AgentBackup',
  'AgentManagement',
  'NasBackup',
] as const;
export type BackupJobType = (typeof BACKUP_JOB_TYPES)[number];

export function isBackupJobType(value: string): value is BackupJobType {
  // cast: widening the tuple to readonly string[] only asks whether any string is one of its members
  return (BACKUP_JOB_TYPES as readonly string[]).includes(value);
}

/** The EM query types of a kind. */
export function toSessionTypes(kind: SessionKind): { task: SessionType; job: SessionType } {
  return kind === 'backup'
    ? { task: 'BackupTaskSession', job: 'BackupJobSession' }
    : { task: 'ReplicaTaskSession', job: 'ReplicaJobSession' };
}

/**
 * The words people use for a job type: "backup copy", "agent backup", "file share backup". Immediate-copy
 * workers and agent child sessions are named as their parent's kind (they are shown under the parent).
 */
export function toJobTypeWords(jobType: string): { one: string; many: string } {
  switch (jobType) {
    case 'Replica':
      return { one: 'replication', many: 'replication jobs' };
    case 'Backup':
      return { one: 'backup', many: 'backup jobs' };
    case 'BackupCopy':
    case 'ImmediateBackupCopy':
    case 'ImmediateBackupCopyWorker':
      return { one: 'backup copy', many: 'backup copy jobs' };
    case 'AgentBackup':
    case 'AgentManagement':
      return { one: 'agent backup', many: 'agent backup jobs' };
    case 'NasBackup':
      return { one: 'file share backup', many: 'file share backup jobs' };
    default:
      return { one: 'backup', many: 'backup jobs' };
  }
}

/** The words of a kind as a whole ("replication", "backup"), for titles and subscriptions. */
export function toKindWords(kind: SessionKind): {
  one: string;
  many: string;
  job: string;
  run: string;
} {
  return kind === 'backup'
    ? { one: 'backup', many: 'backups', job: 'backup job', run: 'backup run' }
    : { one: 'replica', many: 'replicas', job: 'replication job', run: 'replication run' };
}

/**
 * The job a session belongs to for people. An immediate backup copy worker is named `<copy job>\<source job>`
 * by EM (seen as `COPY_OPER_WIN_S3\\BACKUP_C2_OPER_WIN` in the v12 samples, one or two backslashes, sometimes
 * with ` - <server>` after the source): it is shown under its parent copy job, with the source beside it.
 * Only a worker's name is split: a backup job may have a backslash in its own name.
 */
export function toParentJob(
  jobName: string,
  jobType: string | null,
): { jobName: string; source: string | null } {
  if (jobType !== 'ImmediateBackupCopyWorker') return { jobName, source: null };
  const at = jobName.indexOf('\\');
  if (at <= 0) return { jobName, source: null };
  const source = jobName.slice(at).replace(/^\\+/, '');
  return { jobName: jobName.slice(0, at), source: source === '' ? null : source };
}

/**
 * A copy job that runs for days is not stuck: periodic backup copy and immediate copy sessions stay Working
 * for their whole copy interval (a day or more) by design. Everything else running longer than `limitMs` is.
 */
export function isLongRunningByDesign(jobType: string): boolean {
  return jobType === 'BackupCopy' || jobType === 'ImmediateBackupCopy' || jobType === 'AgentBackup';
}

/** The kind of a session from its UID: `urn:veeam:BackupJobSession:...` is a backup; anything else replication. */
export function toKindOfUid(uid: string): SessionKind {
  return /^urn:veeam:Backup(?:Job|Task)Session:/i.test(uid) ? 'backup' : 'replication';
}

/**
 * How an alert names its run: "Replication" / "Backup" / "Backup copy" / "Agent backup" / "File share backup",
 * and the job as people know it (an immediate-copy worker under its parent copy job, with the source job).
 */
export function toRunTitle(run: { jobSessionUid: string; jobName: string; jobType?: string | null }): {
  what: string;
  jobName: string;
  source: string | null;
} {
  if (toKindOfUid(run.jobSessionUid) === 'replication') {
    return { what: 'Replication', jobName: run.jobName, source: null };
  }
  const jobType = run.jobType ?? 'Backup';
  const words = toJobTypeWords(jobType).one;
  const parent = toParentJob(run.jobName, jobType);
  return { what: words.charAt(0).toUpperCase() + words.slice(1), ...parent };
}
