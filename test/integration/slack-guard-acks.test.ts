/**
 * Acks from the request guard (src/slack/request-guard.ts, step 4): signed requests to the real Bolt app in HTTP
 * mode, with a global Bolt middleware the test can hold shut. A slash command of the dispatcher and an event
 * are acked with Bolt's empty 200 while Bolt has not run for them (held); what carries a body in its ack (a
 * view_submission's response_action, another command's ack text, url_verification) still goes through Bolt.
 * The same in Socket Mode over the fake Slack API's WebSocket. Only the order of events is asserted, never a
 * duration.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createSlackApp, type SlackAppHandle } from '../../src/slack/app.js';
import type { RecentIds } from '../../src/slack/recent-ids.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { simEmOptions } from '../fakes/sim-em-options.js';
import {
  eventEnvelope,
  mentionEvent,
  signSlackRequest,
  slashCommandBody,
  TEST_SIGNING_SECRET,
} from '../fakes/slack-requests.js';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

let sim: RunningSimulator;
let em: EmClient;
let fake: FakeSlackApi;
let slack: SlackAppHandle | undefined;
let url = '';

/** What Bolt's global middleware saw, in order; while `held`, it waits there for `release()`. */
const seen: string[] = [];
let held = false;
let releases: Array<() => void> = [];
function release() {
  held = false;
  const pending = releases;
  releases = [];
  for (const go of pending) go();
}

async function startApp(recentEvents?: RecentIds, socket?: FakeSlackApi) {
  slack = createSlackApp({
    config: loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      ...(socket
        ? { SLACK_APP_TOKEN: 'xapp-test-token', SLACK_API_URL: socket.apiUrl }
        : { SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_API_URL: fake.apiUrl }),
      PORT: '0',
      DEFAULT_TIMEZONE: 'UTC',
    }),
    em,
    logger: silentLogger,
    host: '127.0.0.1',
    clientOptions: { retryConfig: { retries: 0 } },
    ...(recentEvents ? { recentEvents } : {}),
    extend(app) {
      app.use(async ({ body, next }) => {
        seen.push(String('command' in body ? body.command : body.type));
        if (held) await new Promise<void>((resolve) => releases.push(resolve));
        await next();
      });
      app.view('edit_mute', async ({ ack }) => {
        await ack({ response_action: 'errors', errors: { hours: 'At most 168 hours.' } });
      });
      app.command('/other', async ({ ack }) => {
        await ack({ response_type: 'ephemeral', text: 'answered in the ack' });
      });
    },
  });
  await slack.start();
  if (socket) await socket.waitForSocket();
  else url = `http://127.0.0.1:${slack.port}/slack/events`;
}

async function post(body: string, contentType: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': contentType, ...signSlackRequest(body, TEST_SIGNING_SECRET), ...headers },
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: await response.text(),
  };
}

const command = (text: string, id: string, name = '/replicas') =>
  new URLSearchParams(
    slashCommandBody({ text, command: name, response_url: fake.responseUrl(id) }),
  ).toString();

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, data: { taskSessions: 50, days: 1 } });
  em = createEmClient(simEmOptions(sim.url));
  fake = await startFakeSlackApi();
  fake.setUser('U222', { tz: 'UTC' });
});

afterEach(async () => {
  release();
  await slack?.stop();
  slack = undefined;
  seen.length = 0;
  fake.reset();
  fake.setUser('U222', { tz: 'UTC' });
});

afterAll(async () => {
  await em.close();
  await fake.close();
  await sim.close();
});

describe('acks from the request guard', () => {
  it("acks /replicas, /veeam and an event with Bolt's empty 200 before Bolt runs for them, then answers", async () => {
    await startApp();
    held = true;
    const mention = mentionEvent('help');
    const acks = await Promise.all([
      post(command('help', 'r1'), FORM),
      post(command('help', 'v1', '/veeam'), FORM),
      post(JSON.stringify(eventEnvelope(mention)), JSON_TYPE),
    ]);
    expect(acks).toEqual(acks.map(() => ({ status: 200, contentType: null, body: '' })));
    // nothing was answered yet: Bolt is held for every one of them (or has not reached them at all)
    expect(fake.responses).toEqual([]);
    expect(fake.callsTo('chat.postMessage')).toEqual([]);

    release();
    expect(String((await fake.waitForResponse('r1')).body.text)).toContain('/replicas');
    expect(String((await fake.waitForResponse('v1')).body.text)).toContain('/veeam');
    const answer = await fake.waitForCall('chat.postMessage', (c) => c.params.thread_ts === mention.ts);
    expect(String(answer.params.text)).toContain('help');
    expect([...seen].sort()).toEqual(['/replicas', '/veeam', 'event_callback']);
  });

  it('leaves acks that carry a body to Bolt: response_action errors, an ack text, url_verification', async () => {
    await startApp();
    const view = {
      type: 'view_submission',
      token: 'legacy-token',
      api_app_id: 'A111',
      team: { id: 'T111', domain: 'fake' },
      user: { id: 'U222', username: 'alice', name: 'alice', team_id: 'T111' },
      trigger_id: '1.2.abc',
      view: {
        id: 'V1',
        type: 'modal',
        callback_id: 'edit_mute',
        state: { values: {} },
        private_metadata: '',
      },
    };
    const submitted = await post(new URLSearchParams({ payload: JSON.stringify(view) }).toString(), FORM);
    expect(submitted.status).toBe(200);
    expect(JSON.parse(submitted.body)).toEqual({
      response_action: 'errors',
      errors: { hours: 'At most 168 hours.' },
    });

    const other = await post(command('anything', 'o1', '/other'), FORM);
    expect(other.status).toBe(200);
    expect(JSON.parse(other.body)).toEqual({ response_type: 'ephemeral', text: 'answered in the ack' });

    const verification = await post(
      JSON.stringify({ type: 'url_verification', token: 'legacy-token', challenge: 'c-123' }),
      JSON_TYPE,
    );
    expect(verification.status).toBe(200);
    expect(JSON.parse(verification.body)).toEqual({ challenge: 'c-123' });
    expect(seen).toEqual(['view_submission', '/other']);
  });

  it('answers an event once, although the memory of handled events cannot be read', async () => {
    await startApp({
      remember: async () => {
        throw new Error('the store is down');
      },
    });
    const mention = mentionEvent('help');
    const ack = await post(JSON.stringify(eventEnvelope(mention)), JSON_TYPE);
    expect(ack).toEqual({ status: 200, contentType: null, body: '' });
    await fake.waitForCall('chat.postMessage', (c) => c.params.thread_ts === mention.ts);
    expect(seen).toEqual(['event_callback']);
  });

  it('hands Bolt the retry number of a retried event it has not handled', async () => {
    let retryNum: unknown;
    await startApp();
    slack?.app.use(async ({ context, next }) => {
      retryNum = context.retryNum;
      await next();
    });
    const mention = mentionEvent('help');
    const ack = await post(JSON.stringify(eventEnvelope(mention)), JSON_TYPE, {
      'x-slack-retry-num': '2',
      'x-slack-retry-reason': 'http_timeout',
    });
    expect(ack.status).toBe(200);
    await fake.waitForCall('chat.postMessage', (c) => c.params.thread_ts === mention.ts);
    expect(retryNum).toBe(2);
  });
});

describe('acks from the guard in Socket Mode', () => {
  let socket: FakeSlackApi;
  beforeAll(async () => {
    socket = await startFakeSlackApi({ socketMode: true });
    socket.setUser('U222', { tz: 'UTC' });
  });
  afterAll(async () => {
    await socket.close();
  });

  it("acks a /replicas envelope and an event with Bolt's empty payload before Bolt runs, then answers", async () => {
    await startApp(undefined, socket);
    held = true;
    const mention = mentionEvent('help');
    const acks = await Promise.all([
      socket.sendEnvelope(
        'slash_commands',
        slashCommandBody({ text: 'help', response_url: socket.responseUrl('s1') }),
      ),
      socket.sendEnvelope('events_api', eventEnvelope(mention)),
    ]);
    expect(acks.map((a) => a.payload)).toEqual([{}, {}]);
    expect(socket.responses).toEqual([]);

    release();
    expect(String((await socket.waitForResponse('s1')).body.text)).toContain('/replicas');
    await socket.waitForCall('chat.postMessage', (c) => c.params.thread_ts === mention.ts);
    expect([...seen].sort()).toEqual(['/replicas', 'event_callback']);
    expect(socket.violations).toEqual([]);
  });

  it("leaves a view submission's ack to Bolt: its response_action comes back in the ack", async () => {
    await startApp(undefined, socket);
    const ack = await socket.sendEnvelope('interactive', {
      type: 'view_submission',
      token: 'legacy-token',
      api_app_id: 'A111',
      team: { id: 'T111', domain: 'fake' },
      user: { id: 'U222', username: 'alice', name: 'alice', team_id: 'T111' },
      trigger_id: '1.2.abc',
      view: {
        id: 'V1',
        type: 'modal',
        callback_id: 'edit_mute',
        state: { values: {} },
        private_metadata: '',
      },
    });
    expect(ack.payload).toEqual({ response_action: 'errors', errors: { hours: 'At most 168 hours.' } });
  });
});
