/**
 * Failure alerts end to end: the real poller and store against the EM simulator over HTTP, the real outbox and
 * Slack notifier against the fake Slack Web API, and the real Bolt app for commands and buttons.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertService, createAlertService } from '../../src/alerts/alert-service.js';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/core/ports.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createAlertSubcommands } from '../../src/slack/alerts/alert-subcommands.js';
import { registerAlertActions } from '../../src/slack/alerts/register-alert-actions.js';
import { ALERT_ACK_ACTION, ALERT_MUTE_ACTION_PREFIX } from '../../src/slack/alerts/render-alert-message.js';
import { createAlertWebClient, createSlackNotifier } from '../../src/slack/alerts/slack-notifier.js';
import type { SlackAppHandle } from '../../src/slack/app.js';
import { findBlockKitViolations } from '../../src/slack/render/limits.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { blockActionsPayload, createSlackSender, TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';

/** Real time plus an offset the test can move forward: timers keep working while "20 minutes" pass. */
function createShiftedClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => {
      offset += ms;
    },
  };
}

interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  threadTs: string | null;
  metadata: { event_type?: string; event_payload?: { key?: string } } | null;
}

/**
 * Keeps what was posted, like Slack does, so conversations.history can answer with message metadata (what the
 * outbox reads after a crash). Block Kit limits are still checked on every post and update.
 */
function recordSlackHistory(slack: FakeSlackApi) {
  const posted: PostedMessage[] = [];
  const violations: string[] = [];
  /** when each chat.postMessage arrived (ms), answered or not */
  const attempts: number[] = [];
  let limited = { left: 0, retryAfterSeconds: 0 };
  let counter = 0;
  slack.override('chat.postMessage', (params) => {
    attempts.push(Date.now());
    if (limited.left > 0) {
      limited.left -= 1;
      return {
        status: 429,
        headers: { 'retry-after': String(limited.retryAfterSeconds) },
        body: { ok: false, error: 'ratelimited' },
      };
    }
    const problems = findBlockKitViolations(params as { text?: string; blocks?: unknown[] });
    violations.push(...problems);
    if (problems.length > 0) return { body: { ok: false, error: 'invalid_blocks', errors: problems } };
    counter += 1;
    const ts = `1800000000.${String(counter).padStart(6, '0')}`;
    posted.push({
      channel: String(params.channel),
      ts,
      text: String(params.text ?? ''),
      blocks: (params.blocks as unknown[]) ?? [],
      threadTs: typeof params.thread_ts === 'string' ? params.thread_ts : null,
      metadata: (params.metadata as PostedMessage['metadata']) ?? null,
    });
    return { body: { ok: true, channel: params.channel, ts, message: { ts, text: params.text } } };
  });
  slack.override('chat.update', (params) => {
    const problems = findBlockKitViolations(params as { text?: string; blocks?: unknown[] });
    violations.push(...problems);
    if (problems.length > 0) return { body: { ok: false, error: 'invalid_blocks', errors: problems } };
    return { body: { ok: true, channel: params.channel, ts: params.ts, text: params.text } };
  });
  slack.override('conversations.history', (params) => ({
    body: {
      ok: true,
      has_more: false,
      messages: posted
        .filter((m) => m.channel === params.channel && m.threadTs === null)
        .reverse()
        .map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(m.metadata ? { metadata: m.metadata } : {}) })),
    },
  }));
  return {
    posted,
    violations,
    attempts,
    rateLimitNext(retryAfterSeconds: number, times = 1) {
      limited = { left: times, retryAfterSeconds };
    },
  };
}

interface Harness {
  sim: RunningSimulator;
  slack: FakeSlackApi;
  history: ReturnType<typeof recordSlackHistory>;
  clock: ReturnType<typeof createShiftedClock>;
  dbPath: string;
  em: EmClient;
  store: Store;
  service: AlertService;
  app: SlackAppHandle;
  sender: ReturnType<typeof createSlackSender>;
  /** a new process on the same database (the old one is stopped first) */
  restart(): Promise<void>;
}

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function startHarness(
  options: {
    lagSeconds?: number;
    adminUserIds?: string;
    alertChannel?: string;
    startService?: boolean;
    /** also start the Bolt app (commands and buttons) */
    withApp?: boolean;
  } = {},
): Promise<Harness> {
  const clock = createShiftedClock();
  const dir = mkdtempSync(join(tmpdir(), 'replibot-alerts-'));
  open.push(async () => rmSync(dir, { recursive: true, force: true }));
  const sim = await startSimulator({
    port: 0,
    seed: 7,
    data: { taskSessions: 0 },
    collectionLagSeconds: options.lagSeconds ?? 0,
    now: () => clock.now(),
  });
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
    ADMIN_USER_IDS: options.adminUserIds ?? '',
    ...(options.alertChannel ? { ALERT_CHANNEL: options.alertChannel } : {}),
  });

  const h = { sim, slack, history, clock, dbPath: join(dir, 'replibot.db') } as Harness;
  const boot = async (startOutbox: boolean) => {
    h.em = createEmClient({ ...config.veeam!, logger: silentLogger });
    h.store = openStore(h.dbPath);
    h.service = createAlertService({
      em: h.em,
      store: h.store,
      notifier: createSlackNotifier({ client: createAlertWebClient('xoxb-test', slack.apiUrl) }),
      clock,
      logger: silentLogger,
      pollIntervalSeconds: 1,
      pollIntervalMs: 25,
      pollOverlapMinutes: 30,
      timeZone: 'UTC',
      paceMs: 0,
      retryBaseMs: 20,
      ...(config.alertChannel ? { alertChannel: config.alertChannel } : {}),
    });
    if (startOutbox) await h.service.start();
  };
  await boot(options.startService !== false);
  const shutdown = async () => {
    await h.service.stop();
    await h.em.close().catch(() => undefined);
    h.store.close();
  };
  h.restart = async () => {
    await shutdown();
    await boot(true);
  };
  open.push(shutdown);
  if (!options.withApp) return h;
  // loaded only here, so the poller tests do not depend on the whole Slack app
  const { createSlackApp } = await import('../../src/slack/app.js');
  h.app = createSlackApp({
    config,
    em: h.em,
    logger: silentLogger,
    clock,
    host: '127.0.0.1',
    subcommands: createAlertSubcommands({ store: h.store, clock, adminUserIds: config.adminUserIds }),
    extend: (app) =>
      registerAlertActions(app, {
        store: h.store,
        clock,
        adminUserIds: config.adminUserIds,
        timeZone: 'UTC',
        logger: silentLogger,
        onQueued: () => h.service.outbox.kick(),
      }),
    clientOptions: { retryConfig: { retries: 0 } },
  });
  await h.app.start();
  h.sender = createSlackSender(`http://127.0.0.1:${h.app.port}/slack/events`);
  open.push(() => h.app.stop());
  return h;
}

const posts = (h: Harness, channel?: string) =>
  h.history.posted.filter((m) => m.threadTs === null && (channel === undefined || m.channel === channel));

/** Waits until the poller has finished `n` more successful polls. */
async function pollsPass(h: Harness, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    const before = h.service.poller.health().lastSuccessAt?.getTime() ?? 0;
    await h.slack.waitFor(() => (h.service.poller.health().lastSuccessAt?.getTime() ?? 0) > before, 'a poll');
  }
}

describe('failure alerts', () => {
  it('posts a failure once to the subscribed channel, and not again after a restart', async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS' });
    const failed = h.sim.addTaskSession({
      vm: 'sql01',
      job: 'SQL Prod',
      server: 'vbr01',
      result: 'Failed',
      reason: 'Cannot create snapshot <disk> & more',
      endTime: h.clock.now(),
    });
    await h.slack.waitFor(() => posts(h).length === 1, 'the alert');
    await pollsPass(h, 3);
    expect(posts(h)).toHaveLength(1);
    const [post] = posts(h);
    expect(post?.channel).toBe('C0ALERTS');
    expect(post?.text).toContain('sql01');
    // EM text is escaped for mrkdwn
    expect(post?.text).toContain('Cannot create snapshot &lt;disk&gt; &amp; more');
    expect(JSON.stringify(post?.blocks)).not.toContain('<disk>');
    expect(h.store.seen.unseen([failed.uid])).toEqual([]);

    await h.restart();
    await pollsPass(h, 3);
    expect(posts(h)).toHaveLength(1);
    expect(h.history.violations).toEqual([]);
  });

  it('posts a failure that EM reports 20 minutes late', async () => {
    const h = await startHarness({ lagSeconds: 20 * 60, alertChannel: 'C0ALERTS' });
    h.sim.addTaskSession({ vm: 'web07', job: 'Web', result: 'Failed', reason: 'Timeout', endTime: h.clock.now() });
    // one poll a minute for 21 minutes: the session becomes visible in EM only after 20
    for (let minute = 1; minute <= 21; minute += 1) {
      h.clock.advance(60_000);
      const result = await h.service.poller.pollOnce();
      expect(result.ok).toBe(true);
      if (minute < 20) expect(result.fresh).toBe(0);
    }
    await h.slack.waitFor(() => posts(h).length === 1, 'the late alert');
    expect(posts(h)[0]?.text).toContain('web07');
  });

  it('loses nothing when the process dies between storing the alert and posting it', async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS', startService: false });
    h.sim.addTaskSession({ vm: 'db01', job: 'DB', result: 'Failed', reason: 'Disk full', endTime: h.clock.now() });
    const result = await h.service.poller.pollOnce();
    expect(result.alerts).toBe(0); // no subscription yet: ALERT_CHANNEL is added when the service starts
    h.store.subscriptions.add('C0ALERTS', { level: 'failed', job: null, vm: null, server: null }, 'U1', h.clock.now());
    h.sim.addTaskSession({ vm: 'db02', job: 'DB', result: 'Failed', reason: 'Disk full', endTime: h.clock.now() });
    expect((await h.service.poller.pollOnce()).alerts).toBe(1);
    expect(h.store.outbox.open()).toHaveLength(1);
    expect(posts(h)).toHaveLength(0);

    await h.restart(); // the "crashed" process never delivered; the new one starts its outbox
    await h.slack.waitFor(() => posts(h).length === 1, 'the alert after the restart');
    await pollsPass(h, 2);
    expect(posts(h)).toHaveLength(1);
    expect(posts(h)[0]?.text).toContain('db02');
    expect(h.store.outbox.open()).toEqual([]);
  });

  it('does not post again when the process died after Slack accepted the post', async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS' });
    h.sim.addTaskSession({ vm: 'app01', job: 'Apps', result: 'Failed', reason: 'Lost', endTime: h.clock.now() });
    await h.slack.waitFor(() => h.store.outbox.all().some((r) => r.status === 'sent'), 'the alert to be recorded');
    const row = h.store.outbox.all()[0]!;
    await h.service.stop();
    // what a crash right after chat.postMessage leaves behind: the row in `sending`, no ts anywhere
    h.store.db.prepare("UPDATE outbox SET status = 'sending', ts = NULL, sent_at = NULL WHERE id = ?").run(row.id);
    h.store.db.prepare('UPDATE alerts SET ts = NULL').run();

    await h.restart();
    await h.slack.waitFor(() => h.store.outbox.all().every((r) => r.status === 'sent'), 'the outbox to settle');
    await pollsPass(h, 2);
    expect(posts(h)).toHaveLength(1);
    expect(h.slack.callsTo('conversations.history')).toHaveLength(1);
    expect(h.store.alerts.get(row.alertId!)?.ts).toBe(posts(h)[0]?.ts);
  });

  it('groups a storm of 500 failed VMs of one run into one message within the Block Kit limits', async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS' });
    const first = h.sim.addTaskSession({ vm: 'vm000', job: 'Big', result: 'Failed', reason: 'Proxy lost', endTime: h.clock.now() });
    for (let i = 1; i < 500; i += 1) {
      h.sim.addTaskSession({
        vm: `vm${String(i).padStart(3, '0')}`,
        job: 'Big',
        jobSessionUid: first.jobSessionUid,
        result: 'Failed',
        reason: i % 50 === 0 ? `Snapshot error ${i}` : 'Proxy lost',
        endTime: h.clock.now(),
      });
    }
    await h.slack.waitFor(() => posts(h).length >= 1, 'the storm alert');
    await pollsPass(h, 2);
    expect(posts(h)).toHaveLength(1);
    const message = posts(h)[0]!;
    expect(findBlockKitViolations({ text: message.text, blocks: message.blocks })).toEqual([]);
    expect(h.history.violations).toEqual([]);
    const blockText = JSON.stringify(message.blocks);
    expect(blockText).toContain('500 VMs failed');
    expect(blockText).toContain('491 VMs*: Proxy lost');
    expect(blockText).toContain('Snapshot error 450');
    expect(blockText).toMatch(/and \d+ more/);
  });

  it('waits for Retry-After on a 429 and then posts', async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS' });
    h.history.rateLimitNext(1);
    h.sim.addTaskSession({ vm: 'fs01', job: 'Files', result: 'Failed', reason: 'Busy', endTime: h.clock.now() });
    await h.slack.waitFor(() => posts(h).length === 1, 'the alert after the rate limit', 15_000);
    expect(h.history.attempts).toHaveLength(2);
    // the second try came no sooner than Retry-After said
    expect(h.history.attempts[1]! - h.history.attempts[0]!).toBeGreaterThanOrEqual(1000);
    expect(posts(h)[0]?.text).toContain('fs01');
    expect(h.store.outbox.open()).toEqual([]);
  });
});
