/**
 * Graceful shutdown of the real process: two `node bin/replibot.js start` children (Slack HTTP mode, the fake
 * Slack Web API) on one database: a DATABASE_PATH file, then a PostgreSQL the test starts (DATABASE_URL). SIGTERM to the leader: it stops polling, releases the lease, logs off
 * Enterprise Manager, closes the database and exits 0; the standby takes over at once (not after the lease
 * expired). Each child asks its own simulator, so the leader's EM logon sessions can be counted alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { type PostgresServer, startPostgresServer } from '../fakes/postgres-server.js';
import { type ReplibotProcess, startReplibotProcess } from '../fakes/run-cli.js';
import { TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';
import { waitFor } from '../fakes/wait-for.js';

let dir: string;
let simA: RunningSimulator;
let simB: RunningSimulator;
let slack: FakeSlackApi;
let postgres: PostgresServer | undefined;
const children: ReplibotProcess[] = [];

/** Where the two processes keep their state, and how the test reads the lease row there. */
interface Engine {
  env: Record<string, string>;
  readLease(): Promise<{ token: number; expiresAt: number }>;
}

function sqliteEngine(): Engine {
  const path = join(dir, 'replibot.db');
  return {
    env: { DATABASE_PATH: path },
    async readLease() {
      const db = new Database(path, { readonly: true });
      // the lease table's columns (src/store/lease.ts)
      const row = db.prepare('SELECT token, expires_at FROM lease').get() as {
        token: number;
        expires_at: number;
      };
      db.close();
      return { token: Number(row.token), expiresAt: Number(row.expires_at) };
    },
  };
}

async function postgresEngine(): Promise<Engine> {
  postgres ??= await startPostgresServer();
  const server = postgres;
  const url = await server.createDatabase();
  const name = new URL(url).pathname.slice(1);
  return {
    env: { DATABASE_URL: url },
    async readLease() {
      const result = await server.query('SELECT token, expires_at FROM lease', name);
      // bigint columns come back as strings from pg
      const row = result.rows[0] as { token: string; expires_at: string };
      return { token: Number(row.token), expiresAt: Number(row.expires_at) };
    },
  };
}

function start(sim: RunningSimulator, engine: Engine): ReplibotProcess {
  const child = startReplibotProcess(['start'], {
    ...engine.env,
    VEEAM_URL: sim.url,
    VEEAM_USERNAME: 'replibot',
    VEEAM_PASSWORD: 'replibot',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ALERT_CHANNEL: 'C0SHUTDOWN',
    POLL_INTERVAL_SECONDS: '1',
    // a takeover after an expiry would take up to 2 periods; after a release it takes one beat (5 s)
    LEASE_SECONDS: '15',
    LOG_LEVEL: 'info',
  });
  children.push(child);
  return child;
}

const portOf = (line: string): number => Number((JSON.parse(line) as { port: number }).port);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replibot-sigterm-'));
  slack = await startFakeSlackApi();
});

beforeEach(async () => {
  simA = await startSimulator({ data: { taskSessions: 20 } });
  simB = await startSimulator({ data: { taskSessions: 20 } });
});

afterEach(async () => {
  await simA?.close();
  await simB?.close();
});

afterAll(async () => {
  for (const c of children)
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await slack?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['SQLite', async () => sqliteEngine()],
  ['PostgreSQL', postgresEngine],
])('SIGTERM on %s', (_name, toEngine) => {
  it('releases the lease, logs off EM and exits 0; the standby takes over at once', async () => {
    const engine = await toEngine();
    const leader = start(simA, engine);
    await leader.waitForLog(/"msg":"leader: this process polls/);
    const leaderPort = portOf(await leader.waitForLog(/Slack app listening/));
    // the first poll logged on to EM
    await waitFor(() => simA.counts().logonSessions === 1, 'the leader logging on to EM');

    const standby = start(simB, engine);
    await standby.waitForLog(/"msg":"standby: another replibot holds the lease/);
    const standbyPort = portOf(await standby.waitForLog(/Slack app listening/));
    const ready = await fetch(`http://127.0.0.1:${leaderPort}/readyz`);
    expect(ready.status).toBe(200);

    leader.child.kill('SIGTERM');
    const exit = await leader.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(leader.stderr()).toMatch(/lease released: a standby can take over now/);
    // logged off: the simulator holds no logon session of the leader any more
    expect(simA.counts().logonSessions).toBe(0);

    // released, not left to expire: the row's expiry is already past
    const row = await engine.readLease();
    expect(row.token).toBe(1);
    expect(row.expiresAt).toBeLessThanOrEqual(Date.now());

    // the standby's next beat takes over (within one beat of 5 s; an expiry would need up to 15 s more)
    await standby.waitForLog(/"msg":"leader: this process polls/, 10_000);
    const health = (await (await fetch(`http://127.0.0.1:${standbyPort}/healthz`)).json()) as {
      leadership: { role: string; token: number };
    };
    expect(health.leadership).toMatchObject({ role: 'leader', token: 2 });

    await waitFor(() => simB.counts().logonSessions === 1, 'the new leader logging on to its EM');
    standby.child.kill('SIGINT');
    expect(await standby.exited).toEqual({ code: 0, signal: null });
    expect(simB.counts().logonSessions).toBe(0);
    // nothing secret in what the processes wrote
    for (const c of [leader, standby]) expect(c.stderr()).not.toMatch(/xoxb-test|replibot:replibot/);
  }, 90_000);
});
