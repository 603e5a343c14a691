/**
 * Answers with totals from EM's counts and rows a page at a time, against the simulator over HTTP in XML and
 * JSON: every total and count equals the one computed from every matching row (the way `ask --format json`
 * still reads them), each page is the same slice of that full list, and a first answer costs a handful of
 * requests whatever the history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultAnswerer } from '../../src/answers/create-default-answerer.js';
import type { Reply, SessionListReply } from '../../src/answers/domain/reply.js';
import { summarizeLastDay } from '../../src/answers/domain/summarize-last-day.js';
import { toRunningAwareResult } from '../../src/core/sessions.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const asker = { userId: null, timeZone: 'UTC' };

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 7, now: () => NOW, data: { taskSessions: 4000, days: 30 } });
});
afterAll(async () => {
  await sim?.close();
});

function answer(reply: Reply): SessionListReply {
  if (reply.kind !== 'answer') throw new Error(`expected an answer, got ${JSON.stringify(reply)}`);
  return reply;
}

const uids = (reply: SessionListReply) => reply.sessions.map((s) => s.uid);

const QUESTIONS = [
  'failed replicas last 30 days',
  'replicas this month',
  'warnings and failures this week',
  'successful replicas last 7 days',
  'what is running now',
  'replication jobs last 7 days',
  'failed replication jobs this month',
];

describe.each(['xml', 'json'] as const)('answers from counts over %s', (format) => {
  let em: EmClient;
  beforeAll(() => {
    em = createEmClient({
      url: sim.url,
      username: 'replibot',
      password: 'replibot',
      caFile: undefined,
      insecureTls: false,
      format,
      timeoutMs: 10_000,
      pageSize: 500,
    });
  });
  afterAll(async () => {
    await em.close();
  });

  it.each(QUESTIONS)('counts "%s" as every row does, and pages through the same list', async (question) => {
    const answerer = createDefaultAnswerer(em);
    const everything = answer(await answerer.ask(question, asker, { now: NOW, pageSize: Infinity }));
    expect(everything.truncated).toBe(false);

    const before = em.stats.requests;
    const first = answer(await answerer.ask(question, asker, { now: NOW, pageSize: 10 }));
    expect(em.stats.requests - before).toBeLessThanOrEqual(6);
    expect(first.total).toBe(everything.total);
    expect(first.counts).toEqual(everything.counts);
    expect(uids(first)).toEqual(uids(everything).slice(0, 10));

    // "Show more" with the first page's totals fetches only its rows: one request
    const known = { total: first.total, counts: first.counts };
    const atSecond = em.stats.requests;
    const second = answer(await answerer.ask(question, asker, { now: NOW, offset: 10, pageSize: 10, known }));
    expect(em.stats.requests - atSecond).toBeLessThanOrEqual(1);
    expect(uids(second)).toEqual(uids(everything).slice(10, 20));
    expect(second.counts).toEqual(everything.counts);

    // an offset inside an EM page (a Slack page cut short by its text budget), counted again
    const odd = answer(await answerer.ask(question, asker, { now: NOW, offset: 15, pageSize: 10 }));
    expect(uids(odd)).toEqual(uids(everything).slice(15, 25));
    expect(odd.total).toBe(everything.total);
    expect(odd.counts).toEqual(everything.counts);
  });
});

describe('answers from counts', () => {
  it('finds each question above non-trivial in the generated history, so the comparisons mean something', async () => {
    const em = createEmClient({
      url: sim.url,
      username: 'replibot',
      password: 'replibot',
      caFile: undefined,
      insecureTls: false,
      format: 'xml',
      timeoutMs: 10_000,
      pageSize: 500,
    });
    try {
      const answerer = createDefaultAnswerer(em);
      const all = answer(await answerer.ask('replicas this month', asker, { now: NOW, pageSize: 10 }));
      expect(all.total).toBeGreaterThan(1000);
      expect(all.counts.Failed).toBeGreaterThan(0);
      expect(all.counts.Warning).toBeGreaterThan(0);
      expect(all.counts.Success).toBeGreaterThan(0);
      expect(all.counts.None).toBeGreaterThan(0);
      const failed = answer(
        await answerer.ask('failed replicas last 30 days', asker, { now: NOW, pageSize: 10 }),
      );
      expect(failed.total).toBeGreaterThan(10);
    } finally {
      await em.close();
    }
  });

  it('asks EM for the first page and the counts side by side: one round trip', async () => {
    const em = createEmClient({
      url: sim.url,
      username: 'replibot',
      password: 'replibot',
      caFile: undefined,
      insecureTls: false,
      format: 'xml',
      timeoutMs: 10_000,
      pageSize: 500,
    });
    try {
      const answerer = createDefaultAnswerer(em);
      // logged on first, as a running bot is
      await em.countTaskSessions({});
      sim.setFaults({ latencyMs: 100 });
      for (const [question, requests] of [
        ['failed replicas last 30 days', 2],
        ['replicas this month', 6],
      ] as const) {
        sim.resetStats();
        const reply = answer(await answerer.ask(question, asker, { now: NOW, pageSize: 10 }));
        expect(reply.total).toBeGreaterThan(10);
        expect(sim.stats.requests).toBe(requests);
        // every request was in flight at once (the page did not wait for the counts, nor they for it)
        expect(sim.stats.maxInFlight).toBe(requests);
      }
    } finally {
      sim.setFaults({});
      await em.close();
    }
  });

  it('keeps "the last 5" to its five rows, counted from them', async () => {
    const em = createEmClient({
      url: sim.url,
      username: 'replibot',
      password: 'replibot',
      caFile: undefined,
      insecureTls: false,
      format: 'json',
      timeoutMs: 10_000,
      pageSize: 500,
    });
    try {
      const answerer = createDefaultAnswerer(em);
      for (const question of ['last 5 replicas', 'last 12 failures']) {
        const everything = answer(await answerer.ask(question, asker, { now: NOW, pageSize: Infinity }));
        const page = answer(await answerer.ask(question, asker, { now: NOW, pageSize: 10 }));
        expect(page.total).toBe(everything.total);
        expect(page.counts).toEqual(everything.counts);
        expect(uids(page)).toEqual(uids(everything).slice(0, 10));
        const rest = answer(await answerer.ask(question, asker, { now: NOW, offset: 10, pageSize: 10 }));
        expect(uids(rest)).toEqual(uids(everything).slice(10, 20));
      }
    } finally {
      await em.close();
    }
  });
});

describe('summarizeLastDay', () => {
  it('gives the counts, newest problems and failing VMs that every row of the last 24 hours gives', async () => {
    for (const format of ['xml', 'json'] as const) {
      const em = createEmClient({
        url: sim.url,
        username: 'replibot',
        password: 'replibot',
        caFile: undefined,
        insecureTls: false,
        format,
        timeoutMs: 10_000,
        pageSize: 500,
      });
      try {
        // directly from every row of the day, as the App Home computed it before
        const from = NOW.getTime() - 24 * 3600_000;
        const rows = [];
        for await (const s of em.queryTaskSessions({ sort: { field: 'CreationTime', direction: 'desc' } }))
          if (s.creationTime.getTime() >= from) rows.push(s);
        const counts = { None: 0, Success: 0, Warning: 0, Failed: 0, Unknown: 0 };
        const newest = new Map<string, (typeof rows)[number]>();
        for (const s of rows) {
          counts[toRunningAwareResult(s.state, s.result)] += 1;
          const seen = newest.get(s.vmDisplayName);
          if (seen === undefined || seen.creationTime < s.creationTime) newest.set(s.vmDisplayName, s);
        }
        const failing = [...newest.values()]
          .filter((s) => s.result === 'Failed')
          .map((s) => s.vmDisplayName)
          .sort((a, b) => a.localeCompare(b));
        const problems = rows.filter((s) => s.result === 'Failed' || s.result === 'Warning').slice(0, 8);

        const before = em.stats.requests;
        const summary = await summarizeLastDay(em, NOW);
        expect(summary.total).toBe(rows.length);
        expect(summary.counts).toEqual(counts);
        expect(summary.failingVms).toEqual(failing);
        expect(summary.failingVms.length).toBeGreaterThan(0);
        expect(failing.length).toBeLessThan(newest.size);
        expect(summary.latestProblems.map((p) => p.uid)).toEqual(problems.map((s) => s.uid));
        // 5 counts, 1 page of problems, the Failed rows, and one query per 25 VMs that failed
        expect(em.stats.requests - before).toBeLessThan(Math.ceil(rows.length / 500) + 10);
      } finally {
        await em.close();
      }
    }
  });
});
