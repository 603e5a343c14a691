/**
 * Acks first: signed slash commands to the real Bolt app (HTTP mode), its answers going to a slow EM — the
 * simulator, with latency, behind a gate this test holds shut, so EM answers nothing until the test says so.
 * Every command is acked with HTTP 200 while every EM request is still held, and the work queue answers
 * "busy" beyond its backlog at once. Only the order of events is asserted, never a duration.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUSY_TEXT } from '../../src/app/work-queue.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createSlackApp, type SlackAppDeps, type SlackAppHandle } from '../../src/slack/app.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { simEmOptions } from '../fakes/sim-em-options.js';
import { createSlackSender, mentionEvent, TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';

/** An HTTP proxy in front of the simulator that holds every request until `open()`; it logs what passes. */
async function startGate(target: string) {
  const targetUrl = new URL(target);
  let opened = false;
  let waiters: Array<() => void> = [];
  const state = { held: 0, answered: 0 };
  const server: Server = createServer((req, res) => {
    state.held += 1;
    const forward = () => {
      state.held -= 1;
      const upstream = request(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: targetUrl.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', () => {
            state.answered += 1;
            events.push('em answered');
          });
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    };
    if (opened) forward();
    else waiters.push(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    open() {
      opened = true;
      const pending = waiters;
      waiters = [];
      for (const forward of pending) forward();
    },
    shut() {
      opened = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const events: string[] = [];
let sim: RunningSimulator;
let gate: Awaited<ReturnType<typeof startGate>>;
let em: EmClient;
let fake: FakeSlackApi;
let slack: SlackAppHandle | undefined;
let responses = 0;

async function startApp(work: SlackAppDeps['work']) {
  slack = createSlackApp({
    config: loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: '0',
      DEFAULT_TIMEZONE: 'UTC',
    }),
    em,
    logger: silentLogger,
    host: '127.0.0.1',
    clientOptions: { retryConfig: { retries: 0 } },
    work,
  });
  await slack.start();
  return createSlackSender(`http://127.0.0.1:${slack.port}/slack/events`);
}

/** Sends `count` slash commands at once; resolves with their response_url ids once every ack is back. */
async function sendAtOnce(sender: ReturnType<typeof createSlackSender>, count: number, text: string) {
  const ids = Array.from({ length: count }, () => `c${++responses}`);
  const acks = await Promise.all(
    ids.map(async (id) => {
      const ack = await sender.command({ text, response_url: fake.responseUrl(id) });
      events.push('ack');
      return ack.status;
    }),
  );
  return { ids, acks };
}

const textOf = (id: string) => String(fake.responses.find((r) => r.id === id)?.body.text ?? '');

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, data: { taskSessions: 200, days: 2 }, faults: { latencyMs: 50 } });
  gate = await startGate(sim.url);
  em = createEmClient(simEmOptions(gate.url, { timeoutMs: 60_000, retry: { attempts: 1, baseDelayMs: 0 } }));
  fake = await startFakeSlackApi();
  fake.setUser('U222', { tz: 'UTC' });
});

afterEach(async () => {
  gate.open();
  await slack?.stop();
  slack = undefined;
  gate.shut();
  gate.state.answered = 0;
  events.length = 0;
  fake.reset();
  fake.setUser('U222', { tz: 'UTC' });
});

afterAll(async () => {
  gate.open();
  await em.close();
  await gate.close();
  await fake.close();
  await sim.close();
});

describe('the Slack front door on a slow EM', () => {
  it('acks every one of many slash commands sent at once before any EM request completes', async () => {
    const sender = await startApp({ concurrency: 4, backlog: 100 });
    const { ids, acks } = await sendAtOnce(sender, 24, 'failed replicas last 24 hours');

    expect(acks).toEqual(ids.map(() => 200));
    // the answers have started (EM is asked) but EM has answered nothing, and no one was told "busy"
    await fake.waitFor(() => gate.state.held > 0, 'the first answer reaching EM');
    expect(gate.state.answered).toBe(0);
    expect(fake.responses).toEqual([]);

    gate.open();
    await fake.waitFor(() => ids.every((id) => textOf(id) !== ''), 'every answer');
    expect(ids.filter((id) => textOf(id) === BUSY_TEXT)).toEqual([]);
    expect(events.slice(0, ids.length)).toEqual(ids.map(() => 'ack'));
    expect(events.slice(ids.length)).toContain('em answered');
    expect(fake.violations).toEqual([]);
  });

  it('answers "busy" at once beyond the backlog, and answers the rest once EM does', async () => {
    const sender = await startApp({ concurrency: 1, backlog: 2 });
    const { ids, acks } = await sendAtOnce(sender, 6, 'failed replicas last 24 hours');
    expect(acks).toEqual(ids.map(() => 200));

    // one running (held at EM) and two waiting; the other three are told at once, while EM still holds
    await fake.waitFor(() => fake.responses.length >= 3, 'three busy answers');
    expect(fake.responses.map((r) => String(r.body.text))).toEqual([BUSY_TEXT, BUSY_TEXT, BUSY_TEXT]);
    expect(gate.state.answered).toBe(0);
    const busy = fake.responses.map((r) => r.id);

    // a mention while the queue is full is told too, privately in its thread
    await sender.event(mentionEvent('failed replicas last 24 hours', { ts: '1700009000.000001' }));
    const note = await fake.waitForCall('chat.postEphemeral');
    expect(note.params.text).toBe(BUSY_TEXT);
    expect(note.params.thread_ts).toBe('1700009000.000001');

    gate.open();
    const answered = ids.filter((id) => !busy.includes(id));
    expect(answered).toHaveLength(3);
    await fake.waitFor(() => answered.every((id) => textOf(id) !== ''), 'the three queued answers');
    for (const id of answered) {
      expect(textOf(id)).not.toBe(BUSY_TEXT);
      expect(textOf(id)).not.toMatch(/busy/);
    }
    expect(fake.responses).toHaveLength(6);
  });
});
