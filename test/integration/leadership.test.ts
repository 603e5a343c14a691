/**
 * One writer per database, in process: two replibot instances (src/main.ts startReplibot, Slack HTTP mode) on one
 * DATABASE_PATH file, one EM simulator and the fake Slack Web API. Only the lease holder polls and posts; every
 * failure is posted once; when the leader stops, the standby takes over and posts the next failure once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningReplibot, startReplibot } from '../../src/main.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { recordSlackHistory, type SlackHistory } from '../fakes/slack-history.js';
import { TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';

let dir: string;
let sim: RunningSimulator;
let slack: FakeSlackApi;
let history: SlackHistory;
const instances: RunningReplibot[] = [];

const quiet = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

async function waitFor<T>(read: () => Promise<T> | T, ok: (value: T) => boolean, what: string): Promise<T> {
  const until = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function health(running: RunningReplibot): Promise<Record<string, Record<string, unknown>>> {
  const response = await fetch(`http://127.0.0.1:${running.slack!.port}/healthz`);
  return (await response.json()) as Record<string, Record<string, unknown>>;
}

async function start(): Promise<RunningReplibot> {
  const running = await startReplibot({
    env: {
      VEEAM_URL: sim.url,
      VEEAM_USERNAME: 'replibot',
      VEEAM_PASSWORD: 'replibot',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      ALERT_CHANNEL: 'C0ALERTS',
      POLL_INTERVAL_SECONDS: '1',
      POLL_OVERLAP_MINUTES: '0',
      LEASE_SECONDS: '1',
      DATABASE_PATH: join(dir, 'replibot.db'),
      LOG_LEVEL: 'silent',
    },
    errorOutput: quiet(),
    slack: { host: '127.0.0.1', clientOptions: { retryConfig: { retries: 0 } } },
  });
  instances.push(running);
  return running;
}

/** Makes a replication fail in the simulator through its control API. */
async function fail(vm: string): Promise<void> {
  const response = await fetch(`${sim.url}/_sim/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      vm,
      job: `Job of ${vm}`,
      result: 'Failed',
      reason: 'Failed to create VM snapshot',
    }),
  });
  expect(response.status).toBe(201);
}

/** Waits until `running` has finished two more polls, so anything a second writer would post has had its chance. */
async function waitTwoPolls(running: RunningReplibot): Promise<void> {
  const lastPoll = async () => String((await health(running)).alerts?.lastSuccessfulPoll ?? '');
  const first = await lastPoll();
  const second = await waitFor(lastPoll, (v) => v !== first, 'a poll');
  await waitFor(lastPoll, (v) => v !== second, 'another poll');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replibot-two-'));
  sim = await startSimulator({ data: { taskSessions: 100 } });
  slack = await startFakeSlackApi();
  history = recordSlackHistory(slack);
});

afterAll(async () => {
  for (const running of instances) await running.stop();
  await sim?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('two replibot processes on one database', () => {
  it('posts each failure once, and the standby takes over when the leader stops', async () => {
    const first = await start();
    expect((await first.leadership.status()).role).toBe('leader');
    const second = await start();
    const standby = await health(second);
    expect(standby.leadership).toMatchObject({
      role: 'standby',
      holder: (await first.leadership.status()).ownerId,
      token: 1,
    });
    expect((await health(first)).leadership).toMatchObject({ role: 'leader', token: 1 });
    await waitFor(
      async () => await health(first),
      (h) => h.alerts?.lastSuccessfulPoll != null,
      'the first poll',
    );

    for (const vm of ['two-vm-1', 'two-vm-2', 'two-vm-3']) await fail(vm);
    for (const vm of ['two-vm-1', 'two-vm-2', 'two-vm-3'])
      await waitFor(
        () => history.postsMentioning(vm).length,
        (n) => n > 0,
        `the alert for ${vm}`,
      );
    await waitTwoPolls(first);
    for (const vm of ['two-vm-1', 'two-vm-2', 'two-vm-3'])
      expect(history.postsMentioning(vm)).toHaveLength(1);
    expect((await second.leadership.status()).role).toBe('standby');

    await first.stop();
    await waitFor(
      async () => (await second.leadership.status()).role,
      (role) => role === 'leader',
      'the takeover',
    );
    expect((await health(second)).leadership).toMatchObject({ role: 'leader', token: 2 });
    await waitFor(
      async () => await health(second),
      (h) => h.alerts?.lastSuccessfulPoll != null,
      'a poll by the new leader',
    );
    await fail('two-vm-4');
    await waitFor(
      () => history.postsMentioning('two-vm-4').length,
      (n) => n > 0,
      'the alert for two-vm-4',
    );
    await waitTwoPolls(second);
    expect(history.postsMentioning('two-vm-4')).toHaveLength(1);
    for (const vm of ['two-vm-1', 'two-vm-2', 'two-vm-3'])
      expect(history.postsMentioning(vm)).toHaveLength(1);

    const keys = history.posted.map((m) => m.metadata?.event_payload?.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(history.violations).toEqual([]);
  });
});
