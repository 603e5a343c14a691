/**
 * Answers on a slow EM: "failed replicas last 30 days" and "every replica this month" at 10,000, 100,000 and
 * 1,000,000 simulator task sessions, the way replibot answered before (every matching row read, page after page,
 * to count them) beside the way it answers now (counts from EM, one page of rows), with the simulator answering
 * each request after 200 ms and after 1 s.
 */
import { createDefaultAnswerer } from '../src/answers/create-default-answerer.js';
import type { Reply } from '../src/answers/domain/reply.js';
import { SLACK_PAGE_SIZE } from '../src/answers/slack/render-answer.js';
import { and, cmp } from '../src/core/filter.js';
import { silentLogger } from '../src/logger.js';
import { parseQuestion } from '../src/question/parse-question.js';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { createEmClient, type EmClient } from '../src/veeam/em-client.js';

/** "this month" then covers 27.5 days of the 30 the simulator generates */
const NOW = new Date('2026-11-28T12:00:00Z');
/** `BENCH_ANSWERS_SIZES=10000` for a quick run */
const SIZES = (process.env.BENCH_ANSWERS_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const LATENCIES = [200, 1000];
/** the old path is timed for real only up to this many requests; beyond, its time is extrapolated */
const MAX_TIMED_OLD_REQUESTS = 60;
/**
 * Above this history the old path is not run at all (reading a million rows takes minutes on a shared 2-core
 * machine): its requests are exact (one per 500 matching rows), its bytes and time per row are those of the
 * largest history it was run on.
 */
const MAX_OLD_SESSIONS = Number(process.env.BENCH_ANSWERS_OLD_MAX ?? 100_000);
const PAGE_SIZE = 500;
/** the new path is quick: each of its figures is the fastest of this many runs */
const NEW_RUNS = 3;
const QUESTIONS = [
  { label: 'failed replicas last 30 days', text: 'failed replicas last 30 days' },
  // the parser does not read "every"; "replicas this month" is the same question
  { label: 'every replica this month', text: 'replicas this month' },
];
const asker = { userId: null, timeZone: 'UTC' };

interface Cost {
  requests: number;
  bytes: number;
  ms: number;
  total: number;
}

function clientFor(url: string): EmClient {
  return createEmClient({
    url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format: 'xml',
    timeoutMs: 600_000,
    pageSize: PAGE_SIZE,
    maxPages: 100_000,
    logger: silentLogger,
  });
}

/** Runs `work` on a client already logged on (a running bot is), counting only what `work` costs. */
async function measure(sim: RunningSimulator, work: (em: EmClient) => Promise<number>): Promise<Cost> {
  const em = clientFor(sim.url);
  try {
    await em.countTaskSessions({ filter: cmp('CreationTime', '>', NOW) }); // logon
    const before = { ...em.stats };
    const t0 = performance.now();
    const total = await work(em);
    const ms = performance.now() - t0;
    return {
      requests: em.stats.requests - before.requests,
      bytes: em.stats.bytesReceived - before.bytesReceived,
      ms,
      total,
    };
  } finally {
    await em.close();
  }
}

/** The answer as replibot gave it before: every matching row read to count it, the first page kept. */
async function oldAnswer(em: EmClient, question: string): Promise<number> {
  const parsed = parseQuestion(question, { now: NOW, timeZone: 'UTC' });
  if (parsed.kind !== 'query') throw new Error(`not a question: ${question}`);
  const { intent } = parsed;
  const counts: Record<string, number> = {};
  const page: unknown[] = [];
  let total = 0;
  for await (const row of em.queryTaskSessions({
    filter: and(intent.filter, cmp('CreationTime', '<=', NOW)),
    sort: intent.sort,
    limit: intent.limit,
  })) {
    counts[row.result] = (counts[row.result] ?? 0) + 1;
    if (page.length < SLACK_PAGE_SIZE) page.push(row);
    total += 1;
  }
  return total;
}

function totalOf(reply: Reply): number {
  if (reply.kind !== 'answer') throw new Error(`expected an answer, got ${reply.kind}`);
  return reply.total;
}

/** The answer as replibot gives it now: the first Slack page, then "Show more" with the carried totals. */
async function newAnswer(em: EmClient, question: string, next: Cost[]): Promise<number> {
  const answerer = createDefaultAnswerer(em);
  const first = await answerer.ask(question, asker, { now: NOW, pageSize: SLACK_PAGE_SIZE });
  if (first.kind !== 'answer') throw new Error(`expected an answer, got ${first.kind}`);
  const before = { ...em.stats };
  const t0 = performance.now();
  await answerer.ask(question, asker, {
    now: NOW,
    offset: SLACK_PAGE_SIZE,
    pageSize: SLACK_PAGE_SIZE,
    known: { total: first.total, counts: first.counts },
  });
  next.push({
    requests: em.stats.requests - before.requests,
    bytes: em.stats.bytesReceived - before.bytesReceived,
    ms: performance.now() - t0,
    total: first.total,
  });
  return totalOf(first);
}

interface Row {
  sessions: number;
  question: string;
  path: 'before' | 'now' | 'now, Show more';
  total: number;
  requests: number;
  bytes: number;
  /** the requests and bytes were computed, not measured */
  extrapolated?: boolean;
  /** ms at latency 0, 200, 1000, and whether each was extrapolated */
  times: Array<{ ms: number; extrapolated: boolean }>;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`;
const size = (bytes: number) =>
  bytes < 2 ** 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export async function run(): Promise<string> {
  const rows: Row[] = [];
  const perRow = new Map<string, { bytes: number; ms: number }>();
  for (const sessions of SIZES) {
    const progress = (what: string) => process.stderr.write(`bench answers: ${sessions} sessions: ${what}\n`);
    progress('generating');
    const sim = await startSimulator({
      port: 0,
      seed: 21,
      now: () => NOW,
      data: { taskSessions: sessions, days: 30 },
    });
    try {
      for (const q of QUESTIONS) {
        sim.setFaults({});
        let old0: Cost;
        let oldExtrapolated = false;
        if (sessions <= MAX_OLD_SESSIONS) {
          progress(`${q.label}: before, no latency`);
          old0 = await measure(sim, (em) => oldAnswer(em, q.text));
          perRow.set(q.label, { bytes: old0.bytes / old0.total, ms: old0.ms / old0.total });
        } else {
          const matching = await measure(sim, (em) => newAnswer(em, q.text, []));
          const unit = perRow.get(q.label);
          if (unit === undefined) throw new Error('BENCH_ANSWERS_OLD_MAX is below every history size');
          old0 = {
            requests: Math.max(1, Math.ceil(matching.total / PAGE_SIZE)),
            bytes: unit.bytes * matching.total,
            ms: unit.ms * matching.total,
            total: matching.total,
          };
          oldExtrapolated = true;
        }
        const oldTimes = [{ ms: old0.ms, extrapolated: oldExtrapolated }];
        for (const latency of LATENCIES) {
          if (!oldExtrapolated && old0.requests <= MAX_TIMED_OLD_REQUESTS) {
            sim.setFaults({ latencyMs: latency });
            progress(`${q.label}: before, ${latency} ms`);
            const timed = await measure(sim, (em) => oldAnswer(em, q.text));
            oldTimes.push({ ms: timed.ms, extrapolated: false });
          } else {
            // pages are read one after another: the work without latency plus one latency per request
            oldTimes.push({ ms: old0.ms + old0.requests * latency, extrapolated: true });
          }
        }
        rows.push({
          sessions,
          question: q.label,
          path: 'before',
          ...old0,
          extrapolated: oldExtrapolated,
          times: oldTimes,
        });

        const newTimes: Row['times'] = [];
        const moreTimes: Row['times'] = [];
        let first: Cost | null = null;
        let more: Cost | null = null;
        for (const latency of [0, ...LATENCIES]) {
          sim.setFaults(latency === 0 ? {} : { latencyMs: latency });
          progress(`${q.label}: now, ${latency} ms`);
          // the fastest of a few runs: the machine is shared, and one run is a handful of requests
          let firstOnly: Cost | null = null;
          let shown: Cost | null = null;
          for (let run = 0; run < NEW_RUNS; run += 1) {
            const next: Cost[] = [];
            const cost = await measure(sim, (em) => newAnswer(em, q.text, next));
            // measure() counted the first answer and Show more together; take Show more's share out
            const more = next[0]!;
            const only = {
              requests: cost.requests - more.requests,
              bytes: cost.bytes - more.bytes,
              ms: cost.ms - more.ms,
              total: cost.total,
            };
            if (firstOnly === null || only.ms < firstOnly.ms) firstOnly = only;
            if (shown === null || more.ms < shown.ms) shown = more;
          }
          if (firstOnly === null || shown === null) throw new Error('no run');
          if (firstOnly.total !== old0.total)
            throw new Error(
              `${q.label} at ${sessions}: counted ${firstOnly.total}, every row says ${old0.total}`,
            );
          first ??= firstOnly;
          more ??= shown;
          newTimes.push({ ms: firstOnly.ms, extrapolated: false });
          moreTimes.push({ ms: shown.ms, extrapolated: false });
        }
        rows.push({ sessions, question: q.label, path: 'now', ...first!, times: newTimes });
        rows.push({ sessions, question: q.label, path: 'now, Show more', ...more!, times: moreTimes });
      }
    } finally {
      await sim.close();
    }
  }

  const lines = [
    '## Answers',
    '',
    `"failed replicas last 30 days" and "every replica this month" (asked as "replicas this month") over simulator histories of 10,000, 100,000 and 1,000,000 task sessions (30 days, now = ${NOW.toISOString()}), real EM client (XML, VEEAM_PAGE_SIZE 500) against the simulator in the same process over HTTP on 127.0.0.1, with the simulator's per-request latency off, at 200 ms and at 1 s. The client is logged on before each measurement (a running bot is), so requests are the answer's own. **Before**: every matching row read page after page to count it (the answer path until now, through \`queryTaskSessions\`). **Now**: the first Slack page (${SLACK_PAGE_SIZE} rows): one EM page of rows and the totals by result from \`pageSize=1\` count queries, all sent side by side (one round trip); **Show more**: the next page, with the totals the first answer carried in the button. The totals of both paths are checked equal. "Now" times are the fastest of ${NEW_RUNS} runs; "before" is run once. The simulator runs in the same process, so its own work (filtering and counting up to a million rows in JavaScript for every request, where EM has SQL indexes) is in every time (it counts a State/Result filter over a CreationTime range from block counts, src/simulator/task-counts.ts, and finds a sorted page by jumping whole blocks), and the CPU part of requests sent side by side is served one after another.`,
    '',
    '| sessions | question | path | matching | requests | received | no latency | 200 ms/request | 1 s/request |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const t = r.times.map((x) => (x.extrapolated ? `≈ ${seconds(x.ms)}*` : seconds(x.ms)));
    lines.push(
      `| ${r.sessions.toLocaleString('en-US')} | ${r.question} | ${r.path} | ${r.total.toLocaleString('en-US')} | ${r.extrapolated ? '≈ ' : ''}${r.requests.toLocaleString('en-US')}${r.extrapolated ? '†' : ''} | ${r.extrapolated ? '≈ ' : ''}${size(r.bytes)}${r.extrapolated ? '†' : ''} | ${t.join(' | ')} |`,
    );
  }
  lines.push(
    '',
    `\\* Extrapolated, not timed: the old path reads its pages one after another, so its time is its time without latency plus one latency per request. It is timed for real only where it takes at most ${MAX_TIMED_OLD_REQUESTS} requests.`,
    '',
    `† Not run: the old path at ${(MAX_OLD_SESSIONS + 1).toLocaleString('en-US')} sessions and more would read every matching row (minutes on this shared machine). Its requests are exact (one per ${PAGE_SIZE} matching rows, the matching count measured); bytes and time without latency are those per row of the largest history it was run on, times the matching rows.`,
    '',
    'Target: at most 6 requests and 5 s at 1 s per request, whatever the history. "Now" needs 2 requests when the question fixes the result (one page, one count) and 6 when it does not (one page, one count each for Success, Warning, Failed, running and any other result), at every history size; Show more needs 1.',
  );
  return lines.join('\n');
}
