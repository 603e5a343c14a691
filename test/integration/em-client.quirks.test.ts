/**
 * The EM client against the simulator over HTTP with real EM quirks switched on (src/simulator/quirks.ts). Each
 * test names what replibot did before: most of these shapes used to reject the whole query.
 */
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultAnswerer } from '../../src/answers/create-default-answerer.js';
import { renderText } from '../../src/answers/text/render-text.js';
import { ReplibotError } from '../../src/core/errors.js';
import { cmp, eq } from '../../src/core/filter.js';
import type { EmQuery } from '../../src/core/ports.js';
import type { ReplicaTaskSession } from '../../src/core/sessions.js';
import { createLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient, type EmClientOptions } from '../../src/veeam/em-client.js';
import { simEmOptions } from '../fakes/sim-em-options.js';

const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});

let sim: RunningSimulator;
const clients: EmClient[] = [];

function clientFor(overrides: Partial<EmClientOptions> = {}): EmClient {
  const client = createEmClient(
    simEmOptions(sim.url, {
      timeoutMs: 5_000,
      pageSize: 50,
      retry: { attempts: 3, baseDelayMs: 1 },
      logger: createLogger('trace', sink),
      ...overrides,
    }),
  );
  clients.push(client);
  return client;
}

async function rowsOf(client: EmClient, query: EmQuery = {}): Promise<ReplicaTaskSession[]> {
  const rows: ReplicaTaskSession[] = [];
  for await (const row of client.queryTaskSessions(query)) rows.push(row);
  return rows;
}

async function failure(run: () => Promise<unknown>): Promise<ReplibotError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ReplibotError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const newestFirst = { field: 'CreationTime', direction: 'desc' } as const;

beforeAll(async () => {
  sim = await startSimulator({ seed: 7, data: { taskSessions: 120, days: 5 } });
});

afterEach(async () => {
  sim.setQuirks({});
  logLines.length = 0;
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

afterAll(async () => {
  await sim.close();
});

describe.each(['xml', 'json'] as const)('createEmClient (%s) with EM quirks', (format) => {
  it('reads a running task that says Result=Success as running, not a success', async () => {
    const added = sim.addTaskSession({ vm: `run-${format}`, job: 'Quirk Job', state: 'InProgress' });
    sim.setQuirks({ runningResultSuccess: true });
    const [row] = await rowsOf(clientFor({ format }), { filter: eq('VmDisplayName', `run-${format}`) });
    expect(row).toMatchObject({ uid: added.uid, state: 'InProgress', result: 'None', endTime: null });
  });

  it('reads 6-digit fractions, VmUid on task rows and JSON rows without EndTimeUTC like plain rows', async () => {
    const plain = await rowsOf(clientFor({ format }), { sort: newestFirst, limit: 60 });
    sim.setQuirks({ sixDigitFractions: true, vmUidOnTasks: true, jsonOmitEndTime: true });
    const quirky = await rowsOf(clientFor({ format }), { sort: newestFirst, limit: 60 });
    expect(quirky).toEqual(plain);
    expect(plain.some((row) => row.endTime === null)).toBe(true);
  });

  it('keeps a completed row with an unknown Result word as Unknown, carrying the word', async () => {
    const added = sim.addTaskSession({ vm: `odd-${format}`, job: 'Quirk Job', state: 'InProgress' });
    sim.finishTaskSession(added.uid, { result: 'Failed', reason: 'quirk' });
    sim.setQuirks({ oddRow: 'unknown-result' });
    const client = clientFor({ format });
    const [row] = await rowsOf(client, { filter: eq('VmDisplayName', `odd-${format}`) });
    expect(row).toMatchObject({
      uid: added.uid,
      state: 'Completed',
      result: 'Unknown',
      resultWord: 'Skipped',
    });
    expect(client.stats.unreadableRows).toBe(0);
  });

  it('reads xsi:nil (or null) on EndTimeUTC as not ended, keeping the row', async () => {
    const plain = await rowsOf(clientFor({ format }), { sort: newestFirst, limit: 10 });
    sim.setQuirks({ oddRow: 'nil-end-time' });
    const quirky = await rowsOf(clientFor({ format }), { sort: newestFirst, limit: 10 });
    expect(quirky).toHaveLength(10);
    expect(quirky[0]).toEqual({ ...plain[0], endTime: null });
    expect(quirky.slice(1)).toEqual(plain.slice(1));
  });

  it.each(['malformed-uid', 'unknown-state'] as const)(
    'leaves out a row with a %s, keeps the rest of the page, counts and logs it',
    async (oddRow) => {
      const plain = await rowsOf(clientFor({ format }), { sort: newestFirst, limit: 40 });
      sim.setQuirks({ oddRow });
      const client = clientFor({ format });
      let told = 0;
      const rows = await rowsOf(client, {
        sort: newestFirst,
        pageSize: 20,
        limit: 38,
        onUnreadableRow: () => {
          told += 1;
        },
      });
      // the first row of each of the two pages is odd; the other 38 are read
      expect(rows.map((row) => row.uid)).toEqual(
        [...plain.slice(1, 20), ...plain.slice(21, 40)].map((row) => row.uid),
      );
      expect(client.stats.unreadableRows).toBe(2);
      expect(told).toBe(2);
      const logged = logLines.filter((line) => line.includes('EM row could not be read'));
      expect(logged).toHaveLength(2);
      const field = oddRow === 'malformed-uid' ? 'uid' : 'state';
      expect(JSON.parse(logged[0]!)).toMatchObject({ field });
      if (oddRow === 'unknown-state') expect(JSON.parse(logged[0]!).uid).toBe(plain[0]!.uid);
    },
  );

  it.each([
    ['empty-list', 0],
    ['empty-list', 1],
    ['self-closing', 0],
    ['self-closing', 1],
    ['null', 0],
    ['null', 1],
  ] as const)(
    'reads an empty page with Entities %s and PagesCount %d as no rows',
    async (emptyEntities, count) => {
      sim.setQuirks({ emptyEntities, emptyPagesCount: count });
      const client = clientFor({ format });
      expect(await rowsOf(client, { filter: eq('VmDisplayName', 'no such vm') })).toEqual([]);
      expect(client.stats.requests).toBe(2);
    },
  );

  it("shows EM's message when a 200 carries an EM Error body", async () => {
    sim.setQuirks({ errorOn200: 'The query service is not ready yet.', errorFirstChance: true });
    const error = await failure(() => rowsOf(clientFor({ format })));
    expect(error.code).toBe('em_error');
    expect(error.message).toContain('EM said: "The query service is not ready yet."');
    expect(error.message).not.toContain('has no Entities');
  });

  it('does not retry a 500 that names a bad filter, and says EM rejected the query', async () => {
    sim.setQuirks({ badFilter500: true, errorFirstChance: true, unknownFilterFields: ['Reason'] });
    const client = clientFor({ format });
    const error = await failure(() => rowsOf(client, { filter: eq('Reason', 'disk full') }));
    expect(error.code).toBe('em_bad_request');
    expect(error.message).toContain('Failed to parse the filter expression');
    // one logon and one query: a retry would have sent the same query three times
    expect(client.stats.requests).toBe(2);
  });

  it('stops with a clear error after VEEAM_MAX_PAGES pages of an EM that never stops', async () => {
    sim.setQuirks({ pagesCount: 1_000_000_000 });
    const client = clientFor({ format, maxPages: 4 });
    const error = await failure(() => rowsOf(client, { pageSize: 10 }));
    expect(error.code).toBe('em_too_many_pages');
    expect(error.hint).toContain('VEEAM_MAX_PAGES');
    expect(client.stats.requests).toBe(5);
  });

  it('stops at the first page that brings nothing new when EM claims more pages', async () => {
    sim.setQuirks({ pagesCount: 1_000_000_000 });
    const client = clientFor({ format, concurrency: 1 });
    const rows = await rowsOf(client, { filter: cmp('CreationTime', '>=', new Date(0)), pageSize: 100 });
    // 120 generated rows (and a few added above): two pages with rows, then an empty one
    expect(rows.length).toBeGreaterThanOrEqual(120);
    expect(client.stats.requests).toBe(1 + Math.ceil(rows.length / 100) + 1);
  });

  it('stops there with pages side by side too, giving up the pages already asked for', async () => {
    sim.setQuirks({ pagesCount: 1_000_000_000 });
    const query = { filter: cmp('CreationTime', '>=', new Date(0)), pageSize: 100 };
    const sequential = await rowsOf(clientFor({ format, concurrency: 1 }), query);
    const client = clientFor({ format, concurrency: 4 });
    const rows = await rowsOf(client, query);
    expect(rows.map((row) => row.uid)).toEqual(sequential.map((row) => row.uid));
    // at most the 4 pages past the empty one were on their way when it arrived
    expect(client.stats.requests).toBeGreaterThan(1 + Math.ceil(rows.length / 100) + 1);
    expect(client.stats.requests).toBeLessThanOrEqual(1 + Math.ceil(rows.length / 100) + 1 + 4);
  });
});

describe('answers over EM quirks', () => {
  it('counts a row EM sent that could not be read in the answer, and shows the rest', async () => {
    sim.setQuirks({ oddRow: 'malformed-uid' });
    const answerer = createDefaultAnswerer(clientFor({ pageSize: 500 }));
    const reply = await answerer.ask(
      'replicas in the last 7 days',
      { userId: null, timeZone: 'UTC' },
      { now: new Date(), pageSize: 5 },
    );
    if (reply.kind !== 'answer') throw new Error(`expected an answer, got ${reply.kind}`);
    expect(reply.unreadableRows).toBe(1);
    expect(reply.total).toBeGreaterThan(100);
    expect(renderText(reply, { color: false, timeZone: 'UTC' })).toContain('1 row EM sent could not be read');
  });

  it('shows a completed session with an unknown result as "Ended with result X", and a running Success as running', async () => {
    const odd = sim.addTaskSession({ vm: 'answer-odd', job: 'Quirk Answers', state: 'InProgress' });
    sim.finishTaskSession(odd.uid, { result: 'Failed', reason: 'quirk' });
    sim.setQuirks({ oddRow: 'unknown-result' });
    const answerer = createDefaultAnswerer(clientFor());
    const reply = await answerer.ask(
      'replicas for vm answer-odd',
      { userId: null, timeZone: 'UTC' },
      { now: new Date(), pageSize: 5 },
    );
    if (reply.kind !== 'answer') throw new Error(`expected an answer, got ${reply.kind}`);
    expect(reply.counts).toMatchObject({ Unknown: 1, Failed: 0 });
    expect(renderText(reply, { color: false, timeZone: 'UTC' })).toContain('Ended with result Skipped');

    sim.addTaskSession({ vm: 'answer-run', job: 'Quirk Answers', state: 'InProgress' });
    sim.setQuirks({ runningResultSuccess: true });
    const running = await answerer.ask(
      'replicas for vm answer-run',
      { userId: null, timeZone: 'UTC' },
      { now: new Date(), pageSize: 5 },
    );
    if (running.kind !== 'answer') throw new Error(`expected an answer, got ${running.kind}`);
    expect(running.counts).toMatchObject({ None: 1, Success: 0 });
    expect(renderText(running, { color: false, timeZone: 'UTC' })).toContain('Running');
  });
});

describe('createEmClient response size', () => {
  it('refuses an answer larger than VEEAM_MAX_RESPONSE_MB, naming the variable', async () => {
    const big = await startSimulator({ seed: 3, data: { taskSessions: 3000, days: 30 } });
    try {
      const client = createEmClient({
        url: big.url,
        username: 'replibot',
        password: 'replibot',
        caFile: undefined,
        insecureTls: false,
        format: 'xml',
        timeoutMs: 10_000,
        pageSize: 3000,
        maxResponseMb: 1,
        retry: { attempts: 1, baseDelayMs: 1 },
      });
      const error = await failure(async () => {
        for await (const _row of client.queryTaskSessions({})) {
          // reading
        }
      });
      expect(error.code).toBe('em_response_too_large');
      expect(error.hint).toContain('VEEAM_MAX_RESPONSE_MB');
      expect(client.stats.bytesReceived).toBeLessThan(1024 * 1024);
      await client.close();
    } finally {
      await big.close();
    }
  });
});
