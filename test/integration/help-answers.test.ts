/**
 * Every example of the help works as typed: each question gets an answer (a session answer or an RPO one, never
 * "I did not understand") and each `/replicas` command example is taken by its subcommand, through the composed
 * app (src/main.ts, every feature, Slack HTTP mode) by signed requests, against the built-in simulator (its demo
 * data has the session the help names) and the fake Slack Web API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningReplibot, startReplibot } from '../../src/main.js';
import { EXAMPLE_COMMANDS, EXAMPLE_QUESTIONS } from '../../src/question/help.js';
import { WORD_JOINER } from '../../src/slack/mrkdwn.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { createSlackSender, TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';

const CHANNEL = 'C0HELPEX';
let dir: string;
let slack: FakeSlackApi;
let app: RunningReplibot;
let sent = 0;
// a weekday morning, running on from there: "failed this morning" and "what failed last night" have happened
const START = Date.parse('2026-11-24T10:05:00Z');
const began = Date.now();
const clock = { now: () => new Date(START + (Date.now() - began)) };

const quiet = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replibot-help-'));
  slack = await startFakeSlackApi();
  app = await startReplibot({
    env: {
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DATABASE_PATH: join(dir, 'replibot.db'),
      LOG_LEVEL: 'silent',
    },
    clock,
    errorOutput: quiet(),
    slack: { host: '127.0.0.1', clientOptions: { retryConfig: { retries: 0 } } },
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await slack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `/replicas <text>` by a signed request; the reply sent to its response_url. */
async function command(text: string): Promise<string> {
  if (!app.slack) throw new Error('no Slack app');
  const sender = createSlackSender(`http://127.0.0.1:${app.slack.port}/slack/events`);
  sent += 1;
  const id = `help-${sent}`;
  const res = await sender.command({
    command: '/replicas',
    text,
    channel_id: CHANNEL,
    user_id: 'U1',
    response_url: slack.responseUrl(id),
  });
  expect(res.status).toBe(200);
  const body = (await slack.waitForResponse(id)).body;
  return `${String(body.text)} ${JSON.stringify(body.blocks ?? [])}`.replaceAll(WORD_JOINER, '');
}

describe('the help examples', () => {
  it('include the RPO questions and commands', () => {
    for (const q of ['is apache02 protected', 'which VMs are outside RPO', 'oldest replicas'])
      expect(EXAMPLE_QUESTIONS).toContain(q);
    expect(EXAMPLE_QUESTIONS).toContain('how old is the replica of apache02');
    expect(EXAMPLE_COMMANDS).toContain('subscribe rpo 4h job "SQL Replica"');
    expect(EXAMPLE_COMMANDS.some((c) => c.startsWith('mute '))).toBe(true);
  });

  it('are each answered as typed in Slack, never with "I did not understand"', async () => {
    for (const question of EXAMPLE_QUESTIONS) {
      const reply = await command(question);
      expect(reply, question).not.toMatch(/did not understand|is not a duration|Try for example/i);
      expect(reply, question).not.toMatch(/went wrong|R-[0-9A-Z]{6}/);
    }
  }, 120_000);

  it('have RPO questions answered by the RPO watch', async () => {
    expect(await command('is apache02 protected')).toMatch(/apache02/);
    expect(await command('which VMs are outside RPO')).toMatch(/RPO/);
  }, 60_000);

  it('have each command example taken by its subcommand', async () => {
    const replies = new Map<string, string>();
    for (const example of EXAMPLE_COMMANDS) replies.set(example, await command(example));
    for (const [example, reply] of replies) {
      expect(reply, example).not.toMatch(/did not understand|Use: |is not a duration|went wrong/i);
    }
    expect(replies.get('subscribe rpo 4h job "SQL Replica"')).toContain(
      'subscribed this channel to RPO alerts: replicas older than 4h',
    );
    const mute = EXAMPLE_COMMANDS.find((c) => c.startsWith('mute ')) ?? '';
    expect(replies.get(mute)).toMatch(/muted/i);
  }, 60_000);
});
