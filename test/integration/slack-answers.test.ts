/**
 * What a Veeam admin sees in Slack for names EM does not know, for paging while new sessions arrive, and for the
 * small print of an answer: the real Bolt app over signed HTTP, its WebClient on the fake Slack Web API, and a
 * simulator holding only the sessions each test adds (its clock moves when a test says so).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_SHOW_MORE } from '../../src/answers/slack/answer-action-ids.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createSlackApp, type SlackAppHandle } from '../../src/slack/app.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import {
  blockActionsPayload,
  createSlackSender,
  directMessageEvent,
  mentionEvent,
  TEST_SIGNING_SECRET,
} from '../fakes/slack-requests.js';

const START = new Date('2026-11-23T12:00:00Z');
const MINUTE = 60_000;
let nowMs = START.getTime();
const clock = { now: () => new Date(nowMs) };

interface Block {
  type: string;
  text?: { text: string };
  elements?: Array<{ action_id?: string; value?: string; text?: string | { text: string } }>;
  accessory?: { action_id: string; value: string };
}

let sim: RunningSimulator;
let em: EmClient;
let fake: FakeSlackApi;
let slack: SlackAppHandle;
let sender: ReturnType<typeof createSlackSender>;
let responses = 0;

function blocksOf(body: Record<string, unknown>): Block[] {
  return (body.blocks ?? []) as Block[];
}
function showMore(body: Record<string, unknown>): { label: string; value: string } | undefined {
  for (const block of blocksOf(body))
    for (const element of block.elements ?? [])
      if (element.action_id === ACTION_SHOW_MORE && typeof element.text === 'object')
        return { label: element.text.text, value: element.value ?? '' };
  return undefined;
}
/** The VM names of the sessions on a page, top to bottom. */
function vmsOn(body: Record<string, unknown>): string[] {
  return blocksOf(body).flatMap((b) => {
    if (!b.accessory) return [];
    const name = /^\S+ \*([^*]+)\*/.exec(b.text?.text ?? '')?.[1];
    return name ? [name] : [];
  });
}

async function ask(text: string): Promise<Record<string, unknown>> {
  const id = `a${++responses}`;
  const ack = await sender.command({ text, response_url: fake.responseUrl(id) });
  expect(ack.status).toBe(200);
  return (await fake.waitForResponse(id)).body;
}
async function click(value: string): Promise<Record<string, unknown>> {
  const id = `a${++responses}`;
  await sender.action(
    blockActionsPayload({
      actionId: ACTION_SHOW_MORE,
      value,
      responseUrl: fake.responseUrl(id),
      ephemeral: true,
    }),
  );
  return (await fake.waitForResponse(id)).body;
}

/** A finished session of `vm`, `minutesAgo` before the current simulated time. */
function addSession(vm: string, minutesAgo: number, extra: { job?: string; server?: string } = {}) {
  // the simulator keeps a job on one server, so each server gets its own job
  const server = extra.server ?? 'vbr-paging.tech.local';
  sim.addTaskSession({
    vm,
    job: extra.job ?? `Replicas of ${server}`,
    server,
    result: 'Success',
    creationTime: new Date(nowMs - minutesAgo * MINUTE),
    endTime: new Date(nowMs - minutesAgo * MINUTE + 30_000),
  });
}

beforeAll(async () => {
  sim = await startSimulator({ now: clock.now, data: { taskSessions: 0, demo: false } });
  em = createEmClient({
    url: sim.url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format: 'xml',
    timeoutMs: 5000,
    pageSize: 500,
    retry: { attempts: 1, baseDelayMs: 0 },
  });
  fake = await startFakeSlackApi();
  fake.setUser('U222', { tz: 'UTC' });
  slack = createSlackApp({
    config: loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: '0',
      DEFAULT_TIMEZONE: 'UTC',
    }),
    em,
    logger: silentLogger,
    clock,
    host: '127.0.0.1',
    clientOptions: { retryConfig: { retries: 0 } },
  });
  await slack.start();
  sender = createSlackSender(`http://127.0.0.1:${slack.port}/slack/events`);

  // Three failures on a server EM calls by its full name, a look-alike VM, and a VM that never fails.
  for (const [i, vm] of ['sqlreport03', 'fileserver02', 'dfs01'].entries()) {
    sim.addTaskSession({
      vm,
      job: 'SQL Replica',
      server: 'srv02.tech.local',
      result: 'Failed',
      reason: 'Failed to quiesce the virtual machine.',
      creationTime: new Date(nowMs - (60 + i * 30) * MINUTE),
      endTime: new Date(nowMs - (50 + i * 30) * MINUTE),
    });
  }
  addSession('sql 02', 200, { job: 'SQL Replica', server: 'srv02.tech.local' });
  addSession('always-green01', 90, { server: 'vbr-other.tech.local' });
  addSession('<https://evil|click>', 95, { job: 'R&D <lab> replicas', server: 'vbr-other.tech.local' });
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

describe('an answer naming something EM does not know', () => {
  it('says EM has no backup server by that name and suggests the one it has, instead of an all-clear', async () => {
    const body = await ask('failed replicas on server srv02');
    const expected =
      'Enterprise Manager has no backup server named srv02 in its 30 days of history. Did you mean srv02.tech.local?';
    expect(body.text).toBe(expected);
    const shown = JSON.stringify(body.blocks);
    expect(shown).toContain(expected);
    expect(shown).not.toContain('No failed replicas');
  });

  it('reads a near miss of one name EM knows as that name and says so, and says plainly when nothing looks alike', async () => {
    const near = await ask('failed for sql02 this week');
    expect(String(near.text)).toMatch(/^No failed replicas for sql 02 this week/);
    expect(JSON.stringify(near.blocks)).toContain('I read sql02 as sql 02');
    const body = await ask('failed for nosuchvm today');
    expect(body.text).toBe(
      'Enterprise Manager has no VM named nosuchvm in its 30 days of history. Check the spelling.',
    );
    expect(JSON.stringify(body.blocks)).not.toContain('No failed replicas');
  });

  it('shows a suggested name from EM escaped, so it links and pings nothing', async () => {
    const body = await ask('failed for evil today');
    const shown = JSON.stringify(body);
    expect(shown).toContain('Did you mean &lt;https://evil|click&gt;?');
    expect(shown).not.toContain('<https://evil|click>');
  });

  it('keeps the plain "No ..." answer when the name exists but nothing matched', async () => {
    const body = await ask('failed replicas for always-green01 today');
    expect(body.text).toBe('No failed replicas for always-green01 today.');
    expect(JSON.stringify(body.blocks)).not.toContain('Enterprise Manager has no');
  });

  it('answers with the sessions when the full server name is asked', async () => {
    const body = await ask('failed replicas on server srv02.tech.local');
    expect(String(body.text)).toMatch(/: 3 sessions, 3 failed$/);
  });
});

describe('paging an answer', () => {
  it('continues page 2 exactly where page 1 stopped although new sessions arrived in between', async () => {
    for (let i = 1; i <= 25; i++) addSession(`page-vm-${String(i).padStart(2, '0')}`, 400 - i);
    const page1 = await ask('replicas on server vbr-paging.tech.local last 7 days');
    const before = vmsOn(page1);
    expect(before).toEqual([
      'page-vm-25',
      'page-vm-24',
      'page-vm-23',
      'page-vm-22',
      'page-vm-21',
      'page-vm-20',
      'page-vm-19',
      'page-vm-18',
      'page-vm-17',
      'page-vm-16',
    ]);
    const more = showMore(page1)!;
    expect(more.label).toBe('Next page (11–20)');

    // Five minutes later three new sessions of the same server have started.
    nowMs += 5 * MINUTE;
    for (const vm of ['late-vm-1', 'late-vm-2', 'late-vm-3']) addSession(vm, 1);

    const requestsBefore = em.stats.requests;
    const page2 = await click(more.value);
    // the button carries the first answer's totals: the next page is one EM request, its ten rows
    expect(em.stats.requests - requestsBefore).toBe(1);
    expect(vmsOn(page2)).toEqual([
      'page-vm-15',
      'page-vm-14',
      'page-vm-13',
      'page-vm-12',
      'page-vm-11',
      'page-vm-10',
      'page-vm-09',
      'page-vm-08',
      'page-vm-07',
      'page-vm-06',
    ]);
    // the count is the one of the first answer: the same query, continued
    expect(JSON.stringify(page2.blocks)).toContain('Showing 11–20 of 25');
    // a page takes the place of the one shown, as its "Next page" label says
    expect(page2.replace_original).toBe(true);
    expect(showMore(page2)?.label).toBe('Next page (21–25)');
    // a button from before totals were carried counts again, up to the first answer's moment: the same 25
    const { c: _totals, ...older } = JSON.parse(more.value) as Record<string, unknown>;
    expect(_totals).toEqual([25, 0, 25, 0, 0, 0]);
    const again = await click(JSON.stringify(older));
    expect(vmsOn(again)).toEqual(vmsOn(page2));
    expect(JSON.stringify(again.blocks)).toContain('Showing 11–20 of 25');
    // A new question sees the new sessions.
    expect(vmsOn(await ask('replicas on server vbr-paging.tech.local last 7 days'))[0]).toMatch(/^late-vm-/);
  });

  it('names the single remaining session on the button as "Next page (11)"', async () => {
    for (let i = 1; i <= 11; i++) addSession('lonely-vm', 30 + i, { server: 'vbr-other.tech.local' });
    const page1 = await ask('replicas for lonely-vm today');
    expect(showMore(page1)?.label).toBe('Next page (11)');
    const page2 = await click(showMore(page1)!.value);
    expect(JSON.stringify(page2.blocks)).toContain('Showing 11 of 11');
    expect(showMore(page2)).toBeUndefined();
  });
});

describe('the small print of an answer', () => {
  it('says once that no time was given', async () => {
    const shown = JSON.stringify((await ask('failed replicas')).blocks);
    expect(shown.match(/no time was (given|named)/gi)).toHaveLength(1);
  });
});

describe('questions typed in Slack', () => {
  // Slack sends `&`, `<` and `>` as entities: every front door must have them read back as the user typed them.
  const question = 'replicas in job "R&amp;D &lt;lab&gt; replicas" today';

  it('reads Slack markup back in a slash command', async () => {
    const body = await ask(question);
    expect(String(body.text)).toMatch(/: 1 session, 1 succeeded$/);
    expect(vmsOn(body)).toEqual(['&lt;https://evil|click&gt;']);
  });

  it('reads Slack markup back in a mention and in a direct message', async () => {
    await sender.event(mentionEvent(question));
    const mention = await fake.waitForCall('chat.postMessage');
    expect(String(mention.params.text)).toMatch(/: 1 session, 1 succeeded$/);
    fake.reset();
    await sender.event(directMessageEvent(question));
    const dm = await fake.waitForCall('chat.postMessage');
    expect(String(dm.params.text)).toMatch(/: 1 session, 1 succeeded$/);
  });
});
