/**
 * Slack front door: ack latency of 1,000 signed slash commands on loopback (the real Bolt HTTP receiver, answers
 * going on in the background as in production), and the time from a slash command to the response_url post for
 * an answer that counts 1,000 sessions from the simulator.
 */
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { startSimulator } from '../src/simulator/index.js';
import { createSlackApp } from '../src/slack/app.js';
import { createEmClient } from '../src/veeam/em-client.js';
import { startFakeSlackApi } from '../test/fakes/fake-slack-api.js';
import { createSlackSender, TEST_SIGNING_SECRET } from '../test/fakes/slack-requests.js';

const COMMANDS = 1_000;
const BIG_RUNS = 20;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

export async function run(): Promise<string> {
  const sim = await startSimulator({ seed: 7, data: { taskSessions: 1_000, days: 1 } });
  const em = createEmClient({
    url: sim.url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format: 'xml',
    timeoutMs: 60_000,
    pageSize: 500,
  });
  const fake = await startFakeSlackApi();
  fake.setUser('U222', { tz: 'Europe/Berlin' });
  const slack = createSlackApp({
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
  });
  await slack.start();
  const sender = createSlackSender(`http://127.0.0.1:${slack.port}/slack/events`);
  try {
    // Warm up (JIT, keep-alive, the EM logon, the users.info cache).
    for (let i = 0; i < 20; i += 1)
      await sender.command({ text: 'help', response_url: fake.responseUrl(`w${i}`) });
    await fake.waitFor(() => fake.responses.length >= 20, 'warm-up answers', 60_000);

    const acks: number[] = [];
    for (let i = 0; i < COMMANDS; i += 1) {
      const question = i % 2 === 0 ? 'failed replicas today' : 'help';
      const started = performance.now();
      const response = await sender.command({ text: question, response_url: fake.responseUrl(`a${i}`) });
      acks.push(performance.now() - started);
      if (response.status !== 200) throw new Error(`slash command ${i} got HTTP ${response.status}`);
    }
    await fake.waitFor(() => fake.responses.length >= 20 + COMMANDS, 'every answer', 300_000);

    const total = sim.counts().taskSessions;
    const answers: number[] = [];
    for (let i = 0; i < BIG_RUNS; i += 1) {
      const id = `big${i}`;
      const started = performance.now();
      await sender.command({ text: 'replicas last 24 hours', response_url: fake.responseUrl(id) });
      const { body } = await fake.waitForResponse(id);
      answers.push(performance.now() - started);
      if (!String(body.text).includes('sessions')) throw new Error(`unexpected answer: ${String(body.text)}`);
    }
    const counted = /(\d+) sessions/.exec(String(fake.responses.at(-1)?.body.text))?.[1] ?? '?';
    const violations = fake.violations.length;

    return `## Slack front door (bench/slack.bench.ts)

Real Bolt HTTP receiver on 127.0.0.1, signed requests, WebClient and response_url pointed at the fake Slack API,
EM answers from the in-process simulator (XML, page size 500). Everything shares the same 2 cores.

| What | n | p50 | p99 | max |
|---|---|---|---|---|
| ack of a signed \`/replicas\` (HTTP 200 back to the sender; half "failed replicas today", half "help", answers running in the background) | ${COMMANDS} | ${ms(percentile(acks, 50))} | ${ms(percentile(acks, 99))} | ${ms(Math.max(...acks))} |
| slash command to the response_url post, answer counting ${counted} sessions (of ${total} in the simulator) | ${BIG_RUNS} | ${ms(percentile(answers, 50))} | ${ms(percentile(answers, 99))} | ${ms(Math.max(...answers))} |

Slack's deadline for the ack is 3,000 ms. Block Kit violations seen by the fake: ${violations}.
`;
  } finally {
    await slack.stop();
    await fake.close();
    await em.close();
    await sim.close();
  }
}
