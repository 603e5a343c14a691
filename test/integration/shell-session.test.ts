/**
 * A terminal chat session line by line: the real shell reading piped input, the real router and parser, the real
 * EM client against a simulator that holds only the sessions each test adds, with a clock the test moves.
 */
import { PassThrough, Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDefaultAnswerer } from '../../src/answers/create-default-answerer.js';
import type { Answerer } from '../../src/answers/domain/create-answerer.js';
import { renderAskJson } from '../../src/answers/text/render-ask-json.js';
import { createShell, type Shell } from '../../src/shell/shell.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';

const START = new Date('2026-11-23T12:00:00Z');
const MINUTE = 60_000;
let nowMs = START.getTime();
const clock = { now: () => new Date(nowMs) };

let sim: RunningSimulator;
let em: EmClient;
let answerer: Answerer;

/** A finished session `minutesAgo` before the simulated now; each server gets its own job, as in EM. */
function addSession(
  vm: string,
  minutesAgo: number,
  extra: { server?: string; result?: 'Success' | 'Failed' } = {},
) {
  const server = extra.server ?? 'vbr-shell.tech.local';
  sim.addTaskSession({
    vm,
    job: `Replicas of ${server}`,
    server,
    result: extra.result ?? 'Success',
    reason: extra.result === 'Failed' ? 'Failed to quiesce the virtual machine.' : '',
    creationTime: new Date(nowMs - minutesAgo * MINUTE),
    endTime: new Date(nowMs - minutesAgo * MINUTE + 30_000),
  });
}

/** The shell on a pipe: `send` types one line and resolves with everything printed for it. */
function openShell(timeZone = 'UTC') {
  const input = new PassThrough();
  const chunks: string[] = [];
  let wake: (() => void) | null = null;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      wake?.();
      callback();
    },
  });
  const shell: Shell = createShell({
    em,
    answerer,
    input,
    output,
    isTTY: false,
    timeZone,
    clock,
    pageSize: 5,
  });
  const done = shell.run();
  return {
    /** the echo of the line, then exactly one printed reply */
    async send(line: string): Promise<string> {
      const from = chunks.length;
      input.write(`${line}\n`);
      while (chunks.length < from + 2) await new Promise<void>((resolve) => (wake = resolve));
      return chunks.slice(from + 1).join('');
    },
    async close() {
      input.end();
      await done;
    },
  };
}

let session: ReturnType<typeof openShell>;

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
  answerer = createDefaultAnswerer(em);
  for (let i = 1; i <= 8; i++) addSession(`shell-vm-${String(i).padStart(2, '0')}`, 300 - i);
  addSession('sql 02', 100, { server: 'srv02.tech.local', result: 'Failed' });
  addSession('sqlreport03', 90, { server: 'srv02.tech.local', result: 'Failed' });
  addSession('<!channel>', 80, { server: 'vbr-lab.tech.local', result: 'Failed' });
  addSession('R&amp;D', 80, { server: 'vbr-lab.tech.local', result: 'Failed' });
});

beforeEach(() => {
  session = openShell();
});

afterEach(async () => {
  await session.close();
});

afterAll(async () => {
  await em?.close();
  await sim?.close();
});

/** Session numbers and VM names of the rows printed, e.g. [[6, 'shell-vm-03'], ...] */
function rowsOf(text: string): Array<[number, string]> {
  return [...text.matchAll(/^\s*(\d+)\. \S+ +\S+ +(\S+)/gm)].map((m) => [Number(m[1]), m[2]!]);
}

describe('paging in the terminal', () => {
  it('continues "more" exactly where the first page stopped although new sessions arrived', async () => {
    const page1 = await session.send('replicas on server vbr-shell.tech.local last 7 days');
    expect(rowsOf(page1).map(([, vm]) => vm)).toEqual([
      'shell-vm-08',
      'shell-vm-07',
      'shell-vm-06',
      'shell-vm-05',
      'shell-vm-04',
    ]);
    nowMs += 5 * MINUTE;
    addSession('shell-late-1', 1);
    addSession('shell-late-2', 2);
    const requestsBefore = em.stats.requests;
    const page2 = await session.send('more');
    // the first page's totals are kept: "more" asks EM for its page only
    expect(em.stats.requests - requestsBefore).toBe(1);
    expect(rowsOf(page2)).toEqual([
      [6, 'shell-vm-03'],
      [7, 'shell-vm-02'],
      [8, 'shell-vm-01'],
    ]);
    expect(page2).toContain('Showing 6–8 of 8.');
    expect(await session.send('more')).toBe('Nothing more to show for the last answer.\n');
  });

  it('keeps the last answer to page through across help and a line it could not read', async () => {
    await session.send('replicas on server vbr-shell.tech.local last 7 days');
    expect(await session.send('help')).toContain('What I can answer');
    expect(await session.send('blorp zzyzx')).toContain('Try for example:');
    const page2 = await session.send('more');
    expect(rowsOf(page2)[0]?.[0]).toBe(6);
    expect(page2).toMatch(/Showing 6–\d+ of \d+\./);
  });

  it('continues the same query after "tz": the same zone and moment as the first page', async () => {
    // 12:00 UTC is already tomorrow 02:00 in Kiritimati (UTC+14), where "today" began at 10:00 UTC.
    for (let i = 1; i <= 4; i++) addSession(`tz-early-${i}`, 8 * 60 + i, { server: 'vbr-tz.tech.local' });
    for (let i = 1; i <= 4; i++) addSession(`tz-late-${i}`, 30 + i, { server: 'vbr-tz.tech.local' });
    const page1 = await session.send('replicas on server vbr-tz.tech.local today');
    expect(page1).toContain('Showing 1–5 of 8.');
    expect(await session.send('tz Pacific/Kiritimati')).toBe('Times are now in Pacific/Kiritimati.\n');
    const page2 = await session.send('more');
    expect(page2).toContain('Showing 6–8 of 8.');
    expect(rowsOf(page2).map(([, vm]) => vm)).toEqual(['tz-early-2', 'tz-early-3', 'tz-early-4']);
    // a new question is read in the new zone
    expect(await session.send('replicas on server vbr-tz.tech.local today')).toMatch(/^4 sessions/m);
  });
});

describe('answers in the terminal', () => {
  it('reads a near miss of the one VM EM knows close to it as that VM, and says so', async () => {
    const text = await session.send('failed for sql02 this week');
    expect(text).toContain('I read sql02 as sql 02');
    expect(text).not.toContain('Enterprise Manager has no VM named sql02');
  });

  it('reads a backup server EM knows as the server, whatever its case, with no "server" before it', async () => {
    const text = await session.send('failures on SRV02.tech.local this week');
    expect(text).toContain('on backup server srv02.tech.local');
    expect(text).toMatch(/^2 sessions/m);
    const reasked = await session.send('failures on server srv02.tech.local this week');
    expect(reasked).toMatch(/^2 sessions/m);
  });

  it('says EM has no VM by a name a quoted literal asks for, with the look-alike it has', async () => {
    const text = await session.send('failed for vm "sql02" this week');
    expect(text).toContain(
      'Enterprise Manager has no VM named sql02 in its 30 days of history. Did you mean sql 02?',
    );
    expect(text).not.toContain('No failed replicas');
  });

  it('suggests a backup server that looks like a name read as a VM', async () => {
    const text = await session.send('any warnings on srv02 this week?');
    expect(text).toContain(
      'Enterprise Manager has no VM named srv02 in its 30 days of history. Did you mean backup server srv02.tech.local (`on server srv02.tech.local`) or job Replicas of srv02.tech.local (`in job "Replicas of srv02.tech.local"`)?',
    );
  });

  it('keeps "No ..." when the named server exists and nothing matched', async () => {
    const text = await session.send('failed replicas on server vbr-shell.tech.local last 7 days');
    expect(text).toContain('No failed replicas on server vbr-shell.tech.local in the last 7 days.');
    expect(text).not.toContain('Enterprise Manager has no');
  });

  it('reads a question as typed, so a VM named like Slack markup is looked up by that very name', async () => {
    const channel = await session.send('failed for "<!channel>" last 7 days');
    expect(channel).toMatch(/^1 session {2}✖ 1 failed$/m);
    expect(rowsOf(channel)).toEqual([[1, '<!channel>']]);
    const entity = await session.send('failed for "R&amp;D" last 7 days');
    expect(rowsOf(entity)).toEqual([[1, 'R&amp;D']]);
  });

  it('says once that no time was given', async () => {
    const text = await session.send('failed replicas');
    expect(text.match(/no time was (given|named)/gi)).toHaveLength(1);
  });

  it('lists its commands in help in sentence case, each ending with a full stop', async () => {
    const text = await session.send('help');
    const commands = text
      .slice(text.indexOf('\nCommands\n') + '\nCommands\n'.length)
      .trim()
      .split('\n');
    expect(commands.map((line) => line.trim().split(/ {2,}/)[0])).toEqual([
      'more',
      'details <n>',
      'tz <IANA zone>',
      'exit',
    ]);
    for (const line of commands) expect(line.trim().split(/ {2,}/)[1]).toMatch(/^[A-Z].*\.$/);
  });
});

describe('replibot ask --format json', () => {
  it('lists the names EM does not know with their suggestions', async () => {
    const reply = await answerer.ask(
      'failed replicas on server srv02 last 7 days',
      { userId: null, timeZone: 'UTC' },
      { now: clock.now(), pageSize: Number.POSITIVE_INFINITY },
    );
    expect(renderAskJson(reply)).toMatchObject({
      total: 0,
      unknownNames: [{ field: 'BackupServerName', name: 'srv02', suggestions: ['srv02.tech.local'] }],
      sessions: [],
    });
  });
});
