/**
 * The RPO watch end to end: the composed app (src/main.ts startReplibot, Slack HTTP mode, a real SQLite file)
 * against the simulator with its live schedule and the fake Slack Web API, on a clock the test moves. A job
 * stopped through the control API gets one alert once it is overdue, the same message is edited when its VMs
 * fall outside the RPO and again when the job runs ("back within RPO"); nothing is posted twice across a
 * restart; VMs removed from EM stop alerting after the grace period. A job stuck in progress gets one alert
 * that says so, edited when it finishes; a backup job stopped gets one backup RPO alert (restore points, backup
 * mutes apart from replication mutes), edited when it runs again.
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
    expect(await ask('is sql01 protected', 'q1')).toContain('No: the replica of sql01 is outside its RPO');
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
    expect(await ask('is sql01 protected', 'q6')).toContain('Yes: the replica of sql01 is within its RPO');
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

/** Posts and edits in one channel. */
const chatIn = (channel: string, method: 'chat.postMessage' | 'chat.update') =>
  slack.callsTo(method).filter((call) => call.params.channel === channel);

/** One evaluation of `kind`, then waits until `channel` has `posts` posts and `updates` edits, and no more. */
async function evaluateIn(
  channel: string,
  kind: 'replication' | 'backup',
  posts: number,
  updates: number,
): Promise<void> {
  if (!rpo) throw new Error('the RPO feature did not start');
  await rpo.evaluateOnce(kind);
  await waitFor(
    () =>
      chatIn(channel, 'chat.postMessage').length >= posts && chatIn(channel, 'chat.update').length >= updates,
    `${posts} posts and ${updates} edits in ${channel}`,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect([chatIn(channel, 'chat.postMessage').length, chatIn(channel, 'chat.update').length]).toEqual([
    posts,
    updates,
  ]);
}

async function commandIn(channel: string, text: string, id: string): Promise<string> {
  const reply = await sender().command({ text, channel_id: channel, response_url: slack.responseUrl(id) });
  expect(reply.status).toBe(200);
  return JSON.stringify(await slack.waitForResponse(id));
}

describe('the RPO watch: a stuck run, and backups', () => {
  it('says once that a run is stuck in progress, across a restart, and edits it when the job finishes', async () => {
    const STUCK = 'C0RPOSTUCK';
    const job = 'Domain Controllers';
    expect(await commandIn(STUCK, `subscribe rpo 24h job "${job}"`, 'stuck-sub')).toContain(
      'replicas older than 1d for job Domain Controllers',
    );
    await advance(H);
    await evaluateIn(STUCK, 'replication', 0, 0);
    await control('POST', `/jobs/${encodeURIComponent(job)}`, { state: 'stuck' });
    // its next run starts and stays Working; the watch calls it stuck once it has run far longer than usual
    let hours = 0;
    for (;;) {
      await advance(H);
      hours += 1;
      const verdict = await rpo?.evaluateOnce();
      const judged = verdict?.jobs.find((j) => j.jobName === job);
      if (judged?.stuckSince != null) break;
      expect(chatIn(STUCK, 'chat.postMessage')).toHaveLength(0);
      if (hours > 40) throw new Error('the run was never called stuck');
    }
    await waitFor(() => chatIn(STUCK, 'chat.postMessage').length === 1, 'the stuck alert');
    const post = textOf(chatIn(STUCK, 'chat.postMessage')[0]);
    expect(post).toContain('Domain Controllers');
    expect(post).toMatch(/a run started .* is still in progress/);
    expect(post).not.toContain('has not started a run');
    const updatesBefore = chatIn(STUCK, 'chat.update').length;

    // a restart: the same alert, not a second one
    await stop();
    await start();
    await evaluateIn(STUCK, 'replication', 1, updatesBefore);

    // the job finishes (stopped by the admin) and runs again: the same message, edited
    await control('POST', `/jobs/${encodeURIComponent(job)}`, { state: 'running' });
    await advance(H);
    await evaluateIn(STUCK, 'replication', 1, updatesBefore + 1);
    const edited = chatIn(STUCK, 'chat.update').at(-1);
    expect(edited?.params.ts).toEqual(expect.stringMatching(/^\d+\.\d+$/));
    expect(textOf(edited)).toContain('Protected again: Domain Controllers');
    expect(textOf(edited)).not.toContain('still in progress');
    expect(slack.violations).toEqual([]);
  }, 180_000);

  it('alerts once on a stopped backup job from its restore points, with backup mutes, and edits it when it runs', async () => {
    const BACKUP = 'C0RPOBACKUP';
    expect(await commandIn(BACKUP, 'subscribe rpo 24h backups job "Nightly"', 'b-sub')).toContain(
      'RPO alerts: backups older than 1d for job Nightly',
    );
    // a backup mute and a replication mute: only the first silences a backup alert
    expect(await commandIn(BACKUP, 'mute backups vm apache02 4d', 'b-m1')).toContain(
      'muted the backups of VM *apache02*',
    );
    expect(await commandIn(BACKUP, 'mute vm nginx01 4d', 'b-m2')).toContain(
      'muted the replication of VM *nginx01*',
    );
    const mutes = await commandIn(BACKUP, 'mutes', 'b-m3');
    expect(mutes).toContain('the backups of VM *apache02*');
    expect(mutes).toContain('the replication of VM *nginx01*');

    await advance(H);
    await evaluateIn(BACKUP, 'backup', 0, 0);
    await control('POST', '/jobs/Nightly', { state: 'stopped' });
    // past 24 h without a run: every VM of the job is outside, one message
    await advance(26 * H);
    await evaluateIn(BACKUP, 'backup', 1, 0);
    const post = textOf(chatIn(BACKUP, 'chat.postMessage')[0]);
    expect(post).toContain('Backups outside RPO: Nightly');
    expect(post).toContain('Backup job Nightly');
    expect(post).toMatch(/\*nginx01\*: last restore point .* old, RPO 1d\); no runs since/);
    // muted for backups here: left out of the alert (nginx01's replication mute does not silence its backups)
    expect(post).not.toContain('apache02');
    expect(post).not.toContain('replicated');

    // the questions read the same backup computation
    expect(await commandIn(BACKUP, 'is nginx01 backed up', 'b-q1')).toContain(
      'No: the backup of nginx01 is outside its RPO',
    );
    expect(await commandIn(BACKUP, 'how old is the backup of nginx01', 'b-q2')).toMatch(
      /The backup of nginx01 is 1d \d+h old/,
    );
    const outside = await commandIn(BACKUP, 'backups outside RPO', 'b-q3');
    // dc01 is outside in two jobs (Nightly and its copy): machines are counted once, its backups each
    expect(outside).toMatch(
      /"text":"7 backups of 6 VMs outside RPO \(\d+ of \d+ VMs within RPO for backups; \d+ of \d+ backups\)/,
    );
    expect(outside).toContain('nginx01 (Nightly)');
    // replication is still the default: nginx01's replica (another job, still running) is fine
    const replica = await commandIn(BACKUP, 'is nginx01 protected', 'b-q4');
    expect(replica).toContain('Yes: the replica of nginx01 is within its RPO');
    expect(replica).toContain('last good copy');

    await stop();
    await start();
    await evaluateIn(BACKUP, 'backup', 1, 0);

    await control('POST', '/jobs/Nightly', { state: 'running' });
    await advance(H);
    await evaluateIn(BACKUP, 'backup', 1, 1);
    const back = textOf(chatIn(BACKUP, 'chat.update')[0]);
    expect(back).toContain('Backed up again: Nightly');
    expect(back).toMatch(/nginx01.{0,10} back within RPO at/);
    expect(await commandIn(BACKUP, 'is nginx01 backed up', 'b-q5')).toContain(
      'Yes: nginx01 is backed up within its RPO',
    );
    expect(slack.violations).toEqual([]);
  }, 180_000);
});
