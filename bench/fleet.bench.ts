/**
 * The fleet: real `node bin/replibot.js start` processes (Slack HTTP mode) against one EM simulator and the fake
 * Slack Web API, as test/integration/fleet.test.ts runs them.
 *
 * - Failover time: the leader is killed with SIGKILL and a failure made at once; the time until the new leader's
 *   chat.postMessage of it. Three instances on PostgreSQL, LEASE_SECONDS 15 (the default) and 2.
 * - Alert latency: the simulator's finishTaskSession (POST /_sim/sessions/{id}/finish, result Failed) to the
 *   chat.postMessage at the fake Slack, POLL_INTERVAL_SECONDS 1: one and three instances on PostgreSQL, one on
 *   SQLite for reference.
 *
 * BENCH_FLEET_FAILOVERS (default 3 per lease length) and BENCH_FLEET_ALERTS (default 10 per setup) set the sizes.
 * Skipped (with a note) when PostgreSQL is not installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../src/simulator/index.js';
import { startFakeSlackApi } from '../test/fakes/fake-slack-api.js';
import {
  findPostgresBinaries,
  type PostgresServer,
  startPostgresServer,
} from '../test/fakes/postgres-server.js';
import { type ReplibotProcess, startReplibotProcess } from '../test/fakes/run-cli.js';
import { recordSlackHistory } from '../test/fakes/slack-history.js';
import { TEST_SIGNING_SECRET } from '../test/fakes/slack-requests.js';

const FAILOVERS = Number(process.env.BENCH_FLEET_FAILOVERS ?? 3);
const ALERTS = Number(process.env.BENCH_FLEET_ALERTS ?? 10);
const CHANNEL = 'C0BENCH';

interface Setup {
  label: string;
  instances: number;
  engine: 'postgres' | 'sqlite';
  leaseSeconds: number;
}

interface Fleet {
  children: ReplibotProcess[];
  /** the live child holding the lease */
  leader(): Promise<ReplibotProcess>;
  /** a new failed task session (finished at once or in two steps) */
  finishFailure(): Promise<{ finishedAt: number; vm: string }>;
  createFailure(): Promise<string>;
  /** resolves with the time chat.postMessage of `vm`'s alert reached the fake Slack */
  postedAt(vm: string): Promise<number>;
  addInstance(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(
  find: () => Promise<T | undefined> | T | undefined,
  what: string,
  ms = 120_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function startFleet(setup: Setup, postgres: PostgresServer | undefined): Promise<Fleet> {
  const sim = await startSimulator({ data: { taskSessions: 20 } });
  const slack = await startFakeSlackApi();
  const history = recordSlackHistory(slack);
  const seen = new Map<string, number>();
  const originalPush = history.posted.push.bind(history.posted);
  // the moment each post reaches the fake Slack (history.posted is appended as chat.postMessage is answered)
  history.posted.push = (...items) => {
    for (const item of items)
      for (const vm of item.raw.match(/bench-vm-\d+/g) ?? []) seen.set(vm, Date.now());
    return originalPush(...items);
  };
  const dir = mkdtempSync(join(tmpdir(), 'replibot-fleet-bench-'));
  let databaseEnv: Record<string, string>;
  let readHolder: () => Promise<string | null>;
  if (setup.engine === 'postgres') {
    if (postgres === undefined) throw new Error('no PostgreSQL');
    const url = await postgres.createDatabase();
    const name = new URL(url).pathname.slice(1);
    databaseEnv = { DATABASE_URL: url };
    readHolder = async () => {
      const result = await postgres.query('SELECT holder, expires_at FROM lease', name).catch(() => null);
      const row = result?.rows[0] as { holder: string; expires_at: string } | undefined;
      return row !== undefined && Number(row.expires_at) > Date.now() ? row.holder : null;
    };
  } else {
    databaseEnv = { DATABASE_PATH: join(dir, 'replibot.db') };
    readHolder = async () => null;
  }
  const children: ReplibotProcess[] = [];
  const addInstance = async (): Promise<void> => {
    const child = startReplibotProcess(['start'], {
      ...databaseEnv,
      VEEAM_URL: sim.url,
      VEEAM_USERNAME: 'replibot',
      VEEAM_PASSWORD: 'replibot',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      ALERT_CHANNEL: CHANNEL,
      POLL_INTERVAL_SECONDS: '1',
      POLL_OVERLAP_MINUTES: '0',
      LEASE_SECONDS: String(setup.leaseSeconds),
      LOG_LEVEL: 'info',
    });
    children.push(child);
    await child.waitForLog(/Slack app listening/, 120_000);
  };
  let vms = 0;
  const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const alive = () => children.filter((c) => c.child.exitCode === null && c.child.signalCode === null);
  const fleet: Fleet = {
    children,
    async leader() {
      if (setup.instances === 1) {
        const only = alive()[0];
        if (only === undefined) throw new Error('no live instance');
        return only;
      }
      return until(async () => {
        const holder = await readHolder();
        if (holder === null) return undefined;
        const pid = Number(holder.split(':').at(-2));
        return alive().find((c) => c.child.pid === pid);
      }, 'a leader');
    },
    async createFailure() {
      vms += 1;
      const vm = `bench-vm-${vms}`;
      await post('/_sim/sessions', {
        vm,
        job: `Job of ${vm}`,
        result: 'Failed',
        reason: 'Failed to create VM snapshot',
      });
      return vm;
    },
    async finishFailure() {
      vms += 1;
      const vm = `bench-vm-${vms}`;
      const task = await post('/_sim/sessions', { vm, job: `Job of ${vm}` });
      const finishedAt = Date.now();
      await post(`/_sim/sessions/${encodeURIComponent(String(task.id))}/finish`, {
        result: 'Failed',
        reason: 'Failed to create VM snapshot',
      });
      return { finishedAt, vm };
    },
    postedAt: (vm) => until(() => seen.get(vm), `the alert for ${vm}`),
    addInstance,
    async close() {
      for (const c of alive()) c.child.kill('SIGKILL');
      await Promise.all(children.map((c) => c.exited));
      await sim.close();
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(Array.from({ length: setup.instances }, () => addInstance()));
    // warm: a failure that ended before the first poll of a fresh database is history, not alerted; make them
    // until one is posted, so the leader's poller runs
    await fleet.leader();
    for (let tries = 0; ; tries += 1) {
      const vm = await fleet.createFailure();
      const posted = await until(() => seen.get(vm), vm, 5_000).catch(() => undefined);
      if (posted !== undefined) break;
      if (tries >= 20) throw new Error('no alert was posted in 100 s');
    }
    return fleet;
  } catch (error) {
    await fleet.close();
    throw error;
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const row = (label: string, values: number[]): string =>
  `| ${label} | ${values.length} | ${fmt(median(values))} | ${fmt(Math.min(...values))} | ${fmt(Math.max(...values))} |`;

async function failover(setup: Setup, postgres: PostgresServer): Promise<number[]> {
  const fleet = await startFleet(setup, postgres);
  try {
    const times: number[] = [];
    for (let i = 0; i < FAILOVERS; i += 1) {
      const leader = await fleet.leader();
      const killedAt = Date.now();
      leader.child.kill('SIGKILL');
      const vm = await fleet.createFailure();
      times.push((await fleet.postedAt(vm)) - killedAt);
      await fleet.addInstance();
    }
    return times;
  } finally {
    await fleet.close();
  }
}

async function latency(setup: Setup, postgres: PostgresServer | undefined): Promise<number[]> {
  const fleet = await startFleet(setup, postgres);
  try {
    const times: number[] = [];
    for (let i = 0; i < ALERTS; i += 1) {
      // at a random point of the poll cycle (right after a post the next poll is a whole interval away)
      await sleep(Math.random() * 1000);
      const { finishedAt, vm } = await fleet.finishFailure();
      times.push((await fleet.postedAt(vm)) - finishedAt);
    }
    return times;
  } finally {
    await fleet.close();
  }
}

export async function run(): Promise<string> {
  const lines = ['## Fleet: failover and alert latency', ''];
  if (findPostgresBinaries() === null)
    return [...lines, 'Skipped: PostgreSQL is not installed (no initdb).'].join('\n');
  const postgres = await startPostgresServer();
  try {
    lines.push(
      'Real `node bin/replibot.js start` processes, one EM simulator, the fake Slack Web API, POLL_INTERVAL_SECONDS 1.',
      '',
      `Failover: leader SIGKILLed and a failure made at once -> the new leader's post of it (${FAILOVERS} per row; a new instance joins after each, so three run).`,
      '',
      '| setup | samples | median | min | max |',
      '|---|---|---|---|---|',
    );
    for (const leaseSeconds of [15, 2]) {
      const label = `3 on PostgreSQL, LEASE_SECONDS ${leaseSeconds}`;
      lines.push(
        await failover({ label, instances: 3, engine: 'postgres', leaseSeconds }, postgres).then(
          (times) => row(label, times),
          (error: unknown) => `| ${label} | failed: ${String(error)} | | | |`,
        ),
      );
    }
    lines.push(
      '',
      `Alert latency: simulator finishTaskSession -> chat.postMessage at the fake Slack (${ALERTS} per row, one after the other, each at a random point of the 1 s poll cycle).`,
      '',
      '| setup | samples | median | min | max |',
      '|---|---|---|---|---|',
    );
    const setups: Setup[] = [
      { label: '1 on SQLite (reference)', instances: 1, engine: 'sqlite', leaseSeconds: 15 },
      { label: '1 on PostgreSQL', instances: 1, engine: 'postgres', leaseSeconds: 15 },
      { label: '3 on PostgreSQL', instances: 3, engine: 'postgres', leaseSeconds: 15 },
    ];
    for (const setup of setups)
      lines.push(
        await latency(setup, postgres).then(
          (times) => row(setup.label, times),
          (error: unknown) => `| ${setup.label} | failed: ${String(error)} | | | |`,
        ),
      );
    lines.push(
      '',
      "With a 1 s poll the latency is mostly the wait for the next poll (0 to 1 s) plus one poll and one post. A failover takes the rest of the dead leader's lease (up to one period) plus up to a third of a period until a standby's next beat, then the first poll and post; two lease periods bound it.",
    );
    return lines.join('\n');
  } finally {
    await postgres.stop();
  }
}
