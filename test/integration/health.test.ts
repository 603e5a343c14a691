/**
 * `GET /healthz` of replibot as `npm start` wires it (Slack HTTP mode, alerts on): it shows the alert poller's
 * last successful poll, and says "degraded" once Enterprise Manager has failed three polls in a row. It is the
 * liveness probe, so it still answers 200 then: a restart cannot bring EM back (src/app/probes.ts).
 * The test drives the polls (one per start of the alerts service; the interval is a day, so no poll comes on
 * its own) instead of waiting out the poll interval and its backoff.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feature, FeatureFactory } from '../../src/app/feature.js';
import { createAlertsFeature } from '../../src/features/alerts/feature.js';
import { FEATURES, type RunningReplibot, startReplibot } from '../../src/main.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';
import { waitFor } from '../fakes/wait-for.js';

let sim: RunningSimulator;
let slack: FakeSlackApi;
let running: RunningReplibot;
let alerts: Feature | undefined;

const quiet = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

interface Health {
  status: number;
  body: Record<string, unknown>;
  alerts: Record<string, unknown>;
}

async function health(): Promise<Health> {
  const response = await fetch(`http://127.0.0.1:${running.slack!.port}/healthz`);
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, body, alerts: (body.alerts ?? {}) as Record<string, unknown> };
}

/** The health once `ok` holds; the polls run on their own, so this waits (bounded) for the one it drove. */
function healthWhen(ok: (h: Health) => boolean, what: string): Promise<Health> {
  return waitFor(async () => {
    const h = await health();
    return ok(h) && h;
  }, what);
}

/** One poll now: the poller polls when it starts, and restarting keeps its state (the failure count). */
async function pollNow(): Promise<void> {
  const service = alerts?.leaderServices?.find((s) => s.name === 'alerts');
  if (!service) throw new Error('the alerts feature has no alerts service');
  await service.stop();
  await service.start();
}

beforeAll(async () => {
  sim = await startSimulator({ data: { taskSessions: 200 } });
  slack = await startFakeSlackApi();
  // main's own features; the alerts one is kept so the test can poll now
  const features: FeatureFactory[] = FEATURES.map((factory) =>
    factory === createAlertsFeature
      ? async (ctx) => {
          alerts = await createAlertsFeature(ctx);
          return alerts;
        }
      : factory,
  );
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
      POLL_INTERVAL_SECONDS: '86400',
      DATABASE_PATH: ':memory:',
      LOG_LEVEL: 'silent',
    },
    errorOutput: quiet(),
    features,
    slack: { host: '127.0.0.1', clientOptions: { retryConfig: { retries: 0 } } },
    // a failed read is still retried once, without the production backoff
    em: { retry: { attempts: 2, baseDelayMs: 1 } },
  });
});

afterAll(async () => {
  await running?.stop();
  await slack?.close();
});

describe('GET /healthz', () => {
  it('reports the last successful poll, then degraded when EM stops answering', async () => {
    // the poll at start
    const up = await healthWhen((h) => h.alerts.lastSuccessfulPoll != null, 'a successful poll');
    expect(up.status).toBe(200);
    expect(up.body.status).toBe('ok');
    expect(up.alerts).toMatchObject({ emReachable: true, consecutiveFailedPolls: 0 });

    await sim.close();
    for (const failed of [1, 2]) {
      await pollNow();
      const h = await healthWhen((h) => h.alerts.consecutiveFailedPolls === failed, `failed poll ${failed}`);
      // one or two failures are not yet an outage
      expect(h.status).toBe(200);
      expect(h.alerts).toMatchObject({ emReachable: true, lastSuccessfulPoll: up.alerts.lastSuccessfulPoll });
    }
    await pollNow();
    const down = await healthWhen((h) => h.body.status === 'degraded', 'the degraded state');
    // liveness: the process is fine, EM is not; Kubernetes must not restart it for that
    expect(down.status).toBe(200);
    expect(down.alerts).toMatchObject({ emReachable: false, consecutiveFailedPolls: 3 });
    expect(down.alerts.lastSuccessfulPoll).toBe(up.alerts.lastSuccessfulPoll);
    expect(String(down.alerts.lastError)).toMatch(/Enterprise Manager/);
    expect(JSON.stringify(down.body)).not.toContain('replibot:replibot');
  });
});
