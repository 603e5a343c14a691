/**
 * Backup failure alerts end to end, with the guarantees of replication alerts: the real backup poller and store
 * against the EM simulator's backup sessions over HTTP, the real outbox and Slack notifier against the fake Slack
 * Web API, and `/replicas subscribe backups ...` by signed request to the real Bolt app.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/core/clock.js';
import { type AlertService, createAlertService } from '../../src/features/alerts/alert-service.js';
import { toHealthChecks } from '../../src/features/alerts/feature.js';
import { createAlertSubcommands } from '../../src/features/alerts/slack/alert-subcommands.js';
import { createAlertWebClient, createSlackNotifier } from '../../src/features/alerts/slack/slack-notifier.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import type { SlackAppHandle } from '../../src/slack/app.js';
import { WORD_JOINER } from '../../src/slack/mrkdwn.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { openStore, type TestStore } from '../fakes/open-store.js';
import { recordSlackHistory, type SlackHistory } from '../fakes/slack-history.js';
import { createSlackSender, TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';

function createTestClock(start = Date.parse('2026-11-20T10:00:00Z')): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
}

interface Harness {
  sim: RunningSimulator;
  slack: FakeSlackApi;
  history: SlackHistory;
  clock: ReturnType<typeof createTestClock>;
  em: EmClient;
  store: TestStore;
  service: AlertService;
  app: SlackAppHandle;
  command(channel: string, text: string, name?: string): Promise<string>;
  restart(): Promise<void>;
}

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function startHarness(): Promise<Harness> {
  const clock = createTestClock();
  const dir = mkdtempSync(join(tmpdir(), 'replibot-backup-alerts-'));
  open.push(async () => rmSync(dir, { recursive: true, force: true }));
  const sim = await startSimulator({ seed: 3, data: { taskSessions: 0 }, now: () => clock.now() });
  open.push(() => sim.close());
  const slack = await startFakeSlackApi();
  open.push(() => slack.close());
  const history = recordSlackHistory(slack);
  const config = loadConfig({
    VEEAM_URL: sim.url,
    VEEAM_USERNAME: 'replibot',
    VEEAM_PASSWORD: 'replibot',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
  });
  const h = { sim, slack, history, clock } as Harness;
  const dbPath = join(dir, 'replibot.db');
  const boot = async () => {
    h.em = createEmClient({ ...config.veeam!, logger: silentLogger, retry: { attempts: 1, baseDelayMs: 1 } });
    h.store = await openStore(dbPath);
    h.service = createAlertService({
      em: h.em,
      store: h.store,
      notifier: createSlackNotifier({ client: createAlertWebClient('xoxb-test', slack.apiUrl) }),
      clock,
      logger: silentLogger,
      pollIntervalSeconds: 60,
      pollOverlapMinutes: 30,
      timeZone: 'UTC',
      paceMs: 0,
      retryBaseMs: 20,
      timers: false,
    });
    await h.service.start();
  };
  await boot();
  const shutdown = async () => {
    await h.service.stop();
    await h.em.close().catch(() => undefined);
    await h.store.close();
  };
  h.restart = async () => {
    await shutdown();
    await boot();
  };
  open.push(() => shutdown());
  const { createSlackApp } = await import('../../src/slack/app.js');
  h.app = createSlackApp({
    config,
    em: h.em,
    logger: silentLogger,
    clock,
    host: '127.0.0.1',
    // the store of the first boot: these tests subscribe before any restart
    subcommands: createAlertSubcommands({ store: h.store, em: h.em, clock, adminUserIds: [] }),
    clientOptions: { retryConfig: { retries: 0 } },
  });
  await h.app.start();
  open.push(() => h.app.stop());
  const sender = createSlackSender(`http://127.0.0.1:${h.app.port}/slack/events`);
  h.command = async (channel, text, name = '/replicas') => {
    const id = `${name}-${channel}-${text}`;
    const res = await sender.command({
      command: name,
      text,
      channel_id: channel,
      user_id: 'U1',
      response_url: slack.responseUrl(id),
    });
    expect(res.status).toBe(200);
    return String((await slack.waitForResponse(id)).body.text).replaceAll(WORD_JOINER, '');
  };
  return h;
}

const posts = (h: Harness, channel?: string) =>
  h.history.posted.filter((m) => m.threadTs === null && (channel === undefined || m.channel === channel));

/** One driven pass: both pollers, then delivery of everything due. */
async function pass(h: Harness): Promise<void> {
  expect((await h.service.poller.pollOnce()).ok).toBe(true);
  expect((await h.service.backupPoller.pollOnce()).ok).toBe(true);
  await h.service.outbox.drain();
}

async function laterPasses(h: Harness, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    h.clock.advance(60_000);
    await pass(h);
  }
}

describe('backup failure alerts', () => {
  it('posts a backup run once, grouped per run, to the channel subscribed to backups of that job only', async () => {
    const h = await startHarness();
    expect(await h.command('C1', 'subscribe backups job "Nightly"')).toContain(
      'subscribed this channel to backup failures of job Nightly',
    );
    expect(await h.command('C2', 'subscribe')).toContain('subscribed this channel to failures of every job');
    const run = h.sim.addBackupTaskSession({
      vm: 'apache02',
      job: 'Nightly',
      result: 'Failed',
      reason: 'Snapshot <failed> & more',
      endTime: h.clock.now(),
    });
    h.sim.addBackupTaskSession({
      vm: 'apache03',
      job: 'Nightly',
      jobSessionUid: run.jobSessionUid,
      result: 'Failed',
      reason: 'Snapshot failed',
      endTime: h.clock.now(),
    });
    h.sim.addBackupTaskSession({
      vm: 'x1',
      job: 'Other',
      result: 'Failed',
      reason: 'no',
      endTime: h.clock.now(),
    });
    h.sim.addTaskSession({
      vm: 'sql01',
      job: 'SQL Replica',
      result: 'Failed',
      reason: 'r',
      endTime: h.clock.now(),
    });
    h.clock.advance(60_000);
    await pass(h);
    await laterPasses(h, 2);

    expect(posts(h, 'C1')).toHaveLength(1);
    const alert = posts(h, 'C1')[0];
    expect(alert?.raw).toContain('Backup failed: Nightly');
    expect(alert?.text).toContain('2 VMs failed');
    expect(alert?.text).toContain('Snapshot &lt;failed&gt; &amp; more');
    expect(alert?.text).not.toContain('x1');
    expect(alert?.text).not.toContain('sql01');
    // the replication channel hears only replication (replication stays the default)
    expect(posts(h, 'C2')).toHaveLength(1);
    expect(posts(h, 'C2')[0]?.raw).toContain('Replication failed: SQL Replica');
    expect((await h.store.subscriptions.list('C1'))[0]?.kind).toBe('backup');

    expect(toHealthChecks(await h.service.health()).backupPolls).toMatchObject({
      lastSuccessfulPoll: h.clock.now().toISOString(),
      consecutiveFailedPolls: 0,
    });

    await h.restart();
    await laterPasses(h, 3);
    expect(posts(h)).toHaveLength(2);
    expect(h.history.violations).toEqual([]);
  });

  it('edits the backup alert in place and replies in its thread when a retry fixes the VM', async () => {
    const h = await startHarness();
    await h.command('C1', 'subscribe backups');
    h.sim.addBackupTaskSession({
      vm: 'srv04',
      job: 'Agent Backup Servers',
      jobType: 'AgentBackup',
      result: 'Failed',
      reason: 'Agent offline',
      endTime: h.clock.now(),
    });
    h.clock.advance(60_000);
    await pass(h);
    expect(posts(h)).toHaveLength(1);
    const alert = posts(h)[0];
    expect(alert?.raw).toContain('Agent backup failed: Agent Backup Servers');
    h.clock.advance(10 * 60_000);
    h.sim.addBackupTaskSession({
      vm: 'srv04',
      job: 'Agent Backup Servers',
      result: 'Success',
      isRetry: true,
      endTime: h.clock.now(),
    });
    h.clock.advance(60_000);
    await pass(h);
    const updates = h.slack.callsTo('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.params.ts).toBe(alert?.ts);
    expect(JSON.stringify(updates[0]?.params.blocks)).toContain('~srv04~ recovered at');
    const replies = h.history.posted.filter((m) => m.threadTs === alert?.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toContain('(retry run)');
    await laterPasses(h, 2);
    expect(posts(h)).toHaveLength(1);
    expect(h.slack.callsTo('chat.update')).toHaveLength(1);
  });

  it('shows an immediate-copy worker under its parent copy job, in the words people use', async () => {
    const h = await startHarness();
    await h.command('C1', 'subscribe backups');
    h.sim.addBackupTaskSession({
      vm: 'nginx01',
      job: 'Offsite Copy\\Nightly',
      jobType: 'ImmediateBackupCopyWorker',
      result: 'Failed',
      reason: 'Repository offline',
      endTime: h.clock.now(),
    });
    h.sim.addBackupTaskSession({
      vm: '\\\\fs01\\projects',
      job: 'File Share Backup',
      jobType: 'NasBackup',
      result: 'Warning',
      reason: 'Locked files skipped',
      endTime: h.clock.now(),
    });
    h.clock.advance(60_000);
    await pass(h);
    expect(posts(h)).toHaveLength(1);
    const raw = posts(h)[0]?.raw ?? '';
    expect(raw).toContain('Backup copy failed: Offsite Copy');
    expect(raw).toContain('copying Nightly');
    expect(posts(h)[0]?.text).toContain('Backup copy job Offsite Copy (copying Nightly)');
    // warnings only for `subscribe backups warnings`
    await h.command('C2', 'subscribe backups warnings job "File Share*"');
    h.sim.addBackupTaskSession({
      vm: '\\\\fs01\\home',
      job: 'File Share Backup',
      result: 'Warning',
      reason: 'Locked files skipped',
      endTime: h.clock.now(),
    });
    h.clock.advance(60_000);
    await pass(h);
    expect(posts(h, 'C2')).toHaveLength(1);
    expect(posts(h, 'C2')[0]?.raw).toContain('File share backup warning: File Share Backup');
  });

  it('groups immediate-copy worker failures into one alert per parent run, adds a later worker to it, and edits it on recovery', async () => {
    const h = await startHarness();
    await h.command('C1', 'subscribe backups');
    const t = (minutesAgo: number) => new Date(h.clock.now().getTime() - minutesAgo * 60_000);
    // the copy job's own run (EM's ImmediateBackupCopy session), open for the day
    const parent = h.sim.addBackupTaskSession({
      vm: 'copy-parent',
      job: 'Offsite Copy',
      jobType: 'ImmediateBackupCopy',
      result: 'Success',
      creationTime: t(120),
      endTime: t(119),
    });
    // an older run of the same copy job: not the parent of today's workers
    h.sim.addBackupTaskSession({
      vm: 'copy-parent',
      job: 'Offsite Copy',
      result: 'Success',
      creationTime: t(24 * 60 + 120),
      endTime: t(24 * 60 + 119),
    });
    const worker = (source: string, vm: string, result: 'Failed' | 'Success', minutesAgo: number) =>
      h.sim.addBackupTaskSession({
        vm,
        job: `Offsite Copy\\${source}`,
        jobType: 'ImmediateBackupCopyWorker',
        result,
        reason: result === 'Failed' ? `Repository offline (${vm})` : '',
        creationTime: t(minutesAgo + 5),
        endTime: t(minutesAgo),
      });
    worker('Nightly', 'apache02', 'Failed', 0);
    worker('SQL Backup', 'sql01', 'Failed', 0);
    h.clock.advance(60_000);
    await pass(h);
    expect(posts(h, 'C1')).toHaveLength(1);
    const alert = posts(h, 'C1')[0];
    expect(alert?.raw).toContain('Backup copy failed: Offsite Copy');
    expect(alert?.raw).not.toContain('Offsite Copy\\\\');
    expect(alert?.raw).toContain('*apache02* _(copying Nightly)_');
    expect(alert?.raw).toContain('*sql01* _(copying SQL Backup)_');
    expect(alert?.text).toContain('2 VMs failed');
    const stored = await h.store.alerts.findByRun('C1', parent.jobSessionUid);
    expect(stored).not.toBeNull();

    // a third worker fails later in the same parent run: the same message, edited, not a second post
    h.clock.advance(10 * 60_000);
    worker('Web Tier Backup', 'web-frontend-01', 'Failed', 0);
    h.clock.advance(60_000);
    await pass(h);
    expect(posts(h, 'C1')).toHaveLength(1);
    const edits = h.slack.callsTo('chat.update');
    expect(edits).toHaveLength(1);
    expect(edits[0]?.params.ts).toBe(alert?.ts);
    expect(JSON.stringify(edits[0]?.params.blocks)).toContain('copying Web Tier Backup');
    expect(String(edits[0]?.params.text)).toContain('3 VMs failed');

    // the next Nightly copy succeeds for apache02: the parent run's alert is edited, with a reply in its thread
    h.clock.advance(10 * 60_000);
    worker('Nightly', 'apache02', 'Success', 0);
    h.clock.advance(60_000);
    await pass(h);
    expect(posts(h, 'C1')).toHaveLength(1);
    const recovered = h.slack.callsTo('chat.update');
    expect(recovered).toHaveLength(2);
    expect(JSON.stringify(recovered[1]?.params.blocks)).toContain('~apache02~ recovered at');
    expect(h.history.posted.filter((m) => m.threadTs === alert?.ts)).toHaveLength(1);

    await h.restart();
    await laterPasses(h, 2);
    expect(posts(h, 'C1')).toHaveLength(1);
    expect(h.slack.callsTo('chat.update')).toHaveLength(2);
    expect(h.history.violations).toEqual([]);
  });

  it('asks EM nothing about backups while no channel subscribes to them', async () => {
    const h = await startHarness();
    await h.command('C1', 'subscribe');
    h.sim.addBackupTaskSession({
      vm: 'a',
      job: 'Nightly',
      result: 'Failed',
      reason: 'x',
      endTime: h.clock.now(),
    });
    h.clock.advance(60_000);
    await h.service.poller.pollOnce();
    const before = h.sim.stats.requests;
    expect((await h.service.backupPoller.pollOnce()).read).toBe(0);
    expect(h.sim.stats.requests).toBe(before);
    await h.service.outbox.drain();
    expect(posts(h)).toHaveLength(0);
  });

  it('answers /veeam exactly as /replicas: the same subcommands, help and questions', async () => {
    const h = await startHarness();
    expect(await h.command('C1', 'subscribe backups job "Nightly"', '/veeam')).toContain(
      'subscribed this channel to backup failures of job Nightly',
    );
    expect(await h.store.subscriptions.list('C1')).toHaveLength(1);
    const help = await h.command('C1', 'help', '/veeam');
    expect(help).toBe(await h.command('C1', 'help', '/replicas'));
    expect(help).toContain('/veeam');
    expect(await h.command('C1', 'failed today', '/veeam')).toBe(await h.command('C1', 'failed today'));
  });

  it('starts afresh when a channel subscribes to backups again: no backlog of the time nobody listened', async () => {
    const h = await startHarness();
    await h.command('C1', 'subscribe backups');
    await pass(h);
    expect(await h.command('C1', 'unsubscribe 1')).toContain('unsubscribed this channel');
    h.clock.advance(60_000);
    h.sim.addBackupTaskSession({
      vm: 'old01',
      job: 'Nightly',
      result: 'Failed',
      reason: 'x',
      endTime: h.clock.now(),
    });
    await pass(h);
    h.clock.advance(3 * 3_600_000);
    await h.command('C1', 'subscribe backups');
    h.sim.addBackupTaskSession({
      vm: 'new01',
      job: 'Nightly',
      result: 'Failed',
      reason: 'y',
      endTime: h.clock.now(),
    });
    h.clock.advance(60_000);
    await pass(h);
    await laterPasses(h, 2);
    expect(posts(h).map((p) => p.text.includes('new01'))).toEqual([true]);
    expect(posts(h)[0]?.text).not.toContain('old01');
  });
});
