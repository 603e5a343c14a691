/**
 * The outbox worker on its own: a real SQLite file, a recording notifier and a fixed clock the test moves. Every
 * delivery is a driven pass (`drain()`); the worker has no timers here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { RateLimitedError } from '../../src/core/errors.js';
import type { OutboundNotification } from '../../src/features/alerts/domain/alert-notice.js';
import type { Notifier } from '../../src/features/alerts/notifier.js';
import { createOutboxWorker, type OutboxWorker } from '../../src/features/alerts/outbox-worker.js';
import { silentLogger } from '../../src/logger.js';
import { openStore, type TestStore } from '../fakes/open-store.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');

function createTestClock(): Clock & { advance(ms: number): void } {
  let now = T0;
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
}

/** Records what it is asked to deliver (with the clock's time); the test says what the next answers are. */
function createRecordingNotifier(clock: Clock) {
  const delivered: Array<{ key: string; channelId: string; at: number }> = [];
  const attempts: Array<{ key: string; at: number }> = [];
  const failures: Error[] = [];
  const slackHas = new Map<string, string>();
  let counter = 0;
  const notifier: Notifier = {
    async deliver(n: OutboundNotification) {
      attempts.push({ key: n.key, at: clock.now().getTime() });
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      counter += 1;
      const ts = `1800000000.${String(counter).padStart(6, '0')}`;
      delivered.push({ key: n.key, channelId: n.channelId, at: clock.now().getTime() });
      slackHas.set(n.key, ts);
      return { ts };
    },
    async findDelivered(n) {
      return slackHas.get(n.key) ?? null;
    },
  };
  return { notifier, delivered, attempts, failures, slackHas };
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setUp(options: { paceMs?: number; retryBaseMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'replibot-outbox-'));
  const store: TestStore = await openStore(join(dir, 'replibot.db'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(async () => await store.close());
  const clock = createTestClock();
  const recording = createRecordingNotifier(clock);
  const worker: OutboxWorker = createOutboxWorker({
    store,
    notifier: recording.notifier,
    clock,
    logger: silentLogger,
    timeZone: 'UTC',
    timers: false,
    ...options,
  });
  const queue = async (key: string, channelId: string) =>
    await store.outbox.enqueue(
      {
        key,
        channelId,
        action: 'post',
        notice: { kind: 'em-reachable', downSince: new Date(T0 - 3_600_000), at: new Date(T0) },
      },
      clock.now(),
    );
  return { store, clock, worker, queue, ...recording };
}

describe('createOutboxWorker', () => {
  it('keeps one message a second per channel, in order, and channels independent', async () => {
    const t = await setUp({ paceMs: 1000 });
    for (const key of ['a1', 'a2', 'a3']) t.queue(key, 'CA');
    await t.queue('b1', 'CB');
    expect(await t.worker.drain()).toBe(2);
    expect(t.delivered.map((d) => d.key)).toEqual(['a1', 'b1']);
    t.clock.advance(999);
    expect(await t.worker.drain()).toBe(0);
    t.clock.advance(1);
    expect(await t.worker.drain()).toBe(1);
    t.clock.advance(1000);
    expect(await t.worker.drain()).toBe(1);
    expect(t.delivered.filter((d) => d.channelId === 'CA').map((d) => [d.key, d.at - T0])).toEqual([
      ['a1', 0],
      ['a2', 1000],
      ['a3', 2000],
    ]);
    expect((await t.worker.health()).pending).toBe(0);
  });

  it('pauses only the rate-limited channel for Retry-After', async () => {
    const t = await setUp({ paceMs: 0 });
    await t.queue('a1', 'CA');
    t.failures.push(new RateLimitedError('ratelimited', 30_000));
    expect(await t.worker.drain()).toBe(0);
    await t.queue('b1', 'CB');
    await t.queue('a2', 'CA');
    expect(await t.worker.drain()).toBe(1);
    expect(t.delivered.map((d) => d.key)).toEqual(['b1']);
    t.clock.advance(29_999);
    expect(await t.worker.drain()).toBe(0);
    t.clock.advance(1);
    expect(await t.worker.drain()).toBe(2);
    expect(t.delivered.map((d) => d.key)).toEqual(['b1', 'a1', 'a2']);
  });

  it('retries a failed delivery with doubling backoff and keeps the error for health', async () => {
    const t = await setUp({ paceMs: 0, retryBaseMs: 2000 });
    await t.queue('a1', 'CA');
    t.failures.push(new Error('socket hang up'), new Error('socket hang up'));
    await t.worker.drain();
    expect(await t.worker.health()).toMatchObject({ pending: 1, lastError: 'Error: socket hang up' });
    t.clock.advance(2000);
    await t.worker.drain();
    t.clock.advance(3999);
    await t.worker.drain();
    expect(t.attempts.map((a) => a.at - T0)).toEqual([0, 2000]);
    t.clock.advance(1);
    expect(await t.worker.drain()).toBe(1);
    expect(t.attempts.map((a) => a.at - T0)).toEqual([0, 2000, 6000]);
    expect(await t.worker.health()).toEqual({
      pending: 0,
      oldestPendingAt: null,
      lastError: null,
      deadLettered: 0,
      lastDeadReason: null,
      authProblem: null,
    });
  });

  it('records, without sending again, a notification delivered before a crash', async () => {
    const t = await setUp({ paceMs: 0 });
    await t.queue('a1', 'CA');
    const [row] = await t.store.outbox.open();
    // what a crash right after Slack accepted the post leaves: the row `sending`, the message in Slack
    await t.store.outbox.markSending(row!.id);
    t.slackHas.set('a1', '1700000000.000001');
    expect(await t.worker.drain()).toBe(0);
    expect(t.attempts).toEqual([]);
    expect((await t.store.outbox.all())[0]).toMatchObject({ status: 'sent', ts: '1700000000.000001' });
  });
});
