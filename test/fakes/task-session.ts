/** Builds ReplicaTaskSession values for digest tests: only what a test names differs from a plain success. */
import type { ReplicaTaskSession, SessionResult } from '../../src/core/sessions.js';

let counter = 0;

export interface TaskSessionSpec {
  vm: string;
  job?: string | null;
  server?: string | null;
  at: string | Date;
  result?: SessionResult;
  reason?: string;
  minutes?: number;
  size?: number;
}

export function taskSession(spec: TaskSessionSpec): ReplicaTaskSession {
  counter++;
  const id = `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  const creationTime = new Date(spec.at);
  const result = spec.result ?? 'Success';
  const endTime = result === 'None' ? null : new Date(creationTime.getTime() + (spec.minutes ?? 5) * 60_000);
  return {
    uid: `urn:veeam:ReplicaTaskSession:${id}`,
    id,
    name: `${spec.vm}@${creationTime.toISOString()}`,
    vmDisplayName: spec.vm,
    jobSessionUid: `urn:veeam:ReplicaJobSession:${id}`,
    jobName: spec.job === undefined ? 'Web tier' : spec.job,
    backupServerName: spec.server === undefined ? 'vbr01' : spec.server,
    creationTime,
    endTime,
    state: result === 'None' ? 'InProgress' : 'Completed',
    result,
    reason: spec.reason ?? '',
    totalSize: spec.size ?? 10 * 1024 ** 3,
  };
}
