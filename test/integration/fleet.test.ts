/**
 * A fleet of three: three real `node bin/replibot.js start` processes (Slack HTTP mode, each on its own port) on ONE
 * PostgreSQL the test starts, against one EM simulator and the fake Slack Web API. While failures are made through
 * the simulator's control API, the leader is killed with SIGKILL twice and, once, every database connection of the
 * leader is cut with pg_terminate_backend (the processes name themselves with PGAPPNAME, so the test finds the
 * leader's backends in pg_stat_activity). Slash commands go round-robin to the live instances throughout, and a
 * daily digest is scheduled (through a standby) for the next minute.
 *
 * At the end: every failure was posted exactly once (one message per alert metadata key, one per VM), every slash
 * command was answered exactly once (one post to its response_url), and the digest went out once for its period.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { type PostgresServer, startPostgresServer } from '../fakes/postgres-server.js';
import { type ReplibotProcess, startReplibotProcess } from '../fakes/run-cli.js';
import { recordSlackHistory, type SlackHistory } from '../fakes/slack-history.js';
import { createSlackSender, TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';
import { waitFor } from '../fakes/wait-for.js';

const CHANNEL = 'C0FLEET';
/** generous: a cold `node bin/replibot.js start` on a loaded 2-core machine can take many seconds */
const SLOW = { timeoutMs: 60_000, intervalMs: 100 };

interface Instance {
  name: string;
  process: ReplibotProcess;
  port: number;
  alive: boolean;
}

let postgres: PostgresServer | undefined;
let databaseUrl: string;
let databaseName: string;
let sim: RunningSimulator | undefined;
let slack: FakeSlackApi | undefined;
let history: SlackHistory;
const instances: Instance[] = [];
/** every child started, also one that never came up (so afterAll kills it) */
const processes: ReplibotProcess[] = [];
let started = 0;

async function startInstance(): Promise<Instance> {
  if (slack === undefined || sim === undefined) throw new Error('start the fakes first');
  started += 1;
  const name = `replibot-fleet-${started}`;
  const child = startReplibotProcess(['start'], {
    DATABASE_URL: databaseUrl,
    // node-postgres sends it as application_name: pg_stat_activity then names each backend's process
    PGAPPNAME: name,
    VEEAM_URL: sim.url,
    VEEAM_USERNAME: 'replibot',
    VEEAM_PASSWORD: 'replibot',
    VEEAM_TIMEOUT_MS: '5000',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ALERT_CHANNEL: CHANNEL,
    POLL_INTERVAL_SECONDS: '1',
    POLL_OVERLAP_MINUTES: '0',
    LEASE_SECONDS: '2',
    DEFAULT_TIMEZONE: 'UTC',
    LOG_LEVEL: 'info',
  });
  processes.push(child);
  const line = await child.waitForLog(/Slack app listening/, 60_000);
  const instance: Instance = {
    name,
    process: child,
    port: Number((JSON.parse(line) as { port: number }).port),
    alive: true,
  };
  void child.exited.then(() => {
    instance.alive = false;
  });
  instances.push(instance);
  return instance;
}

async function readLease(): Promise<{ holder: string; token: number; expiresAt: number } | undefined> {
  if (postgres === undefined) return undefined;
  const result = await postgres.query('SELECT holder, token, expires_at FROM lease', databaseName);
  // bigint columns come back as strings from pg
  const row = result.rows[0] as { holder: string; token: string; expires_at: string } | undefined;
  if (row === undefined) return undefined;
  return { holder: row.holder, token: Number(row.token), expiresAt: Number(row.expires_at) };
}

/** The live instance whose pid is in the lease's owner id (host:pid:random), while the lease is live. */
async function leader(): Promise<{ instance: Instance; token: number } | undefined> {
  const lease = await readLease().catch(() => undefined);
  if (lease === undefined || lease.expiresAt <= Date.now()) return undefined;
  const pid = Number(lease.holder.split(':').at(-2));
  const instance = instances.find((i) => i.alive && i.process.child.pid === pid);
  return instance === undefined ? undefined : { instance, token: lease.token };
}

async function lastPoll(): Promise<string | null> {
  const result = await postgres?.query(
    "SELECT value FROM poller_state WHERE key = 'poller.last_success'",
    databaseName,
  );
  return (result?.rows[0] as { value: string } | undefined)?.value ?? null;
}

function describeRun(): string {
  const logs = instances.map(
    (i) => `--- ${i.name}${i.alive ? '' : ' (ended)'}\n${i.process.stderr().slice(-3000)}`,
  );
  return logs.join('\n');
}

async function fail(vm: string): Promise<void> {
  if (sim === undefined) throw new Error('no simulator');
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

const alertPosts = () =>
  history.posted.filter((m) => m.channel === CHANNEL && m.metadata?.event_type !== 'replibot_digest');
const digestPosts = () => history.posted.filter((m) => m.metadata?.event_type === 'replibot_digest');

/** Commands sent so far: response id -> the instance it went to. */
const commands = new Map<string, string>();
let round = 0;

/** One signed slash command to the next live instance (round-robin), answered through its response_url. */
async function command(text: string): Promise<void> {
  if (slack === undefined) throw new Error('no fake Slack');
  const live = instances.filter((i) => i.alive);
  const target = live[round % live.length];
  round += 1;
  if (target === undefined) throw new Error('no live instance');
  const id = `fleet-${commands.size + 1}`;
  commands.set(id, target.name);
  const ack = await createSlackSender(`http://127.0.0.1:${target.port}/slack/events`).command({
    text,
    channel_id: CHANNEL,
    response_url: slack.responseUrl(id),
  });
  expect(ack.status, `${text} to ${target.name}`).toBe(200);
}

beforeAll(async () => {
  postgres = await startPostgresServer();
  databaseUrl = await postgres.createDatabase();
  databaseName = new URL(databaseUrl).pathname.slice(1);
  sim = await startSimulator({ data: { taskSessions: 20 } });
  slack = await startFakeSlackApi();
  history = recordSlackHistory(slack);
}, 60_000);

afterAll(async () => {
  for (const p of processes)
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
  await sim?.close();
  await slack?.close();
  await postgres?.stop();
}, 60_000);

describe('three replibots on one PostgreSQL', () => {
  it('posts every failure once, answers every command once and sends the digest once, through two SIGKILLs of the leader and a cut connection', async () => {
    try {
      await Promise.all([startInstance(), startInstance(), startInstance()]);
      const first = await waitFor(leader, 'a leader', SLOW);
      expect(instances.filter((i) => i !== first.instance)).toHaveLength(2);
      expect(first.token).toBe(1);

      const vms: string[] = [];
      const failAndAsk = async (n: number): Promise<void> => {
        const vm = `fleet-vm-${n}`;
        vms.push(vm);
        await fail(vm);
        await command(n % 2 === 0 ? 'help' : 'failed replicas in the last 2 hours');
      };

      // before any trouble: posted by the first leader
      await failAndAsk(1);
      await waitFor(() => alertPosts().some((m) => m.raw.includes('fleet-vm-1')), 'the first alert', SLOW);

      // 1. SIGKILL the leader; a failure made while nobody leads is posted by the next leader
      const killed: string[] = [];
      const kill = async (): Promise<number> => {
        const now = await waitFor(leader, 'a leader to kill', SLOW);
        now.instance.process.child.kill('SIGKILL');
        await now.instance.process.exited;
        killed.push(now.instance.name);
        return now.token;
      };
      const token1 = await kill();
      await failAndAsk(2);
      await failAndAsk(3);
      const second = await waitFor(
        async () => {
          const l = await leader();
          return l !== undefined && l.token > token1 ? l : undefined;
        },
        'a new leader after the first kill',
        SLOW,
      );
      await waitFor(
        () => ['fleet-vm-2', 'fleet-vm-3'].every((vm) => alertPosts().some((m) => m.raw.includes(vm))),
        'the alerts of the first takeover window',
        SLOW,
      );

      // 2. cut every database connection of the leader: it may keep or lose the lease, nothing is posted twice
      const cut = await postgres?.query(
        `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = '${second.instance.name}'`,
      );
      expect(cut?.rowCount ?? 0, describeRun()).toBeGreaterThan(0);
      await failAndAsk(4);
      await failAndAsk(5);
      await waitFor(
        () => ['fleet-vm-4', 'fleet-vm-5'].every((vm) => alertPosts().some((m) => m.raw.includes(vm))),
        'the alerts after the cut connections',
        SLOW,
      );

      // 3. SIGKILL the leader again; a replacement joins so three run again
      const token2 = await kill();
      await failAndAsk(6);
      const replacement = startInstance();
      await failAndAsk(7);
      await replacement;
      const third = await waitFor(
        async () => {
          const l = await leader();
          return l !== undefined && l.token > token2 ? l : undefined;
        },
        'a new leader after the second kill',
        SLOW,
      );
      // a daily digest for the next whole minute (at least 10 s away, so it is in the store before it is due),
      // scheduled through a standby after the last takeover: the leader must run a schedule another process
      // added (the croner job of a schedule lives only in the process that took the command)
      const standby = instances.find((i) => i.alive && i !== third.instance);
      if (standby === undefined) throw new Error('no standby');
      const due = new Date(Math.ceil((Date.now() + 10_000) / 60_000) * 60_000);
      const hhmm = due.toISOString().slice(11, 16);
      if (slack === undefined) throw new Error('no fake Slack');
      commands.set('fleet-digest', standby.name);
      const ack = await createSlackSender(`http://127.0.0.1:${standby.port}/slack/events`).command({
        text: `digest daily ${hhmm} tz UTC`,
        channel_id: CHANNEL,
        response_url: slack.responseUrl('fleet-digest'),
      });
      expect(ack.status).toBe(200);

      await failAndAsk(8);
      await failAndAsk(9);

      for (const vm of vms)
        await waitFor(() => alertPosts().some((m) => m.raw.includes(vm)), `the alert for ${vm}`, SLOW);
      for (const id of commands.keys())
        await waitFor(() => slack?.responses.some((r) => r.id === id), `the answer to ${id}`, SLOW);
      await waitFor(() => Date.now() > due.getTime() && digestPosts().length > 0, 'the digest', {
        timeoutMs: 120_000,
        intervalMs: 200,
      });
      await waitFor(
        async () => {
          const outbox = await postgres?.query(
            "SELECT COUNT(*) AS n FROM outbox WHERE status != 'sent'",
            databaseName,
          );
          return Number(outbox?.rows[0]?.n ?? -1) === 0;
        },
        'an empty outbox',
        SLOW,
      );
      // two more polls of the last leader: a second writer would have had its chance to post again
      const before = await lastPoll();
      const next = await waitFor(
        async () => ((await lastPoll()) !== before ? lastPoll() : undefined),
        'a poll',
        SLOW,
      );
      await waitFor(async () => (await lastPoll()) !== next, 'another poll', SLOW);
      expect(killed).toHaveLength(2);

      // every failure exactly once
      const perVm = Object.fromEntries(
        vms.map((vm) => [vm, alertPosts().filter((m) => m.raw.includes(vm)).length]),
      );
      expect(perVm, describeRun()).toEqual(Object.fromEntries(vms.map((vm) => [vm, 1])));
      const keys = alertPosts().map((m) => m.metadata?.event_payload?.key);
      expect(keys.every((k) => typeof k === 'string')).toBe(true);
      expect(new Set(keys).size, describeRun()).toBe(keys.length);
      // every command exactly once
      const answers = Object.fromEntries(
        [...commands.keys()].map((id) => [id, slack?.responses.filter((r) => r.id === id).length]),
      );
      expect(answers).toEqual(Object.fromEntries([...commands.keys()].map((id) => [id, 1])));
      // the digest once for its period
      const digests = digestPosts();
      expect(digests, describeRun()).toHaveLength(1);
      expect(digests[0]?.metadata?.event_payload?.key).toMatch(
        new RegExp(`^digest:\\d+:${due.toISOString().slice(0, 16)}`),
      );
      // on time: the leader ran a schedule it did not take the command for within a minute, not "(late)"
      expect(digests[0]?.raw).not.toContain('(late)');
      expect(history.violations).toEqual([]);
      // two kills (and maybe the cut) were takeovers: the fencing token shows them
      expect((await readLease())?.token ?? 0).toBeGreaterThanOrEqual(3);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${describeRun()}`);
    }
  }, 240_000);
});
