import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, cmp, eq } from '../../src/core/filter.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient } from '../../src/veeam/em-client.js';
import { simEmOptions } from '../fakes/sim-em-options.js';

const NOW = new Date('2026-06-17T12:00:00Z');

describe('EM client: replica points against the simulator', () => {
  const sims: RunningSimulator[] = [];
  beforeAll(async () => {
    sims.push(await startSimulator({ seed: 3, now: () => NOW, data: { taskSessions: 800 } }));
    sims.push(
      await startSimulator({ seed: 3, now: () => NOW, keyStyle: 'v13', data: { taskSessions: 800 } }),
    );
  });
  afterAll(async () => {
    for (const sim of sims) await sim.close();
  });

  for (const [label, format, index] of [
    ['XML', 'xml', 0],
    ['v12 JSON', 'json', 0],
    ['v13 JSON', 'json', 1],
  ] as const) {
    it(`reads every point over several pages, filtered and sorted (${label})`, async () => {
      const sim = sims[index];
      if (!sim) throw new Error('no simulator');
      const em = createEmClient(simEmOptions(sim.url, { format, pageSize: 25 }));
      try {
        const all = [];
        for await (const point of em.queryReplicaPoints({})) all.push(point);
        expect(all.length).toBeGreaterThan(50);
        expect(new Set(all.map((p) => p.uid)).size).toBe(all.length);
        const perVm = new Map<string, number>();
        for (const p of all)
          perVm.set(
            `${p.jobName}/${p.vmDisplayName}`,
            (perVm.get(`${p.jobName}/${p.vmDisplayName}`) ?? 0) + 1,
          );
        expect(Math.max(...perVm.values())).toBeLessThanOrEqual(7);
        const apache = [];
        for await (const point of em.queryReplicaPoints({
          filter: and(
            eq('VmDisplayName', 'apache03'),
            cmp('CreationTime', '>=', new Date(NOW.getTime() - 30 * 86_400_000)),
          ),
          sort: { field: 'CreationTime', direction: 'desc' },
        }))
          apache.push(point);
        expect(apache.length).toBeGreaterThan(0);
        expect(apache.every((p) => p.vmDisplayName === 'apache03' && p.jobName === 'Replication Job 2')).toBe(
          true,
        );
        const times = apache.map((p) => p.creationTime.getTime());
        expect(times).toEqual([...times].sort((a, b) => b - a));
        expect(apache[0]?.backupServerName).toBe('vbr-dr01.tech.local');
        const replicas = [];
        for await (const replica of em.queryReplicas({})) replicas.push(replica.name);
        expect(replicas).toContain('SQL Replica');
      } finally {
        await em.close();
      }
    });
  }
});
