/**
 * The Slack door under hostile input: the real Bolt app in HTTP mode (and in Socket Mode) behind replibot's
 * request guard, its WebClient and respond() pointed at the fake Slack Web API, alerts in a real SQLite store,
 * answers from the simulator. Buttons get the slash command's checks and act only in their own channel;
 * malformed or replayed requests never reach a listener twice or crash the process.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_SHOW_MORE } from '../../src/answers/slack/answer-action-ids.js';
import { loadConfig } from '../../src/config.js';
import type { JobRunAlert } from '../../src/features/alerts/domain/alert-notice.js';
import {
  ALERT_ACK_ACTION,
  ALERT_MUTE_ACTIONS,
  OTHER_CHANNEL_TEXT,
  registerAlertActions,
  UNKNOWN_ALERT_TEXT,
} from '../../src/features/alerts/slack/alert-actions.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { toAccessPolicy } from '../../src/slack/access.js';
import { encodeAnswerCursor } from '../../src/slack/action-values.js';
import { createSlackApp, type SlackAppHandle } from '../../src/slack/app.js';
import { SLACK_BODY_LIMIT } from '../../src/slack/request-guard.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { expectShownAsTyped, MARKED_JOB, MARKED_VM, mrkdwnTexts } from '../fakes/marked-names.js';
import { openStore, type TestStore } from '../fakes/open-store.js';
import { simEmOptions } from '../fakes/sim-em-options.js';
import {
  blockActionsPayload,
  createSlackSender,
  eventEnvelope,
  mentionEvent,
  signSlackRequest,
  slashCommandBody,
  TEST_SIGNING_SECRET,
} from '../fakes/slack-requests.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const clock = { now: () => NOW };
/** request timestamps are checked against this one: real time, moved on by the tests where they say so */
let requestOffsetMs = 0;
const requestClock = { now: () => new Date(Date.now() + requestOffsetMs) };
const requestSeconds = () => Math.floor(requestClock.now().getTime() / 1000);

const ADMIN = 'UADMIN';
const MEMBER = 'U222';
const ALERTS = 'C0ALERTS';
const OTHER = 'C0OTHER';
const SECRET_VM = 'payroll-db-01';
const MUTE_4H = ALERT_MUTE_ACTIONS.find((a) => a.hours === 4)!.actionId;
const FORM = 'application/x-www-form-urlencoded';

let sim: RunningSimulator;
let em: EmClient;
let fake: FakeSlackApi;
let store: TestStore;
let slack: SlackAppHandle;
let sender: ReturnType<typeof createSlackSender>;
let alert: JobRunAlert;
let responseCounter = 0;

function emClientFor(url: string): EmClient {
  return createEmClient(simEmOptions(url, { timeoutMs: 5000, retry: { attempts: 1, baseDelayMs: 0 } }));
}

/** Signs `body` at the request clock's now plus `skewSeconds`. */
function sendSigned(body: string, contentType: string, skewSeconds = 0, extra: Record<string, string> = {}) {
  return sender.send(body, contentType, {
    ...signSlackRequest(body, TEST_SIGNING_SECRET, requestSeconds() + skewSeconds),
    ...extra,
  });
}

/** Presses a button; resolves with the HTTP status and the id its response_url answers under. */
async function press(options: {
  actionId: string;
  value: string;
  user?: string;
  channel?: string;
  container?: string;
}) {
  const id = `press-${++responseCounter}`;
  const payload = blockActionsPayload({
    actionId: options.actionId,
    value: options.value,
    user: options.user ?? ADMIN,
    channel: options.channel ?? ALERTS,
    responseUrl: fake.responseUrl(id),
  });
  if (options.container) (payload.container as Record<string, unknown>).channel_id = options.container;
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const { status } = await sendSigned(body, FORM);
  return { status, id };
}

async function pressAndRead(options: Parameters<typeof press>[0]) {
  const { status, id } = await press(options);
  expect(status).toBe(200);
  return (await fake.waitForResponse(id)).body;
}

beforeAll(async () => {
  sim = await startSimulator({ now: clock.now, data: { demo: false } });
  sim.addTaskSession({
    vm: MARKED_VM,
    job: MARKED_JOB,
    result: 'Failed',
    reason: 'snapshot of *all* disks failed',
    creationTime: new Date(NOW.getTime() - 50 * 60_000),
    endTime: new Date(NOW.getTime() - 40 * 60_000),
  });
  em = emClientFor(sim.url);
  fake = await startFakeSlackApi();
  store = await openStore();
  alert = await store.alerts.create(
    {
      channelId: ALERTS,
      jobSessionUid: 'urn:veeam:ReplicaJobSession:payroll',
      jobName: 'Payroll',
      serverName: 'vbr01',
      runStartedAt: NOW,
      vms: [
        { taskUid: 't1', vmName: SECRET_VM, result: 'Failed', reason: 'disk', failedRuns: 1, endTime: NOW },
      ],
    },
    NOW,
  );
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    DEFAULT_TIMEZONE: 'UTC',
    ALLOWED_USER_IDS: `${MEMBER},U333`,
    ALLOWED_CHANNEL_IDS: `${ALERTS},${OTHER},C111`,
    ADMIN_USER_IDS: ADMIN,
  });
  slack = createSlackApp({
    config,
    em,
    logger: silentLogger,
    clock,
    requestClock,
    host: '127.0.0.1',
    clientOptions: { retryConfig: { retries: 0 } },
    extend: (app) =>
      registerAlertActions(app, {
        store,
        clock,
        access: toAccessPolicy(config),
        timeZone: 'UTC',
        logger: silentLogger,
      }),
  });
  await slack.start();
  sender = createSlackSender(`http://127.0.0.1:${slack.port}/slack/events`);
});

afterEach(() => {
  expect(fake.violations).toEqual([]);
  fake.reset();
  requestOffsetMs = 0;
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await em?.close();
  await sim?.close();
  store?.close();
});

describe('buttons', () => {
  it('refuses an alert button pressed in another channel, naming none of its VMs, and changes nothing', async () => {
    for (const [actionId, value] of [
      [ALERT_ACK_ACTION, String(alert.id)],
      [MUTE_4H, `${alert.id}:4`],
    ] as const) {
      const body = await pressAndRead({ actionId, value, channel: OTHER });
      expect(body.text).toBe(OTHER_CHANNEL_TEXT);
      expect(body.response_type).toBe('ephemeral');
      expect(JSON.stringify(body)).not.toContain(SECRET_VM);
    }
    // the channel and the container disagree: trusted neither
    const mixed = await pressAndRead({
      actionId: ALERT_ACK_ACTION,
      value: String(alert.id),
      container: OTHER,
    });
    expect(mixed.text).toContain('cannot tell which channel');
    expect((await store.alerts.get(alert.id))?.acknowledgedBy).toBeNull();
    expect(await store.mutes.active(NOW)).toEqual([]);
    expect(await store.outbox.all()).toEqual([]);
  });

  it("lets only ADMIN_USER_IDS acknowledge or mute, with the slash command's refusal", async () => {
    for (const [actionId, value] of [
      [ALERT_ACK_ACTION, String(alert.id)],
      [MUTE_4H, `${alert.id}:4`],
    ] as const) {
      const body = await pressAndRead({ actionId, value, user: MEMBER });
      expect(body.text).toContain('Only replibot admins');
    }
    expect((await store.alerts.get(alert.id))?.acknowledgedBy).toBeNull();
    expect(await store.mutes.active(NOW)).toEqual([]);
  });

  it('refuses a button from a user outside ALLOWED_USER_IDS or a channel outside ALLOWED_CHANNEL_IDS', async () => {
    const cursor = encodeAnswerCursor({
      question: 'failed replicas today',
      offset: 10,
      timeZone: 'UTC',
      now: NOW,
      ephemeral: true,
    })!;
    const stranger = await pressAndRead({
      actionId: ACTION_SHOW_MORE,
      value: cursor,
      user: 'U999',
      channel: 'C111',
    });
    expect(stranger.text).toContain('I can only answer the people');
    const elsewhere = await pressAndRead({
      actionId: ACTION_SHOW_MORE,
      value: cursor,
      user: MEMBER,
      channel: 'C0NOPE',
    });
    expect(elsewhere.text).toContain("I don't answer questions in this conversation");
    const outsider = await pressAndRead({
      actionId: ALERT_ACK_ACTION,
      value: String(alert.id),
      user: 'U999',
    });
    expect(outsider.text).toContain('I can only answer the people');
  });

  it('refuses every non-canonical number in a value', async () => {
    const id = alert.id;
    for (const value of [
      `0x${id.toString(16)}`,
      `${id}e0`,
      ` ${id}`,
      `0${id}`,
      `${id}.0`,
      `-${id}`,
      `+${id}`,
      '',
    ]) {
      const body = await pressAndRead({ actionId: ALERT_ACK_ACTION, value });
      expect(body.text, `value ${JSON.stringify(value)}`).toBe(UNKNOWN_ALERT_TEXT);
    }
    for (const value of [`${id}:04`, `${id}:720`, `${id}:4:4`, `0${id}:4`, `${id}:4.0`]) {
      const body = await pressAndRead({ actionId: MUTE_4H, value });
      expect(body.text, `value ${JSON.stringify(value)}`).toBe(UNKNOWN_ALERT_TEXT);
    }
    expect((await store.alerts.get(id))?.acknowledgedBy).toBeNull();
    expect(await store.mutes.active(NOW)).toEqual([]);
  });

  it('refuses an action id no listener registered', async () => {
    const body = await pressAndRead({ actionId: 'replibot_alert_mute_720h', value: `${alert.id}:720` });
    expect(body.text).toContain('I do not know this button');
    expect(await store.mutes.active(NOW)).toEqual([]);
  });

  it("acknowledges and mutes for an admin in the alert's own channel", async () => {
    const { status } = await press({ actionId: ALERT_ACK_ACTION, value: String(alert.id) });
    expect(status).toBe(200);
    await fake.waitFor(
      async () => (await store.alerts.get(alert.id))?.acknowledgedBy === ADMIN,
      'the acknowledgement',
    );
    expect((await store.outbox.all()).map((row) => row.alertId)).toEqual([alert.id]);
    const muted = await pressAndRead({ actionId: MUTE_4H, value: `${alert.id}:4` });
    expect(muted.response_type).toBe('in_channel');
    expect(muted.text).toContain(`muted *${SECRET_VM}* in this channel`);
    expect((await store.mutes.active(NOW, ALERTS)).map((m) => m.name)).toEqual([SECRET_VM]);
  });
});

describe('the request guard (HTTP mode)', () => {
  it('answers a signed body Bolt cannot read with 400 at once, and keeps serving', async () => {
    const json = ['null', '[]', '42', '"text"', '{}', '{"type":"event_callback","event_id":"Ev1"}'];
    for (const body of json) {
      expect((await sendSigned(body, 'application/json')).status, body).toBe(400);
    }
    const forms = [
      'payload=null',
      'payload=1',
      'payload=%5B%5D',
      'payload=not-json',
      `payload=${encodeURIComponent('{"type":"block_actions","actions":[]}')}`,
      `payload=${encodeURIComponent('{"type":"block_actions","user":{"id":"U222"},"actions":[{"value":"1"}]}')}`,
      'payload=%7B%7D&payload=%7B%7D',
      `${new URLSearchParams(slashCommandBody({ text: 'x', response_url: fake.responseUrl('x') }))}&user_id=U999`,
    ];
    for (const body of forms) {
      expect((await sendSigned(body, FORM)).status, body).toBe(400);
    }
    const huge = JSON.stringify({
      type: 'event_callback',
      event_id: 'EvBig',
      pad: 'x'.repeat(SLACK_BODY_LIMIT),
    });
    expect((await sendSigned(huge, 'application/json')).status).toBe(413);
    // unsigned garbage is refused for its signature first
    expect((await sender.send('null', 'application/json', {})).status).toBe(401);
    const command = new URLSearchParams(
      slashCommandBody({
        text: 'help',
        user_id: MEMBER,
        channel_id: 'C111',
        response_url: fake.responseUrl('alive'),
      }),
    ).toString();
    expect((await sendSigned(command, FORM)).status).toBe(200);
    await fake.waitForResponse('alive');
  });

  it('refuses a timestamp more than 5 minutes in the future or the past, and accepts one within', async () => {
    const command = (id: string) =>
      new URLSearchParams(
        slashCommandBody({
          text: 'help',
          user_id: MEMBER,
          channel_id: 'C111',
          response_url: fake.responseUrl(id),
        }),
      ).toString();
    expect((await sendSigned(command('future'), FORM, 5 * 60 + 1)).status).toBe(401);
    expect((await sendSigned(command('past'), FORM, -(5 * 60 + 1))).status).toBe(401);
    expect((await sendSigned(command('soon'), FORM, 4 * 60)).status).toBe(200);
    await fake.waitForResponse('soon');
    expect(fake.responses.map((r) => r.id)).toEqual(['soon']);
  });

  it("answers an event once although Slack retries it, and again once the hour's memory has passed", async () => {
    const event = mentionEvent('help', { user: MEMBER, channel: 'C111' });
    const body = JSON.stringify(eventEnvelope(event));
    const answersTo = (ts: string) =>
      fake.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === ts);
    expect((await sendSigned(body, 'application/json')).status).toBe(200);
    await fake.waitFor(() => answersTo(event.ts).length === 1, 'the answer');
    for (const retry of ['1', '2']) {
      const again = await sendSigned(body, 'application/json', 0, {
        'x-slack-retry-num': retry,
        'x-slack-retry-reason': 'http_timeout',
      });
      expect(again.status).toBe(200);
    }
    // a later event is answered, so the retries before it had their turn and were dropped
    const later = mentionEvent('help', { user: MEMBER, channel: 'C111' });
    expect((await sendSigned(JSON.stringify(eventEnvelope(later)), 'application/json')).status).toBe(200);
    await fake.waitFor(() => answersTo(later.ts).length === 1, 'the later answer');
    expect(answersTo(event.ts)).toHaveLength(1);

    requestOffsetMs = 61 * 60_000;
    expect((await sendSigned(body, 'application/json', 0, { 'x-slack-retry-num': '3' })).status).toBe(200);
    await fake.waitFor(() => answersTo(event.ts).length === 2, 'the answer after an hour');
  });
});

describe('names with formatting marks in answers', () => {
  it('shows VM and job names as typed in an answer to /replicas', async () => {
    const command = new URLSearchParams(
      slashCommandBody({
        text: 'failed replicas today',
        user_id: MEMBER,
        channel_id: 'C111',
        response_url: fake.responseUrl('marked'),
      }),
    ).toString();
    expect((await sendSigned(command, FORM)).status).toBe(200);
    const { body } = await fake.waitForResponse('marked');
    const texts = mrkdwnTexts(body);
    expectShownAsTyped(texts, MARKED_VM);
    expectShownAsTyped(texts, MARKED_JOB);
  });
});

describe('the request guard (Socket Mode)', () => {
  let socketFake: FakeSlackApi;
  let socketApp: SlackAppHandle;

  beforeAll(async () => {
    socketFake = await startFakeSlackApi({ socketMode: true });
    socketApp = createSlackApp({
      config: loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_APP_TOKEN: 'xapp-test-token',
        SLACK_API_URL: socketFake.apiUrl,
        PORT: '0',
      }),
      em,
      logger: silentLogger,
      clock,
      requestClock,
      clientOptions: { retryConfig: { retries: 0 } },
    });
    await socketApp.start();
    await socketFake.waitForSocket();
  });

  afterAll(async () => {
    await socketApp?.stop();
    await socketFake?.close();
  });

  it('acks and drops a malformed envelope, and keeps answering', async () => {
    await socketFake.sendSocketText('null');
    await socketFake.sendSocketText('[1]');
    await socketFake.sendSocketText('{"envelope_id":"env-no-type"}', 'env-no-type');
    for (const [id, type, payload] of [
      ['env-m1', 'events_api', null],
      ['env-m2', 'events_api', { type: 'event_callback', event_id: 'EvX' }],
      ['env-m3', 'interactive', 1],
      ['env-m4', 'interactive', { type: 'block_actions', actions: [] }],
      ['env-m5', 'slash_commands', { command: '/replicas' }],
      ['env-m6', 'events_api', { type: 'url_verification', challenge: 'c' }],
    ] as const) {
      const ack = await socketFake.sendSocketText(JSON.stringify({ envelope_id: id, type, payload }), id);
      expect(ack?.envelope_id).toBe(id);
    }
    const event = mentionEvent('help');
    await socketFake.sendEnvelope('events_api', eventEnvelope(event));
    await socketFake.waitForCall('chat.postMessage', (c) => c.params.thread_ts === event.ts);
  });

  it('acks a retried event without answering it twice', async () => {
    const event = mentionEvent('help');
    const envelope = eventEnvelope(event);
    const answersTo = () =>
      socketFake.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === event.ts);
    await socketFake.sendEnvelope('events_api', envelope);
    await socketFake.waitFor(() => answersTo().length === 1, 'the answer');
    const retry = JSON.stringify({
      envelope_id: 'env-retry',
      type: 'events_api',
      retry_attempt: 1,
      payload: envelope,
    });
    expect((await socketFake.sendSocketText(retry, 'env-retry'))?.envelope_id).toBe('env-retry');
    const later = mentionEvent('help');
    await socketFake.sendEnvelope('events_api', eventEnvelope(later));
    await socketFake.waitForCall('chat.postMessage', (c) => c.params.thread_ts === later.ts);
    expect(answersTo()).toHaveLength(1);
  });
});
