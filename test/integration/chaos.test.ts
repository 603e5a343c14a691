/**
 * Chaos, with the real process: `node bin/replibot.js start` (Slack HTTP mode) against the EM simulator and the
 * fake Slack Web API over HTTP, all replibots on one DATABASE_PATH. Two start at once; while failures are made in
 * the simulator, a random one is killed with SIGKILL and another started; Slack answers 429 or 500 now and then
 * (also a 500 after it kept the message). At the end every failure has been posted exactly once.
 *
 * Random choices come from one seed (CHAOS_SEED, printed on failure) so a failing run can be repeated.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { createSeededRandom, recordSlackHistory, type SlackHistory } from '../fakes/slack-history.js';
import { TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';

const BIN = fileURLToPath(new URL('../../bin/replibot.js', import.meta.url));
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);
const random = createSeededRandom(SEED);

interface Child {
  name: string;
  process: ChildProcess;
  log: string;
  exited: Promise<void>;
  alive: boolean;
}

let dir: string;
let dbPath: string;
let sim: RunningSimulator;
let slack: FakeSlackApi;
let history: SlackHistory;
const children: Child[] = [];
let spawned = 0;

function startChild(): Child {
  spawned += 1;
  const proc = spawn(process.execPath, [BIN, 'start'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      VEEAM_URL: sim.url,
      VEEAM_USERNAME: 'replibot',
      VEEAM_PASSWORD: 'replibot',
      VEEAM_TIMEOUT_MS: '3000',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      ALERT_CHANNEL: 'C0ALERTS',
      POLL_INTERVAL_SECONDS: '1',
      POLL_OVERLAP_MINUTES: '0',
      LEASE_SECONDS: '1',
      DATABASE_PATH: dbPath,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const child: Child = {
    name: `replibot-${spawned}`,
    process: proc,
    log: '',
    alive: true,
    exited: new Promise((resolve) => proc.once('exit', () => resolve())),
  };
  proc.stderr?.on('data', (chunk) => {
    child.log += chunk;
  });
  void child.exited.then(() => {
    child.alive = false;
  });
  children.push(child);
  return child;
}

async function kill(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  await child.exited;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeRun(): string {
  const logs = children.map((c) => `--- ${c.name}${c.alive ? '' : ' (ended)'}\n${c.log.slice(-3000)}`);
  return `CHAOS_SEED=${SEED}; Slack failures ${JSON.stringify(history.failures)}\n${logs.join('\n')}`;
}

async function waitFor<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  // generous: on a loaded machine a cold `node bin/replibot.js start` (tsx) can take many seconds
  const until = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}\n${describeRun()}`);
    await sleep(100);
  }
}

/** What the database says; opened for each look so no connection of the test holds a lock for long. */
function readDatabase(): { open: number; lastPoll: string | null } {
  const db = new Database(dbPath, { fileMustExist: true });
  try {
    const hasOutbox = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'outbox'").get() !== undefined;
    if (!hasOutbox) return { open: -1, lastPoll: null };
    const open = (
      db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status != 'sent'").get() as { n: number }
    ).n;
    const poll = db.prepare("SELECT value FROM poller_state WHERE key = 'poller.last_success'").get() as
      | { value: string }
      | undefined;
    return { open, lastPoll: poll?.value ?? null };
  } finally {
    db.close();
  }
}

async function fail(vm: string): Promise<void> {
  const response = await fetch(`${sim.url}/_sim/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      vm,
      job: `Job of ${vm}`,
      result: 'Failed',
      reason: 'Failed to create VM snapshot',
    }),
  });
  expect(response.status).toBe(201);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replibot-chaos-'));
  dbPath = join(dir, 'replibot.db');
  sim = await startSimulator({ data: { taskSessions: 100 } });
  slack = await startFakeSlackApi();
  history = recordSlackHistory(slack, { seed: SEED });
});

afterAll(async () => {
  for (const child of children) if (child.alive) await kill(child);
  await sim?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('replibot under chaos', () => {
  it('posts every failure exactly once through kills, Slack errors and two processes on one database', async () => {
    // two at once on a database that does not exist yet
    startChild();
    startChild();
    await waitFor(() => existsDatabase() && readDatabase().lastPoll, Boolean, 'the first poll');
    expect(children.filter((c) => c.alive)).toHaveLength(2);

    history.setFlakiness(0.05);
    let kills = 0;
    const rounds = [1, 2, 3, 4, 5, 6].sort(() => random() - 0.5);
    const leaderRounds = new Set(rounds.slice(0, 2));
    const otherRound = rounds[2];
    const vms: string[] = [];
    for (let round = 1; round <= 6; round += 1) {
      const vm = `chaos-vm-${round}`;
      vms.push(vm);
      await fail(vm);
      await sleep(300 + Math.floor(random() * 900));
      // Slack fails each way once, in different rounds; the leader is killed in two random rounds (so takeovers
      // surely happen) and a random process in another: few kills, as each restart is a cold start
      if (round === 1) history.failNext('429');
      if (round === 3) history.failNext('500-after');
      if (round === 5) history.failNext('500-before');
      const alive = children.filter((c) => c.alive);
      const victim = leaderRounds.has(round)
        ? await waitFor(leader, (c) => c !== undefined, 'a leader')
        : round === otherRound
          ? alive[Math.floor(random() * alive.length)]
          : undefined;
      if (victim !== undefined) {
        await kill(victim);
        kills += 1;
        startChild();
      }
    }
    history.setFlakiness(0);
    if (!children.some((c) => c.alive)) startChild();

    for (const vm of vms)
      await waitFor(
        () => history.postsMentioning(vm).length,
        (n) => n > 0,
        `the alert for ${vm}`,
      );
    await waitFor(
      () => readDatabase().open,
      (n) => n === 0,
      'an empty outbox',
    );
    // two more polls, so a second writer would have had its chance to post again
    const before = readDatabase().lastPoll;
    const next = await waitFor(
      () => readDatabase().lastPoll,
      (v) => v !== before,
      'a poll',
    );
    await waitFor(
      () => readDatabase().lastPoll,
      (v) => v !== next,
      'another poll',
    );

    const counts = Object.fromEntries(vms.map((vm) => [vm, history.postsMentioning(vm).length]));
    expect(counts, describeRun()).toEqual(Object.fromEntries(vms.map((vm) => [vm, 1])));
    const keys = history.posted.map((m) => m.metadata?.event_payload?.key);
    expect(new Set(keys).size, describeRun()).toBe(keys.length);
    expect(history.violations).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(
      history.failures.rateLimited + history.failures.failedBefore + history.failures.failedAfter,
    ).toBeGreaterThanOrEqual(3);
    // the takeovers show in the fencing token: one per leader that was killed, at least
    expect(readLease()?.token ?? 0).toBeGreaterThanOrEqual(3);
  }, 180_000);
});

/** The child whose pid is in the lease's owner id (host:pid:random), if it is alive and holds the lease. */
function leader(): Child | undefined {
  const lease = readLease();
  if (lease === undefined || lease.expires_at <= Date.now()) return undefined;
  const pid = Number(lease.holder.split(':').at(-2));
  return children.find((c) => c.alive && c.process.pid === pid);
}

function readLease(): { holder: string; token: number; expires_at: number } | undefined {
  const db = new Database(dbPath, { fileMustExist: true });
  try {
    return db.prepare('SELECT holder, token, expires_at FROM lease').get() as
      | { holder: string; token: number; expires_at: number }
      | undefined;
  } finally {
    db.close();
  }
}

function existsDatabase(): boolean {
  try {
    return readDatabase().open >= 0;
  } catch {
    return false;
  }
}
