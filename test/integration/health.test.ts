/**
 * `GET /healthz` of replibot as `npm start` wires it (Slack HTTP mode, alerts on): it shows the alert poller's
 * last successful poll, and answers 503 "degraded" once Enterprise Manager has failed three polls in a row.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningReplibot, startReplibot } from '../../src/main.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';

let sim: RunningSimulator;
let slack: FakeSlackApi;
let running: RunningReplibot;

const quiet = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

async function health(): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${running.slack!.port}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const until = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  sim = await startSimulator({ data: { taskSessions: 200 } });
  slack = await startFakeSlackApi();
  running = await startReplibot({
    env: {
      VEEAM_URL: sim.url,
      VEEAM_USERNAME: 'replibot',
      VEEAM_PASSWORD: 'replibot',
      VEEAM_TIMEOUT_MS: '2000',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      POLL_INTERVAL_SECONDS: '1',
      DATABASE_PATH: ':memory:',
      LOG_LEVEL: 'silent',
    },
    errorOutput: quiet(),
    slack: { host: '127.0.0.1', clientOptions: { retryConfig: { retries: 0 } } },
  });
});

afterAll(async () => {
  await running?.stop();
  await slack?.close();
});

describe('GET /healthz', () => {
  it('reports the last successful poll, then degraded when EM stops answering', async () => {
    const alerts = (h: { body: Record<string, unknown> }) => (h.body.alerts ?? {}) as Record<string, unknown>;
    const up = await waitFor(health, (h) => alerts(h).lastSuccessfulPoll != null, 'a successful poll');
    expect(up.status).toBe(200);
    expect(up.body.status).toBe('ok');
    expect(alerts(up)).toMatchObject({ emReachable: true, consecutiveFailedPolls: 0 });

    await sim.close();
    const down = await waitFor(health, (h) => h.status === 503, 'the degraded state');
    expect(down.body.status).toBe('degraded');
    expect(alerts(down)).toMatchObject({ emReachable: false });
    expect(alerts(down).consecutiveFailedPolls).toBeGreaterThanOrEqual(3);
    expect(String(alerts(down).lastError)).toMatch(/Enterprise Manager/);
    expect(JSON.stringify(down.body)).not.toContain('replibot:replibot');
  });
});
