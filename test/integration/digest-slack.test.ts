/**
 * `/replicas digest ...` through the real Bolt app (signed HTTP requests), its WebClient pointed at the fake Slack
 * API, the real store, and the real EM client against the simulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isTimeZone, loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/core/clock.js';
import { createDigestScheduler, type DigestScheduler } from '../../src/features/digests/digest-scheduler.js';
import { createDigestStore, type DigestStore } from '../../src/features/digests/digest-store.js';
import { createDigestSubcommands } from '../../src/features/digests/slack/digest-subcommands.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createSlackApp, type SlackAppHandle } from '../../src/slack/app.js';
import { WORD_JOINER } from '../../src/slack/mrkdwn.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import type { TestStore as AlertStore } from '../fakes/open-store.js';
import { openStore } from '../fakes/open-store.js';
import { createSlackSender, TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';

/** text as a reader sees it: without the invisible word joiners escapeMrkdwn puts around `_` and `*` */
const shown = (text: unknown) => String(text).replaceAll(WORD_JOINER, '');

const CHANNEL = 'C0OPS';
const OTHER = 'C0OTHER';
const now = new Date('2025-03-26T09:15:00Z');
const clock: Clock = { now: () => now };

let dir: string;
let sim: RunningSimulator;
let em: EmClient;
let slack: FakeSlackApi;
let store: AlertStore;
let digests: DigestStore;
let scheduler: DigestScheduler;
let app: SlackAppHandle;
let sender: ReturnType<typeof createSlackSender>;
let reloads = 0;
let responseCounter = 0;

/** Sends `/replicas <text>` and returns what replibot answered through the response_url. */
async function command(text: string, options: { user?: string; channel?: string } = {}) {
  responseCounter++;
  const id = `r${responseCounter}`;
  const sent = await sender.command({
    text,
    user_id: options.user ?? 'U222',
    channel_id: options.channel ?? CHANNEL,
    response_url: slack.responseUrl(id),
  });
  expect(sent.status).toBe(200);
  const response = await slack.waitForResponse(id);
  return response.body as { text: string; response_type?: string; blocks?: unknown[] };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replibot-digest-slack-'));
  sim = await startSimulator({ port: 0, seed: 3, now: () => now, data: { taskSessions: 600 } });
  slack = await startFakeSlackApi();
  slack.setUser('U222', { tz: 'America/New_York' });
  slack.setUser('U333', { tz: 'Asia/Tokyo' });
  const config = loadConfig({
    VEEAM_URL: sim.url,
    VEEAM_USERNAME: 'replibot',
    VEEAM_PASSWORD: 'replibot',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ADMIN_USER_IDS: 'U222,U333',
  });
  em = createEmClient({ ...config.veeam!, logger: silentLogger });
  store = await openStore(join(dir, 'replibot.db'));
  digests = createDigestStore(store.db);
  scheduler = createDigestScheduler({
    store: digests,
    em,
    clock,
    logger: silentLogger,
    graceMinutes: 120,
    timers: false,
    send: async () => ({ ts: '1.1', note: null }),
  });
  const countingScheduler = {
    reload: async () => {
      reloads++;
      await scheduler.reload();
    },
    nextRun: scheduler.nextRun,
  };
  app = createSlackApp({
    config,
    em,
    logger: silentLogger,
    clock,
    host: '127.0.0.1',
    subcommands: createDigestSubcommands({
      store: digests,
      em,
      clock,
      isTimeZone,
      scheduler: countingScheduler,
      adminUserIds: config.adminUserIds,
    }),
    clientOptions: { retryConfig: { retries: 0 } },
  });
  await app.start();
  sender = createSlackSender(`http://127.0.0.1:${app.port}/slack/events`);
});

afterAll(async () => {
  await app?.stop();
  await scheduler?.stop();
  store?.close();
  await em?.close();
  await sim?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  for (const s of await digests.schedules.list()) await digests.schedules.remove(s.id, s.channelId);
  reloads = 0;
});

describe('/replicas digest', () => {
  it('schedules a daily digest in the time zone of whoever sets it up, and tells the channel', async () => {
    const reply = await command('digest daily 08:00');
    expect(reply.response_type).toBe('in_channel');
    const [schedule] = await digests.schedules.list(CHANNEL);
    expect(schedule).toMatchObject({
      period: 'day',
      hour: 8,
      minute: 0,
      timeZone: 'America/New_York',
      createdBy: 'U222',
    });
    expect(shown(reply.text)).toBe(
      `<@U222> set up digest #${schedule!.id}: daily at 08:00 (America/New_York). First one: Wed 26 Mar 08:00. Remove it with \`/replicas digest off ${schedule!.id}\`.`,
    );
    expect(reloads).toBe(1);
  });

  it('schedules a weekly digest with filters and an explicit zone', async () => {
    const reply = await command(
      'digest weekly mon 7:30 job "Web Tier DR" server srv02.tech.local failed-only tz Europe/Berlin',
    );
    const [schedule] = await digests.schedules.list(CHANNEL);
    expect(schedule).toMatchObject({
      period: 'week',
      weekday: 1,
      hour: 7,
      minute: 30,
      timeZone: 'Europe/Berlin',
      filters: { jobName: 'Web Tier DR', serverName: 'srv02.tech.local', failedOnly: true },
    });
    expect(reply.text).toContain(
      'weekly on Monday at 07:30 (Europe/Berlin), job "Web Tier DR", server srv02.tech.local, failures only',
    );
    expect(reply.text).toContain('First one: Mon 31 Mar 07:30');
  });

  it('schedules a digest for a server and job EM has never seen, and warns with look-alikes', async () => {
    const reply = await command('digest daily 08:00 server srv02 job "SQL Replcia"');
    expect(reply.response_type).toBe('in_channel');
    expect(await digests.schedules.list(CHANNEL)).toHaveLength(1);
    expect(reply.text).toContain(
      ':warning: Enterprise Manager has no job named SQL Replcia; did you mean SQL Replica? This digest will stay empty until the name matches.',
    );
    expect(reply.text).toContain(
      ':warning: Enterprise Manager has no backup server named srv02; did you mean srv02.tech.local? This digest will stay empty until the name matches.',
    );
  });

  it('schedules a digest for names EM knows without a warning', async () => {
    const reply = await command('digest daily 08:00 server srv02.tech.local job "SQL Replica"');
    expect(reply.text).toContain('set up digest #');
    expect(reply.text).not.toContain(':warning:');
  });

  it("lists this channel's digests with their next time, and not other channels'", async () => {
    await command('digest daily 08:00');
    await command('digest weekly fri 17:00', { user: 'U333' });
    await command('digest daily 06:00', { channel: OTHER });
    const reply = await command('digests');
    expect(reply.response_type).toBe('ephemeral');
    const text = shown(JSON.stringify(reply.blocks));
    expect(text).toContain('*Digests in this channel* (2)');
    expect(text).toContain('daily at 08:00 (America/New_York) · set up by <@U222> · next Wed 26 Mar 08:00');
    expect(text).toContain(
      'weekly on Friday at 17:00 (Asia/Tokyo) · set up by <@U333> · next Fri 28 Mar 17:00',
    );
    expect(text).not.toContain('06:00');
    expect(slack.violations).toEqual([]);
  });

  it('shows the last delivery and the last error in the list', async () => {
    await command('digest daily 08:00 tz UTC');
    const [schedule] = await digests.schedules.list(CHANNEL);
    await digests.deliveries.claim(
      schedule!.id,
      new Date('2025-03-25T08:00:00Z'),
      new Date('2025-03-26T08:00:00Z'),
      true,
      now,
    );
    await digests.deliveries.markSent(schedule!.id, new Date('2025-03-25T08:00:00Z'), '1.2', null, now);
    await digests.schedules.setError(schedule!.id, 'Slack refused the digest <x>');
    const text = JSON.stringify((await command('digests')).blocks);
    expect(text).toContain('last sent Wed 26 Mar 08:00 (late)');
    expect(text).toContain(':warning: Slack refused the digest &lt;x&gt;');
  });

  it('removes a digest by its number, only from its own channel', async () => {
    await command('digest daily 08:00');
    const [schedule] = await digests.schedules.list(CHANNEL);
    const elsewhere = await command(`digest off ${schedule!.id}`, { channel: OTHER });
    expect(elsewhere.text).toContain(`This channel has no digest #${schedule!.id}`);
    expect(await digests.schedules.list(CHANNEL)).toHaveLength(1);

    const reply = await command(`digest off ${schedule!.id}`);
    expect(reply.response_type).toBe('in_channel');
    expect(shown(reply.text)).toBe(
      `<@U222> removed digest #${schedule!.id} (daily at 08:00 (America/New_York)).`,
    );
    expect(await digests.schedules.list(CHANNEL)).toEqual([]);
    expect((await command('digests')).text).toContain('This channel has no digests');
  });

  it('lets only admins change digests when ADMIN_USER_IDS is set', async () => {
    const reply = await command('digest daily 08:00', { user: 'U999' });
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain('Only replibot admins');
    expect(await digests.schedules.list()).toEqual([]);
  });

  it('explains what it could not read', async () => {
    expect((await command('digest weekly 08:00')).text).toContain('A weekly digest needs a day');
    expect((await command('digest daily 25:00')).text).toContain('Say when, as a time of day');
    expect((await command('digest daily 08:00 tz Mars/Olympus')).text).toContain(
      '`Mars/Olympus` is not a time zone',
    );
    expect((await command('digest off two')).text).toContain('digest off 2');
    expect(await digests.schedules.list()).toEqual([]);
  });

  it('previews a digest of the last day from EM, privately', async () => {
    const reply = await command('digest now');
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toMatch(/^Daily replication digest · Wed 26 Mar: \d+ VM replications, [\d.]+% ok/);
    const blocks = shown(JSON.stringify(reply.blocks));
    expect(blocks).toContain('Tue 25 Mar 05:15 – Wed 26 Mar 05:15 (America/New_York)');
    expect(blocks).toContain('Longest VM replications');
    // the simulator's hostile names arrive escaped
    expect(blocks).not.toContain('<!channel>');
    expect(slack.violations).toEqual([]);
  });
});
