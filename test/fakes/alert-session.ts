import type { ReplicaTaskSession, SessionResult } from '../../src/core/sessions.js';

let counter = 0;

/** A completed task session for planning tests. */
export function taskSession(
  overrides: Partial<ReplicaTaskSession> & { result?: SessionResult } = {},
): ReplicaTaskSession {
  counter += 1;
  const id = `00000000-0000-0000-0000-${String(counter).padStart(12, '0')}`;
  const end = overrides.endTime ?? new Date('2026-05-14T09:10:00Z');
  return {
    uid: `urn:veeam:ReplicaTaskSession:${id}`,
    id,
    name: `vm@${end.toISOString()}`,
    vmDisplayName: 'sql01',
    jobSessionUid: 'urn:veeam:ReplicaJobSession:run-1',
    jobName: 'SQL Prod',
    backupServerName: 'vbr01',
    creationTime: new Date(end.getTime() - 600_000),
    endTime: end,
    state: 'Completed',
    result: 'Failed',
    reason: 'Failed to create snapshot',
    totalSize: 1024,
    ...overrides,
  };
}
