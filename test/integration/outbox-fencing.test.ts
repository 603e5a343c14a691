/**
 * Two leaders for a moment, on both engines: the old leader is still posting when its lease expires and another
 * process takes over. Claims carry the fencing token; the old leader cannot mark the row sent, the new one claims
 * it, finds the message by its key (as the Slack notifier does with message metadata) and records it: one post.
 */
import { describe, expect, it } from 'vitest';
import { createAlertStore } from '../../src/features/alerts/alert-store.js';
import type { OutboundNotification } from '../../src/features/alerts/domain/alert-notice.js';
import type { Notifier } from '../../src/features/alerts/notifier.js';
import { createOutboxWorker } from '../../src/features/alerts/outbox-worker.js';
import { silentLogger } from '../../src/logger.js';
import { createLease, type Lease } from '../../src/store/lease.js';
import { ENGINES, useStoreEngine } from '../fakes/store-engines.js';

const T0 = new Date('2026-12-01T10:00:00Z');
const PERIOD = 15_000;

describe.each(ENGINES)('the outbox with two leaders for a moment on %s', (engine) => {
  const engineStore = useStoreEngine(engine);

  it('posts once: the stale leader cannot mark the row sent, the new leader records the message it finds', async () => {
    const target = await engineStore.target();
    let nowMs = T0.getTime();
    const clock = { now: () => new Date(nowMs) };
    const channel: Array<{ key: string; ts: string }> = [];
    /** a Slack channel both processes post to; the new leader looks in it before posting again */
    const slackChannel = (onDeliver?: () => Promise<void>): Notifier => ({
      async deliver(n: OutboundNotification) {
        const ts = `1.${channel.length + 1}`;
        channel.push({ key: n.key, ts });
        await onDeliver?.();
        return { ts };
      },
      async findDelivered(n: OutboundNotification) {
        return channel.find((m) => m.key === n.key)?.ts ?? null;
      },
    });
    // one after the other: two SQLite connections of one process must not wait on each other's lock (busy_timeout
    // blocks the thread); two processes would
    const start = async (ownerId: string) => {
      const db = await engineStore.open(target);
      const lease: Lease = createLease(db.db, { ownerId, periodMs: PERIOD, clock });
      return { store: createAlertStore(db.db), lease, token: null as number | null };
    };
    const old = await start('old');
    const fresh = await start('new');
    old.token = (await old.lease.tryAcquire())?.token ?? null;
    expect(old.token).toBe(1);

    let newWorkerRan: Promise<number> | undefined;
    const newWorker = createOutboxWorker({
      store: fresh.store,
      notifier: slackChannel(),
      clock,
      logger: silentLogger,
      timeZone: 'UTC',
      paceMs: 0,
      fence: (within) =>
        fresh.token === null ? Promise.resolve(false) : fresh.lease.isHeld(fresh.token, within),
      fencingToken: () => fresh.token,
    });
    const oldWorker = createOutboxWorker({
      store: old.store,
      // while the old leader's post is on its way, its lease runs out and the other process takes over and drains
      notifier: slackChannel(async () => {
        nowMs += PERIOD;
        fresh.token = (await fresh.lease.tryAcquire())?.token ?? null;
        newWorkerRan = newWorker.drain();
        await newWorkerRan;
      }),
      clock,
      logger: silentLogger,
      timeZone: 'UTC',
      paceMs: 0,
      fence: (within) => (old.token === null ? Promise.resolve(false) : old.lease.isHeld(old.token, within)),
      fencingToken: () => old.token,
    });
    const notice = { kind: 'em-reachable' as const, downSince: T0, at: T0 };
    await old.store.outbox.enqueue(
      { key: 'em-reachable:1:C1', channelId: 'C1', action: 'post', notice },
      clock.now(),
    );

    await oldWorker.drain();
    expect(fresh.token).toBe(2);
    expect(await newWorkerRan).toBe(0);
    // one message in the channel, recorded as sent by the new leader's claim
    expect(channel.map((m) => m.key)).toEqual(['em-reachable:1:C1']);
    const [row] = await fresh.store.outbox.all();
    expect(row).toMatchObject({ status: 'sent', ts: '1.1' });
    // and the stale leader claims nothing more
    await old.store.outbox.enqueue({ key: 'later:C1', channelId: 'C1', action: 'post', notice }, clock.now());
    expect(await oldWorker.drain()).toBe(0);
    expect(channel).toHaveLength(1);
  });
});
