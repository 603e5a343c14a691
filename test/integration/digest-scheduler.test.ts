/**
 * Scheduled digests end to end: the real EM client against the simulator over HTTP, the real store on SQLite,
 * the real WebClient against the fake Slack API. The clock is a variable the test moves; nothing waits real time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DigestScheduleSpec } from '../../src/core/digest/digest-schedule.js';
import { NO_DIGEST_FILTERS } from '../../src/core/digest/summarize-digest.js';
import type { Clock } from '../../src/core/ports.js';
import { createDigestScheduler, type DigestScheduler } from '../../src/digest/digest-scheduler.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { isPermanentDigestError, postDigest } from '../../src/slack/digest/post-digest.js';
import { createDigestStore, type DigestStore } from '../../src/store/digest-store.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';

const CHANNEL = 'C0DIGEST1';

let now = new Date('2025-03-26T12:00:00Z');
const clock: Clock = { now: () => now };

let dir: string;
let sim: RunningSimulator;
let em: EmClient;
let slack: FakeSlackApi;
let client: webApi.WebClient;
let store: Store;
let digests: DigestStore;
const schedulers: DigestScheduler[] = [];

function daily(timeZone: string, hour = 8, extra: Partial<DigestScheduleSpec> = {}): DigestScheduleSpec {
  return { period: 'day', weekday: null, hour, minute: 0, timeZone, filters: NO_DIGEST_FILTERS, ...extra };
}

function scheduler(graceMinutes = 120): DigestScheduler {
  const s = createDigestScheduler({
    store: digests,
    em,
    clock,
    logger: silentLogger,
    graceMinutes,
    timers: false,
    isPermanentError: isPermanentDigestError,
    send: async (schedule, digest, options) => {
      const posted = await postDigest(client, schedule.channelId, digest, {
        ...options,
        logger: silentLogger,
      });
      return {
        ts: posted.ts,
        note: posted.chartError === null ? null : `chart not uploaded: ${posted.chartError}`,
      };
    },
  });
  schedulers.push(s);
  return s;
}

/** Moves the clock in steps, running the scheduler at each, as its timers would. */
async function advance(s: DigestScheduler, until: string, stepMinutes = 60): Promise<void> {
  const end = new Date(until).getTime();
  while (now.getTime() < end) {
    now = new Date(Math.min(end, now.getTime() + stepMinutes * 60_000));
    await s.runDue();
  }
}

function posts() {
  return slack.callsTo('chat.postMessage').filter((c) => c.params.channel === CHANNEL);
}

function headerOf(call: { params: Record<string, unknown> }): string {
  const blocks = call.params.blocks as Array<{ type: string; text?: { text: string } }>;
  return blocks.find((b) => b.type === 'header')!.text!.text;
}

function addRun(
  vm: string,
  at: string,
  result: 'Success' | 'Warning' | 'Failed' = 'Success',
  job = 'Web Tier DR',
) {
  const creationTime = new Date(at);
  sim.addTaskSession({
    vm,
    job,
    creationTime,
    endTime: new Date(creationTime.getTime() + 10 * 60_000),
    state: 'Completed',
    result,
    ...(result === 'Success' ? {} : { reason: `${vm} ${result.toLowerCase()}` }),
  });
}

beforeEach(async () => {
  now = new Date('2025-03-26T12:00:00Z');
  dir = mkdtempSync(join(tmpdir(), 'replibot-digest-'));
  sim = await startSimulator({ port: 0, seed: 7, now: () => now, data: { taskSessions: 0 } });
  em = createEmClient({
    url: sim.url,
    username: 'replibot',
    password: 'replibot',
    format: 'xml',
    timeoutMs: 10_000,
    pageSize: 200,
    caFile: undefined,
    insecureTls: false,
  });
  slack = await startFakeSlackApi();
  client = new webApi.WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  store = openStore(join(dir, 'replibot.db'));
  digests = createDigestStore(store.db);
});

afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
  store.close();
  await em.close();
  await sim.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('digest scheduler', () => {
  it('posts a daily digest at 08:00 Berlin time every day through the spring DST change', async () => {
    digests.schedules.add(CHANNEL, daily('Europe/Berlin'), 'U1', now);
    for (let day = 20; day <= 31; day++) addRun('web-frontend-01', `2025-03-${day}T03:00:00Z`);
    addRun('web-frontend-01', '2025-04-01T03:00:00Z');
    const s = scheduler();
    await s.start();
    await advance(s, '2025-04-02T12:00:00Z');

    const schedule = digests.schedules.list(CHANNEL)[0]!;
    const ends = digests.deliveries
      .list(schedule.id)
      .map((d) => [d.status, d.late, d.periodEnd.toISOString()]);
    expect(ends).toEqual([
      ['sent', false, '2025-03-27T07:00:00.000Z'],
      ['sent', false, '2025-03-28T07:00:00.000Z'],
      ['sent', false, '2025-03-29T07:00:00.000Z'],
      // clocks go forward on Sunday 30 March: 08:00 is now 06:00 UTC
      ['sent', false, '2025-03-30T06:00:00.000Z'],
      ['sent', false, '2025-03-31T06:00:00.000Z'],
      ['sent', false, '2025-04-01T06:00:00.000Z'],
      ['sent', false, '2025-04-02T06:00:00.000Z'],
    ]);
    expect(posts().map(headerOf)).toEqual([
      'Daily replication digest · Thu 27 Mar',
      'Daily replication digest · Fri 28 Mar',
      'Daily replication digest · Sat 29 Mar',
      'Daily replication digest · Sun 30 Mar',
      'Daily replication digest · Mon 31 Mar',
      'Daily replication digest · Tue 1 Apr',
      'Daily replication digest · Wed 2 Apr',
    ]);
    // every run counted once: the 23-hour day still holds the run of 30 March
    expect(posts().map((c) => String(c.params.text).match(/(\d+) runs?/)?.[1] ?? '0')).toEqual([
      '1',
      '1',
      '1',
      '1',
      '1',
      '1',
      '0',
    ]);
    expect(slack.violations).toEqual([]);
  });

  it('posts a weekly Monday digest at 08:00 New York time across the autumn DST change', async () => {
    now = new Date('2025-10-20T14:00:00Z');
    digests.schedules.add(CHANNEL, { ...daily('America/New_York'), period: 'week', weekday: 1 }, 'U1', now);
    const s = scheduler();
    await s.start();
    await advance(s, '2025-11-11T00:00:00Z');
    const schedule = digests.schedules.list(CHANNEL)[0]!;
    expect(digests.deliveries.list(schedule.id).map((d) => d.periodEnd.toISOString())).toEqual([
      '2025-10-27T12:00:00.000Z',
      // clocks go back on Sunday 2 November: 08:00 is now 13:00 UTC
      '2025-11-03T13:00:00.000Z',
      '2025-11-10T13:00:00.000Z',
    ]);
    expect(posts().map(headerOf)).toEqual([
      'Weekly replication digest · week to Mon 27 Oct',
      'Weekly replication digest · week to Mon 3 Nov',
      'Weekly replication digest · week to Mon 10 Nov',
    ]);
  });

  it('does not post again after a restart in the same period', async () => {
    digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    addRun('dc01', '2025-03-27T02:00:00Z', 'Failed');
    const first = scheduler();
    await first.start();
    await advance(first, '2025-03-27T08:30:00Z');
    expect(posts()).toHaveLength(1);
    await first.stop();

    // a new process: the store is opened again from its file
    store.close();
    store = openStore(join(dir, 'replibot.db'));
    digests = createDigestStore(store.db);
    now = new Date('2025-03-27T08:45:00Z');
    const second = scheduler();
    await second.start();
    await advance(second, '2025-03-27T20:00:00Z');
    expect(posts()).toHaveLength(1);
    await advance(second, '2025-03-28T08:00:00Z');
    expect(posts()).toHaveLength(2);
  });

  it('sends a digest missed within the grace period on start, marked late', async () => {
    digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    addRun('dc02', '2025-03-27T02:00:00Z', 'Failed');
    // replibot was down from before 08:00 and comes back at 09:30
    now = new Date('2025-03-27T09:30:00Z');
    const outcomes = await (async () => {
      const s = scheduler(120);
      await s.start();
      return digests.deliveries.list(digests.schedules.list(CHANNEL)[0]!.id);
    })();
    expect(outcomes).toMatchObject([
      { status: 'sent', late: true, periodEnd: new Date('2025-03-27T08:00:00Z') },
    ]);
    expect(posts()).toHaveLength(1);
    expect(headerOf(posts()[0]!)).toBe('Daily replication digest · Thu 27 Mar (late)');
    expect(JSON.stringify(posts()[0]!.params.blocks)).toContain('sent late');
  });

  it('skips a digest missed beyond the grace period and sends the next one on time', async () => {
    digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    now = new Date('2025-03-27T10:01:00Z');
    const s = scheduler(120);
    await s.start();
    expect(posts()).toHaveLength(0);
    const schedule = digests.schedules.list(CHANNEL)[0]!;
    expect(digests.deliveries.latest(schedule.id)).toMatchObject({
      status: 'skipped',
      periodEnd: new Date('2025-03-27T08:00:00Z'),
    });
    expect(digests.deliveries.latest(schedule.id)!.note).toContain('missed');
    await advance(s, '2025-03-28T08:00:00Z');
    expect(posts().map(headerOf)).toEqual(['Daily replication digest · Fri 28 Mar']);
  });

  it('uploads the chart into the digest thread', async () => {
    digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    addRun('web-frontend-02', '2025-03-26T20:00:00Z', 'Warning');
    const s = scheduler();
    await s.start();
    await advance(s, '2025-03-27T08:00:00Z');
    const post = posts()[0]!;
    const complete = await slack.waitForCall('files.completeUploadExternal');
    expect(complete.params.channel_id).toBe(CHANNEL);
    expect(typeof complete.params.thread_ts).toBe('string');
    // the chart is threaded under the digest message Slack answered for
    expect(complete.params.thread_ts).toBe(
      digests.deliveries.latest(digests.schedules.list(CHANNEL)[0]!.id)!.ts,
    );
    expect(slack.callsTo('files.getUploadURLExternal')[0]!.params.filename).toBe(
      'replication-daily-2025-03-27.png',
    );
    expect(JSON.stringify(complete.params.files)).toContain(
      'Replication results per day, 7 days to 2025-03-27',
    );
    expect(slack.uploads).toHaveLength(1);
    expect(slack.uploads[0]!.bytes).toBeGreaterThan(5_000);
    expect(JSON.stringify(post.params.blocks)).toContain('results per day in the thread');
  });

  it('still posts the digest when the chart upload fails, and notes why', async () => {
    digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    addRun('haproxy01', '2025-03-26T20:00:00Z', 'Failed');
    slack.override('files.getUploadURLExternal', { body: { ok: false, error: 'missing_scope' } });
    const s = scheduler();
    await s.start();
    await advance(s, '2025-03-27T08:00:00Z');
    expect(posts()).toHaveLength(1);
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(0);
    const delivery = digests.deliveries.latest(digests.schedules.list(CHANNEL)[0]!.id)!;
    expect(delivery.status).toBe('sent');
    expect(delivery.note).toBe('chart not uploaded: missing_scope');
  });

  it('posts nothing for a failures-only digest when nothing failed', async () => {
    digests.schedules.add(
      CHANNEL,
      daily('UTC', 8, { filters: { ...NO_DIGEST_FILTERS, failedOnly: true } }),
      'U1',
      now,
    );
    addRun('dc01', '2025-03-26T20:00:00Z', 'Success');
    addRun('dc01', '2025-03-27T20:00:00Z', 'Failed');
    const s = scheduler();
    await s.start();
    await advance(s, '2025-03-28T08:00:00Z');
    expect(posts().map(headerOf)).toEqual(['Daily replication digest · Fri 28 Mar']);
    const list = digests.deliveries.list(digests.schedules.list(CHANNEL)[0]!.id);
    expect(list.map((d) => [d.status, d.note])).toEqual([
      ['skipped', 'nothing failed'],
      ['sent', null],
    ]);
  });

  it('limits a digest to one job', async () => {
    digests.schedules.add(
      CHANNEL,
      daily('UTC', 8, { filters: { ...NO_DIGEST_FILTERS, jobName: 'Domain Controllers' } }),
      'U1',
      now,
    );
    addRun('dc01', '2025-03-26T20:00:00Z', 'Failed', 'Domain Controllers');
    addRun('web-frontend-01', '2025-03-26T20:00:00Z', 'Failed', 'Web Tier DR');
    const s = scheduler();
    await s.start();
    await advance(s, '2025-03-27T08:00:00Z');
    const blocks = JSON.stringify(posts()[0]!.params.blocks);
    expect(blocks).toContain('*dc01*');
    expect(blocks).not.toContain('web-frontend-01');
    expect(blocks).toContain('Filters: job \\"Domain Controllers\\"');
  });

  it('stops retrying and records why when replibot is not in the channel', async () => {
    digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    slack.override('chat.postMessage', { body: { ok: false, error: 'not_in_channel' } });
    const s = scheduler();
    await s.start();
    await advance(s, '2025-03-27T09:00:00Z', 10);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    const schedule = digests.schedules.list(CHANNEL)[0]!;
    expect(schedule.lastError).toContain('/invite @replibot');
    expect(digests.deliveries.latest(schedule.id)).toMatchObject({ status: 'skipped' });
  });

  it('retries within the grace period when Slack fails for a while', async () => {
    digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    slack.override('chat.postMessage', { status: 500, body: { ok: false, error: 'internal_error' } }, 2);
    const s = scheduler();
    await s.start();
    await advance(s, '2025-03-27T09:00:00Z', 10);
    const sent = digests.deliveries.list(digests.schedules.list(CHANNEL)[0]!.id);
    expect(sent).toMatchObject([{ status: 'sent', periodEnd: new Date('2025-03-27T08:00:00Z') }]);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(3);
    expect(digests.schedules.list(CHANNEL)[0]!.lastError).toBeNull();
  });

  it('does not send a digest for a time that passed before the schedule was set up', async () => {
    now = new Date('2025-03-27T08:05:00Z');
    digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    const s = scheduler();
    await s.start();
    expect(posts()).toHaveLength(0);
    expect(s.nextRun(digests.schedules.list(CHANNEL)[0]!)).toEqual(new Date('2025-03-28T08:00:00Z'));
  });
});
