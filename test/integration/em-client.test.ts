import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { and, cmp, eq } from '../../src/core/filter.js';
import type { EmQuery } from '../../src/core/ports.js';
import type { ReplicaTaskSession } from '../../src/core/sessions.js';
import { createLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient, type EmClientOptions } from '../../src/veeam/em-client.js';

const TASKS = 1_000;

function clientFor(sim: RunningSimulator, overrides: Partial<EmClientOptions> = {}): EmClient {
  return createEmClient({
    url: sim.url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    caPem: sim.caPem,
    insecureTls: false,
    format: 'xml',
    timeoutMs: 10_000,
    pageSize: 100,
    retry: { attempts: 4, baseDelayMs: 1 },
    ...overrides,
  });
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

const byCreation: EmQuery['sort'] = { field: 'CreationTime', direction: 'asc' };

const matrix = [
  { tls: false, format: 'xml', keyStyle: 'v12' },
  { tls: false, format: 'json', keyStyle: 'v12' },
  { tls: false, format: 'json', keyStyle: 'v13' },
  { tls: true, format: 'xml', keyStyle: 'v13' },
  { tls: true, format: 'json', keyStyle: 'v12' },
  { tls: true, format: 'json', keyStyle: 'v13' },
] as const;

describe.each(matrix)(
  'createEmClient over $format, keys $keyStyle, TLS $tls',
  ({ tls, format, keyStyle }) => {
    let sim: RunningSimulator;
    let client: EmClient;

    beforeAll(async () => {
      sim = await startSimulator({
        port: 0,
        seed: 7,
        keyStyle,
        tls,
        jsonBom: keyStyle === 'v13',
        data: { taskSessions: TASKS },
      });
      client = clientFor(sim, { format, pageSize: 70 });
    });
    afterAll(async () => {
      await client.close();
      await sim.close();
    });

    it('reads every row exactly once across several pages', async () => {
      const before = client.stats.requests;
      const paged = await collect(client.queryTaskSessions({ sort: byCreation }));
      const pages = Math.ceil(TASKS / 70);
      expect(paged).toHaveLength(TASKS);
      expect(new Set(paged.map((task) => task.uid)).size).toBe(TASKS);
      // one request per page, plus the first logon
      expect(client.stats.requests - before).toBe(pages + (before === 0 ? 1 : 0));
      const oneShot = await collect(client.queryTaskSessions({ sort: byCreation, pageSize: 5_000 }));
      expect(paged.map((task) => task.uid)).toEqual(oneShot.map((task) => task.uid));
      const times = paged.map((task) => task.creationTime.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
    });

    it('hands out decoded domain objects', async () => {
      const [task] = await collect(
        client.queryTaskSessions({ filter: eq('VmDisplayName', 'apache02'), limit: 1 }),
      );
      expect(task).toMatchObject({ vmDisplayName: 'apache02', jobName: 'Replication Job 2' });
      expect(task!.uid).toBe(`urn:veeam:ReplicaTaskSession:${task!.id}`);
      expect(task!.creationTime).toBeInstanceOf(Date);
      expect(task!.backupServerName).toEqual(expect.any(String));
    });

    it('sends the filter and gets only matching rows', async () => {
      const failed = await collect(client.queryTaskSessions({ filter: eq('Result', 'Failed') }));
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.every((task) => task.result === 'Failed')).toBe(true);
      const jobs = await collect(client.queryJobSessions({ filter: eq('IsRetry', true) }));
      expect(jobs.length).toBeGreaterThan(0);
      expect(jobs.every((job) => job.isRetry)).toBe(true);
    });

    it('reads a job session, its tasks and one task by id', async () => {
      const [task] = await collect(client.queryTaskSessions({ filter: eq('Result', 'Warning'), limit: 1 }));
      const job = await client.getJobSession(task!.jobSessionUid);
      expect(job.uid).toBe(task!.jobSessionUid);
      expect(job.jobName).toBe(task!.jobName);
      const tasks = await client.getJobSessionTasks(job.id);
      expect(tasks.map((t) => t.uid)).toContain(task!.uid);
      expect(tasks.every((t) => t.jobSessionUid === job.uid)).toBe(true);
      expect(await client.getTaskSession(task!.uid)).toEqual(task);
    });

    it('tells the key style from the API entry point', async () => {
      expect(await client.probe()).toEqual({ version: keyStyle });
    });
  },
);

describe('createEmClient paging and sessions', () => {
  let sim: RunningSimulator;
  let now: number;
  const clients: EmClient[] = [];
  const track = (client: EmClient) => {
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    now = Date.parse('2026-11-23T12:00:00Z');
    sim = await startSimulator({
      port: 0,
      seed: 3,
      sessionIdleSeconds: 900,
      now: () => new Date(now),
      data: { taskSessions: TASKS },
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    sim.setFaults({});
  });
  afterAll(async () => {
    await sim.close();
  });

  it('stops at the limit and cuts the last page', async () => {
    const client = track(clientFor(sim, { pageSize: 100 }));
    const rows = await collect(client.queryTaskSessions({ sort: byCreation, limit: 150 }));
    expect(rows).toHaveLength(150);
    expect(client.stats.requests).toBe(1 + 2);
    const small = await collect(client.queryTaskSessions({ limit: 3 }));
    expect(small).toHaveLength(3);
    // a limit below the page size asks for no more rows than it needs
    expect(client.stats.requests).toBe(1 + 2 + 1);
  });

  it('reports pages with their numbers through queryPages', async () => {
    const client = track(clientFor(sim));
    const pages = await collect(client.queryPages('ReplicaJobSession', { pageSize: 50, sort: byCreation }));
    expect(pages.map((page) => page.pageNum)).toEqual(pages.map((_, index) => index + 1));
    expect(pages.every((page) => page.pagesCount === pages.length)).toBe(true);
    expect(pages.length).toBeGreaterThan(1);
  });

  it('logs on again when the session expires in the middle of paging and loses no page', async () => {
    const client = track(clientFor(sim, { pageSize: 60 }));
    const window = { sort: byCreation, filter: cmp('CreationTime', '<', new Date(now)) };
    const expected = (await collect(client.queryTaskSessions(window))).map((task) => task.uid);
    const logonsBefore = client.stats.logons;
    const seen: string[] = [];
    let pagesRead = 0;
    for await (const page of client.queryPages('ReplicaTaskSession', window)) {
      seen.push(...page.items.map((task) => task.uid));
      pagesRead += 1;
      // EM forgets a session after 15 idle minutes
      if (pagesRead === 3) now += 16 * 60_000;
    }
    expect(seen).toEqual(expected);
    expect(client.stats.logons).toBe(logonsBefore + 1);
  });

  it('survives sessions that EM ends after a few requests', async () => {
    sim.setFaults({ expireSessionsAfterRequests: 3 });
    const client = track(clientFor(sim, { pageSize: 80 }));
    const rows = await collect(client.queryTaskSessions({ sort: byCreation }));
    expect(new Set(rows.map((task) => task.uid)).size).toBe(TASKS);
    expect(rows).toHaveLength(TASKS);
    expect(client.stats.logons).toBeGreaterThanOrEqual(Math.floor(Math.ceil(TASKS / 80) / 3));
  });

  it('shares one logon between concurrent calls', async () => {
    const client = track(clientFor(sim));
    const logonsBefore = sim.counts().logonSessions;
    const results = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => collect(client.queryTaskSessions({ limit: 10 + i }))),
      collect(client.queryJobSessions({ limit: 5 })),
    ]);
    expect(results.map((rows) => rows.length)).toEqual([10, 11, 12, 13, 14, 15, 5]);
    expect(client.stats.logons).toBe(1);
    expect(sim.counts().logonSessions).toBe(logonsBefore + 1);
  });

  it('logs off on close', async () => {
    const client = clientFor(sim);
    const before = sim.counts().logonSessions;
    await collect(client.queryTaskSessions({ limit: 1 }));
    expect(sim.counts().logonSessions).toBe(before + 1);
    await client.close();
    expect(sim.counts().logonSessions).toBe(before);
  });

  it('retries 500 and 503 answers and still delivers every row once', async () => {
    sim.setFaults({ errorRate: 0.3 });
    const client = track(clientFor(sim, { pageSize: 90, retry: { attempts: 8, baseDelayMs: 1 } }));
    const rows = await collect(client.queryTaskSessions({ sort: byCreation }));
    expect(rows).toHaveLength(TASKS);
    expect(new Set(rows.map((task) => task.uid)).size).toBe(TASKS);
    expect(client.stats.requests).toBeGreaterThan(1 + Math.ceil(TASKS / 90));
  });

  it('retries dropped connections', async () => {
    sim.setFaults({ dropRate: 0.3 });
    const client = track(clientFor(sim, { pageSize: 90, retry: { attempts: 8, baseDelayMs: 1 } }));
    const rows = await collect(client.queryTaskSessions({ sort: byCreation }));
    expect(rows).toHaveLength(TASKS);
    expect(client.stats.requests).toBeGreaterThan(1 + Math.ceil(TASKS / 90));
  });

  it('finds a session added while it runs and its later end', async () => {
    const client = track(clientFor(sim, { format: 'json' }));
    const added = sim.addTaskSession({ vm: 'web 07', job: 'Web Tier DR', state: 'InProgress' });
    const [running] = await collect(client.queryTaskSessions({ filter: eq('VmDisplayName', 'web 07') }));
    expect(running).toMatchObject({
      uid: added.uid,
      state: 'InProgress',
      endTime: null,
      jobName: 'Web Tier DR',
    });
    sim.finishTaskSession(added.uid, { result: 'Failed', reason: 'Error: Cannot connect to host & retry' });
    const finished = await client.getTaskSession(added.id);
    expect(finished).toMatchObject({
      state: 'Completed',
      result: 'Failed',
      reason: 'Error: Cannot connect to host & retry',
    });
    expect(finished.endTime).toBeInstanceOf(Date);
  });

  it('combines filters as EM does', async () => {
    const client = track(clientFor(sim));
    const since = new Date(now - 3 * 86_400_000);
    const rows = await collect(
      client.queryTaskSessions({
        filter: and(cmp('CreationTime', '>=', since), cmp('Result', '>=', 'Warning')),
        sort: { field: 'CreationTime', direction: 'desc' },
      }),
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(
      rows.every((task) => task.creationTime >= since && ['Warning', 'Failed'].includes(task.result)),
    ).toBe(true);
    const times = rows.map((task: ReplicaTaskSession) => task.creationTime.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('warns once, at creation, when TLS checks are off', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const tlsSim = await startSimulator({ port: 0, seed: 2, tls: true, data: { taskSessions: 50 } });
    try {
      const client = track(
        clientFor(tlsSim, { caPem: undefined, insecureTls: true, logger: createLogger('warn', sink) }),
      );
      expect(await collect(client.queryTaskSessions({}))).toHaveLength(50);
      await collect(client.queryTaskSessions({ limit: 1 }));
      const warnings = lines.filter((line) => line.includes('NOT verified'));
      expect(warnings).toHaveLength(1);
      await client.close();
    } finally {
      await tlsSim.close();
    }
  });
});

describe('counts and single pages', () => {
  it('counts matching sessions with one pageSize=1 request, zero and one included', async () => {
    const sim = await startSimulator({ now: () => new Date('2026-11-20T12:00:00Z') });
    const client = createEmClient({
      url: sim.url,
      username: 'replibot',
      password: 'replibot',
      caFile: undefined,
      insecureTls: false,
      format: 'xml',
      timeoutMs: 10_000,
      pageSize: 50,
    });
    try {
      const all: ReplicaTaskSession[] = [];
      for await (const s of client.queryTaskSessions({})) all.push(s);
      const failed = all.filter((s) => s.result === 'Failed');
      const before = client.stats.requests;
      expect(await client.countTaskSessions({})).toBe(all.length);
      expect(await client.countTaskSessions({ filter: eq('Result', 'Failed') })).toBe(failed.length);
      expect(await client.countTaskSessions({ filter: eq('VmDisplayName', 'no-such-vm') })).toBe(0);
      const one = all[0]!;
      expect(await client.countTaskSessions({ filter: eq('VmDisplayName', one.vmDisplayName) })).toBe(
        all.filter((s) => s.vmDisplayName.toLowerCase() === one.vmDisplayName.toLowerCase()).length,
      );
      expect(client.stats.requests - before).toBe(4);
      const jobs: string[] = [];
      for await (const j of client.queryJobSessions({})) jobs.push(j.uid);
      expect(await client.countJobSessions({})).toBe(jobs.length);

      const page2 = await client.queryTaskSessionPage(
        { sort: { field: 'CreationTime', direction: 'desc' }, pageSize: 7 },
        2,
      );
      const sorted = [...all].sort((a, b) => b.creationTime.getTime() - a.creationTime.getTime());
      expect(page2.pageNum).toBe(2);
      expect(page2.pagesCount).toBe(Math.ceil(all.length / 7));
      expect(page2.items.map((s) => s.uid)).toEqual(sorted.slice(7, 14).map((s) => s.uid));
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
