/**
 * The names EM knows, from the simulator over HTTP: the first question loads every VM, job and server of the
 * last 30 days once; a question within the refresh interval costs no more EM requests for names; a stale
 * catalogue is refreshed from the sessions since the last read only, and the question is read meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmNameSource } from '../../src/answers/domain/name-source.js';
import type { EmApi } from '../../src/core/ports.js';
import { nameWords } from '../../src/question/name-catalogue.js';
import { parseQuestion } from '../../src/question/parse-question.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { simEmOptions } from '../fakes/sim-em-options.js';

const NOW = new Date('2026-11-20T12:00:00Z');
let sim: RunningSimulator;
let em: EmClient;

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, now: () => NOW, data: { taskSessions: 3000, days: 30 } });
  em = createEmClient(simEmOptions(sim.url, { pageSize: 1000 }));
});
afterAll(async () => {
  await em?.close();
  await sim?.close();
});

describe('the name catalogue from EM', () => {
  it('holds every VM, job and server of the last 30 days, case-insensitively, loaded once', async () => {
    const expected = { vm: new Set<string>(), job: new Set<string>(), server: new Set<string>() };
    for await (const t of em.queryTaskSessions({})) {
      expected.vm.add(t.vmDisplayName);
      if (t.jobName !== null) expected.job.add(t.jobName);
      if (t.backupServerName !== null) expected.server.add(t.backupServerName);
    }
    for await (const j of em.queryJobSessions({})) {
      expected.job.add(j.jobName);
      if (j.backupServerName !== null) expected.server.add(j.backupServerName);
    }
    // the backup names are read too (not in namesOf, which is "every VM" of replication): an immediate copy
    // job by its own name as well as its workers'
    const backupJobs = new Set<string>();
    for await (const j of em.queryBackupJobSessions({})) backupJobs.add(j.jobName);
    expect(backupJobs).toContain('Offsite Copy');
    const source = createEmNameSource(em, { refreshMs: 60_000 });
    const before = em.stats.requests;
    const catalogue = await source.catalogue(NOW);
    if (catalogue === undefined) throw new Error('no catalogue');
    const loadRequests = em.stats.requests - before;
    expect(loadRequests).toBeGreaterThan(0);
    for (const kind of ['vm', 'job', 'server'] as const)
      expect(new Set(catalogue.namesOf(kind))).toEqual(expected[kind]);
    expect(catalogue.match(['offsite', 'copy'])?.names.job).toBe('Offsite Copy');
    const worker = [...backupJobs].find((j) => j.startsWith('Offsite Copy\\')) ?? '';
    expect(worker).not.toBe('');
    expect(catalogue.match(nameWords(worker))?.names.job).toBe(worker);
    expect(expected.job).not.toContain('Offsite Copy');

    // a question read within the minute costs nothing more
    const again = em.stats.requests;
    expect(await source.catalogue(new Date(NOW.getTime() + 30_000))).toBe(catalogue);
    expect(em.stats.requests).toBe(again);

    // any VM, typed in upper case, is read as that VM
    const vm = [...expected.vm][0] ?? '';
    const parsed = parseQuestion(`${vm.toUpperCase()} failures today`, {
      now: NOW,
      timeZone: 'UTC',
      names: catalogue,
    });
    if (parsed.kind !== 'query') throw new Error(JSON.stringify(parsed));
    expect(JSON.stringify(parsed.intent.filter)).toContain(JSON.stringify(vm));
  });

  it('refreshes a stale catalogue from the sessions since its last read, in fewer requests than the load', async () => {
    const source = createEmNameSource(em, { refreshMs: 60_000 });
    const start = em.stats.requests;
    const first = await source.catalogue(NOW);
    const loadRequests = em.stats.requests - start;
    const later = new Date(NOW.getTime() + 120_000);
    const atRefresh = em.stats.requests;
    // stale: answered with the names it has at once
    expect(await source.catalogue(later)).toBe(first);
    // the refresh runs in the background; the next call after it has finished sees the new catalogue
    await source.settled();
    const refreshed = await source.catalogue(later);
    expect(refreshed).not.toBe(first);
    expect(refreshed?.size).toBe(first?.size);
    expect(em.stats.requests - atRefresh).toBeLessThan(loadRequests);
  });

  it('leaves questions to the grammar when EM cannot be asked', async () => {
    const broken = createEmClient(simEmOptions('http://127.0.0.1:1', { timeoutMs: 2000 }));
    const source = createEmNameSource(broken);
    expect(await source.catalogue(NOW)).toBeUndefined();
    await broken.close().catch(() => undefined);
  });

  it('answers the first question without names when the first load is slow, and has them once it ends', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = {
      async *queryTaskSessions() {
        await gate;
        yield* em.queryTaskSessions({ limit: 50 });
      },
      async *queryJobSessions() {},
    } as unknown as EmApi; // a port fake: the name source reads only these two queries
    const source = createEmNameSource(slow, { firstWaitMs: 20 });
    source.preload(NOW);
    expect(await source.catalogue(NOW)).toBeUndefined();
    release();
    await source.settled();
    expect((await source.catalogue(NOW))?.size).toBeGreaterThan(0);
  });
});
