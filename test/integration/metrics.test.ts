/**
 * `GET /metrics` and `GET /readyz` of replibot as `npm start` wires it (Slack HTTP mode, on PORT, next to
 * /healthz): the counters move after a poll, a posted alert and answered questions; no label carries a VM or a
 * channel. `/readyz` is 503 while EM has never answered and 200 once it does. The terminal chat serves the same
 * routes when PORT is set.
 */
import { createServer } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningReplibot, startReplibot } from '../../src/main.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { sampleSum, scrape } from '../fakes/prometheus-text.js';
import { createSlackSender, TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';
import { waitFor } from '../fakes/wait-for.js';

let sim: RunningSimulator;
let slack: FakeSlackApi;
const instances: RunningReplibot[] = [];
const sims: RunningSimulator[] = [];

const quiet = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

function slackEnv(veeamUrl: string): Record<string, string> {
  return {
    VEEAM_URL: veeamUrl,
    VEEAM_USERNAME: 'replibot',
    VEEAM_PASSWORD: 'replibot',
    VEEAM_TIMEOUT_MS: '2000',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ALERT_CHANNEL: 'C0METRICS',
    POLL_INTERVAL_SECONDS: '1',
    POLL_OVERLAP_MINUTES: '0',
    DATABASE_PATH: ':memory:',
    LOG_LEVEL: 'silent',
  };
}

async function start(env: Record<string, string>, extra: Parameters<typeof startReplibot>[0] = {}) {
  const running = await startReplibot({
    env,
    errorOutput: quiet(),
    slack: { host: '127.0.0.1', clientOptions: { retryConfig: { retries: 0 } } },
    em: { retry: { attempts: 1, baseDelayMs: 1 } },
    ...extra,
  });
  instances.push(running);
  return running;
}

const base = (running: RunningReplibot) => `http://127.0.0.1:${running.slack?.port ?? running.probePort}`;

async function ready(running: RunningReplibot): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base(running)}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  sim = await startSimulator({ data: { taskSessions: 50 } });
  slack = await startFakeSlackApi();
});

afterAll(async () => {
  for (const running of instances) await running.stop();
  for (const s of sims) await s.close();
  await sim?.close();
  await slack?.close();
});

describe('GET /metrics', () => {
  it('counts polls, EM requests, alerts posted, Slack calls and questions, with no VM or channel in a label', async () => {
    const running = await start(slackEnv(sim.url));
    const url = `${base(running)}/metrics`;
    const before = await waitFor(async () => {
      const s = await scrape(url);
      return sampleSum(s.samples, 'replibot_polls_total', { outcome: 'ok' }) >= 1 && s;
    }, 'the first poll in /metrics');
    expect(before.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sampleSum(before.samples, 'replibot_lease_holder')).toBe(1);
    expect(sampleSum(before.samples, 'replibot_lease_changes_total', { change: 'acquired' })).toBe(1);
    expect(sampleSum(before.samples, 'replibot_poll_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    const emOk = before.samples.filter(
      (s) => s.name === 'replibot_em_requests_total' && s.labels.status === '200',
    );
    expect(emOk.map((s) => s.labels.type)).toContain('query:ReplicaTaskSession');
    expect(sampleSum(before.samples, 'replibot_em_requests_total', { type: 'logon', status: '201' })).toBe(1);
    expect(sampleSum(before.samples, 'replibot_em_response_bytes_total')).toBeGreaterThan(0);

    // a failure: found by the next poll, posted to the alert channel
    const created = await fetch(`${sim.url}/_sim/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        vm: 'metrics-vm-1',
        job: 'Job of metrics-vm-1',
        result: 'Failed',
        reason: 'boom',
      }),
    });
    expect(created.status).toBe(201);
    await slack.waitForCall('chat.postMessage', (c) => JSON.stringify(c.params).includes('metrics-vm-1'));
    const after = await waitFor(async () => {
      const s = await scrape(url);
      return sampleSum(s.samples, 'replibot_alerts_posted_total', { action: 'post' }) >= 1 && s;
    }, 'the posted alert in /metrics');
    expect(sampleSum(after.samples, 'replibot_alerts_found_total')).toBeGreaterThan(
      sampleSum(before.samples, 'replibot_alerts_found_total'),
    );
    expect(sampleSum(after.samples, 'replibot_polls_total', { outcome: 'ok' })).toBeGreaterThan(
      sampleSum(before.samples, 'replibot_polls_total', { outcome: 'ok' }),
    );
    expect(
      sampleSum(after.samples, 'replibot_slack_calls_total', { method: 'chat.postMessage', error: 'none' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleSum(after.samples, 'replibot_alerts_dead_lettered_total')).toBe(0);

    // two questions over a signed slash command: one answered, one not understood
    const sender = createSlackSender(`${base(running)}/slack/events`);
    for (const [id, text] of [
      ['q1', 'failed today'],
      ['q2', 'flibbertigibbet wobble'],
    ] as const) {
      const ack = await sender.command({ text, response_url: slack.responseUrl(id) });
      expect(ack.status).toBe(200);
      await slack.waitForResponse(id);
    }
    const asked = await waitFor(async () => {
      const s = await scrape(url);
      return sampleSum(s.samples, 'replibot_questions_total') >= 2 && s;
    }, 'two questions in /metrics');
    expect(sampleSum(asked.samples, 'replibot_questions_total', { outcome: 'answer' })).toBe(1);
    expect(sampleSum(asked.samples, 'replibot_questions_total', { outcome: 'not-understood' })).toBe(1);

    // low cardinality: no VM, job, channel or user is ever a label value
    for (const word of ['metrics-vm-1', 'Job of', 'C0METRICS', 'U222', 'flibbertigibbet'])
      expect(asked.text).not.toContain(word);
  });

  it('counts a Slack 429 as a rate-limit wait', async () => {
    const running = instances[0];
    if (!running) throw new Error('the first test starts replibot');
    const url = `${base(running)}/metrics`;
    const before = sampleSum((await scrape(url)).samples, 'replibot_slack_rate_limited_total');
    slack.rateLimit('chat.postMessage', 1, 1);
    await fetch(`${sim.url}/_sim/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        vm: 'metrics-vm-2',
        job: 'Job of metrics-vm-2',
        result: 'Failed',
        reason: 'boom',
      }),
    });
    const after = await waitFor(async () => {
      const s = await scrape(url);
      return (
        sampleSum(s.samples, 'replibot_slack_rate_limited_total', { method: 'chat.postMessage' }) > before &&
        s
      );
    }, 'the 429 in /metrics');
    expect(sampleSum(after.samples, 'replibot_slack_rate_limit_wait_seconds_total')).toBeGreaterThanOrEqual(
      1,
    );
    expect(
      sampleSum(after.samples, 'replibot_slack_calls_total', {
        method: 'chat.postMessage',
        error: 'ratelimited',
      }),
    ).toBeGreaterThanOrEqual(1);
  });
});

describe('GET /readyz', () => {
  it('is 503 with the reason while EM has never answered, and 200 once it does', async () => {
    const port = await freePort();
    const running = await start(slackEnv(`http://127.0.0.1:${port}`));
    const down = await ready(running);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('not ready');
    const checks = down.body.checks as Record<string, { ok: boolean; reason?: string }>;
    expect(checks).toMatchObject({
      database: { ok: true },
      migrations: { ok: true },
      frontDoor: { ok: true },
      em: { ok: false },
    });
    expect(checks.em?.reason).toMatch(/Enterprise Manager has not answered yet/);
    expect(JSON.stringify(down.body)).not.toContain('replibot:replibot');
    // liveness is another matter: the process is fine
    expect((await fetch(`${base(running)}/healthz`)).status).toBe(200);

    sims.push(await startSimulator({ port, data: { taskSessions: 10 } }));
    const up = await waitFor(async () => {
      const r = await ready(running);
      return r.status === 200 && r;
    }, '/readyz 200 once EM answers');
    expect(up.body).toMatchObject({ status: 'ready', checks: { em: { ok: true } } });
  });

  it('is served by the terminal chat too when PORT is set, and goes away when it stops', async () => {
    const input = new PassThrough();
    const running = await start(
      { PORT: '0', DATABASE_PATH: ':memory:', LOG_LEVEL: 'silent' },
      { input, output: quiet(), isTTY: false },
    );
    expect(running.mode).toBe('shell');
    expect(running.probePort).toBeGreaterThan(0);
    const up = await waitFor(async () => {
      const r = await ready(running);
      return r.status === 200 && r;
    }, '/readyz 200 in the terminal chat');
    expect(up.body.checks).toMatchObject({ frontDoor: { ok: true }, em: { ok: true } });
    const health = await fetch(`${base(running)}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', leadership: { role: 'leader' } });
    const metrics = await scrape(`${base(running)}/metrics`);
    expect(sampleSum(metrics.samples, 'replibot_lease_holder')).toBe(1);
    expect((await fetch(`${base(running)}/nothing`)).status).toBe(404);

    const url = base(running);
    input.end();
    await running.done;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('is served next to the socket in Socket Mode, on PORT', async () => {
    const socketSlack = await startFakeSlackApi({ socketMode: true });
    try {
      const port = await freePort();
      const running = await start({
        ...slackEnv(sim.url),
        SLACK_SIGNING_SECRET: '',
        SLACK_APP_TOKEN: 'xapp-test',
        SLACK_API_URL: socketSlack.apiUrl,
        PORT: String(port),
      });
      await socketSlack.waitForSocket();
      const url = `http://127.0.0.1:${port}`;
      const up = await waitFor(async () => {
        const r = await fetch(`${url}/readyz`);
        return r.status === 200 && ((await r.json()) as Record<string, unknown>);
      }, '/readyz 200 in Socket Mode');
      expect(up).toMatchObject({ status: 'ready', checks: { frontDoor: { ok: true } } });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const metrics = await scrape(`${url}/metrics`);
      expect(
        sampleSum(metrics.samples, 'replibot_slack_calls_total', { method: 'auth.test' }),
      ).toBeGreaterThan(0);
      await running.stop();
    } finally {
      await socketSlack.close();
    }
  });

  it('leaves the terminal chat without a listener when PORT is not set', async () => {
    const input = new PassThrough();
    const running = await start(
      { DATABASE_PATH: ':memory:', LOG_LEVEL: 'silent' },
      { input, output: quiet(), isTTY: false },
    );
    expect(running.probePort).toBeUndefined();
    input.end();
    await running.done;
  });
});
