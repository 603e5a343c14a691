import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmQuery } from '../../src/core/ports.js';
import type { ReplicaTaskSession } from '../../src/core/sessions.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient, type EmClientOptions } from '../../src/veeam/em-client.js';
import { simEmOptions } from '../fakes/sim-em-options.js';

const TASKS = 600;
const byCreation: EmQuery['sort'] = { field: 'CreationTime', direction: 'asc' };

let sim: RunningSimulator;
const clients: EmClient[] = [];

function clientFor(overrides: Partial<EmClientOptions> = {}): EmClient {
  const client = createEmClient(
    simEmOptions(sim.url, { pageSize: 50, retry: { attempts: 3, baseDelayMs: 1 }, ...overrides }),
  );
  clients.push(client);
  return client;
}

async function uidsOf(client: EmClient, query: EmQuery): Promise<string[]> {
  const uids: string[] = [];
  for await (const row of client.queryTaskSessions(query)) uids.push(row.uid);
  return uids;
}

/** Waits until the simulator has answered every request it got (it keeps answering given-up ones). */
async function settled(): Promise<void> {
  while (sim.stats.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
}

beforeAll(async () => {
  // every /api answer waits 20 ms, so pages asked for side by side are in flight together
  sim = await startSimulator({ port: 0, seed: 3, data: { taskSessions: TASKS }, faults: { latencyMs: 20 } });
});

afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
  await settled();
  sim.resetStats();
});

afterAll(async () => {
  await sim.close();
});

describe('createEmClient with pages side by side', () => {
  it.each(['xml', 'json'] as const)(
    'hands out the same rows in the same order as one page at a time (%s)',
    async (format) => {
      const query: EmQuery = { sort: byCreation };
      const sequential = await uidsOf(clientFor({ format, concurrency: 1 }), query);
      expect(sim.stats.maxInFlight).toBe(1);
      sim.resetStats();
      const parallel = await uidsOf(clientFor({ format, concurrency: 3 }), query);
      expect(sequential).toHaveLength(TASKS);
      expect(parallel).toEqual(sequential);
      expect(sim.stats.maxInFlight).toBeGreaterThan(1);
      expect(sim.stats.maxInFlight).toBeLessThanOrEqual(3);
    },
  );

  it('asks for no more pages than a limit can use', async () => {
    const client = clientFor({ concurrency: 4 });
    const uids = await uidsOf(client, { sort: byCreation, limit: 120, pageSize: 50 });
    expect(uids).toHaveLength(120);
    // one logon and three pages (50 + 50 + 20 rows); a fourth page would have been wasted
    expect(client.stats.requests).toBe(4);
  });

  it('keeps at most the concurrency pages ahead of a consumer that is slow', async () => {
    const client = clientFor({ concurrency: 2 });
    const pages = client.queryPages('ReplicaTaskSession', { sort: byCreation });
    const requestsSeen: number[] = [];
    let pageCount = 0;
    for await (const page of pages) {
      pageCount += 1;
      // the consumer holds this page for a while: whatever the client asks for meanwhile is counted
      await new Promise((resolve) => setTimeout(resolve, 50));
      requestsSeen.push(client.stats.requests);
      expect(page.items.length).toBeGreaterThan(0);
    }
    expect(pageCount).toBe(TASKS / 50);
    // while page k is held: the logon, pages 1..k and at most the 2 pages after it
    requestsSeen.forEach((requests, index) => {
      expect(requests).toBeLessThanOrEqual(1 + (index + 1) + 2);
    });
    expect(sim.stats.maxInFlight).toBeLessThanOrEqual(2);
    expect(requestsSeen[0]).toBe(1 + 1 + 2);
  });

  it('gives up the pages on their way when the consumer breaks off, with nothing left unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const client = clientFor({ concurrency: 4 });
      const taken: ReplicaTaskSession[] = [];
      for await (const row of client.queryTaskSessions({ sort: byCreation })) {
        taken.push(row);
        if (taken.length === 3) break;
      }
      expect(taken).toHaveLength(3);
      // logon, page 1, and the 4 pages that were asked for before the break
      expect(client.stats.requests).toBe(6);
      // the given-up requests were aborted: none of their bodies arrived
      const bytesAfterBreak = client.stats.bytesReceived;
      await settled();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(client.stats.bytesReceived).toBe(bytesAfterBreak);
      expect(sim.stats.requests).toBeLessThanOrEqual(6);
      // the client stays usable
      expect(await uidsOf(client, { sort: byCreation, limit: 60 })).toHaveLength(60);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('survives sessions that end while pages share them', async () => {
    // sessions end after 4 requests: pages side by side share them and log on again as they run out
    sim.setFaults({ latencyMs: 20, expireSessionsAfterRequests: 4 });
    try {
      const client = clientFor({ concurrency: 4 });
      const uids = await uidsOf(client, { sort: byCreation });
      expect(new Set(uids).size).toBe(TASKS);
      expect(client.stats.logons).toBeGreaterThan(1);
    } finally {
      sim.setFaults({ latencyMs: 20 });
    }
  });
});
