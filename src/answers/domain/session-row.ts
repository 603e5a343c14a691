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
  };
}
