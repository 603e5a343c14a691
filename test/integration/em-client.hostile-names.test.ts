import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from '../../src/core/filter.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { hostileText } from '../fakes/hostile-text.js';

/** Names built from everything that could close a quote, add a clause or start a URL parameter. */
const hostileName = hostileText({ minLength: 1, maxLength: 24 })
  // EM trims names; a name that is only spaces is not one
  .filter((name) => name.trim() === name && name.trim() !== '');

describe.each(['xml', 'json'] as const)('createEmClient with hostile names over %s', (format) => {
  let sim: RunningSimulator;
  let client: EmClient;
  /** what the simulator holds, by VM and by job name: uids of the sessions this test added */
  const byVm = new Map<string, Set<string>>();
  const byJob = new Map<string, Set<string>>();

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 11, keyStyle: 'v13', data: { taskSessions: 300 } });
    client = createEmClient({
      url: sim.url,
      username: 'replibot',
      password: 'replibot',
      caFile: undefined,
      insecureTls: false,
      format,
      timeoutMs: 10_000,
      pageSize: 100,
    });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('finds exactly the session with that VM and job name, and nothing else (property)', async () => {
    await fc.assert(
      fc.asyncProperty(hostileName, hostileName, async (vm, job) => {
        const added = sim.addTaskSession({ vm, job, result: 'Failed', reason: `${vm} failed in ${job}` });
        const vmKey = `vm:${vm}`;
        const jobKey = `job:${job}`;
        byVm.set(vmKey, (byVm.get(vmKey) ?? new Set()).add(added.uid));
        byJob.set(jobKey, (byJob.get(jobKey) ?? new Set()).add(added.uid));

        const rows: string[] = [];
        for await (const task of client.queryTaskSessions({ filter: eq('VmDisplayName', vm) })) {
          expect(task.vmDisplayName).toBe(vm);
          rows.push(task.uid);
        }
        expect(new Set(rows)).toEqual(byVm.get(vmKey));

        const both: Array<{ uid: string; jobName: string | null; reason: string }> = [];
        for await (const task of client.queryTaskSessions({
          filter: and(eq('JobName', job), eq('VmDisplayName', vm)),
        })) {
          both.push(task);
        }
        expect(both.map((task) => task.uid)).toContain(added.uid);
        expect(both.every((task) => task.jobName === job)).toBe(true);
        expect(both.find((task) => task.uid === added.uid)?.reason).toBe(`${vm} failed in ${job}`);
      }),
      { numRuns: 40 },
    );
  });
});
