/**
 * The real Bolt app in HTTP mode on 127.0.0.1:0: signed slash commands, mentions, DMs and button clicks over
 * HTTP; its WebClient and respond() talk to the fake Slack Web API; EM answers come from the simulator.
 */
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTION_DETAILS,
  ACTION_POST_TO_CHANNEL,
  ACTION_SHOW_MORE,
} from '../../src/answers/slack/answer-action-ids.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createSlackApp, type SlackAppHandle } from '../../src/slack/app.js';
import type { SlashSubcommand } from '../../src/slack/subcommands.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import {
  blockActionsPayload,
  createSlackSender,
  directMessageEvent,
  mentionEvent,
  signSlackRequest,
  slashCommandBody,
  TEST_SIGNING_SECRET,
} from '../fakes/slack-requests.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const clock = { now: () => NOW };

interface Block {
  type: string;
  text?: { text: string };
  elements?: Array<{ action_id?: string; value?: string; text?: string | { text: string } }>;
  accessory?: { action_id: string; value: string };
}

function blocksOf(body: Record<string, unknown>): Block[] {
  return (body.blocks ?? []) as Block[];
}
function buttonValue(body: Record<string, unknown>, actionId: string): string | undefined {
  for (const block of blocksOf(body)) {
    if (block.accessory?.action_id === actionId) return block.accessory.value;
    for (const element of block.elements ?? []) if (element.action_id === actionId) return element.value;
  }
  return undefined;
}

function slackEnv(fake: FakeSlackApi, extra: Record<string, string> = {}) {
  return loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    DEFAULT_TIMEZONE: 'UTC',
    ...extra,
  });
}

let sim: RunningSimulator;
let em: EmClient;
let fake: FakeSlackApi;
let slack: SlackAppHandle;
let sender: ReturnType<typeof createSlackSender>;
let responseCounter = 0;
const nextResponseId = () => `r${++responseCounter}`;

const echo: SlashSubcommand = {
  name: 'echo',
  usage: 'echo <words>',
  description: 'says the words back',
  handle: async (ctx) =>
    ctx.respond({ response_type: 'ephemeral', text: `echo ${ctx.args} (${ctx.timeZone})` }),
};

function emClientFor(url: string, caPem?: string): EmClient {
  return createEmClient({
    url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format: 'xml',
    timeoutMs: 5000,
    pageSize: 500,
    retry: { attempts: 1, baseDelayMs: 0 },
    ...(caPem ? { caPem } : {}),
  });
}

beforeAll(async () => {
  sim = await startSimulator({ now: clock.now, data: { demo: false } });
  sim.addTaskSession({
    vm: '<https://evil|click>',
    job: 'R&D <lab> replicas',
    result: 'Failed',
    reason: '<!channel> datastore <DR-DS02> is full & read-only',
    creationTime: new Date(NOW.getTime() - 50 * 60_000),
    endTime: new Date(NOW.getTime() - 40 * 60_000),
  });
  em = emClientFor(sim.url);
  fake = await startFakeSlackApi();
  fake.setUser('U222', { tz: 'Europe/Berlin' });
  slack = createSlackApp({
    config: slackEnv(fake),
    em,
    logger: silentLogger,
    clock,
    subcommands: [echo],
    host: '127.0.0.1',
    clientOptions: { retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 } },
  });
  await slack.start();
  sender = createSlackSender(`http://127.0.0.1:${slack.port}/slack/events`);
});

afterEach(() => {
  expect(fake.violations).toEqual([]);
  fake.reset();
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await em?.close();
  await sim?.close();
});

describe('the Slack app over HTTP', () => {
  it('acks a signed /replicas at once and answers ephemerally through response_url', async () => {
    const id = nextResponseId();
    const ack = await sender.command({
      text: 'failed replicas last 7 days',
      response_url: fake.responseUrl(id),
    });
    expect(ack.status).toBe(200);
    const { body } = await fake.waitForResponse(id);
    expect(body.response_type).toBe('ephemeral');
    const blocks = blocksOf(body);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Failed replicas in the last 7 days' } });
    // the asker's zone came from users.info
    expect(fake.callsTo('users.info')[0]?.params.user).toBe('U222');
    expect(JSON.stringify(blocks[1])).toContain('Europe/Berlin');
    expect(String(body.text)).toMatch(/^Failed replicas in the last 7 days: \d+ sessions, \d+ failed/);
    const sessions = blocks.filter((b) => b.accessory?.action_id === ACTION_DETAILS);
    expect(sessions).toHaveLength(10);
    expect(sessions.every((b) => b.text?.text.startsWith(':x: '))).toBe(true);
    expect(buttonValue(body, ACTION_SHOW_MORE)).toBeDefined();
    expect(buttonValue(body, ACTION_POST_TO_CHANNEL)).toBeDefined();
  });

  it('says plainly that EM has no VM by a name it never saw, rather than an all-clear', async () => {
    const id = nextResponseId();
    await sender.command({ text: 'replicas failed today for nosuchvm', response_url: fake.responseUrl(id) });
    const { body } = await fake.waitForResponse(id);
    const expected = 'Enterprise Manager has no VM named nosuchvm in its 30 days of history.';
    expect(String(body.text)).toContain(expected);
    expect(JSON.stringify(body.blocks)).toContain(expected);
    expect(JSON.stringify(body.blocks)).not.toContain('No failed replicas for nosuchvm today.');
  });

  it('shows names and reasons from EM as text that pings nobody', async () => {
    const id = nextResponseId();
    await sender.command({ text: 'failed replicas in the last 2 hours', response_url: fake.responseUrl(id) });
    const { body } = await fake.waitForResponse(id);
    const raw = JSON.stringify(body);
    expect(raw).toContain('&lt;https://evil|click&gt;');
    expect(raw).toContain('&lt;!channel&gt; datastore &lt;DR-DS02&gt; is full &amp; read-only');
    expect(raw).toContain('R&amp;D &lt;lab&gt; replicas');
    expect(raw).not.toContain('<https://evil|click>');
    expect(raw).not.toContain('<!channel>');
  });

  it('pages with "Show more", reading "last 7 days" against the first answer\'s now', async () => {
    const first = nextResponseId();
    await sender.command({ text: 'failed replicas last 7 days', response_url: fake.responseUrl(first) });
    const page1 = (await fake.waitForResponse(first)).body;
    const value = buttonValue(page1, ACTION_SHOW_MORE)!;
    const second = nextResponseId();
    const click = await sender.action(
      blockActionsPayload({
        actionId: ACTION_SHOW_MORE,
        value,
        responseUrl: fake.responseUrl(second),
        ephemeral: true,
      }),
    );
    expect(click.status).toBe(200);
    const page2 = (await fake.waitForResponse(second)).body;
    expect(page2.replace_original).toBe(true);
    expect(JSON.stringify(page2.blocks)).toMatch(/Showing 11–20 of \d+/);
    const firstIds = blocksOf(page1).flatMap((b) => (b.accessory ? [b.text?.text] : []));
    const secondIds = blocksOf(page2).flatMap((b) => (b.accessory ? [b.text?.text] : []));
    expect(secondIds.some((t) => firstIds.includes(t))).toBe(false);
  });

  it('shows a job run with all its VMs on "Details"', async () => {
    const first = nextResponseId();
    await sender.command({
      text: 'failed replicas in the last 2 hours',
      response_url: fake.responseUrl(first),
    });
    const value = buttonValue((await fake.waitForResponse(first)).body, ACTION_DETAILS)!;
    const second = nextResponseId();
    await sender.action(
      blockActionsPayload({ actionId: ACTION_DETAILS, value, responseUrl: fake.responseUrl(second) }),
    );
    const { body } = await fake.waitForResponse(second);
    expect(body.response_type).toBe('ephemeral');
    expect(blocksOf(body)[0]?.text?.text).toBe('Job run: R&D <lab> replicas');
    expect(JSON.stringify(body.blocks)).toContain('&lt;https://evil|click&gt;');
  });

  it('posts the answer to the channel for everyone on "Post to channel" and removes the ephemeral one', async () => {
    const first = nextResponseId();
    await sender.command({ text: 'failed replicas last 7 days', response_url: fake.responseUrl(first) });
    const value = buttonValue((await fake.waitForResponse(first)).body, ACTION_POST_TO_CHANNEL)!;
    const second = nextResponseId();
    await sender.action(
      blockActionsPayload({
        actionId: ACTION_POST_TO_CHANNEL,
        value,
        responseUrl: fake.responseUrl(second),
        ephemeral: true,
      }),
    );
    const post = await fake.waitForCall('chat.postMessage');
    expect(post.params.channel).toBe('C111');
    expect(JSON.stringify(post.params.blocks)).toContain('Asked by <@U222>');
    expect(buttonValue(post.params, ACTION_POST_TO_CHANNEL)).toBeUndefined();
    expect((await fake.waitForResponse(second)).body.delete_original).toBe(true);
  });

  it('explains how to invite the bot when Slack refuses the channel post', async () => {
    const first = nextResponseId();
    await sender.command({ text: 'failed replicas last 7 days', response_url: fake.responseUrl(first) });
    const value = buttonValue((await fake.waitForResponse(first)).body, ACTION_POST_TO_CHANNEL)!;
    fake.override('chat.postMessage', { body: { ok: false, error: 'not_in_channel' } }, 1);
    const second = nextResponseId();
    await sender.action(
      blockActionsPayload({
        actionId: ACTION_POST_TO_CHANNEL,
        value,
        responseUrl: fake.responseUrl(second),
        ephemeral: true,
      }),
    );
    const { body } = await fake.waitForResponse(second);
    expect(body.response_type).toBe('ephemeral');
    expect(String(body.text)).toContain('/invite');
    expect(String(body.text)).toMatch(/reference R-[A-Z0-9]{6}/);
  });

  it('answers a mention in the thread of the mention, after a 429 with Retry-After', async () => {
    fake.rateLimit('chat.postMessage', 0, 1);
    const event = mentionEvent('failed replicas last 7 days');
    expect((await sender.event(event)).status).toBe(200);
    const post = await fake.waitForCall(
      'chat.postMessage',
      (c) => c.params.blocks !== undefined && fake.callsTo('chat.postMessage').length >= 2,
    );
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    expect(post.params.channel).toBe('C111');
    expect(post.params.thread_ts).toBe(event.ts);
    expect(blocksOf(post.params)[0]?.text?.text).toBe('Failed replicas in the last 7 days');
  });

  it('lists what it understands on "help" in a mention and on /replicas help, with subcommands', async () => {
    await sender.event(mentionEvent('--help'));
    const post = await fake.waitForCall('chat.postMessage');
    const mentioned = JSON.stringify(post.params.blocks);
    expect(mentioned).toContain('What I can answer');
    // in a mention a question is typed as it is; subcommands still live behind the slash command
    expect(mentioned).toContain('`failed replicas today`');
    expect(mentioned).not.toContain('/replicas failed replicas today');
    expect(mentioned).toContain('/replicas echo &lt;words&gt;');
    const id = nextResponseId();
    await sender.command({ text: '--help', response_url: fake.responseUrl(id) });
    const help = JSON.stringify((await fake.waitForResponse(id)).body);
    expect(help).toContain('/replicas failed replicas today');
    expect(help).toContain('/replicas echo &lt;words&gt;');
    expect(help).toContain('mention me');
  });

  it('answers a direct message in the DM', async () => {
    await sender.event(directMessageEvent('running replicas'));
    const post = await fake.waitForCall('chat.postMessage');
    expect(post.params.channel).toBe('D222');
    expect(post.params.thread_ts).toBeUndefined();
    expect(post.params.text).toBeTruthy();
  });

  it('ignores its own messages and edits in the DM', async () => {
    await sender.event({ ...directMessageEvent('failed today'), bot_id: 'BBOT' });
    await sender.event({ ...directMessageEvent('failed today'), subtype: 'message_changed' });
    await sender.event(directMessageEvent('help'));
    await fake.waitForCall('chat.postMessage');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('suggests questions when it does not understand one', async () => {
    const id = nextResponseId();
    await sender.command({ text: 'blorp zzyzx', response_url: fake.responseUrl(id) });
    const { body } = await fake.waitForResponse(id);
    expect(body.response_type).toBe('ephemeral');
    expect(JSON.stringify(body.blocks)).toContain('Try for example');
  });

  it('hands "/replicas <word> ..." to the subcommand that owns the word', async () => {
    const id = nextResponseId();
    await sender.command({ text: 'echo hello there', response_url: fake.responseUrl(id) });
    expect((await fake.waitForResponse(id)).body.text).toBe('echo hello there (Europe/Berlin)');
  });

  it('publishes the App Home with the last 24 hours at a glance', async () => {
    await sender.event({
      type: 'app_home_opened',
      user: 'U222',
      channel: 'D222',
      tab: 'home',
      event_ts: '1.2',
    });
    const call = await fake.waitForCall('views.publish');
    expect(call.params.user_id).toBe('U222');
    const view = call.params.view as { type: string; blocks: Block[] };
    expect(view.type).toBe('home');
    expect(view.blocks[0]?.text?.text).toBe('Replicas in the last 24 hours');
    expect(JSON.stringify(view.blocks)).toMatch(/\*\d+ sessions\*/);
    expect(JSON.stringify(view.blocks)).toContain('Latest failures and warnings');
  });

  it('answers a button from an unreadable value with a clear message instead of silence', async () => {
    const id = nextResponseId();
    await sender.action(
      blockActionsPayload({
        actionId: ACTION_SHOW_MORE,
        value: 'not json',
        responseUrl: fake.responseUrl(id),
      }),
    );
    const { body } = await fake.waitForResponse(id);
    expect(body.response_type).toBe('ephemeral');
    expect(String(body.text)).toContain('Ask the question again.');
  });

  it('has a fake Slack API that refuses and records a message over a Block Kit limit', async () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    await expect(
      slack.client.chat.postMessage({ channel: 'C111', text: 'too long', blocks }),
    ).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
    expect(fake.violations).toEqual([
      'chat.postMessage: no more than 50 blocks allowed (got 51) [json-pointer:/blocks]',
    ]);
    fake.violations.length = 0;
  });

  it('answers /healthz with 200 while up', async () => {
    const response = await fetch(`http://127.0.0.1:${slack.port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('rejects a wrong signature, a stale timestamp and a body changed after signing with 401', async () => {
    const id = nextResponseId();
    const body = new URLSearchParams(
      slashCommandBody({ text: 'failed today', response_url: fake.responseUrl(id) }),
    ).toString();
    const form = 'application/x-www-form-urlencoded';
    expect((await sender.send(body, form, signSlackRequest(body, 'wrong-secret'))).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 301;
    expect((await sender.send(body, form, signSlackRequest(body, TEST_SIGNING_SECRET, stale))).status).toBe(
      401,
    );
    expect((await sender.send(`${body}x`, form, signSlackRequest(body, TEST_SIGNING_SECRET))).status).toBe(
      401,
    );
    expect((await sender.send(body, form, {})).status).toBe(401);
    // a correctly signed command sent after them is answered; none of the refused ones ever is
    const okId = nextResponseId();
    const ok = new URLSearchParams(
      slashCommandBody({ text: 'failed today', response_url: fake.responseUrl(okId) }),
    ).toString();
    expect((await sender.send(ok, form, signSlackRequest(ok, TEST_SIGNING_SECRET))).status).toBe(200);
    await fake.waitForResponse(okId);
    expect(fake.responses.filter((r) => r.id === id)).toHaveLength(0);
  });
});

describe('the Slack app with access lists and a broken EM', () => {
  let other: SlackAppHandle;
  let otherSender: ReturnType<typeof createSlackSender>;
  const logLines: string[] = [];

  beforeAll(async () => {
    const logs = new Writable({
      write(chunk, _encoding, callback) {
        logLines.push(String(chunk));
        callback();
      },
    });
    // a closed port: EM is unreachable
    const dead = await startSimulator({ now: clock.now, data: { taskSessions: 0 } });
    const deadUrl = dead.url;
    await dead.close();
    other = createSlackApp({
      config: slackEnv(fake, { ALLOWED_CHANNEL_IDS: 'C111', ALLOWED_USER_IDS: 'U222,U333' }),
      em: createEmClient({
        url: deadUrl,
        username: 'replibot',
        password: 'very-secret-password',
        caFile: undefined,
        insecureTls: false,
        format: 'xml',
        timeoutMs: 2000,
        pageSize: 500,
        retry: { attempts: 1, baseDelayMs: 0 },
      }),
      logger: createLogger('info', logs),
      clock,
      host: '127.0.0.1',
      clientOptions: { retryConfig: { retries: 0 } },
    });
    await other.start();
    otherSender = createSlackSender(`http://127.0.0.1:${other.port}/slack/events`);
  });

  afterAll(async () => {
    await other?.stop();
  });

  it('politely refuses a user who is not on ALLOWED_USER_IDS', async () => {
    const id = nextResponseId();
    await otherSender.command({ text: 'failed today', user_id: 'U999', response_url: fake.responseUrl(id) });
    const { body } = await fake.waitForResponse(id);
    expect(body.response_type).toBe('ephemeral');
    expect(String(body.text)).toContain('Sorry');
  });

  it('politely refuses in a channel that is not on ALLOWED_CHANNEL_IDS', async () => {
    const id = nextResponseId();
    await otherSender.command({
      text: 'failed today',
      channel_id: 'C999',
      response_url: fake.responseUrl(id),
    });
    expect(String((await fake.waitForResponse(id)).body.text)).toContain(
      "don't answer questions in this conversation",
    );
  });

  it('says EM is unreachable with a reference id that is also in the log, and no secret anywhere', async () => {
    const id = nextResponseId();
    await otherSender.command({ text: 'failed today', response_url: fake.responseUrl(id) });
    const { body } = await fake.waitForResponse(id);
    const shown = JSON.stringify(body);
    expect(shown).toContain('I could not reach Veeam Backup Enterprise Manager.');
    const ref = /R-[A-Z0-9]{6}/.exec(shown)?.[0];
    expect(ref).toBeDefined();
    expect(logLines.join('')).toContain(ref!);
    expect(shown).not.toMatch(/at .*\.ts:\d+/);
    expect(shown + logLines.join('')).not.toContain('very-secret-password');
    expect(shown + logLines.join('')).not.toContain('xoxb-test-token');
  });
});
