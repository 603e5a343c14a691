/**
 * Failure alerts end to end: the real poller and store against the EM simulator over HTTP, the real outbox and
 * Slack notifier against the fake Slack Web API, and the real Bolt app for commands and buttons.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/core/clock.js';
import { type AlertService, createAlertService } from '../../src/features/alerts/alert-service.js';
import type { PollResult } from '../../src/features/alerts/poller.js';
import {
  ALERT_ACK_ACTION,
  ALERT_MUTE_ACTIONS,
  registerAlertActions,
} from '../../src/features/alerts/slack/alert-actions.js';
import { createAlertSubcommands } from '../../src/features/alerts/slack/alert-subcommands.js';
import { createAlertWebClient, createSlackNotifier } from '../../src/features/alerts/slack/slack-notifier.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { toAccessPolicy } from '../../src/slack/access.js';
import type { SlackAppHandle } from '../../src/slack/app.js';
import { findBlockKitViolations } from '../../src/slack/limits.js';
import { WORD_JOINER } from '../../src/slack/mrkdwn.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import type { TestStore as AlertStore } from '../fakes/open-store.js';
import { openStore } from '../fakes/open-store.js';
import { blockActionsPayload, createSlackSender, TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';

/** A fixed clock the test moves forward: nothing in these tests waits on real time. */
function createTestClock(start = Date.parse('2026-03-02T10:00:00Z')): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
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
function recordSlackHistory(slack: FakeSlackApi, clock: Clock) {
  const posted: PostedMessage[] = [];
  const violations: string[] = [];
  /** when each chat.postMessage arrived (ms on the test clock), answered or not */
  const attempts: number[] = [];
  let limited = { left: 0, retryAfterSeconds: 0 };
  let counter = 0;
  slack.override('chat.postMessage', (params) => {
    attempts.push(clock.now().getTime());
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
        .map((m) => ({
          type: 'message',
          ts: m.ts,
          text: m.text,
          ...(m.metadata ? { metadata: m.metadata } : {}),
        })),
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
  clock: ReturnType<typeof createTestClock>;
  dbPath: string;
  em: EmClient;
  store: AlertStore;
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
    /** DEFAULT_TIMEZONE: the zone of alerts (they go to channels) and of users Slack gives none for */
    timeZone?: string;
  } = {},
): Promise<Harness> {
  const clock = createTestClock();
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
  const history = recordSlackHistory(slack, clock);
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
    // one try per request: the poller's own backoff is what these tests watch
    h.em = createEmClient({ ...config.veeam!, logger: silentLogger, retry: { attempts: 1, baseDelayMs: 1 } });
    h.store = await openStore(h.dbPath);
    h.service = createAlertService({
      em: h.em,
      store: h.store,
      notifier: createSlackNotifier({ client: createAlertWebClient('xoxb-test', slack.apiUrl) }),
      clock,
      logger: silentLogger,
      pollIntervalSeconds: 60,
      pollOverlapMinutes: 30,
      timeZone: options.timeZone ?? 'UTC',
      paceMs: 0,
      retryBaseMs: 20,
      // the tests drive every poll and delivery pass
      timers: false,
      ...(config.alertChannel ? { alertChannel: config.alertChannel } : {}),
    });
    if (startOutbox) await h.service.start();
  };
  await boot(options.startService !== false);
  const shutdown = async () => {
    await h.service.stop();
    await h.em.close().catch(() => undefined);
    await h.store.close();
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
    subcommands: createAlertSubcommands({
      store: h.store,
      em: h.em,
      clock,
      adminUserIds: config.adminUserIds,
    }),
    extend: (app) =>
      registerAlertActions(app, {
        store: h.store,
        clock,
        access: toAccessPolicy(config),
        timeZone: options.timeZone ?? 'UTC',
        logger: silentLogger,
        onQueued: () => h.service.outbox.kick(), // no timers here: the test drains
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

/** One driven pass at the clock's now: a poll, then delivery of everything due. */
async function pass(h: Harness): Promise<PollResult> {
  const result = await h.service.poller.pollOnce();
  await h.service.outbox.drain();
  return result;
}

/** `n` more successful passes, a poll interval (a minute) apart. */
async function laterPasses(h: Harness, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    h.clock.advance(60_000);
    expect((await pass(h)).ok).toBe(true);
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
    expect((await pass(h)).alerts).toBe(1);
    await laterPasses(h, 3);
    expect(posts(h)).toHaveLength(1);
    const [post] = posts(h);
    expect(post?.channel).toBe('C0ALERTS');
    expect(post?.text).toContain('sql01');
    // EM text is escaped for mrkdwn
    expect(post?.text).toContain('Cannot create snapshot &lt;disk&gt; &amp; more');
    expect(JSON.stringify(post?.blocks)).not.toContain('<disk>');
    expect(await h.store.seen.unseen([failed.uid])).toEqual([]);

    await h.restart();
    await laterPasses(h, 3);
    expect(posts(h)).toHaveLength(1);
    expect(h.history.violations).toEqual([]);
  });

  it('alerts a session EM says ended with a result word replibot does not know, with that word', async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS' });
    h.sim.setQuirks({ oddRow: 'unknown-result' });
    h.sim.addTaskSession({
      vm: 'odd01',
      job: 'SQL Prod',
      result: 'Failed',
      reason: 'x',
      endTime: h.clock.now(),
    });
    h.clock.advance(60_000);
    await pass(h);
    expect(posts(h)).toHaveLength(1);
    expect(posts(h)[0]?.text).toContain('odd01 (ended with result Skipped)');
    expect(JSON.stringify(posts(h)[0]?.blocks)).toContain('ended with result Skipped');

    // a row that cannot be read at all is left out and counted where /healthz reads it
    h.sim.setQuirks({ oddRow: 'malformed-uid' });
    h.sim.addTaskSession({
      vm: 'odd02',
      job: 'SQL Prod',
      result: 'Failed',
      reason: 'y',
      endTime: h.clock.now(),
    });
    expect((await h.service.poller.health()).unreadableRows).toBe(0);
    h.clock.advance(60_000);
    await pass(h);
    expect((await h.service.poller.health()).unreadableRows).toBeGreaterThan(0);
    expect(h.history.violations).toEqual([]);
  });

  it('posts a failure that EM reports 20 minutes late', async () => {
    const h = await startHarness({ lagSeconds: 20 * 60, alertChannel: 'C0ALERTS' });
    h.sim.addTaskSession({
      vm: 'web07',
      job: 'Web',
      result: 'Failed',
      reason: 'Timeout',
      endTime: h.clock.now(),
    });
    // one poll a minute for 21 minutes: the session becomes visible in EM only after 20
    for (let minute = 1; minute <= 21; minute += 1) {
      h.clock.advance(60_000);
      const result = await h.service.poller.pollOnce();
      expect(result.ok).toBe(true);
      if (minute < 20) expect(result.fresh).toBe(0);
    }
    await h.service.outbox.drain();
    expect(posts(h)).toHaveLength(1);
    expect(posts(h)[0]?.text).toContain('web07');
  });

  it('loses nothing when the process dies between storing the alert and posting it', async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS', startService: false });
    h.sim.addTaskSession({
      vm: 'db01',
      job: 'DB',
      result: 'Failed',
      reason: 'Disk full',
      endTime: h.clock.now(),
    });
    const result = await h.service.poller.pollOnce();
    expect(result.alerts).toBe(0); // no subscription yet: ALERT_CHANNEL is added when the service starts
    await h.store.subscriptions.add(
      'C0ALERTS',
      { level: 'failed', job: null, vm: null, server: null },
      'U1',
      h.clock.now(),
    );
    h.sim.addTaskSession({
      vm: 'db02',
      job: 'DB',
      result: 'Failed',
      reason: 'Disk full',
      endTime: h.clock.now(),
    });
    expect((await h.service.poller.pollOnce()).alerts).toBe(1);
    expect(await h.store.outbox.open()).toHaveLength(1);
    expect(posts(h)).toHaveLength(0);

    await h.restart(); // the "crashed" process never delivered; the new one starts its outbox
    await h.service.outbox.drain();
    expect(posts(h)).toHaveLength(1);
    await laterPasses(h, 2);
    expect(posts(h)).toHaveLength(1);
    expect(posts(h)[0]?.text).toContain('db02');
    expect(await h.store.outbox.open()).toEqual([]);
  });

  it('does not post again when the process died after Slack accepted the post', async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS' });
    h.sim.addTaskSession({
      vm: 'app01',
      job: 'Apps',
      result: 'Failed',
      reason: 'Lost',
      endTime: h.clock.now(),
    });
    await pass(h);
    expect((await h.store.outbox.all()).map((r) => r.status)).toEqual(['sent']);
    const row = (await h.store.outbox.all())[0]!;
    await h.service.stop();
    // what a crash right after chat.postMessage leaves behind: the row in `sending`, no ts anywhere
    h.store.sqlite
      .prepare("UPDATE outbox SET status = 'sending', ts = NULL, sent_at = NULL WHERE id = ?")
      .run(row.id);
    h.store.sqlite.prepare('UPDATE alerts SET ts = NULL').run();

    await h.restart();
    await h.service.outbox.drain();
    expect((await h.store.outbox.all()).every((r) => r.status === 'sent')).toBe(true);
    await laterPasses(h, 2);
    expect(posts(h)).toHaveLength(1);
    expect(h.slack.callsTo('conversations.history')).toHaveLength(1);
    expect((await h.store.alerts.get(row.alertId!))?.ts).toBe(posts(h)[0]?.ts);
  });

  it('groups a storm of 500 failed VMs of one run into one message within the Block Kit limits', async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS' });
    const first = h.sim.addTaskSession({
      vm: 'vm000',
      job: 'Big',
      result: 'Failed',
      reason: 'Proxy lost',
      endTime: h.clock.now(),
    });
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
    await pass(h);
    await laterPasses(h, 2);
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
    h.sim.addTaskSession({
      vm: 'fs01',
      job: 'Files',
      result: 'Failed',
      reason: 'Busy',
      endTime: h.clock.now(),
    });
    await pass(h);
    expect(h.history.attempts).toHaveLength(1);
    expect(posts(h)).toHaveLength(0);
    // not before Retry-After, however often the worker looks
    h.clock.advance(999);
    await h.service.outbox.drain();
    expect(h.history.attempts).toHaveLength(1);
    h.clock.advance(1);
    await h.service.outbox.drain();
    expect(h.history.attempts).toHaveLength(2);
    expect(h.history.attempts[1]! - h.history.attempts[0]!).toBe(1000);
    expect(posts(h)).toHaveLength(1);
    expect(posts(h)[0]?.text).toContain('fs01');
    expect(await h.store.outbox.open()).toEqual([]);
  });

  it('updates the original alert and replies in its thread when a retry run fixes the VM', async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS' });
    const run = h.sim.addTaskSession({
      vm: 'sql01',
      job: 'SQL',
      result: 'Failed',
      reason: 'Snapshot failed',
      endTime: h.clock.now(),
    });
    h.sim.addTaskSession({
      vm: 'sql02',
      job: 'SQL',
      jobSessionUid: run.jobSessionUid,
      result: 'Failed',
      reason: 'Snapshot failed',
      endTime: h.clock.now(),
    });
    await pass(h);
    expect(posts(h)).toHaveLength(1);
    const alert = posts(h)[0]!;
    expect(alert.text).toContain('2 VMs failed');
    h.clock.advance(5 * 60_000);
    h.sim.addTaskSession({
      vm: 'sql01',
      job: 'SQL',
      result: 'Success',
      isRetry: true,
      endTime: h.clock.now(),
    });
    expect((await pass(h)).recoveries).toBe(1);
    const [update] = h.slack.callsTo('chat.update');
    expect(update?.params.text).toContain('recovered');
    expect(update?.params.ts).toBe(alert.ts);
    expect(update?.params.channel).toBe('C0ALERTS');
    expect(JSON.stringify(update?.params.blocks)).toContain('~sql01~ recovered at');
    const replies = h.history.posted.filter((m) => m.threadTs === alert.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toContain('sql01 recovered at');
    expect(replies[0]?.text).toContain('(retry run)');
    await laterPasses(h, 2);
    expect(posts(h)).toHaveLength(1);
    expect(h.slack.callsTo('chat.update')).toHaveLength(1);
  });

  it('says "failed N runs in a row" when a VM keeps failing', async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS' });
    for (let run = 1; run <= 3; run += 1) {
      h.sim.addTaskSession({
        vm: 'ex01',
        job: 'Exchange',
        result: 'Failed',
        reason: 'VSS error',
        endTime: h.clock.now(),
      });
      await pass(h);
      expect(posts(h)).toHaveLength(run);
      h.clock.advance(60 * 60_000);
    }
    expect(posts(h)[0]?.text).not.toContain('in a row');
    expect(posts(h)[2]?.text).toContain('failed 3 runs in a row');
  });

  it('tells the alert channels once that EM is unreachable, and once that it is back', async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS' });
    await laterPasses(h, 1);
    h.sim.setFaults({ errorRate: 1, errorStatuses: [503] });
    for (let i = 0; i < 5; i += 1) {
      h.clock.advance(60_000);
      expect((await pass(h)).ok).toBe(false);
    }
    expect((await h.service.poller.health()).consecutiveFailures).toBe(5);
    const down = posts(h).filter((m) => m.text.includes('unreachable'));
    expect(down.map((m) => m.text)).toHaveLength(1);
    expect(down[0]?.text).toContain('polls failed in a row');
    expect((await h.service.health()).poller.emReachable).toBe(false);
    // a VM fails during the outage: after it, the channel reads "reachable again" first, then the failure
    h.sim.addTaskSession({ vm: 'sql09', job: 'SQL', result: 'Failed', reason: 'x', endTime: h.clock.now() });
    const before = posts(h).length;
    h.sim.setFaults({});
    await laterPasses(h, 1);
    expect(posts(h).filter((m) => m.text.includes('reachable again'))).toHaveLength(1);
    const after = posts(h, 'C0ALERTS').slice(before);
    expect(
      after.map((m) =>
        m.text.includes('reachable again') ? 'reachable' : m.text.includes('sql09') ? 'sql09' : 'other',
      ),
    ).toEqual(['reachable', 'sql09']);
    await laterPasses(h, 2);
    expect(posts(h).filter((m) => m.text.includes('reachable again'))).toHaveLength(1);
    expect(posts(h).filter((m) => m.text.includes('is unreachable since'))).toHaveLength(1);
    expect((await h.service.health()).poller.emReachable).toBe(true);
  });

  it('posts one summary instead of a flood when it catches up after downtime', async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS' });
    await laterPasses(h, 1);
    await h.service.stop();
    h.clock.advance(3 * 60 * 60_000); // three hours without replibot
    for (let i = 0; i < 8; i += 1) {
      h.sim.addTaskSession({
        vm: `vm${i}`,
        job: `Job ${i}`,
        result: 'Failed',
        reason: 'Network',
        endTime: new Date(h.clock.now().getTime() - (i + 1) * 10 * 60_000),
      });
    }
    await h.restart();
    expect((await pass(h)).summaries).toBe(1);
    await laterPasses(h, 2);
    expect(posts(h)).toHaveLength(1);
    expect(posts(h)[0]?.text).toContain('While replibot was not watching');
    expect(posts(h)[0]?.text).toContain('8 job runs had problems');
  });
});

describe('alert times', () => {
  it("writes an alert's notification text in DEFAULT_TIMEZONE and says the zone", async () => {
    const h = await startHarness({ alertChannel: 'C0ALERTS', timeZone: 'Europe/Berlin' });
    h.sim.addTaskSession({
      vm: 'sql01',
      job: 'SQL Prod',
      result: 'Failed',
      reason: 'x',
      creationTime: new Date(h.clock.now().getTime() - 5 * 60_000),
      endTime: h.clock.now(),
    });
    await pass(h);
    // the run started 09:55 UTC: 10:55 in Berlin (CET), and the text says so
    expect(posts(h)[0]?.text).toContain('(run started 2026-03-02 10:55 CET)');
  });
});

describe('alert routing from Slack', () => {
  it('routes failures by subscription and leaves muted VMs out, as set with /replicas', async () => {
    const h = await startHarness({ withApp: true, adminUserIds: 'UADMIN' });
    const command = async (channel: string, text: string, user = 'UADMIN') => {
      const id = `${channel}-${text}-${user}`;
      const res = await h.sender.command({
        text,
        channel_id: channel,
        user_id: user,
        response_url: h.slack.responseUrl(id),
      });
      expect(res.status).toBe(200);
      // as a reader sees it: without the invisible word joiners around `*` (src/slack/mrkdwn.ts)
      return String((await h.slack.waitForResponse(id)).body.text).replaceAll(WORD_JOINER, '');
    };
    expect(await command('C1', 'subscribe', 'U333')).toContain('Only replibot admins');
    expect(await command('C1', 'subscribe')).toContain('subscribed this channel to failures of every job');
    expect(await command('C2', 'subscribe warnings job Web*')).toContain('failures and warnings of job Web*');
    expect(await command('C1', 'mute vm sql01 4h')).toContain(
      'muted the replication of VM *sql01* in this channel for 4h',
    );
    expect(await command('C1', 'subscriptions')).toContain('1. failures of every job: by <@UADMIN>');
    expect(await command('C1', 'mutes')).toContain('VM *sql01* until');

    const run = h.sim.addTaskSession({
      vm: 'sql01',
      job: 'SQL',
      result: 'Failed',
      reason: 'x',
      endTime: h.clock.now(),
    });
    h.sim.addTaskSession({
      vm: 'sql02',
      job: 'SQL',
      jobSessionUid: run.jobSessionUid,
      result: 'Failed',
      reason: 'y',
      endTime: h.clock.now(),
    });
    h.sim.addTaskSession({
      vm: 'web01',
      job: 'Web shop',
      result: 'Warning',
      reason: 'slow',
      endTime: h.clock.now(),
    });
    expect((await pass(h)).alerts).toBe(2);
    await laterPasses(h, 2);
    expect(posts(h)).toHaveLength(2);
    const c1 = posts(h, 'C1')[0]!;
    expect(c1.text).toContain('sql02');
    expect(c1.text).not.toContain('sql01');
    expect(c1.text).not.toContain('web01');
    const c2 = posts(h, 'C2')[0]!;
    expect(c2.text).toContain('web01');
    expect(c2.text).not.toContain('sql0');

    expect(await command('C2', 'unsubscribe 1')).toContain('unsubscribed this channel');
    expect(await h.store.subscriptions.list('C2')).toEqual([]);
  });

  it('shows who acknowledged an alert, and mutes its VMs from the buttons', async () => {
    const h = await startHarness({ withApp: true, alertChannel: 'C0ALERTS' });
    h.sim.addTaskSession({ vm: 'dc01', job: 'AD', result: 'Failed', reason: 'RPC', endTime: h.clock.now() });
    await pass(h);
    expect(posts(h)).toHaveLength(1);
    const alert = posts(h)[0]!;
    const alertId = (await h.store.outbox.all())[0]!.alertId!;
    const click = (actionId: string, value: string, user = 'U222') =>
      h.sender.action(
        blockActionsPayload({
          actionId,
          value,
          user,
          channel: 'C0ALERTS',
          messageTs: alert.ts,
          responseUrl: h.slack.responseUrl(`${actionId}-${user}`),
        }),
      );
    expect((await click(ALERT_ACK_ACTION, String(alertId))).status).toBe(200);
    // the button acknowledges at once and queues the update; the test delivers it
    await h.slack.waitFor(async () => (await h.store.outbox.open()).length === 1, 'the update to be queued');
    await h.service.outbox.drain();
    const [update] = h.slack.callsTo('chat.update');
    if (update === undefined) throw new Error('no chat.update');
    expect(update.params.ts).toBe(alert.ts);
    expect(update.params.text).toContain('Acknowledged by <@U222>');
    expect(JSON.stringify(update.params.blocks)).not.toContain(ALERT_ACK_ACTION);

    const MUTE_4H = ALERT_MUTE_ACTIONS.find((a) => a.hours === 4)!.actionId;
    expect((await click(`${MUTE_4H}`, `${alertId}:4`)).status).toBe(200);
    const muted = await h.slack.waitForResponse(`${MUTE_4H}-U222`);
    expect(muted.body.text).toContain('muted *dc01* in this channel until');
    expect((await h.store.mutes.active(h.clock.now(), 'C0ALERTS')).map((m) => m.name)).toEqual(['dc01']);

    h.clock.advance(60 * 60_000);
    h.sim.addTaskSession({ vm: 'dc01', job: 'AD', result: 'Failed', reason: 'RPC', endTime: h.clock.now() });
    h.sim.addTaskSession({ vm: 'dc02', job: 'AD', result: 'Failed', reason: 'RPC', endTime: h.clock.now() });
    await pass(h);
    expect(posts(h)).toHaveLength(2);
    expect(posts(h)[1]?.text).toContain('dc02');
    expect(posts(h)[1]?.text).not.toContain('dc01');
  });

  it('warns when a subscription or a mute names something EM does not know, and marks it in the list', async () => {
    const h = await startHarness({ withApp: true });
    const command = async (text: string) => {
      const id = `C7-${text}`;
      await h.sender.command({
        text,
        channel_id: 'C7',
        user_id: 'U1',
        response_url: h.slack.responseUrl(id),
      });
      return String((await h.slack.waitForResponse(id)).body.text);
    };
    h.sim.addTaskSession({
      vm: 'sql01',
      job: 'SQL',
      server: 'srv02.tech.local',
      result: 'Success',
      creationTime: new Date(h.clock.now().getTime() - 2 * 3_600_000),
      endTime: new Date(h.clock.now().getTime() - 3_600_000),
    });
    const typo = await command('subscribe server srv02');
    expect(typo).toContain('subscribed this channel to failures of every job, server srv02.');
    expect(typo).toContain(
      ':warning: EM has no backup server named srv02 in the last 30 days; did you mean srv02.tech.local? `/replicas subscribe server srv02.tech.local`',
    );
    const right = await command('subscribe server srv02.tech.local');
    expect(right).toContain('subscribed this channel');
    expect(right).not.toContain(':warning:');
    // a pattern matches names EM has not seen yet: no warning
    expect(await command('subscribe vm web*')).not.toContain(':warning:');

    const list = (await command('subscriptions')).split('\n');
    expect(list[1]).toContain('1. failures of every job, server srv02:');
    expect(list[1]).toContain(':warning: EM has not seen backup server srv02 in the last 30 days');
    expect(list[2]).toContain('2. failures of every job, server srv02.tech.local:');
    expect(list[2]).not.toContain(':warning:');
    expect(list[3]).not.toContain(':warning:');

    const mute = await command('mute vm sql1 4h');
    expect(mute).toContain(':warning: EM has no VM named sql1 in the last 30 days; did you mean sql01');
    expect(mute).toContain('`/replicas mute vm sql01 4h`');
    expect(await command('mute vm sql01 4h')).not.toContain(':warning:');

    // the failure on srv02.tech.local reaches the channel through the corrected subscription
    h.sim.addTaskSession({
      vm: 'sql02',
      job: 'SQL',
      server: 'srv02.tech.local',
      result: 'Failed',
      reason: 'x',
      endTime: h.clock.now(),
    });
    await pass(h);
    expect(posts(h, 'C7').map((m) => m.text.includes('sql02'))).toEqual([true]);
  });

  it('extends a mute of the same VM instead of adding a second one, from the command and the buttons', async () => {
    const h = await startHarness({ withApp: true, alertChannel: 'C0ALERTS', timeZone: 'Europe/Berlin' });
    h.slack.setUser('U222', { tz: 'America/New_York' } as never);
    let asked = 0;
    const command = async (text: string) => {
      asked += 1;
      const id = `C0ALERTS-${asked}`;
      await h.sender.command({
        text,
        channel_id: 'C0ALERTS',
        user_id: 'U222',
        response_url: h.slack.responseUrl(id),
      });
      return String((await h.slack.waitForResponse(id)).body.text);
    };
    expect(await command('mute vm dc01 1h')).toContain(
      'muted the replication of VM *dc01* in this channel for 1h',
    );
    const again = await command('mute vm DC01 4h');
    expect(again).toContain('extended the mute of the replication of VM *dc01* in this channel');
    expect(await h.store.mutes.active(h.clock.now(), 'C0ALERTS')).toHaveLength(1);
    const mutes = await command('mutes');
    expect(mutes.match(/dc01/g)).toHaveLength(1);

    // the button's reply and the list show the same end, in the user's zone, saying which
    h.sim.addTaskSession({ vm: 'dc02', job: 'AD', result: 'Failed', reason: 'RPC', endTime: h.clock.now() });
    await pass(h);
    const alertId = (await h.store.outbox.all())[0]!.alertId!;
    await h.sender.action(
      blockActionsPayload({
        actionId: ALERT_MUTE_ACTIONS.find((a) => a.hours === 4)!.actionId,
        value: `${alertId}:4`,
        user: 'U222',
        channel: 'C0ALERTS',
        messageTs: posts(h)[0]!.ts,
        responseUrl: h.slack.responseUrl('button'),
      }),
    );
    const button = String((await h.slack.waitForResponse('button')).body.text);
    // 10:00 UTC + 4h is 09:00 in New York (EST), 15:00 in Berlin
    expect(button).toContain('|2026-03-02 09:00 EST>');
    const listed = (await command('mutes')).split('\n').find((line) => line.includes('dc02'));
    expect(listed).toContain('|2026-03-02 09:00 EST>');

    // the button again: the same entry, extended
    await h.sender.action(
      blockActionsPayload({
        actionId: ALERT_MUTE_ACTIONS.find((a) => a.hours === 24)!.actionId,
        value: `${alertId}:24`,
        user: 'U222',
        channel: 'C0ALERTS',
        messageTs: posts(h)[0]!.ts,
        responseUrl: h.slack.responseUrl('button-again'),
      }),
    );
    expect(String((await h.slack.waitForResponse('button-again')).body.text)).toContain(
      'until <!date^1772532000^{date_short_pretty} {time}|2026-03-03 05:00 EST> (already muted: extended)',
    );
    expect(
      (await h.store.mutes.active(h.clock.now(), 'C0ALERTS'))
        .filter((m) => m.name === 'dc02')
        .map((m) => m.until.toISOString()),
    ).toEqual(['2026-03-03T10:00:00.000Z']);
  });
});
