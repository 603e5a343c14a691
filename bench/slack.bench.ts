/**
 * Slack front door: ack latency of 200 and 500 signed slash commands sent at once from another process
 * (bench/slack-flood.ts) to the real Bolt HTTP receiver, with a slow EM (the in-process simulator answering each
 * request after 200 ms) behind it, the answers going through the work queue as in production; acked by the
 * request guard (today) and, for comparison, by Bolt's receiver (before), beside the floor a bare node:http
 * server sets, the three taking turns round by round. Then the event-loop delay
 * (perf_hooks.monitorEventLoopDelay) during a weekly digest: collected end to end from the simulator, and its
 * summary alone over synthetic sessions, in one go and in slices.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  BUSY_TEXT,
  DEFAULT_WORK_BACKLOG,
  DEFAULT_WORK_CONCURRENCY,
  yieldToEventLoop,
} from '../src/app/work-queue.js';
import { loadConfig } from '../src/config.js';
import { runInSlices } from '../src/core/slices.js';
import { collectDigest } from '../src/features/digests/collect-digest.js';
import { toDigestWindow } from '../src/features/digests/domain/digest-window.js';
import { summarizeDigest, summarizeDigestSteps } from '../src/features/digests/domain/summarize-digest.js';
import { silentLogger } from '../src/logger.js';
import { startSimulator } from '../src/simulator/index.js';
import { createSlackApp, type SlackAppDeps } from '../src/slack/app.js';
import { createEmClient } from '../src/veeam/em-client.js';
import { startFakeSlackApi } from '../test/fakes/fake-slack-api.js';
import { TEST_SIGNING_SECRET } from '../test/fakes/slack-requests.js';
import { syntheticSessions } from './synthetic-sessions.js';

const here = dirname(fileURLToPath(import.meta.url));
const run$ = promisify(execFile);
const ROUNDS = Number(process.env.SLACK_BENCH_ROUNDS ?? 3);
// SLACK_BENCH_FLOODS=200 runs only that flood (the coordinator measures 500 on a quiet machine)
const FLOODS = (process.env.SLACK_BENCH_FLOODS ?? '200,500').split(',').map(Number);
const EM_LATENCY_MS = 200;
const QUESTION = 'failed replicas today';
const QUEUED = `queue (${DEFAULT_WORK_CONCURRENCY} at once, ${DEFAULT_WORK_BACKLOG} waiting)`;
/** weekly digest collected from the simulator (1M would hold ~2.3 GiB with today's collection) */
const DIGEST_SESSIONS = Number(process.env.SLACK_BENCH_DIGEST_SESSIONS ?? 100_000);
/** the summary alone over synthetic sessions */
const SUMMARY_SESSIONS = Number(process.env.SLACK_BENCH_SUMMARY_SESSIONS ?? 1_000_000);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
function median(values: number[]): number {
  return percentile(values, 50);
}
const ms = (value: number) => `${value.toFixed(1)} ms`;
const n = (value: number) => value.toLocaleString('en-US');

interface FloodRound {
  p50: number;
  p99: number;
  max: number;
  over3s: number;
  busy: number;
}

/**
 * One build of the front door under test: its work queue and who acks (src/slack/app.ts `guardAcks`); or `bare`,
 * a plain node:http server in this process that reads each body and answers an empty 200 at once, no Bolt and
 * no answers: the floor the flood itself (its client, the kernel, loopback TCP) sets on this machine.
 */
export type FloodVariant =
  | { label: string; work: SlackAppDeps['work']; guardAcks: boolean }
  | { label: string; bare: true };

async function startBareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Floods every variant (one app each, on the same simulator and fake Slack API) `rounds` times at each count,
 * the variants taking turns round by round, so a change in the machine's load falls on all of them alike.
 */
export async function floodRounds(
  variants: FloodVariant[],
  options: { counts?: number[]; rounds?: number } = {},
): Promise<Array<{ label: string; count: number; rounds: FloodRound[] }>> {
  const counts = options.counts ?? FLOODS;
  const roundsEach = options.rounds ?? ROUNDS;
  const sim = await startSimulator({
    seed: 7,
    data: { taskSessions: 1_000, days: 1 },
    faults: { latencyMs: EM_LATENCY_MS },
  });
  const em = createEmClient({
    url: sim.url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format: 'xml',
    timeoutMs: 600_000,
    pageSize: 500,
  });
  const fake = await startFakeSlackApi();
  fake.setUser('U222', { tz: 'Europe/Berlin' });
  const bare = await startBareServer();
  const apps = variants.map((variant) =>
    'bare' in variant
      ? undefined
      : createSlackApp({
          config: loadConfig({
            SLACK_BOT_TOKEN: 'xoxb-bench',
            SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
            SLACK_API_URL: fake.apiUrl,
            PORT: '0',
          }),
          em,
          logger: silentLogger,
          host: '127.0.0.1',
          clientOptions: { retryConfig: { retries: 0 } },
          work: variant.work,
          guardAcks: variant.guardAcks,
        }),
  );
  const results = variants.flatMap((variant) =>
    counts.map((count) => ({ label: variant.label, count, rounds: [] as FloodRound[] })),
  );
  try {
    for (const slack of apps) await slack?.start();
    const urls = apps.map((slack) => (slack ? `http://127.0.0.1:${slack.port}/slack/events` : bare.url));
    // warm up: JIT, the EM logon, the users.info cache
    for (const [v, url] of urls.entries()) {
      if (apps[v] === undefined) {
        await flood(url, 20, fake.responseUrl(`warm-${v}-`), QUESTION);
        continue;
      }
      fake.reset();
      fake.setUser('U222', { tz: 'Europe/Berlin' });
      await flood(url, 20, fake.responseUrl(`warm-${v}-`), QUESTION);
      await fake.waitFor(() => fake.responses.length >= 20, 'warm-up answers', 300_000);
    }
    for (const [c, count] of counts.entries()) {
      for (let round = 0; round < roundsEach; round++) {
        for (const [v, url] of urls.entries()) {
          fake.reset();
          fake.setUser('U222', { tz: 'Europe/Berlin' });
          const prefix = fake.responseUrl(`r${v}-${count}-${round}-`);
          const { acks, statuses } = await flood(url, count, prefix, QUESTION);
          const refused = statuses.filter((s) => s !== 200).length;
          if (refused > 0) throw new Error(`${refused} of ${count} commands were not acked with 200`);
          // every command answered (or told "busy") before the next round
          if (apps[v] !== undefined)
            await fake.waitFor(() => fake.responses.length >= count, `${count} answers`, 900_000);
          const busy = fake.responses.filter((r) => String(r.body.text) === BUSY_TEXT).length;
          const result = {
            p50: percentile(acks, 50),
            p99: percentile(acks, 99),
            max: Math.max(...acks),
            over3s: acks.filter((a) => a >= 3_000).length,
            busy,
          };
          results[v * counts.length + c]?.rounds.push(result);
          process.stderr.write(
            `bench: slack ${variants[v]?.label} ${count} round ${round + 1}: p50 ${ms(result.p50)}, p99 ${ms(result.p99)}, busy ${busy}\n`,
          );
        }
      }
    }
  } finally {
    for (const slack of apps) await slack?.stop();
    await bare.close();
    await fake.close();
    await em.close();
    await sim.close();
  }
  return results;
}

async function flood(url: string, count: number, responsePrefix: string, question: string) {
  const { stdout } = await run$(
    process.execPath,
    ['--import', 'tsx', join(here, 'slack-flood.ts'), url, String(count), responsePrefix, question],
    { maxBuffer: 16 * 2 ** 20 },
  );
  return JSON.parse(stdout) as { acks: number[]; statuses: number[] };
}

/** Event-loop delay (ms) while `work` runs. */
async function loopDelayDuring<T>(work: () => Promise<T>): Promise<{ p99: number; max: number; value: T }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  // the monitor's first tick only starts its count: let it tick before the work begins
  await new Promise((resolve) => setTimeout(resolve, 20));
  try {
    const value = await work();
    // a stall is recorded when the monitor's timer next fires: give it the turn
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6, value };
  } finally {
    histogram.disable();
  }
}

async function digestDelays() {
  const now = new Date();
  const sim = await startSimulator({ seed: 5, now: () => now, data: { taskSessions: DIGEST_SESSIONS } });
  const em = createEmClient({
    url: sim.url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format: 'xml',
    timeoutMs: 600_000,
    pageSize: 1000,
    logger: silentLogger,
  });
  let collected: { p99: number; max: number; rows: number };
  try {
    const r = await loopDelayDuring(() =>
      collectDigest(em, { period: 'week', end: now, timeZone: 'Europe/Berlin' }),
    );
    collected = {
      p99: r.p99,
      max: r.max,
      rows: r.value.perDay.reduce((s, d) => s + d.success + d.warning + d.failed, 0),
    };
  } finally {
    await em.close();
    await sim.close();
  }

  const sessions = syntheticSessions(SUMMARY_SESSIONS, now, 'oldest-first');
  const window = toDigestWindow('week', now, 'Europe/Berlin');
  const oneGo: Array<{ p99: number; max: number }> = [];
  const sliced: Array<{ p99: number; max: number }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    oneGo.push(await loopDelayDuring(async () => summarizeDigest(sessions, window)));
    sliced.push(
      await loopDelayDuring(() => runInSlices(summarizeDigestSteps(sessions, window), yieldToEventLoop)),
    );
  }
  return { collected, oneGo, sliced };
}

export async function run(): Promise<string> {
  const loadAtStart = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  const floods = await floodRounds([
    { label: `the request guard acks (this change), ${QUEUED}`, work: {}, guardAcks: true },
    { label: `Bolt's receiver acks (before), ${QUEUED}`, work: {}, guardAcks: false },
    { label: 'floor: a bare node:http server answering 200 at once (no Bolt, no answers)', bare: true },
  ]);
  const loadAfterFloods = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  const digest = await digestDelays();

  const rows = floods.map(
    ({ label, count, rounds }) =>
      `| ${label} | ${count} | ${ms(median(rounds.map((r) => r.p50)))} | ${ms(median(rounds.map((r) => r.p99)))} | ${ms(median(rounds.map((r) => r.max)))} | ${rounds.map((r) => r.p99.toFixed(0)).join(', ')} ms | ${rounds.filter((r) => r.over3s > 0).length} of ${rounds.length} | ${median(rounds.map((r) => r.busy))} |`,
  );
  const delay = (values: Array<{ p99: number; max: number }>) =>
    `${ms(median(values.map((v) => v.p99)))} | ${ms(median(values.map((v) => v.max)))}`;

  return `## Slack front door (bench/slack.bench.ts)

Signed \`/replicas ${QUESTION}\` commands sent all at once, one connection each, from another process
(bench/slack-flood.ts, node:http) to the real Bolt HTTP receiver on 127.0.0.1; WebClient and response_url on the
fake Slack API; EM is the simulator in the bot's process (1,000 sessions, XML, page size 500) answering every
request after ${EM_LATENCY_MS} ms. Ack = from the send to the HTTP 200. Medians of ${ROUNDS} rounds (each round's
p50/p99/max, then the median of those); each round waits for every answer before the next, and the builds take
turns round by round so a change in the machine's load falls on each alike. The floor is the same flood against a
plain node:http server in the same process that answers an empty 200 at once: what the client, the kernel and
loopback TCP cost on this machine, before any of replibot's work. Load average at the start: ${loadAtStart}; after
the floods: ${loadAfterFloods}.

| build | commands at once | ack p50 | ack p99 | ack max | each round's p99 | rounds with an ack over 3 s | told "busy" |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Event-loop delay (\`monitorEventLoopDelay\`, 5 ms resolution) during a weekly digest:

| what | sessions | delay p99 | delay max |
|---|---|---|---|
| collectDigest end to end from the simulator (in the same process), XML pages of 1,000 | ${n(DIGEST_SESSIONS)} in EM, ${n(digest.collected.rows)} in the chart | ${ms(digest.collected.p99)} | ${ms(digest.collected.max)} |
| the summary alone, in one go (\`summarizeDigest\`) | ${n(SUMMARY_SESSIONS)} | ${delay(digest.oneGo)} |
| the summary alone, in slices (\`summarizeDigestSteps\` + \`runInSlices\`, a turn every 5,000 rows and between passes) | ${n(SUMMARY_SESSIONS)} | ${delay(digest.sliced)} |

Target: ack p99 under 100 ms; Slack's deadline is 3,000 ms.
`;
}
