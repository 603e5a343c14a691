import { isLongRunningByDesign, toJobTypeWords, toParentJob } from '../../core/backup-sessions.js';
import { formatDuration, sessionDuration } from '../../core/format.js';
import type { ReplicaJobSession, ReplicaTaskSession } from '../../core/sessions.js';
import { toSessionId } from '../../core/sessions.js';
import type { SessionRow } from './reply.js';

export function toTaskRow(session: ReplicaTaskSession): SessionRow {
  return {
    kind: 'task',
    uid: session.uid,
    id: session.id,
    vmDisplayName: session.vmDisplayName,
    jobName: session.jobName,
    backupServerName: session.backupServerName,
    jobSessionId: session.jobSessionUid ? toSessionId(session.jobSessionUid) : null,
    creationTime: session.creationTime,
    endTime: session.endTime,
    state: session.state,
    result: session.result,
    ...(session.resultWord === undefined ? {} : { resultWord: session.resultWord }),
    reason: session.reason,
    totalSize: session.totalSize,
    running: session.state !== 'Completed',
  };
}

export function toJobRow(session: ReplicaJobSession): SessionRow {
  return {
    kind: 'job',
    uid: session.uid,
    id: session.id,
    vmDisplayName: null,
    jobName: session.jobName,
    backupServerName: session.backupServerName,
    jobSessionId: session.id,
    creationTime: session.creationTime,
    endTime: session.endTime,
    state: session.state,
    result: session.result,
    ...(session.resultWord === undefined ? {} : { resultWord: session.resultWord }),
    reason: session.failureMessage ?? '',
    totalSize: null,
    running: session.state !== 'Stopped',
    ...(session.jobType !== '' && session.jobType !== 'Replica' ? { jobType: session.jobType } : {}),
  };
}

/**
 * How long a session has run, for a row: "running for 3h 05m", or, for a job that runs for days by design (a
 * periodic or immediate backup copy copies for its whole interval, an agent backup container waits for its
 * machines), "copying for 2d 04h (a backup copy job copies for its whole interval)" so it never reads as stuck.
 * Null for a session that ended.
 */
export function toRunningText(
  row: Pick<SessionRow, 'endTime' | 'creationTime' | 'jobType'>,
  now: Date,
): string | null {
  if (row.endTime !== null) return null;
  const ran = formatDuration(sessionDuration(row, now));
  if (row.jobType === undefined || !isLongRunningByDesign(row.jobType)) return `running for ${ran}`;
  if (row.jobType === 'AgentBackup')
    return `running for ${ran} (an agent backup job runs until each of its machines has been backed up)`;
  return `copying for ${ran} (a ${toJobTypeWords(row.jobType).one} job copies for its whole interval, by design)`;
}

/** A job run's name as people know it: an immediate-copy worker under its parent copy job ("Offsite Copy (copying Nightly)"). */
export function toRowJobName(row: Pick<SessionRow, 'jobName' | 'jobType'>): string | null {
  if (row.jobName === null) return null;
  const parent = toParentJob(row.jobName, row.jobType ?? null);
  return parent.source === null ? parent.jobName : `${parent.jobName} (copying ${parent.source})`;
}
