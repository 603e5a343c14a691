/**
 * The RPO watch end to end: the composed app (src/main.ts startReplibot, Slack HTTP mode, a real SQLite file)
 * against the simulator with its live schedule and the fake Slack Web API, on a clock the test moves. A job
 * stopped through the control API gets one alert once it is overdue, the same message is edited when its VMs
 * fall outside the RPO and again when the job runs ("back within RPO"); nothing is posted twice across a
 * restart; VMs removed from EM stop alerting after the grace period.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureFactory } from '../../src/app/feature.js';
import { createAlertsFeature } from '../../src/features/alerts/feature.js';
import { createRpoFeature } from '../../src/features/rpo/feature.js';
import type { RpoService } from '../../src/features/rpo/rpo-service.js';
import { type RunningReplibot, startReplibot } from '../../src/main.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { type FakeSlackApi, type RecordedCall, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { createSlackSender, TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';
import { waitFor } from '../fakes/wait-for.js';

const H = 3_600_000;
const CHANNEL = 'C0RPOWATCH';
let now = Date.parse('2026-06-17T12:00:00Z');
const clock = { now: () => new Date(now) };

let dir: string;
let sim: RunningSimulator;
let slack: FakeSlackApi;
let app: RunningReplibot | undefined;
let rpo: RpoService | undefined;

const quiet = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

async function start(): Promise<void> {
  const captureRpo: FeatureFactory = async (ctx) => {
    const feature = await createRpoFeature(ctx);
    rpo = feature.rpo;
    return feature;
  };
  app = await startReplibot({
    env: {
      VEEAM_URL: sim.url,
      VEEAM_USERNAME: 'replibot',
      VEEAM_PASSWORD: 'replibot',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DATABASE_PATH: join(dir, 'replibot.db'),
      RPO_DEFAULT: '24h',
      RPO_GONE_GRACE: '2d',
      // the test drives the evaluations; the schedule would only add the same ones
      RPO_EVALUATE_MINUTES: '1440',
      LEASE_SECONDS: '3',
      LOG_LEVEL: process.env.RPO_TEST_LOG ?? 'silent',
    },
    clock,
    features: [createAlertsFeature, captureRpo],
    errorOutput: process.env.RPO_TEST_LOG ? process.stderr : quiet(),
    slack: { host: '127.0.0.1', clientOptions: { retryConfig: { retries: 0 } } },
  });
}

/**
 * Moves the clock. The one-writer lease expires on this clock too, so a jump of hours makes the leader lose it
 * and take it back with the next token (as after a long pause); the test waits for that before it goes on.
 */
async function advance(ms: number): Promise<void> {
  const before = (await app?.leadership.status())?.token ?? 0;
  now += ms;
  await waitFor(async () => {
    const status = await app?.leadership.status();
    return status?.role === 'leader' && (status.token ?? 0) > before;
  }, 'the lease taken again after the clock moved');
}

async function stop(): Promise<void> {
  await app?.stop();
  app = undefined;
}

/** Signed requests to the running app (its port changes with a restart). */
function sender() {
  if (!app?.slack) throw new Error('no Slack app');
  return createSlackSender(`http://127.0.0.1:${app.slack.port}/slack/events`);
}

async function control(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${sim.url}/_sim${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status).toBe(200);
}

const chat = (method: 'chat.postMessage' | 'chat.update') =>
  slack.callsTo(method).filter((call) => call.params.channel === CHANNEL);
const textOf = (call: RecordedCall | undefined) => JSON.stringify(call?.params.blocks ?? '');

/** One evaluation, then waits until the outbox has sent `posts` posts and `updates` edits to the channel. */
async function evaluate(posts: number, updates: number): Promise<void> {
  if (!rpo) throw new Error('the RPO feature did not start');
  await rpo.evaluateOnce();
  await waitFor(
    () => chat('chat.postMessage').length >= posts && chat('chat.update').length >= updates,
    `${posts} posts and ${updates} edits in ${CHANNEL}`,
  );
  // and nothing more: the outbox has had time to send anything else that was queued
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect([chat('chat.postMessage').length, chat('chat.update').length]).toEqual([posts, updates]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replibot-rpo-'));
  sim = await startSimulator({ seed: 7, now: () => new Date(now), live: true, data: { taskSessions: 2000 } });
  slack = await startFakeSlackApi();
  await start();
});

afterAll(async () => {
  await stop();
  await sim?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the RPO watch', () => {
  it('alerts once on a stopped job, edits the message, survives a restart, and says when it is back', async () => {
    const reply = await sender().command({
      text: 'subscribe rpo job "SQL Replica"',
      channel_id: CHANNEL,
      response_url: slack.responseUrl('sub'),
    });
    expect(reply.status).toBe(200);
    const answer = await slack.waitForResponse('sub');
    expect(JSON.stringify(answer)).toContain(
      'RPO alerts: replicas older than 1d (the default) for job SQL Replica',
    );

    // the run in progress at the start ends, then the job stops running
    await advance(H);
    await evaluate(0, 0);
    await control('POST', '/jobs/SQL Replica', { state: 'stopped' });

    // several intervals without a run, every VM still within 24 h: the job on its own
    await advance(14 * H);
    await evaluate(1, 0);
    const post = chat('chat.postMessage')[0];
    expect(textOf(post)).toContain('Not running: SQL Replica');
    expect(textOf(post)).toContain('has not started a run since');
    expect(textOf(post)).not.toContain('Replication Job 2');

    // a restart: nothing is posted again
    await stop();
    await start();
    await evaluate(1, 0);

    // past 24 h: the same message now lists the VMs outside their RPO
    await advance(12 * H);
    await evaluate(1, 1);
    const outside = textOf(chat('chat.update')[0]);
    expect(outside).toContain('Outside RPO: SQL Replica');
    expect(outside).toContain('sql01');
    expect(outside).toContain('no runs since');
    expect(chat('chat.update')[0]?.params.ts).toEqual(expect.stringMatching(/^\d+\.\d+$/));

    // questions answer from the same computation
    const ask = async (text: string, id: string) => {
      await sender().command({ text, channel_id: CHANNEL, response_url: slack.responseUrl(id) });
      return JSON.stringify(await slack.waitForResponse(id));
    };
    expect(await ask('is sql01 protected', 'q1')).toContain('No: sql01 is outside its RPO');
    expect(await ask('how old is the replica of sql01', 'q2')).toMatch(/The replica of sql01 is 1d 0\dh/);
    const outsideAnswer = await ask('which VMs are outside RPO', 'q3');
    expect(outsideAnswer).toContain('3 VMs outside RPO');
    expect(outsideAnswer).toContain('Job SQL Replica: no run since');
    expect(await ask('oldest replicas', 'q4')).toMatch(/1\. (sql|sqlreport)/);
    expect(await ask('is sql1 protected', 'q5')).toContain('Did you mean sql01');

    // the job runs again: the message says each VM is back
    await control('POST', '/jobs/SQL Replica', { state: 'running' });
    await advance(H);
    await evaluate(1, 2);
    const back = textOf(chat('chat.update')[1]);
    expect(back).toContain('Protected again: SQL Replica');
    expect(back).toMatch(/sql01.{0,10} back within RPO at/);
    expect(await ask('is sql01 protected', 'q6')).toContain('Yes: sql01 is within its RPO');
    expect(slack.violations).toEqual([]);
    // a bound for a broken run on a loaded machine (each clock jump waits for the lease to be taken again)
  }, 120_000);

  it('stops alerting about VMs removed from EM once the grace period has passed', async () => {
    const before = [chat('chat.postMessage').length, chat('chat.update').length] as const;
    for (const vm of ['sql 02', 'sql01', 'sqlreport03'])
      await control('DELETE', `/vms/${encodeURIComponent(vm)}`);
    await control('POST', '/jobs/SQL Replica', { state: 'stopped' });
    // the next evaluation sees them gone (from then on the grace period runs)
    await evaluate(...before);
    // within the grace period the VMs still count: outside after 24 h, one new alert
    await advance(26 * H);
    await evaluate(before[0] + 1, before[1]);
    expect(textOf(chat('chat.postMessage').at(-1))).toContain('Outside RPO: SQL Replica');
    // past the grace period (2 days gone): the alert says so and closes; then silence
    await advance(26 * H);
    await evaluate(before[0] + 1, before[1] + 1);
    const closed = textOf(chat('chat.update').at(-1));
    expect(closed).toContain('no longer replicated');
    await advance(48 * H);
    await evaluate(before[0] + 1, before[1] + 1);
  }, 120_000);
});
