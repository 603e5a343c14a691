import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, toFilterString } from '../../src/core/filter.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { hostileText } from '../fakes/hostile-text.js';

const NOW = new Date('2026-06-17T12:00:00Z');
const BASIC = `Basic ${Buffer.from('replibot:replibot').toString('base64')}`;

const hostileName = hostileText({ minLength: 1, maxLength: 14 }).filter((name) => name.trim() !== '');

describe('simulator filters over HTTP', () => {
  let sim: RunningSimulator;
  let token: string;
  /** every VM and job name added so far, to know what a case-insensitive match must return */
  const added: Array<{ vm: string; job: string; uid: string }> = [];

  beforeAll(async () => {
    sim = await startSimulator({ seed: 2, now: () => NOW, data: { taskSessions: 300 }, keyStyle: 'v12' });
    const res = await fetch(`${sim.url}/api/sessionMngr/?v=latest`, {
      method: 'POST',
      headers: { authorization: BASIC },
    });
    token = res.headers.get('x-restsvcsessionid')!;
  });
  afterAll(() => sim.close());

  const query = async (filter: string): Promise<Array<{ UID: string; VmDisplayName: string }>> => {
    const params = new URLSearchParams({
      type: 'ReplicaTaskSession',
      format: 'Entities',
      pageSize: '1000',
      filter,
    });
    const res = await fetch(`${sim.url}/api/query?${params}`, {
      headers: { 'x-restsvcsessionid': token, accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the raw EM JSON shape
    const body = (await res.json()) as any;
    return body.Entities.ReplicaTaskSessions.ReplicaTaskSessions;
  };

  it('finds a VM or job named with " ; , ( ) & = exactly, through toFilterString and URL encoding', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostileName, hostileName, async (vm, job) => {
        const session = sim.addTaskSession({ vm, job: `${job}#${n++}`, result: 'Failed' });
        added.push({ vm, job: session.jobName, uid: session.uid });
        const byVm = await query(toFilterString('ReplicaTaskSession', eq('VmDisplayName', vm)));
        const wantVm = added.filter((a) => a.vm.toLowerCase() === vm.toLowerCase()).map((a) => a.uid);
        expect(byVm.map((row) => row.UID).sort()).toEqual(wantVm.sort());
        expect(byVm.every((row) => row.VmDisplayName.toLowerCase() === vm.toLowerCase())).toBe(true);
        const byJob = await query(toFilterString('ReplicaTaskSession', eq('JobName', session.jobName)));
        expect(byJob.map((row) => row.UID)).toEqual([session.uid]);
      }),
      { numRuns: 60 },
    );
  });
});
