/**
 * The alert poller on its own: the real EM client against the simulator over HTTP, a real SQLite file, and a fixed
 * clock the test moves. Every poll is driven (`pollOnce()`); what it queues is read from the outbox table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/core/clock.js';
import type { EmApi } from '../../src/core/ports.js';
import { isAlertingHealthy, toHealthChecks } from '../../src/features/alerts/feature.js';
import { createPoller, type Poller, type PollerOptions } from '../../src/features/alerts/poller.js';
import { renderAlertText } from '../../src/features/alerts/text/render-alert-text.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { openStore, type TestStore } from '../fakes/open-store.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

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
  options: {
    lagSeconds?: number;
    emOffsetMs?: number;
    poller?: Partial<PollerOptions>;
    /** what the poller talks to, given the real client (default: the client itself) */
    wrapEm?: (em: EmClient) => EmApi;
  } = {},
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
  const store = await openStore(dbPath);
  cleanup.push(async () => await store.close());
  await store.subscriptions.add(
    'C1',
    { level: 'warnings', job: null, vm: null, server: null },
    'U1',
    clock.now(),
  );
  const recreate = (extra: Partial<PollerOptions> = {}) =>
    createPoller({
      em: options.wrapEm ? options.wrapEm(em) : em,
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

const queuedAlerts = async (s: Setup) =>
  (await s.store.outbox.all()).filter((r) => r.alertId !== null && r.action === 'post');

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
    expect(await queuedAlerts(s)).toHaveLength(1);
    s.clock.advance(MINUTE);
    expect(await s.poller.pollOnce()).toMatchObject({ ok: true, read: 2, fresh: 0, alerts: 0 });
    expect(await queuedAlerts(s)).toHaveLength(1);
    expect(await s.poller.health()).toMatchObject({
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
    const rows = (await s.store.outbox.all()).map((r) => `${r.action}:${r.alertId}`);
    expect(rows).toEqual(['post:1', 'post:2', 'update:1', 'reply:1', 'update:2', 'reply:2']);
    expect((await s.store.alerts.get(2))?.vms.map((v) => v.recoveredAt)).toEqual([s.emNow()]);
  });
});

/** Log lines (JSON) the poller writes, to count its notices. */
function createLogRecorder() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

describe('createPoller: late reports', () => {
  it('posts a failure EM reports 2 h 10 min after it ended, once, and says how late', async () => {
    const s = await setUp({ lagSeconds: 130 * 60 });
    const failed = s.sim.addTaskSession({
      vm: 'fs01',
      job: 'Files',
      result: 'Failed',
      reason: 'x',
      endTime: s.emNow(),
    });
    const sweeps: Array<string | null | undefined> = [];
    for (let minute = 10; minute <= 240; minute += 10) {
      s.clock.advance(10 * MINUTE);
      const result = await s.poller.pollOnce();
      expect(result.ok).toBe(true);
      sweeps.push(result.sweep);
      // the regular poll (30 minutes back) never sees it: only the hourly sweep can
      if (minute < 130) expect(await queuedAlerts(s)).toHaveLength(0);
    }
    expect(sweeps.filter((k) => k === 'reconcile')).toHaveLength(4);
    expect(await queuedAlerts(s)).toHaveLength(1);
    const alert = (await s.store.alerts.get((await queuedAlerts(s))[0]!.alertId!))!;
    expect(alert.vms.map((v) => v.taskUid)).toEqual([failed.uid]);
    expect(alert.reportedLateMs).toBe(130 * MINUTE);
    expect(renderAlertText({ kind: 'job-run', alert }, { timeZone: 'UTC' })).toContain(
      'Reported by EM 2 h 10 min after it ended.',
    );
    expect((await s.poller.health()).largestReportLagMs).toBe(130 * MINUTE);
    expect((await s.poller.health()).warnings.join(' ')).toContain(
      'EM reported a session 2 h 10 min after it ended',
    );
  });

  it("widens the window by how far EM's clock is behind, and warns about it", async () => {
    const s = await setUp({ emOffsetMs: -40 * MINUTE, poller: { reconcileIntervalMs: DAY } });
    expect((await s.poller.pollOnce()).ok).toBe(true);
    expect((await s.poller.health()).clockOffsetMs).toBe(-40 * MINUTE);
    s.sim.addTaskSession({ vm: 'dc01', job: 'AD', result: 'Failed', reason: 'x', endTime: s.emNow() });
    s.clock.advance(MINUTE);
    const result = await s.poller.pollOnce();
    expect(result).toMatchObject({ ok: true, alerts: 1, sweep: null });
    // EM's end time is 40 minutes behind, but it reported the session at once: not late
    expect((await s.store.alerts.get((await queuedAlerts(s))[0]!.alertId!))?.reportedLateMs).toBeNull();
    expect((await s.poller.health()).warnings).toEqual([
      expect.stringContaining("EM's clock is 40 min behind replibot's"),
    ]);
    expect(
      toHealthChecks({
        poller: await s.poller.health(),
        outbox: {
          pending: 0,
          oldestPendingAt: null,
          lastError: null,
          deadLettered: 0,
          lastDeadReason: null,
          authProblem: null,
        },
      }),
    ).toMatchObject({
      emClockOffsetSeconds: -2400,
    });
  });

  it('does not read failures that ended before it started watching', async () => {
    const s = await setUp();
    s.sim.addTaskSession({
      vm: 'old01',
      job: 'Old',
      result: 'Failed',
      reason: 'x',
      endTime: new Date(s.emNow().getTime() - 5 * HOUR),
    });
    for (let i = 0; i < 3; i += 1) {
      expect((await s.poller.pollOnce()).ok).toBe(true);
      s.clock.advance(HOUR);
    }
    expect(await queuedAlerts(s)).toHaveLength(0);
  });
});

describe('createPoller: never twice', () => {
  it('alerts a session once when EM ignores the EndTime filter, for as long as EM keeps returning it', async () => {
    const s = await setUp({
      // an EM that answers every session whatever the filter says
      wrapEm: (em) => ({
        ...em,
        queryTaskSessions: (query) => em.queryTaskSessions({ ...query, filter: null }),
      }),
    });
    const failed = s.sim.addTaskSession({
      vm: 'sql09',
      job: 'SQL',
      result: 'Failed',
      reason: 'x',
      endTime: s.emNow(),
    });
    expect((await s.poller.pollOnce()).alerts).toBe(1);
    let outside = 0;
    for (let hours = 7; hours <= 40 * 24; hours += 7) {
      s.clock.advance(7 * HOUR);
      const result = await s.poller.pollOnce();
      expect(result.alerts).toBe(0);
      outside += result.outside ?? 0;
      // kept while EM may still hold the session (30 days) plus a day
      if (hours < 31 * 24) expect(await s.store.seen.unseen([failed.uid])).toEqual([]);
    }
    expect(outside).toBeGreaterThan(0);
    expect(await queuedAlerts(s)).toHaveLength(1);
    // forgotten only once it can no longer come back
    expect(await s.store.seen.unseen([failed.uid])).toEqual([failed.uid]);
  });
});

describe('createPoller: store failures', () => {
  it('keeps a full disk apart from EM: no crash, unhealthy with its own reason, one notice, and recovery', async () => {
    const log = createLogRecorder();
    const s = await setUp({ poller: { logger: log.logger } });
    expect((await s.poller.pollOnce()).ok).toBe(true);
    for (let i = 0; i < 300; i += 1)
      s.sim.addTaskSession({
        vm: `vm${i}`,
        job: `Job ${i % 30}`,
        result: 'Failed',
        reason: 'x'.repeat(200),
        endTime: s.emNow(),
      });
    // SQLite's own limit: the file may not grow by a page, as on a full disk
    const pages = s.store.sqlite.pragma('page_count', { simple: true }) as number;
    s.store.sqlite.pragma(`max_page_count = ${pages}`);
    for (let i = 0; i < 4; i += 1) {
      s.clock.advance(MINUTE);
      const result = await s.poller.pollOnce();
      expect(result).toMatchObject({ ok: false, storeError: true });
      expect(result.error).toContain('the disk holding DATABASE_PATH is full');
    }
    const health = await s.poller.health();
    expect(health).toMatchObject({ consecutiveFailures: 0, emReachable: true });
    expect(health.storeError?.code).toBe('SQLITE_FULL');
    const outbox = {
      pending: 0,
      oldestPendingAt: null,
      lastError: null,
      deadLettered: 0,
      lastDeadReason: null,
      authProblem: null,
    };
    expect(isAlertingHealthy({ poller: health, outbox }, s.clock.now())).toBe(false);
    expect(toHealthChecks({ poller: health, outbox }).storeError).toContain('Free some space');
    expect(await queuedAlerts(s)).toHaveLength(0);
    expect(log.lines.filter((l) => l.msg.startsWith('alert store failed'))).toHaveLength(1);

    s.store.sqlite.pragma('max_page_count = 1073741823');
    s.clock.advance(MINUTE);
    // nothing was lost: every run of the failed polls is alerted now (each session is its own run here)
    expect(await s.poller.pollOnce()).toMatchObject({ ok: true, fresh: 300, alerts: 300 });
    expect((await s.poller.health()).storeError).toBeNull();
    expect(isAlertingHealthy({ poller: await s.poller.health(), outbox }, s.clock.now())).toBe(true);
    expect(log.lines.filter((l) => l.msg.startsWith('alert store writable again'))).toHaveLength(1);
    // EM was never counted as unreachable: no such notice was queued
    expect((await s.store.outbox.all()).filter((r) => r.notice?.kind === 'em-unreachable')).toEqual([]);
  });
});
