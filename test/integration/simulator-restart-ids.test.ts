/**
 * A restarted simulator (same seed) keeps the ids of its generated history, but sessions added while it runs get
 * ids no earlier run handed out, as a real EM would: a poller that remembers seen ids must not skip them.
 */
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';

async function addOneAndRead(): Promise<{ added: string; firstGenerated: string; found: boolean }> {
  const sim = await startSimulator({ seed: 7, data: { taskSessions: 50 } });
  try {
    const added = sim.addTaskSession({
      vm: 'sql01',
      job: 'SQL Replica',
      result: 'Failed',
      reason: 'Disk full',
    });
    const logon = await fetch(`${sim.url}/api/sessionMngr/?v=latest`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('replibot:replibot').toString('base64')}` },
    });
    const token = logon.headers.get('x-restsvcsessionid')!;
    const get = (path: string) =>
      fetch(`${sim.url}${path}`, { headers: { 'x-restsvcsessionid': token, accept: 'application/json' } });
    const found = (await get(`/api/replicaTaskSessions/${added.id}?format=Entity`)).status === 200;
    const page = (await (
      await get('/api/query?type=ReplicaTaskSession&format=Entities&sortAsc=CreationTime&pageSize=1')
    ).json()) as { Entities: { ReplicaTaskSessions: { ReplicaTaskSessions: Array<{ UID: string }> } } };
    return {
      added: added.id,
      firstGenerated: page.Entities.ReplicaTaskSessions.ReplicaTaskSessions[0]!.UID,
      found,
    };
  } finally {
    await sim.close();
  }
}

describe('simulator ids across restarts', () => {
  it('gives added sessions new ids each start and keeps the generated ones', async () => {
    const first = await addOneAndRead();
    const second = await addOneAndRead();
    expect(first.found).toBe(true);
    expect(second.found).toBe(true);
    expect(second.added).not.toBe(first.added);
    expect(second.firstGenerated).toBe(first.firstGenerated);
  });
});
