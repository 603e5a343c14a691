/**
 * What the outbox does with each kind of Slack failure: the real outbox worker, store (SQLite) and Slack notifier
 * against the fake Slack Web API answering errors, 5xx and 429s. Time moves through the worker's Clock; the
 * worker is drained (not started), so no timers run. The last test runs replibot as `npm start` wires it and
 * reads `/healthz` while the fake refuses the token.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxRow } from '../../src/features/alerts/alert-store.js';
import { isAlertingHealthy, toHealthChecks } from '../../src/features/alerts/feature.js';
import { createOutboxWorker, type OutboxWorker } from '../../src/features/alerts/outbox-worker.js';
import type { PollerHealth } from '../../src/features/alerts/poller.js';
import { renderAlertHomeBlocks } from '../../src/features/alerts/slack/render-alert-home.js';
import { createAlertWebClient, createSlackNotifier } from '../../src/features/alerts/slack/slack-notifier.js';
import { silentLogger } from '../../src/logger.js';
import { startReplibot } from '../../src/main.js';
import { startSimulator } from '../../src/simulator/index.js';
import { type FakeSlackApi, type RecordedCall, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { openStore, type TestStore } from '../fakes/open-store.js';
import { TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';

const RETRY_BASE_MS = 1000;

function createManualClock() {
  let t = Date.parse('2026-03-02T09:00:00Z');
  return {
    now: () => new Date(t),
    advance: (ms: number) => {
      t += ms;
    },
  };
}

interface Harness {
  slack: FakeSlackApi;
  store: TestStore;
  clock: ReturnType<typeof createManualClock>;
  worker: OutboxWorker;
}

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function startHarness(): Promise<Harness> {
  const slack = await startFakeSlackApi();
  open.push(() => slack.close());
  const store = await openStore();
  open.push(async () => await store.close());
  const clock = createManualClock();
  const worker = createOutboxWorker({
    store,
    notifier: createSlackNotifier({ client: createAlertWebClient('xoxb-test', slack.apiUrl) }),
    clock,
    logger: silentLogger,
    timeZone: 'UTC',
    paceMs: 0,
    retryBaseMs: RETRY_BASE_MS,
    maxRetryMs: 60_000,
  });
  return { slack, store, clock, worker };
}

/** Queues a failure alert the way the poller does; returns its alert id. */
async function queueAlert(h: Harness, channelId: string, vmName: string): Promise<number> {
  const now = h.clock.now();
  const alert = await h.store.alerts.create(
    {
      channelId,
      jobSessionUid: `run-${vmName}`,
      jobName: 'SQL Prod',
      serverName: 'vbr01',
      runStartedAt: new Date(now.getTime() - 600_000),
      vms: [
        {
          taskUid: `task-${vmName}`,
          vmName,
          result: 'Failed',
          reason: 'Cannot create snapshot',
          failedRuns: 1,
          endTime: now,
        },
      ],
    },
    now,
  );
  await h.store.outbox.enqueue(
    { key: `alert:${alert.id}`, channelId, action: 'post', alertId: alert.id },
    now,
  );
  return alert.id;
}

/** Queues the recovery of an alert the way the poller does: an update of the alert and a thread reply. */
async function queueRecovery(h: Harness, alertId: number, run: string): Promise<void> {
  const now = h.clock.now();
  const alert = (await h.store.alerts.get(alertId))!;
  const key = `alert:${alertId}:recovery:${run}`;
  await h.store.outbox.enqueue(
    { key: `${key}:update`, channelId: alert.channelId, action: 'update', alertId },
    now,
  );
  await h.store.outbox.enqueue(
    {
      key: `${key}:reply`,
      channelId: alert.channelId,
      action: 'reply',
      alertId,
      notice: {
        kind: 'recovery',
        alert,
        vmNames: alert.vms.map((v) => v.vmName),
        recoveredAt: now,
        byRetry: null,
      },
    },
    now,
  );
}

const posts = (h: Harness, channel?: string): RecordedCall[] =>
  h.slack.callsTo('chat.postMessage').filter((c) => channel === undefined || c.params.channel === channel);
const text = (call: RecordedCall | undefined) => String(call?.params.text ?? '');
const row = async (h: Harness, key: string): Promise<OutboxRow> =>
  (await h.store.outbox.all()).find((r) => r.key === key)!;

const pollerUp: PollerHealth = {
  running: true,
  lastSuccessAt: null,
  lastAttemptAt: null,
  consecutiveFailures: 0,
  lastError: null,
  emReachable: true,
  watermark: null,
  intervalMs: 60_000,
  lastSweepAt: null,
  clockOffsetMs: null,
  largestReportLagMs: null,
  warnings: [],
  storeError: null,
  unreadableRows: 0,
};

/** Answers chat.postMessage like Slack, except `error` for one channel. */
function refuseChannel(slack: FakeSlackApi, channel: string, error: string): void {
  let counter = 0;
  slack.override('chat.postMessage', (params) => {
    if (params.channel === channel) return { body: { ok: false, error } };
    counter += 1;
    const ts = `1900000000.${String(counter).padStart(6, '0')}`;
    return { body: { ok: true, channel: params.channel, ts, message: { ts, text: params.text } } };
  });
}

describe('outbox delivery errors', () => {
  it('sends an update whose message was deleted as a new message, without holding up the next alert', async () => {
    const h = await startHarness();
    const first = await queueAlert(h, 'C1', 'sql01');
    await h.worker.drain();
    const originalTs = (await h.store.alerts.get(first))!.ts;
    expect(originalTs).not.toBeNull();

    await queueRecovery(h, first, 'run-2');
    const second = await queueAlert(h, 'C1', 'web02');
    h.slack.failWith('chat.update', 'message_not_found');
    await h.worker.drain();

    expect(h.slack.callsTo('chat.update')).toHaveLength(1);
    // the original post, the alert again (the update), the recovery in the new thread, the next alert
    const c1 = posts(h, 'C1');
    expect(c1).toHaveLength(4);
    expect(text(c1[1])).toContain('The original alert message was deleted, so this is a new copy of it.');
    expect(text(c1[1])).toContain('sql01');
    expect(c1[1]?.params.thread_ts).toBeUndefined();
    const newTs = (await h.store.alerts.get(first))!.ts;
    expect(newTs).not.toBe(originalTs);
    expect(c1[2]?.params.thread_ts).toBe(newTs);
    expect(text(c1[3])).toContain('web02');
    expect((await h.store.alerts.get(second))!.ts).not.toBeNull();
    expect(await h.store.outbox.open()).toEqual([]);
    expect((await h.worker.health()).deadLettered).toBe(0);
    expect(h.slack.violations).toEqual([]);

    // later updates edit the new message
    await queueRecovery(h, first, 'run-3');
    await h.worker.drain();
    expect(h.slack.callsTo('chat.update').at(-1)?.params.ts).toBe(newTs);
  });

  it('posts a recovery whose alert message is gone in the channel, saying so', async () => {
    const h = await startHarness();
    const alertId = await queueAlert(h, 'C1', 'sql01');
    await h.worker.drain();
    // the update works (Slack keeps a tombstone), the reply is refused: its thread is gone
    await queueRecovery(h, alertId, 'run-2');
    h.slack.failWith('chat.postMessage', 'thread_not_found');
    await h.worker.drain();

    const c1 = posts(h, 'C1');
    expect(c1).toHaveLength(3);
    expect(c1[1]?.params.thread_ts).toBe((await h.store.alerts.get(alertId))!.ts);
    expect(c1[2]?.params.thread_ts).toBeUndefined();
    expect(text(c1[2])).toContain(
      'The alert message this belongs to was deleted, so this is posted in the channel.',
    );
    expect((await row(h, `alert:${alertId}:recovery:run-2:reply`)).status).toBe('sent');
  });

  it('dead-letters an alert for a channel that is gone and still delivers the other channels', async () => {
    const h = await startHarness();
    refuseChannel(h.slack, 'CGONE', 'channel_not_found');
    const gone = await queueAlert(h, 'CGONE', 'sql01');
    await queueAlert(h, 'C2', 'web01');
    await queueAlert(h, 'C2', 'web02');
    await h.worker.drain();

    const dead = await row(h, `alert:${gone}`);
    expect(dead.status).toBe('dead');
    expect(dead.deadReason).toContain('channel_not_found');
    expect(posts(h, 'C2').map(text).join('\n')).toMatch(/web01[\s\S]*web02/);
    expect(await h.store.outbox.open()).toEqual([]);

    // never tried again
    h.clock.advance(3_600_000);
    await h.worker.drain();
    expect(posts(h, 'CGONE')).toHaveLength(1);

    const health = { poller: pollerUp, outbox: await h.worker.health() };
    expect(health.outbox.deadLettered).toBe(1);
    expect(toHealthChecks(health)).toMatchObject({
      outboxDeadLettered: 1,
      outboxLastDeadReason: expect.stringContaining('channel_not_found'),
      slackTokenProblem: null,
    });
    // Slack text carries word joiners around `_` (src/slack/mrkdwn.ts); read it as a person sees it
    const home = JSON.stringify(renderAlertHomeBlocks(health, 'UTC')).replaceAll('\u2060', '');
    expect(home).toContain('1 alert message(s) were refused by Slack and not sent');
    expect(home).toContain('channel_not_found');
  });

  it('holds everything while the token is refused, reports the token, and delivers once it works', async () => {
    const h = await startHarness();
    h.slack.failWith('chat.postMessage', 'invalid_auth', 2);
    const a = await queueAlert(h, 'C1', 'sql01');
    const b = await queueAlert(h, 'C2', 'web01');
    await h.worker.drain();

    const waiting = await h.worker.health();
    expect(waiting.authProblem).toContain('invalid_auth');
    expect(waiting.authProblem).toContain('SLACK_BOT_TOKEN');
    expect(waiting.deadLettered).toBe(0);
    expect(isAlertingHealthy({ poller: pollerUp, outbox: waiting }, h.clock.now())).toBe(false);
    expect(toHealthChecks({ poller: pollerUp, outbox: waiting }).slackTokenProblem).toContain('reinstall');
    expect(
      JSON.stringify(renderAlertHomeBlocks({ poller: pollerUp, outbox: waiting }, 'UTC')).replaceAll(
        '\u2060',
        '',
      ),
    ).toContain('SLACK_BOT_TOKEN');
    expect((await row(h, `alert:${a}`)).status).toBe('pending');
    expect((await row(h, `alert:${b}`)).status).toBe('pending');

    // nothing is sent before the probe is due
    const tried = posts(h).length;
    await h.worker.drain();
    expect(posts(h)).toHaveLength(tried);

    h.clock.advance(60_000);
    await h.worker.drain();
    expect((await row(h, `alert:${a}`)).status).toBe('sent');
    expect((await row(h, `alert:${b}`)).status).toBe('sent');
    const healthy = await h.worker.health();
    expect(healthy.authProblem).toBeNull();
    expect(isAlertingHealthy({ poller: pollerUp, outbox: healthy }, h.clock.now())).toBe(true);
  });

  it('retries after an HTTP 500 with backoff', async () => {
    const h = await startHarness();
    h.slack.failHttp('chat.postMessage', 500);
    const id = await queueAlert(h, 'C1', 'sql01');
    await h.worker.drain();
    expect(posts(h)).toHaveLength(1);
    expect((await row(h, `alert:${id}`)).lastError).toContain('HTTP 500');
    expect((await row(h, `alert:${id}`)).status).not.toBe('dead');

    await h.worker.drain();
    expect(posts(h)).toHaveLength(1);
    h.clock.advance(RETRY_BASE_MS);
    await h.worker.drain();
    expect(posts(h)).toHaveLength(2);
    expect((await row(h, `alert:${id}`)).status).toBe('sent');
    expect((await h.store.alerts.get(id))!.ts).not.toBeNull();
  });

  it('pauses only the rate-limited channel for Retry-After', async () => {
    const h = await startHarness();
    h.slack.rateLimit('chat.postMessage', 30);
    const limited = await queueAlert(h, 'C1', 'sql01');
    await h.worker.drain();
    const other = await queueAlert(h, 'C2', 'web01');
    await h.worker.drain();
    expect((await row(h, `alert:${other}`)).status).toBe('sent');
    expect((await row(h, `alert:${limited}`)).status).toBe('pending');

    h.clock.advance(29_000);
    await h.worker.drain();
    expect((await row(h, `alert:${limited}`)).status).toBe('pending');
    h.clock.advance(1_000);
    await h.worker.drain();
    expect((await row(h, `alert:${limited}`)).status).toBe('sent');
  });
});

describe('GET /healthz', () => {
  it('is degraded with a token message while Slack refuses the token, and ok once the alert is delivered', async () => {
    const sim = await startSimulator({ port: 0, seed: 7, data: { taskSessions: 0 } });
    open.push(() => sim.close());
    const slack = await startFakeSlackApi();
    open.push(() => slack.close());
    slack.failWith('chat.postMessage', 'token_revoked', Number.POSITIVE_INFINITY);
    const running = await startReplibot({
      env: {
        VEEAM_URL: sim.url,
        VEEAM_USERNAME: 'replibot',
        VEEAM_PASSWORD: 'replibot',
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        POLL_INTERVAL_SECONDS: '1',
        ALERT_CHANNEL: 'C0ALERTS',
        DATABASE_PATH: ':memory:',
        LOG_LEVEL: 'silent',
      },
      errorOutput: new Writable({ write: (_chunk, _encoding, done) => done() }),
      slack: { host: '127.0.0.1', clientOptions: { retryConfig: { retries: 0 } } },
    });
    open.push(() => running.stop());
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${running.slack!.port}/healthz`);
      const body = (await response.json()) as { status: string; alerts?: Record<string, unknown> };
      return { status: response.status, body };
    };
    let last = await health();
    const waitForHealth = async (ok: (h: typeof last) => boolean, what: string) => {
      const until = Date.now() + 20_000;
      for (;;) {
        last = await health();
        if (ok(last)) return;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    sim.addTaskSession({
      vm: 'sql01',
      job: 'SQL Prod',
      server: 'vbr01',
      result: 'Failed',
      reason: 'Cannot create snapshot',
      endTime: new Date(),
    });
    await slack.waitForCall('chat.postMessage', (c) => c.params.channel === 'C0ALERTS');
    await waitForHealth((h) => h.body.status === 'degraded', 'degraded');
    // the liveness probe: a refused token is not cured by a restart, so it stays 200 (src/app/probes.ts)
    expect(last.status).toBe(200);
    expect(String(last.body.alerts?.slackTokenProblem)).toContain('SLACK_BOT_TOKEN');
    expect(JSON.stringify(last.body)).not.toContain('xoxb-test');

    slack.reset();
    await waitForHealth((h) => h.body.status === 'ok', 'ok again');
    expect(last.status).toBe(200);
    expect(last.body.alerts?.slackTokenProblem).toBeNull();
    expect(last.body.alerts?.outboxPending).toBe(0);
    const delivered = slack.callsTo('chat.postMessage').filter((c) => c.params.channel === 'C0ALERTS');
    expect(delivered.map((c) => String(c.params.text)).join('\n')).toContain('sql01');
  });
});
