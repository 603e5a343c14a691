/** Task sessions made up for the summary benchmarks: `count` over 30 days before `end`, 1 in 17 failed, 1 in 11 warned. */
import type { ReplicaTaskSession } from '../src/core/sessions.js';

export function syntheticSessions(
  count: number,
  end: Date,
  order: 'newest-first' | 'oldest-first' = 'newest-first',
): ReplicaTaskSession[] {
  const sessions: ReplicaTaskSession[] = [];
  const span = 30 * 86_400_000;
  for (let n = 0; n < count; n++) {
    const i = order === 'newest-first' ? n : count - 1 - n;
    const t = end.getTime() - Math.floor((i / count) * span) - 1;
    const r = i % 17 === 0 ? 'Failed' : i % 11 === 0 ? 'Warning' : 'Success';
    sessions.push({
      uid: `urn:veeam:ReplicaTaskSession:${i}`,
      id: String(i),
      name: `vm${i % 500}@x`,
      vmDisplayName: `vm${i % 500}`,
      jobSessionUid: `urn:veeam:ReplicaJobSession:${Math.floor(i / 5)}`,
      jobName: `Job ${i % 40}`,
      backupServerName: 'vbr01',
      creationTime: new Date(t),
      endTime: new Date(t + 600_000),
      state: 'Completed',
      result: r,
      reason: r === 'Success' ? '' : 'Something went wrong on the target host',
      totalSize: (i % 97) * 1024 ** 3,
    });
  }
  return sessions;
}
