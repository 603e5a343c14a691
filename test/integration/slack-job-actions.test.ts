/**
 * Job actions end to end: the real Bolt app receiving signed button clicks and slash commands, its WebClient and
 * the alerts' outbox pointed at the fake Slack Web API, the real alert poller, and the EM simulator over HTTP
 * (the reading account and the separate action account). Every case checks what Slack shows, what EM was sent
 * and the audit row it leaves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDefaultAnswerer } from '../../src/answers/create-default-answerer.js';
import { openReplibotDatabase } from '../../src/app/database.js';
import type { FeatureContext } from '../../src/app/feature.js';
import { createJobButtons } from '../../src/app/job-buttons.js';
import { loadConfig } from '../../src/config.js';
import { systemClock } from '../../src/core/clock.js';
import { createActionStore } from '../../src/features/actions/action-store.js';
import { createActionsFeature } from '../../src/features/actions/feature.js';
import { encodeActionValue } from '../../src/features/actions/slack/action-value.js';
import { NOT_SET_UP } from '../../src/features/actions/slack/job-action-slack.js';
import { JOB_ACTION_IDS } from '../../src/features/actions/slack/render-action-buttons.js';
import { type AlertService, createAlertService } from '../../src/features/alerts/alert-service.js';
import { createAlertStore } from '../../src/features/alerts/alert-store.js';
import { registerAlertActions } from '../../src/features/alerts/slack/alert-actions.js';
import { createAlertDecorations } from '../../src/features/alerts/slack/alert-decorations.js';
import { createAlertWebClient, createSlackNotifier } from '../../src/features/alerts/slack/slack-notifier.js';
import { silentLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { toAccessPolicy } from '../../src/slack/access.js';
import { createSlackApp } from '../../src/slack/app.js';
import { createSlackWebClient } from '../../src/slack/web-client.js';
import { createEmClient } from '../../src/veeam/em-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import {
  blockActionsPayload,
  createSlackSender,
  signSlackRequest,
  TEST_SIGNING_SECRET,
} from '../fakes/slack-requests.js';
import { waitFor } from '../fakes/wait-for.js';

const open: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

const CHANNEL = 'C0ALERTS';
const ANA = 'U0ANA';
const BOB = 'U0BOB';
const JOB = 'Ops Replica';

interface Harness {
  sim: RunningSimulator;
  slack: FakeSlackApi;
  service: AlertService;
  sender: ReturnType<typeof createSlackSender>;
  audit: ReturnType<typeof createActionStore>['audit'];
  idle(): Promise<void>;
  /** stops the actions feature (as a process stopping does) and starts a new one over the same database */
  restart(): Promise<void>;
  /** another instance on the same database that takes over any follower, however recently it beat */
  otherInstance(): ReturnType<typeof createActionsFeature>;
}

async function startHarness(
  options: { actionUser?: string; actionUserIds?: string; actions?: boolean } = {},
) {
  const sim = await startSimulator({
    data: { taskSessions: 0 },
    accounts: [
      { username: 'ops', password: 'ops-pass', roles: ['PortalAdministrator'] },
      { username: 'viewer', password: 'viewer-pass', roles: ['PortalUser'] },
    ],
  });
  open.push(() => sim.close());
  const slack = await startFakeSlackApi();
  open.push(() => slack.close());
  const actionUser = options.actionUser ?? 'ops';
  const config = loadConfig({
    VEEAM_URL: sim.url,
    VEEAM_USERNAME: 'replibot',
    VEEAM_PASSWORD: 'replibot',
    ...(options.actions === false
      ? {}
      : {
          VEEAM_ACTION_USERNAME: actionUser,
          VEEAM_ACTION_PASSWORD: actionUser === 'ops' ? 'ops-pass' : 'viewer-pass',
          ACTION_USER_IDS: options.actionUserIds ?? `retry,start:${ANA};stop,pause,resume:${BOB}`,
        }),
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ALERT_CHANNEL: CHANNEL,
  });
  const em = createEmClient({
    ...(config.veeam ?? { url: sim.url }),
    logger: silentLogger,
    retry: { attempts: 1, baseDelayMs: 1 },
  } as Parameters<typeof createEmClient>[0]);
  open.push(() => em.close());
  const handle = await openReplibotDatabase(':memory:');
  open.push(() => handle.close());
  const db = handle.db;
  const alertStore = createAlertStore(db);
  const decorations = createAlertDecorations();
  const service = createAlertService({
    em,
    store: alertStore,
    notifier: createSlackNotifier({ client: createAlertWebClient('xoxb-test', slack.apiUrl), decorations }),
    clock: systemClock,
    logger: silentLogger,
    pollIntervalSeconds: 60,
    pollOverlapMinutes: 30,
    timeZone: 'UTC',
    paceMs: 0,
    retryBaseMs: 20,
    timers: false,
    alertChannel: CHANNEL,
  });
  await service.start();
  open.push(() => service.stop());
  const ctx: FeatureContext = {
    config,
    em,
    logger: silentLogger,
    clock: systemClock,
    answerer: createDefaultAnswerer(em),
    db,
    mode: 'slack',
    slackClient: createSlackWebClient('xoxb-test', { apiUrl: slack.apiUrl, purpose: 'interactive' }),
    notify: () => undefined,
    simulator: undefined,
    fence: async () => true,
    fencingToken: () => 1,
    alertDecorations: decorations,
    jobButtons: createJobButtons(),
    metrics: createMetrics(),
  };
  const newFeature = (instanceId: string, quietMs?: number) => {
    const made = createActionsFeature(ctx, {
      taskPollMs: 5,
      runPollMs: 10,
      resumeEveryMs: 0,
      instanceId,
      ...(quietMs === undefined ? {} : { quietMs }),
    });
    open.push(async () => {
      for (const s of made.services ?? []) await s.stop();
    });
    return made;
  };
  const feature = newFeature('first');
  let current = feature;
  const app = createSlackApp({
    config,
    em,
    logger: silentLogger,
    clock: systemClock,
    host: '127.0.0.1',
    subcommands: feature.subcommands ?? [],
    extend: (bolt) => {
      registerAlertActions(bolt, {
        store: alertStore,
        clock: systemClock,
        access: toAccessPolicy(config),
        timeZone: 'UTC',
        logger: silentLogger,
      });
      feature.extend?.(bolt);
    },
    clientOptions: { retryConfig: { retries: 0 } },
    ...(ctx.jobButtons ? { jobButtons: ctx.jobButtons } : {}),
  });
  await app.start();
  open.push(() => app.stop());
  const h: Harness = {
    sim,
    slack,
    service,
    sender: createSlackSender(`http://127.0.0.1:${app.port}/slack/events`),
    audit: createActionStore(db).audit,
    idle: async () => {
      await feature.actionService?.idle();
      await current.actionService?.idle();
    },
    restart: async () => {
      for (const s of current.services ?? []) await s.stop();
      await current.actionService?.idle();
      current = newFeature('second');
      for (const s of current.services ?? []) await s.start();
    },
    otherInstance: () => {
      current = newFeature('other', 0);
      return current;
    },
  };
  return h;
}

interface PostedButton {
  action_id: string;
  value: string;
  confirm?: { text: { text: string }; style?: string };
  style?: string;
}

function buttonsOf(blocks: unknown): PostedButton[] {
  const out: PostedButton[] = [];
  for (const block of (blocks as Array<{ type: string; elements?: PostedButton[] }>) ?? []) {
    if (block.type === 'actions') out.push(...(block.elements ?? []));
  }
  return out;
}

/** A failed run of the job, polled and posted: the alert's ts and its Retry button. */
async function failedAlert(h: Harness) {
  h.sim.addTaskSession({
    vm: 'sql01',
    job: JOB,
    server: 'vbr01',
    result: 'Failed',
    reason: 'Snapshot failed',
  });
  await h.service.poller.pollOnce();
  await h.service.outbox.drain();
  const post = h.slack
    .callsTo('chat.postMessage')
    .find((c) => c.params.channel === CHANNEL && !c.params.thread_ts);
  expect(post).toBeDefined();
  const retry = buttonsOf(post?.params.blocks).find((b) => b.action_id === JOB_ACTION_IDS.retry);
  expect(retry).toBeDefined();
  return { ts: String(post?.params.ts ?? '1700000000.000001'), retry: retry as PostedButton };
}

async function jobRuns(h: Harness): Promise<Array<{ isRetry: boolean; state: string }>> {
  const described = (await (await fetch(`${h.sim.url}/_sim/jobs/${encodeURIComponent(JOB)}`)).json()) as {
    runs: Array<{ isRetry: boolean; state: string }>;
  };
  return described.runs;
}

function click(
  h: Harness,
  button: PostedButton,
  options: {
    user: string;
    channel?: string;
    actionTs?: string;
    responseId: string;
    ts: string;
    headers?: Record<string, string>;
    ephemeral?: boolean;
  },
) {
  const payload = blockActionsPayload({
    ...(options.ephemeral ? { ephemeral: true } : {}),
    actionId: button.action_id,
    value: button.value,
    responseUrl: h.slack.responseUrl(options.responseId),
    user: options.user,
    channel: options.channel ?? CHANNEL,
    messageTs: options.ts,
  });
  const actions = payload.actions as Array<Record<string, unknown>>;
  if (actions[0]) actions[0].action_ts = options.actionTs ?? '1700000001.0';
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return h.sender.send(body, 'application/x-www-form-urlencoded', {
    ...signSlackRequest(body, TEST_SIGNING_SECRET),
    ...options.headers,
  });
}

const threadTexts = (h: Harness) =>
  h.slack
    .callsTo('chat.postMessage')
    .filter((c) => c.params.thread_ts)
    .map((c) => String(c.params.text));

describe('job actions from Slack', () => {
  it('retries once when an allowed user confirms, and the alert shows the outcome and then the recovery', async () => {
    const h = await startHarness();
    const alert = await failedAlert(h);
    // the confirm dialog says what happens to which job on which server; nothing was sent to EM yet
    expect(alert.retry.confirm?.text.text).toContain('Ops Replica');
    expect(alert.retry.confirm?.text.text).toContain('vbr01');
    expect(await jobRuns(h)).toHaveLength(1);

    expect((await click(h, alert.retry, { user: ANA, responseId: 'r1', ts: alert.ts })).status).toBe(200);
    await waitFor(async () => (await jobRuns(h)).some((r) => r.isRetry), 'the retry run');
    await waitFor(() => threadTexts(h).some((t) => t.includes('Retry started')), 'the started note');
    await fetch(`${h.sim.url}/_sim/jobs/${encodeURIComponent(JOB)}/finish`, {
      method: 'POST',
      body: JSON.stringify({ result: 'Success' }),
    });
    await h.idle();
    expect(threadTexts(h).some((t) => t.includes('succeeded') && t.includes(`<@${ANA}>`))).toBe(true);
    expect((await jobRuns(h)).filter((r) => r.isRetry)).toHaveLength(1);

    await h.service.outbox.drain();
    const updates = h.slack.callsTo('chat.update').filter((c) => c.params.ts === alert.ts);
    const shown = JSON.stringify(updates.at(-1)?.params.blocks);
    expect(shown).toContain(`Retry started by <@${ANA}>`);
    expect(shown).toContain('succeeded');

    // the retry's own success is a recovery, as any later success is
    await h.service.poller.pollOnce();
    await h.service.outbox.drain();
    const last = h.slack
      .callsTo('chat.update')
      .filter((c) => c.params.ts === alert.ts)
      .at(-1);
    expect(String(last?.params.text)).toMatch(/recovered/i);
    expect(JSON.stringify(last?.params.blocks)).toContain(`Retry started by <@${ANA}>`);

    const events = (await h.audit.list({ since: new Date(0), limit: 50 })).map(
      (r) => `${r.event}:${r.result}`,
    );
    expect(events).toEqual(
      expect.arrayContaining(['confirmed:ok', 'em_call:sent', 'em_task:accepted', 'outcome:succeeded']),
    );
    expect(h.slack.violations).toEqual([]);
  });

  it('refuses a user who may not retry, says who may, and sends nothing to EM', async () => {
    const h = await startHarness();
    const alert = await failedAlert(h);
    await click(h, alert.retry, { user: BOB, responseId: 'r2', ts: alert.ts });
    const reply = await h.slack.waitForResponse('r2');
    expect(String(reply.body.text)).toContain(`Who may: <@${ANA}>`);
    expect(await jobRuns(h)).toHaveLength(1);
    const rows = await h.audit.list({ since: new Date(0), limit: 10 });
    expect(rows.some((r) => r.result === 'refused:user' && r.slackUser === BOB)).toBe(true);

    // the audit, to the action users (ADMIN_USER_IDS is empty), and not to anyone else
    await h.sender.command({
      text: `audit job "${JOB}" last 7 days`,
      user_id: ANA,
      channel_id: CHANNEL,
      response_url: h.slack.responseUrl('au1'),
    });
    const listed = String((await h.slack.waitForResponse('au1')).body.text);
    expect(listed).toContain(`<@${BOB}>`);
    expect(listed).toContain('refused:user');
    await h.sender.command({
      text: 'audit',
      user_id: 'U0EVE',
      channel_id: CHANNEL,
      response_url: h.slack.responseUrl('au2'),
    });
    expect(String((await h.slack.waitForResponse('au2')).body.text)).toContain('for admins');
  });

  it("refuses a forged value and another channel's button", async () => {
    const h = await startHarness();
    const alert = await failedAlert(h);
    // the real alert's button pressed in another channel
    await click(h, alert.retry, { user: ANA, channel: 'C0OTHER', responseId: 'r3', ts: alert.ts });
    expect(String((await h.slack.waitForResponse('r3')).body.text)).toContain('does not belong here');
    // a value made up for this channel, signed with another key
    const forged = encodeActionValue(
      {
        action: 'retry',
        jobUid: 'urn:veeam:Job:00000000-0000-4000-8000-000000000001',
        channelId: CHANNEL,
        alertId: null,
      },
      'not-the-key',
    );
    await click(
      h,
      { ...alert.retry, value: forged },
      { user: ANA, responseId: 'r4', ts: alert.ts, actionTs: '2.0' },
    );
    expect(String((await h.slack.waitForResponse('r4')).body.text)).toContain('does not belong here');
    // a real, signed value of another channel's job (a job answer there) pressed in this channel
    const job = (await (await fetch(`${h.sim.url}/_sim/jobs/${encodeURIComponent(JOB)}`)).json()) as {
      uid: string;
    };
    const otherChannel = encodeActionValue(
      { action: 'start', jobUid: job.uid, channelId: 'C0OTHER', alertId: null },
      TEST_SIGNING_SECRET,
    );
    await click(
      h,
      { action_id: JOB_ACTION_IDS.start, value: otherChannel },
      { user: ANA, responseId: 'r4b', ts: alert.ts, actionTs: '3.0' },
    );
    expect(String((await h.slack.waitForResponse('r4b')).body.text)).toContain('does not belong here');
    expect(await jobRuns(h)).toHaveLength(1);
    const forgedRows = (await h.audit.list({ since: new Date(0), limit: 10 })).filter(
      (r) => r.result === 'refused:forged',
    );
    expect(forgedRows).toHaveLength(3);
    expect(forgedRows.every((r) => r.slackUser === ANA)).toBe(true);
    expect(forgedRows.map((r) => r.channelId).sort()).toEqual([CHANNEL, CHANNEL, 'C0OTHER']);
  });

  it('answers a second click while the first runs, and does nothing for a retried request', async () => {
    const h = await startHarness();
    const alert = await failedAlert(h);
    await click(h, alert.retry, { user: ANA, responseId: 'r5', ts: alert.ts, actionTs: '10.0' });
    await waitFor(async () => (await jobRuns(h)).some((r) => r.isRetry), 'the retry run');
    // Slack resending the very same request
    await click(h, alert.retry, {
      user: ANA,
      responseId: 'r6',
      ts: alert.ts,
      actionTs: '10.0',
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    // a second, new click on the same job
    await click(h, alert.retry, { user: ANA, responseId: 'r7', ts: alert.ts, actionTs: '11.0' });
    expect(String((await h.slack.waitForResponse('r7')).body.text)).toContain('still in progress');
    await waitFor(
      async () =>
        (await h.audit.list({ since: new Date(0), limit: 50 })).some((r) => r.result === 'refused:repeat'),
      'the repeat audit row',
    );
    expect(h.slack.responses.filter((r) => r.id === 'r6')).toEqual([]);
    expect((await jobRuns(h)).filter((r) => r.isRetry)).toHaveLength(1);
    const rows = await h.audit.list({ since: new Date(0), limit: 50 });
    expect(rows.some((r) => r.result === 'refused:busy')).toBe(true);
    expect(rows.filter((r) => r.event === 'em_call')).toHaveLength(1);
  });

  it('finds the run by its job session when the EM logon session expired during follow-through', async () => {
    const h = await startHarness();
    const alert = await failedAlert(h);
    await fetch(`${h.sim.url}/_sim/jobs/options`, {
      method: 'POST',
      body: JSON.stringify({ expireSessionAfterAction: true }),
    });
    await click(h, alert.retry, { user: ANA, responseId: 'r8', ts: alert.ts });
    await waitFor(
      async () =>
        (await h.audit.list({ since: new Date(0), limit: 50 })).some((r) => r.result === 'session-expired'),
      'the expired session',
    );
    await fetch(`${h.sim.url}/_sim/jobs/${encodeURIComponent(JOB)}/finish`, {
      method: 'POST',
      body: JSON.stringify({ result: 'Failed', reason: 'still broken' }),
    });
    await h.idle();
    expect(threadTexts(h).some((t) => t.includes('failed'))).toBe(true);
    const rows = await h.audit.list({ since: new Date(0), limit: 50 });
    expect(rows.some((r) => r.event === 'outcome' && r.result === 'failed')).toBe(true);
  });

  it('keeps following a retry across a restart: the new process finds the run and writes the outcome', async () => {
    const h = await startHarness();
    const alert = await failedAlert(h);
    await click(h, alert.retry, { user: ANA, responseId: 'rs1', ts: alert.ts });
    await waitFor(async () => (await jobRuns(h)).some((r) => r.isRetry), 'the retry run');
    await waitFor(() => threadTexts(h).some((t) => t.includes('Retry started')), 'the started note');
    // the process stops in the middle: the retry still runs in EM, no outcome was written
    await h.restart();
    expect(threadTexts(h).some((t) => t.includes('succeeded'))).toBe(false);
    await waitFor(
      async () =>
        (await h.audit.list({ since: new Date(0), limit: 50 })).some((r) => r.result === 'taken-over'),
      'the action taken over',
    );
    await fetch(`${h.sim.url}/_sim/jobs/${encodeURIComponent(JOB)}/finish`, {
      method: 'POST',
      body: JSON.stringify({ result: 'Success' }),
    });
    await h.idle();
    const outcomes = threadTexts(h).filter((t) => t.includes('succeeded'));
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toContain(`<@${ANA}>`);
    await h.service.outbox.drain();
    const shown = JSON.stringify(
      h.slack
        .callsTo('chat.update')
        .filter((c) => c.params.ts === alert.ts)
        .at(-1)?.params.blocks,
    );
    expect(shown).toContain(`Retry started by <@${ANA}>`);
    expect(shown).toContain('succeeded');
    const rows = await h.audit.list({ since: new Date(0), limit: 50 });
    expect(rows.filter((r) => r.event === 'outcome')).toHaveLength(1);
    expect(rows.filter((r) => r.event === 'em_call')).toHaveLength(1);
    expect((await jobRuns(h)).filter((r) => r.isRetry)).toHaveLength(1);
  });

  it('shows the job actions under an answer about one job, only those the asker may press, and they act', async () => {
    const h = await startHarness();
    h.sim.addTaskSession({ vm: 'sql01', job: JOB, server: 'vbr01', result: 'Failed', reason: 'x' });
    const jobActionIds: string[] = Object.values(JOB_ACTION_IDS);
    const ask = async (user: string, id: string, text = `failures in job "${JOB}" today`) => {
      await h.sender.command({
        text,
        user_id: user,
        channel_id: CHANNEL,
        response_url: h.slack.responseUrl(id),
      });
      return (await h.slack.waitForResponse(id)).body;
    };
    const actionsOf = (body: Record<string, unknown>) =>
      buttonsOf(body.blocks).filter((b) => jobActionIds.includes(b.action_id));
    const ana = await ask(ANA, 'j1');
    expect(JSON.stringify(ana.blocks)).toContain('sql01');
    expect(actionsOf(ana).map((b) => b.action_id)).toEqual([JOB_ACTION_IDS.retry, JOB_ACTION_IDS.start]);
    expect(actionsOf(await ask(BOB, 'j2')).map((b) => b.action_id)).toEqual([JOB_ACTION_IDS.pause]);
    // someone named for no action, and an answer about no one job: no job buttons
    expect(actionsOf(await ask('U0EVE', 'j3'))).toEqual([]);
    expect(actionsOf(await ask(ANA, 'j4', 'failures today'))).toEqual([]);

    // Start now from the (ephemeral) answer: EM starts one run; the outcome is written in the channel
    const start = actionsOf(ana).find((b) => b.action_id === JOB_ACTION_IDS.start);
    expect(start?.confirm?.text.text).toContain('vbr01');
    await click(h, start as PostedButton, {
      user: ANA,
      responseId: 'j5',
      ts: '1700000000.000500',
      ephemeral: true,
    });
    await waitFor(async () => (await jobRuns(h)).length === 2, 'the started run');
    await fetch(`${h.sim.url}/_sim/jobs/${encodeURIComponent(JOB)}/finish`, {
      method: 'POST',
      body: JSON.stringify({ result: 'Success' }),
    });
    await h.idle();
    const notes = h.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.params.channel === CHANNEL)
      .map((c) => String(c.params.text));
    expect(notes.some((t) => t.includes('Run started for *Ops Replica*') && t.includes('succeeded'))).toBe(
      true,
    );
    const rows = await h.audit.list({ since: new Date(0), limit: 50 });
    expect(rows.filter((r) => r.event === 'em_call').map((r) => r.detail)).toEqual([
      expect.stringContaining('action=start'),
    ]);
    expect(h.slack.violations).toEqual([]);
  });

  it('syncs a backup copy job and follows its backup job session to the outcome', async () => {
    const h = await startHarness();
    h.sim.addBackupTaskSession({ vm: 'sql01', job: 'Copy DR', jobType: 'BackupCopy', result: 'Success' });
    await h.sender.command({
      text: 'start job "Copy DR"',
      user_id: ANA,
      channel_id: CHANNEL,
      response_url: h.slack.responseUrl('b1'),
    });
    const [button] = buttonsOf((await h.slack.waitForResponse('b1')).body.blocks);
    expect(button?.action_id).toBe(JOB_ACTION_IDS.start);
    expect(button?.confirm?.text.text).toContain('sync');
    await click(h, button as PostedButton, {
      user: ANA,
      responseId: 'b2',
      ts: '1700000000.000600',
      ephemeral: true,
    });
    const described = async () =>
      (await (await fetch(`${h.sim.url}/_sim/jobs/${encodeURIComponent('Copy DR')}`)).json()) as {
        type: string;
        runs: Array<{ jobSessionUid: string; state: string }>;
        actions: Array<{ action: string }>;
      };
    await waitFor(async () => (await described()).runs.length === 2, 'the sync run');
    const copy = await described();
    expect(copy.type).toBe('BackupCopy');
    expect(copy.actions.map((a) => a.action)).toEqual(['sync']);
    expect(copy.runs.at(-1)?.jobSessionUid).toMatch(/^urn:veeam:BackupJobSession:/);
    await fetch(`${h.sim.url}/_sim/jobs/${encodeURIComponent('Copy DR')}/finish`, {
      method: 'POST',
      body: JSON.stringify({ result: 'Warning', reason: 'slow link' }),
    });
    await h.idle();
    const rows = await h.audit.list({ since: new Date(0), limit: 50 });
    expect(rows.filter((r) => r.event === 'outcome').map((r) => r.detail)).toEqual([
      expect.stringContaining('ended with a warning'),
    ]);
  });

  it('hands a follow-through to another instance: the first one yields, the outcome is written once', async () => {
    const h = await startHarness();
    const alert = await failedAlert(h);
    await click(h, alert.retry, { user: ANA, responseId: 'ho1', ts: alert.ts });
    await waitFor(async () => (await jobRuns(h)).some((r) => r.isRetry), 'the retry run');
    // the first instance still follows (it beats); another one takes the action over (as after a quiet follower)
    const other = h.otherInstance();
    await waitFor(async () => ((await other.actionService?.resume()) ?? 0) === 1, 'the action taken over');
    await fetch(`${h.sim.url}/_sim/jobs/${encodeURIComponent(JOB)}/finish`, {
      method: 'POST',
      body: JSON.stringify({ result: 'Success' }),
    });
    await h.idle();
    const rows = await h.audit.list({ since: new Date(0), limit: 50 });
    expect(rows.filter((r) => r.result === 'taken-over')).toHaveLength(1);
    expect(rows.filter((r) => r.event === 'outcome').map((r) => r.result)).toEqual(['succeeded']);
    expect(threadTexts(h).filter((t) => t.includes('-> succeeded'))).toHaveLength(1);
    expect((await jobRuns(h)).filter((r) => r.isRetry)).toHaveLength(1);
  });

  it('lets members of a named Slack user group act', async () => {
    const h = await startHarness({ actionUserIds: 'retry:S0OPS' });
    h.slack.override('usergroups.users.list', (params) => ({
      body: { ok: true, users: params.usergroup === 'S0OPS' ? ['U0EVE'] : [] },
    }));
    const alert = await failedAlert(h);
    await click(h, alert.retry, { user: 'U0MAL', responseId: 'g1', ts: alert.ts, actionTs: '20.0' });
    expect(String((await h.slack.waitForResponse('g1')).body.text)).toContain('members of <!subteam^S0OPS>');
    await click(h, alert.retry, { user: 'U0EVE', responseId: 'g2', ts: alert.ts, actionTs: '21.0' });
    await waitFor(async () => (await jobRuns(h)).some((r) => r.isRetry), 'the retry run');
    await fetch(`${h.sim.url}/_sim/jobs/${encodeURIComponent(JOB)}/finish`, {
      method: 'POST',
      body: JSON.stringify({ result: 'Success' }),
    });
    await h.idle();
  });

  it('says what EM refused when the action account is only a Portal User (403)', async () => {
    const h = await startHarness({ actionUser: 'viewer' });
    const alert = await failedAlert(h);
    await click(h, alert.retry, { user: ANA, responseId: 'r9', ts: alert.ts });
    const reply = await h.slack.waitForResponse('r9');
    expect(String(reply.body.text)).toContain('Portal Administrator');
    expect(await jobRuns(h)).toHaveLength(1);
    const rows = await h.audit.list({ since: new Date(0), limit: 10 });
    expect(rows.some((r) => r.result === 'refused:em')).toBe(true);
  });

  it('answers /replicas pause with a danger confirm button and sends nothing before the click', async () => {
    const h = await startHarness();
    h.sim.addTaskSession({ vm: 'sql01', job: JOB, server: 'vbr01', result: 'Success' });
    const response = await h.sender.command({
      text: `pause job "${JOB}"`,
      user_id: BOB,
      channel_id: CHANNEL,
      response_url: h.slack.responseUrl('c1'),
    });
    expect(response.status).toBe(200);
    const answer = await h.slack.waitForResponse('c1');
    const [button] = buttonsOf(answer.body.blocks);
    expect(button?.action_id).toBe(JOB_ACTION_IDS.pause);
    expect(button?.style).toBe('danger');
    expect(button?.confirm?.style).toBe('danger');
    expect(button?.confirm?.text.text).toContain('vbr01');
    const before = (await (await fetch(`${h.sim.url}/_sim/jobs/${encodeURIComponent(JOB)}`)).json()) as {
      scheduleEnabled: boolean;
      actions: unknown[];
    };
    expect(before).toMatchObject({ scheduleEnabled: true, actions: [] });
    await click(h, button as PostedButton, { user: BOB, responseId: 'c2', ts: '1700000000.000900' });
    await waitFor(async () => {
      const job = (await (await fetch(`${h.sim.url}/_sim/jobs/${encodeURIComponent(JOB)}`)).json()) as {
        scheduleEnabled: boolean;
      };
      return job.scheduleEnabled === false;
    }, 'the paused schedule');
    await h.idle();
    // pausing again is refused before EM is asked: the toggle would undo it
    await h.sender.command({
      text: `pause job "${JOB}"`,
      user_id: BOB,
      channel_id: CHANNEL,
      response_url: h.slack.responseUrl('c3'),
    });
    expect(String((await h.slack.waitForResponse('c3')).body.text)).toContain('already paused');
  });

  it('answers /replicas actions job with the buttons that fit the job now', async () => {
    const h = await startHarness({ actionUserIds: `*:${ANA}` });
    const task = h.sim.addTaskSession({ vm: 'sql01', job: JOB, server: 'vbr01', state: 'InProgress' });
    await h.sender.command({
      text: `actions job "${JOB}"`,
      user_id: ANA,
      channel_id: CHANNEL,
      response_url: h.slack.responseUrl('a1'),
    });
    const running = buttonsOf((await h.slack.waitForResponse('a1')).body.blocks).map((b) => b.action_id);
    expect(running).toEqual([JOB_ACTION_IDS.stop, JOB_ACTION_IDS.pause]);
    h.sim.finishTaskSession(task.uid, { result: 'Failed', reason: 'x' });
    await h.sender.command({
      text: `actions job "${JOB}"`,
      user_id: ANA,
      channel_id: CHANNEL,
      response_url: h.slack.responseUrl('a2'),
    });
    const failed = buttonsOf((await h.slack.waitForResponse('a2')).body.blocks).map((b) => b.action_id);
    expect(failed).toEqual([JOB_ACTION_IDS.retry, JOB_ACTION_IDS.start, JOB_ACTION_IDS.pause]);
    // someone named for no action sees the job and no button
    await h.sender.command({
      text: `actions job "${JOB}"`,
      user_id: BOB,
      channel_id: CHANNEL,
      response_url: h.slack.responseUrl('a3'),
    });
    expect(buttonsOf((await h.slack.waitForResponse('a3')).body.blocks)).toEqual([]);
    expect(h.slack.violations).toEqual([]);
  });

  it('says actions are not set up without the action account, and shows no Retry button', async () => {
    const h = await startHarness({ actions: false });
    h.sim.addTaskSession({ vm: 'sql01', job: JOB, server: 'vbr01', result: 'Failed', reason: 'x' });
    await h.service.poller.pollOnce();
    await h.service.outbox.drain();
    const post = h.slack.callsTo('chat.postMessage').find((c) => c.params.channel === CHANNEL);
    expect(buttonsOf(post?.params.blocks).some((b) => b.action_id === JOB_ACTION_IDS.retry)).toBe(false);
    await h.sender.command({
      text: `retry job "${JOB}"`,
      user_id: ANA,
      channel_id: CHANNEL,
      response_url: h.slack.responseUrl('n1'),
    });
    expect(String((await h.slack.waitForResponse('n1')).body.text)).toContain(NOT_SET_UP.slice(0, 40));
  });
});
