/**
 * Scheduled digests end to end: the real EM client against the simulator over HTTP, the real store on SQLite,
 * the real WebClient against the fake Slack API. The clock is a variable the test moves; nothing waits real time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { createDigestScheduler, type DigestScheduler } from '../../src/features/digests/digest-scheduler.js';
import { createDigestStore, type DigestStore } from '../../src/features/digests/digest-store.js';
import type { DigestScheduleSpec } from '../../src/features/digests/domain/digest-schedule.js';
import { toDigestWindow } from '../../src/features/digests/domain/digest-window.js';
import { NO_DIGEST_FILTERS } from '../../src/features/digests/domain/summarize-digest.js';
import {
  completeDigestChart,
  findPostedDigest,
  isPermanentDigestError,
  postDigest,
} from '../../src/features/digests/slack/post-digest.js';
import { createLogger, type Logger, silentLogger } from '../../src/logger.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { findBlockKitViolations } from '../../src/slack/limits.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import type { TestStore as AlertStore } from '../fakes/open-store.js';
import { openStore } from '../fakes/open-store.js';
import { parsePrometheusText, sampleSum } from '../fakes/prometheus-text.js';

const CHANNEL = 'C0DIGEST1';

let now = new Date('2025-03-26T12:00:00Z');
const clock: Clock = { now: () => now };

let dir: string;
let sim: RunningSimulator;
let em: EmClient;
let slack: FakeSlackApi;
let client: webApi.WebClient;
let store: AlertStore;
let digests: DigestStore;
const schedulers: DigestScheduler[] = [];

function daily(timeZone: string, hour = 8, extra: Partial<DigestScheduleSpec> = {}): DigestScheduleSpec {
  return { period: 'day', weekday: null, hour, minute: 0, timeZone, filters: NO_DIGEST_FILTERS, ...extra };
}

/** The scheduler as src/digest/digest-feature.ts wires it, on the real WebClient. */
function scheduler(graceMinutes = 120, logger: Logger = silentLogger, metrics?: Metrics): DigestScheduler {
  const s = createDigestScheduler({
    ...(metrics ? { metrics } : {}),
    store: digests,
    em,
    clock,
    logger,
    graceMinutes,
    timers: false,
    isPermanentError: isPermanentDigestError,
    send: async (schedule, digest, options) => {
      const posted = await postDigest(client, schedule.channelId, digest, { ...options, logger });
      return {
        ts: posted.ts,
        note: posted.chartError === null ? null : `chart not uploaded: ${posted.chartError}`,
      };
    },
    recovery: {
      findPosted: (schedule, key, since) => findPostedDigest(client, schedule.channelId, key, since),
      completeChart: async (schedule, digest, ts) => {
        const chart = await completeDigestChart(client, schedule.channelId, ts, digest, { logger });
        return { note: chart.chartError === null ? null : `chart not uploaded: ${chart.chartError}` };
      },
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
  store = await openStore(join(dir, 'replibot.db'));
  digests = createDigestStore(store.db);
});

afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
  await store.close();
  await em.close();
  await sim.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('digest scheduler', () => {
  it('posts a daily digest at 08:00 Berlin time every day through the spring DST change', async () => {
    await digests.schedules.add(CHANNEL, daily('Europe/Berlin'), 'U1', now);
    for (let day = 20; day <= 31; day++) addRun('web-frontend-01', `2025-03-${day}T03:00:00Z`);
    addRun('web-frontend-01', '2025-04-01T03:00:00Z');
    const s = scheduler();
    await s.start();
    await advance(s, '2025-04-02T12:00:00Z');

    const schedule = (await digests.schedules.list(CHANNEL))[0]!;
    const ends = (await digests.deliveries.list(schedule.id)).map((d) => [
      d.status,
      d.late,
      d.periodEnd.toISOString(),
    ]);
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
    expect(posts().map((c) => String(c.params.text).match(/(\d+) VM replications?/)?.[1] ?? '0')).toEqual([
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
    await digests.schedules.add(
      CHANNEL,
      { ...daily('America/New_York'), period: 'week', weekday: 1 },
      'U1',
      now,
    );
    const s = scheduler();
    await s.start();
    await advance(s, '2025-11-11T00:00:00Z');
    const schedule = (await digests.schedules.list(CHANNEL))[0]!;
    expect((await digests.deliveries.list(schedule.id)).map((d) => d.periodEnd.toISOString())).toEqual([
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
    await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    addRun('dc01', '2025-03-27T02:00:00Z', 'Failed');
    const first = scheduler();
    await first.start();
    await advance(first, '2025-03-27T08:30:00Z');
    expect(posts()).toHaveLength(1);
    await first.stop();

    // a new process: the store is opened again from its file
    await store.close();
    store = await openStore(join(dir, 'replibot.db'));
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
    await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    addRun('dc02', '2025-03-27T02:00:00Z', 'Failed');
    // replibot was down from before 08:00 and comes back at 09:30
    now = new Date('2025-03-27T09:30:00Z');
    const outcomes = await (async () => {
      const s = scheduler(120);
      await s.start();
      return await digests.deliveries.list((await digests.schedules.list(CHANNEL))[0]!.id);
    })();
    expect(outcomes).toMatchObject([
      { status: 'sent', late: true, periodEnd: new Date('2025-03-27T08:00:00Z') },
    ]);
    expect(posts()).toHaveLength(1);
    expect(headerOf(posts()[0]!)).toBe('Daily replication digest · Thu 27 Mar (late)');
    expect(JSON.stringify(posts()[0]!.params.blocks)).toContain('sent late');
  });

  it('skips a digest missed beyond the grace period and sends the next one on time', async () => {
    await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    now = new Date('2025-03-27T10:01:00Z');
    const s = scheduler(120);
    await s.start();
    expect(posts()).toHaveLength(0);
    const schedule = (await digests.schedules.list(CHANNEL))[0]!;
    expect(await digests.deliveries.latest(schedule.id)).toMatchObject({
      status: 'skipped',
      periodEnd: new Date('2025-03-27T08:00:00Z'),
    });
    expect((await digests.deliveries.latest(schedule.id))!.note).toContain('missed');
    await advance(s, '2025-03-28T08:00:00Z');
    expect(posts().map(headerOf)).toEqual(['Daily replication digest · Fri 28 Mar']);
  });

  it('uploads the chart into the digest thread', async () => {
    await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
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
      (await digests.deliveries.latest((await digests.schedules.list(CHANNEL))[0]!.id))!.ts,
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

  it("names a backup digest's kind and job in the chart's title, file name and alt text", async () => {
    await digests.schedules.add(
      CHANNEL,
      daily('UTC', 8, { filters: { ...NO_DIGEST_FILTERS, kind: 'backup', jobName: 'Nightly' } }),
      'U1',
      now,
    );
    const creationTime = new Date('2025-03-26T20:00:00Z');
    sim.addBackupTaskSession({
      vm: 'apache03',
      job: 'Nightly',
      creationTime,
      endTime: new Date(creationTime.getTime() + 10 * 60_000),
      result: 'Failed',
      reason: 'snapshot failed',
    });
    const s = scheduler();
    await s.start();
    await advance(s, '2025-03-27T08:00:00Z');
    const complete = await slack.waitForCall('files.completeUploadExternal');
    const upload = slack.callsTo('files.getUploadURLExternal')[0]!.params;
    expect(upload.filename).toBe('backup-daily-2025-03-27.png');
    const files = JSON.stringify(complete.params.files);
    expect(files).toContain('Backup results per day, 7 days to 2025-03-27');
    // the alt text Slack keeps with the file (sent with the upload URL request)
    expect(upload.alt_text).toMatch(/^Bar chart of backup results per day \(job Nightly\), 7 days to /);
    expect(upload.alt_text).toContain('1 failed');
    expect(`${files} ${String(upload.alt_text)}`).not.toMatch(/replication/i);
  });

  it('still posts the digest when the chart upload fails, and notes why', async () => {
    await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    addRun('haproxy01', '2025-03-26T20:00:00Z', 'Failed');
    slack.override('files.getUploadURLExternal', { body: { ok: false, error: 'missing_scope' } });
    const s = scheduler();
    await s.start();
    await advance(s, '2025-03-27T08:00:00Z');
    expect(posts()).toHaveLength(1);
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(0);
    const delivery = (await digests.deliveries.latest((await digests.schedules.list(CHANNEL))[0]!.id))!;
    expect(delivery.status).toBe('sent');
    expect(delivery.note).toBe('chart not uploaded: missing_scope');
  });

  it('posts nothing for a failures-only digest when nothing failed', async () => {
    await digests.schedules.add(
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
    const list = await digests.deliveries.list((await digests.schedules.list(CHANNEL))[0]!.id);
    expect(list.map((d) => [d.status, d.note])).toEqual([
      ['skipped', 'nothing failed'],
      ['sent', null],
    ]);
  });

  it('counts each digest run by its status in the metrics', async () => {
    digests.schedules.add(
      CHANNEL,
      daily('UTC', 8, { filters: { ...NO_DIGEST_FILTERS, failedOnly: true } }),
      'U1',
      now,
    );
    addRun('dc01', '2025-03-26T20:00:00Z', 'Success');
    addRun('dc01', '2025-03-27T20:00:00Z', 'Failed');
    const metrics = createMetrics();
    const s = scheduler(120, silentLogger, metrics);
    await s.start();
    await advance(s, '2025-03-28T08:00:00Z');
    const samples = parsePrometheusText(await metrics.render());
    expect(sampleSum(samples, 'replibot_digest_runs_total', { status: 'skipped' })).toBe(1);
    expect(sampleSum(samples, 'replibot_digest_runs_total', { status: 'sent' })).toBe(1);
    expect(sampleSum(samples, 'replibot_digest_runs_total', { status: 'failed' })).toBe(0);
  });

  it('limits a digest to one job', async () => {
    await digests.schedules.add(
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
    await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    slack.override('chat.postMessage', { body: { ok: false, error: 'not_in_channel' } });
    const s = scheduler();
    await s.start();
    await advance(s, '2025-03-27T09:00:00Z', 10);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    const schedule = (await digests.schedules.list(CHANNEL))[0]!;
    expect(schedule.lastError).toContain('/invite @replibot');
    expect(await digests.deliveries.latest(schedule.id)).toMatchObject({ status: 'skipped' });
  });

  it('retries within the grace period when Slack fails for a while', async () => {
    await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    slack.override('chat.postMessage', { status: 500, body: { ok: false, error: 'internal_error' } }, 2);
    const s = scheduler();
    await s.start();
    await advance(s, '2025-03-27T09:00:00Z', 10);
    const sent = await digests.deliveries.list((await digests.schedules.list(CHANNEL))[0]!.id);
    expect(sent).toMatchObject([{ status: 'sent', periodEnd: new Date('2025-03-27T08:00:00Z') }]);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(3);
    expect((await digests.schedules.list(CHANNEL))[0]!.lastError).toBeNull();
  });

  it('does not send a digest for a time that passed before the schedule was set up', async () => {
    now = new Date('2025-03-27T08:05:00Z');
    await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    const s = scheduler();
    await s.start();
    expect(posts()).toHaveLength(0);
    expect(s.nextRun((await digests.schedules.list(CHANNEL))[0]!)).toEqual(new Date('2025-03-28T08:00:00Z'));
  });
});

interface KeptMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  metadata: unknown;
  files: Array<{ id: string; name: string }>;
}

/**
 * Makes the fake Slack keep what is posted, like Slack does: conversations.history answers with the channel's
 * messages (their metadata only with `include_all_metadata`, as Slack does) and conversations.replies with a
 * thread, charts included. Message ts come from the test clock, so `oldest` filters as it would in Slack.
 * `loseAnswers` posts that many messages but answers 500, as when Slack accepted a post whose answer was lost.
 */
function keepSlackHistory(options: { loseAnswers?: number } = {}) {
  const messages: KeptMessage[] = [];
  const filenames = new Map<string, string>();
  let counter = 0;
  let lose = options.loseAnswers ?? 0;
  const control = { failUploads: false, messages };
  const nextTs = () => `${Math.floor(now.getTime() / 1000)}.${String(++counter).padStart(6, '0')}`;

  slack.override('chat.postMessage', (params) => {
    const problems = findBlockKitViolations(params as { text?: string; blocks?: unknown[] });
    slack.violations.push(...problems);
    if (problems.length > 0) return { body: { ok: false, error: 'invalid_blocks', errors: problems } };
    const ts = nextTs();
    messages.push({
      channel: String(params.channel),
      ts,
      threadTs: typeof params.thread_ts === 'string' ? params.thread_ts : null,
      metadata: params.metadata ?? null,
      files: [],
    });
    if (lose > 0) {
      lose -= 1;
      return { status: 500, body: { ok: false, error: 'internal_error' } };
    }
    return { body: { ok: true, channel: params.channel, ts, message: { ts, text: params.text } } };
  });
  slack.override('files.getUploadURLExternal', (params) => {
    if (control.failUploads) return { body: { ok: false, error: 'missing_scope' } };
    const id = `F${filenames.size + 1}`;
    filenames.set(id, String(params.filename));
    return { body: { ok: true, upload_url: `${slack.url}/upload/${id}`, file_id: id } };
  });
  slack.override('files.completeUploadExternal', (params) => {
    const files = (params.files as Array<{ id: string; title?: string }>).map((f) => ({
      id: f.id,
      name: filenames.get(f.id) ?? f.id,
    }));
    // Slack shares the file as a message in the thread
    messages.push({
      channel: String(params.channel_id),
      ts: nextTs(),
      threadTs: typeof params.thread_ts === 'string' ? params.thread_ts : null,
      metadata: null,
      files,
    });
    return { body: { ok: true, files } };
  });
  const wire = (m: KeptMessage, params: Record<string, unknown>) => ({
    type: 'message',
    ts: m.ts,
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.files.length > 0 ? { files: m.files } : {}),
    ...(m.metadata && String(params.include_all_metadata) === 'true' ? { metadata: m.metadata } : {}),
  });
  const since = (params: Record<string, unknown>, m: KeptMessage) =>
    Number(m.ts) > Number(params.oldest ?? 0);
  slack.override('conversations.history', (params) => ({
    body: {
      ok: true,
      has_more: false,
      messages: messages
        .filter((m) => m.channel === params.channel && m.threadTs === null && since(params, m))
        .reverse()
        .map((m) => wire(m, params)),
    },
  }));
  slack.override('conversations.replies', (params) => ({
    body: {
      ok: true,
      has_more: false,
      messages: messages
        .filter(
          (m) =>
            m.channel === params.channel &&
            (m.ts === params.ts || m.threadTs === params.ts) &&
            since(params, m),
        )
        .map((m) => wire(m, params)),
    },
  }));
  return control;
}

/** A new process: the store opened again from its file. */
async function reopenStore(): Promise<void> {
  await store.close();
  store = await openStore(join(dir, 'replibot.db'));
  digests = createDigestStore(store.db);
}

/** What a process killed after claiming a period leaves behind: the row in `sending`, no ts, nothing done. */
function leaveUnfinished(scheduleId: number): void {
  store.sqlite
    .prepare(
      "UPDATE sent_digests SET status = 'sending', ts = NULL, note = NULL, done_at = NULL WHERE schedule_id = ?",
    )
    .run(scheduleId);
}

function recordingLogger(): { logger: Logger; lines: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', sink), lines: () => chunks.join('') };
}

describe('digest scheduler after a crash', () => {
  it('does not post again when the process died right after Slack accepted the digest', async () => {
    const history = keepSlackHistory();
    const schedule = await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    addRun('dc01', '2025-03-27T02:00:00Z', 'Failed');
    const first = scheduler();
    await first.start();
    now = new Date('2025-03-27T08:00:00Z');
    await first.runDue();
    expect(posts()).toHaveLength(1);
    const original = history.messages.find((m) => m.threadTs === null)!.ts;
    const claimedAt = (await digests.deliveries.latest(schedule.id))!.claimedAt;
    await first.stop();
    leaveUnfinished(schedule.id);
    await reopenStore();

    now = new Date('2025-03-27T08:07:00Z');
    const second = scheduler();
    await second.start();
    expect(posts()).toHaveLength(1);
    expect(await digests.deliveries.list(schedule.id)).toMatchObject([
      { status: 'sent', ts: original, late: false, note: null },
    ]);
    const [read] = slack.callsTo('conversations.history');
    expect(slack.callsTo('conversations.history')).toHaveLength(1);
    expect(read!.params.channel).toBe(CHANNEL);
    // read from before the claim, not from the restart
    expect(Number(read!.params.oldest)).toBeLessThanOrEqual(claimedAt.getTime() / 1000);
    // the chart was already in the thread: not uploaded twice
    expect(slack.callsTo('conversations.replies')[0]!.params.ts).toBe(original);
    expect(slack.uploads).toHaveLength(1);

    await advance(second, '2025-03-28T08:00:00Z');
    expect(posts()).toHaveLength(2);
    expect(slack.violations).toEqual([]);
  });

  it('adds the chart to the thread of a digest found after a crash before the upload', async () => {
    const history = keepSlackHistory();
    const schedule = await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    addRun('dc01', '2025-03-27T02:00:00Z', 'Failed');
    history.failUploads = true;
    const first = scheduler();
    await first.start();
    now = new Date('2025-03-27T08:00:00Z');
    await first.runDue();
    await first.stop();
    expect(slack.uploads).toHaveLength(0);
    const original = history.messages[0]!.ts;
    expect((await digests.deliveries.latest(schedule.id))!.note).toBe('chart not uploaded: missing_scope');
    leaveUnfinished(schedule.id);
    await reopenStore();

    history.failUploads = false;
    now = new Date('2025-03-27T08:05:00Z');
    await scheduler().start();
    expect(posts()).toHaveLength(1);
    const complete = slack.callsTo('files.completeUploadExternal');
    expect(complete).toHaveLength(1);
    expect(complete[0]!.params.thread_ts).toBe(original);
    expect(slack.uploads).toHaveLength(1);
    expect(await digests.deliveries.latest(schedule.id)).toMatchObject({
      status: 'sent',
      ts: original,
      note: null,
    });
  });

  it('posts exactly once when the process died after claiming, before Slack was asked', async () => {
    keepSlackHistory();
    const schedule = await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    addRun('dc02', '2025-03-27T02:00:00Z', 'Failed');
    now = new Date('2025-03-27T08:00:00Z');
    const periodEnd = new Date('2025-03-27T08:00:00Z');
    const { start } = toDigestWindow('day', periodEnd, 'UTC');
    expect(await digests.deliveries.claim(schedule.id, start, periodEnd, false, now)).toBe(true);
    await reopenStore();

    now = new Date('2025-03-27T08:20:00Z');
    const s = scheduler();
    await s.start();
    await advance(s, '2025-03-27T12:00:00Z', 10);
    expect(posts()).toHaveLength(1);
    expect(headerOf(posts()[0]!)).toBe('Daily replication digest · Thu 27 Mar (late)');
    expect(slack.callsTo('conversations.history')).toHaveLength(1);
    const [delivery] = await digests.deliveries.list(schedule.id);
    expect(delivery).toMatchObject({ status: 'sent', late: true, periodEnd });
    expect(delivery!.ts).toMatch(/^\d+\.\d{6}$/);
    expect(posts()[0]!.params.metadata).toEqual({
      event_type: 'replibot_digest',
      event_payload: { key: `digest:${schedule.id}:2025-03-27T08:00:00.000Z` },
    });
  });

  it('records an unfinished digest as missed when replibot is back beyond the grace period', async () => {
    keepSlackHistory();
    const schedule = await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    const periodEnd = new Date('2025-03-27T08:00:00Z');
    const { start } = toDigestWindow('day', periodEnd, 'UTC');
    await digests.deliveries.claim(schedule.id, start, periodEnd, false, periodEnd);
    await reopenStore();

    now = new Date('2025-03-27T10:30:00Z');
    await scheduler(120).start();
    expect(posts()).toHaveLength(0);
    expect(slack.callsTo('conversations.history')).toHaveLength(1);
    const delivery = (await digests.deliveries.latest(schedule.id))!;
    expect(delivery.status).toBe('skipped');
    expect(delivery.note).toContain('missed: replibot stopped while posting it');
  });

  it('posts again, and logs why, when the channel history cannot be read', async () => {
    slack.override('conversations.history', {
      body: { ok: false, error: 'missing_scope', needed: 'channels:history' },
    });
    keepSlackHistory();
    const schedule = await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    const first = scheduler();
    await first.start();
    now = new Date('2025-03-27T08:00:00Z');
    await first.runDue();
    await first.stop();
    leaveUnfinished(schedule.id);
    await reopenStore();

    now = new Date('2025-03-27T08:05:00Z');
    const log = recordingLogger();
    await scheduler(120, log.logger).start();
    // at least once: a duplicate is preferred to a digest that never arrives
    expect(posts()).toHaveLength(2);
    expect(await digests.deliveries.latest(schedule.id)).toMatchObject({ status: 'sent', late: true });
    expect(log.lines()).toContain('missing_scope: add channels:history to the app');
    expect(log.lines()).toContain('posting it, so it may appear twice');
  });

  it('does not post twice when Slack accepted a digest but its answer was lost', async () => {
    const history = keepSlackHistory({ loseAnswers: 1 });
    const schedule = await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    addRun('web-frontend-01', '2025-03-27T02:00:00Z', 'Warning');
    const s = scheduler();
    await s.start();
    now = new Date('2025-03-27T08:00:00Z');
    expect(await s.runDue()).toMatchObject([{ status: 'failed' }]);
    expect(await digests.deliveries.latest(schedule.id)).toMatchObject({ status: 'sending' });

    now = new Date('2025-03-27T08:05:00Z');
    expect(await s.runDue()).toMatchObject([{ status: 'sent', recovered: true }]);
    await advance(s, '2025-03-27T12:00:00Z', 5);
    expect(posts()).toHaveLength(1);
    const original = history.messages[0]!.ts;
    expect(await digests.deliveries.latest(schedule.id)).toMatchObject({ status: 'sent', ts: original });
    expect((await digests.schedules.get(schedule.id))!.lastError).toBeNull();
    // the first attempt never got to the chart: it goes into the thread now
    expect(slack.callsTo('files.completeUploadExternal')[0]!.params.thread_ts).toBe(original);
  });

  it('records an older unfinished period found in the history as sent, without posting it', async () => {
    const history = keepSlackHistory();
    const schedule = await digests.schedules.add(CHANNEL, daily('UTC'), 'U1', now);
    const first = scheduler();
    await first.start();
    now = new Date('2025-03-27T08:00:00Z');
    await first.runDue();
    await first.stop();
    leaveUnfinished(schedule.id);
    await reopenStore();

    // replibot stays down for a day; the next digest is due on start
    now = new Date('2025-03-28T08:30:00Z');
    await scheduler().start();
    expect(posts().map(headerOf)).toEqual([
      'Daily replication digest · Thu 27 Mar',
      'Daily replication digest · Fri 28 Mar (late)',
    ]);
    const digestTs = history.messages.filter((m) => m.threadTs === null).map((m) => m.ts);
    expect(digestTs).toHaveLength(2);
    expect((await digests.deliveries.list(schedule.id)).map((d) => [d.status, d.ts])).toEqual([
      ['sent', digestTs[0]],
      ['sent', digestTs[1]],
    ]);
  });
});
