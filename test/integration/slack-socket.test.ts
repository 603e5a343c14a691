/** Socket Mode: the real Bolt app connects to a local WebSocket server standing in for Slack. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createSlackApp, type SlackAppHandle } from '../../src/slack/app.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { eventEnvelope, mentionEvent, slashCommandBody } from '../fakes/slack-requests.js';

const NOW = new Date('2026-11-23T12:00:00Z');

let sim: RunningSimulator;
let em: EmClient;
let fake: FakeSlackApi;
let slack: SlackAppHandle;

beforeAll(async () => {
  sim = await startSimulator({ now: () => NOW });
  em = createEmClient({
    url: sim.url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format: 'json',
    timeoutMs: 5000,
    pageSize: 500,
  });
  fake = await startFakeSlackApi({ socketMode: true });
  fake.setUser('U222', { tz: 'America/New_York' });
  slack = createSlackApp({
    config: loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_APP_TOKEN: 'xapp-test-token',
      SLACK_API_URL: fake.apiUrl,
      PORT: '0',
    }),
    em,
    logger: silentLogger,
    clock: { now: () => NOW },
    clientOptions: { retryConfig: { retries: 0 } },
  });
  await slack.start();
  await fake.waitForSocket();
});

afterEach(() => {
  expect(fake.violations).toEqual([]);
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await em?.close();
  await sim?.close();
});

describe('the Slack app in Socket Mode', () => {
  it('opens the connection with the app token', () => {
    const open = fake.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.token).toBe('xapp-test-token');
  });

  it('acks a slash command envelope and answers through response_url', async () => {
    const ack = await fake.sendEnvelope(
      'slash_commands',
      slashCommandBody({ text: 'failed replicas yesterday', response_url: fake.responseUrl('s1') }),
    );
    expect(ack.envelope_id).toMatch(/^env-/);
    const { body } = await fake.waitForResponse('s1');
    expect(body.response_type).toBe('ephemeral');
    expect(JSON.stringify(body.blocks)).toContain('Failed replicas yesterday');
    expect(JSON.stringify(body.blocks)).toContain('America/New_York');
  });

  it('answers a mention delivered over the socket in its thread', async () => {
    const event = mentionEvent('running replicas');
    await fake.sendEnvelope('events_api', eventEnvelope(event));
    const post = await fake.waitForCall('chat.postMessage');
    expect(post.params.thread_ts).toBe(event.ts);
    expect(post.params.text).toBeTruthy();
  });
});
