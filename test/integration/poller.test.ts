/**
 * The alert poller on its own: the real EM client against the simulator over HTTP, a real SQLite file, and a fixed
 * clock the test moves. Every poll is driven (`pollOnce()`); what it queues is read from the outbox table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/core/clock.js';
import { createPoller, type Poller, type PollerOptions } from '../../src/features/alerts/poller.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { openStore, type TestStore } from '../fakes/open-store.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const MINUTE = 60_000;

function createTestClock(): Clock & { advance(ms: number): void } {
  let now = T0;
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
}

interface Setup {
  sim: RunningSimulator;
  em: EmClient;
  store: TestStore;
  clock: ReturnType<typeof createTestClock>;
  /** EM's own clock: the bot's plus this offset */
  emNow(): Date;
  poller: Poller;
  dbPath: string;
  /** a new poller (a restart) on the same store */
  recreate(extra?: Partial<PollerOptions>): Poller;
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setUp(
  options: { lagSeconds?: number; emOffsetMs?: number; poller?: Partial<PollerOptions> } = {},
): Promise<Setup> {
  const clock = createTestClock();
  const emNow = () => new Date(clock.now().getTime() + (options.emOffsetMs ?? 0));
  const dir = mkdtempSync(join(tmpdir(), 'replibot-poller-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const sim = await startSimulator({
    port: 0,
    seed: 11,
    data: { taskSessions: 0 },
    collectionLagSeconds: options.lagSeconds ?? 0,
    now: emNow,
  });
  cleanup.push(() => sim.close());
  const config = loadConfig({ VEEAM_URL: sim.url, VEEAM_USERNAME: 'replibot', VEEAM_PASSWORD: 'replibot' });
  const em = createEmClient({
    ...config.veeam!,
    logger: silentLogger,
    retry: { attempts: 1, baseDelayMs: 1 },
  });
  cleanup.push(() => em.close().catch(() => undefined));
  const dbPath = join(dir, 'replibot.db');
  const store = openStore(dbPath);
  cleanup.push(() => store.close());
  store.subscriptions.add('C1', { level: 'warnings', job: null, vm: null, server: null }, 'U1', clock.now());
  const recreate = (extra: Partial<PollerOptions> = {}) =>
    createPoller({
      em,
      store,
      clock,
      logger: silentLogger,
      intervalMs: MINUTE,
      overlapMinutes: 30,
      timers: false,
      ...options.poller,
      ...extra,
    });
  return { sim, em, store, clock, emNow, poller: recreate(), dbPath, recreate };
}

const queuedAlerts = (s: Setup) =>
  s.store.outbox.all().filter((r) => r.alertId !== null && r.action === 'post');

describe('createPoller', () => {
  it('queues one alert per failed run once, and remembers the sessions it saw', async () => {
    const s = await setUp();
    const run = s.sim.addTaskSession({
      vm: 'sql01',
      job: 'SQL',
      result: 'Failed',
      reason: 'x',
      endTime: s.emNow(),
    });
    s.sim.addTaskSession({
      vm: 'sql02',
      job: 'SQL',
      jobSessionUid: run.jobSessionUid,
      result: 'Warning',
      reason: 'y',
      endTime: s.emNow(),
    });
    expect(await s.poller.pollOnce()).toMatchObject({ ok: true, read: 2, fresh: 2, alerts: 1 });
    expect(queuedAlerts(s)).toHaveLength(1);
    s.clock.advance(MINUTE);
    expect(await s.poller.pollOnce()).toMatchObject({ ok: true, read: 2, fresh: 0, alerts: 0 });
    expect(queuedAlerts(s)).toHaveLength(1);
    expect(s.poller.health()).toMatchObject({
      consecutiveFailures: 0,
      emReachable: true,
      watermark: s.clock.now(),
    });
  });

  it('never runs two polls at once', async () => {
    const s = await setUp();
    s.sim.addTaskSession({ vm: 'web01', job: 'Web', result: 'Failed', reason: 'x', endTime: s.emNow() });
    const [a, b] = await Promise.all([s.poller.pollOnce(), s.poller.pollOnce()]);
    expect([a.alerts, b.alerts]).toEqual([1, 0]);
    expect(b.fresh).toBe(0);
  });

  it('recovers an alert created by the same poll that finds its fix', async () => {
    const s = await setUp();
    s.sim.addTaskSession({
      vm: 'ex01',
      job: 'Exchange',
      result: 'Failed',
      reason: 'VSS',
      endTime: new Date(s.emNow().getTime() - 10 * MINUTE),
    });
    // the job has no open failure before this poll, so a success is read only once it has one
    expect((await s.poller.pollOnce()).alerts).toBe(1);
    s.sim.addTaskSession({
      vm: 'ex02',
      job: 'Exchange',
      result: 'Failed',
      reason: 'VSS',
      endTime: s.emNow(),
    });
    s.clock.advance(MINUTE);
    s.sim.addTaskSession({ vm: 'ex02', job: 'Exchange', result: 'Success', endTime: s.emNow() });
    // ended apart, so the order of the recoveries is the order of the successes
    s.sim.addTaskSession({
      vm: 'ex01',
      job: 'Exchange',
      result: 'Success',
      endTime: new Date(s.emNow().getTime() - 30_000),
    });
    const result = await s.poller.pollOnce();
    expect(result).toMatchObject({ alerts: 1, recoveries: 2 });
    const rows = s.store.outbox.all().map((r) => `${r.action}:${r.alertId}`);
    expect(rows).toEqual(['post:1', 'post:2', 'update:1', 'reply:1', 'update:2', 'reply:2']);
    expect(s.store.alerts.get(2)?.vms.map((v) => v.recoveredAt)).toEqual([s.emNow()]);
  });
});
