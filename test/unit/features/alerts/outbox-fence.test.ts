/** The outbox's fence hook with the real SQLite lease: a worker whose lease was taken over sends nothing more. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundNotification } from '../../../../src/features/alerts/domain/alert-notice.js';
import type { Notifier } from '../../../../src/features/alerts/notifier.js';
import { createOutboxWorker } from '../../../../src/features/alerts/outbox-worker.js';
import { silentLogger } from '../../../../src/logger.js';
import { createLease } from '../../../../src/store/lease.js';
import { openStore, type TestStore } from '../../../fakes/open-store.js';

const T0 = new Date('2026-12-01T10:00:00Z');
let dir: string | undefined;
const stores: TestStore[] = [];
afterEach(async () => {
  for (const s of stores) s.close();
  stores.length = 0;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('createOutboxWorker with a fence', () => {
  it('sends while the lease is held and refuses once another process took it over', async () => {
    dir = mkdtempSync(join(tmpdir(), 'replibot-fence-'));
    const path = join(dir, 'replibot.db');
    let nowMs = T0.getTime();
    const clock = { now: () => new Date(nowMs) };
    const store = await openStore(path);
    const other = await openStore(path);
    stores.push(store, other);
    const mine = createLease(store.db, { ownerId: 'a', periodMs: 15_000, clock });
    const theirs = createLease(other.db, { ownerId: 'b', periodMs: 15_000, clock });
    const token = (await mine.tryAcquire())!.token;

    const delivered: string[] = [];
    const notifier: Notifier = {
      async deliver(n: OutboundNotification) {
        delivered.push(n.key);
        return { ts: `1.${delivered.length}` };
      },
    };
    const worker = createOutboxWorker({
      store,
      notifier,
      clock,
      logger: silentLogger,
      timeZone: 'UTC',
      paceMs: 0,
      fence: (within) => mine.isHeld(token, within),
    });
    const notice = { kind: 'em-reachable' as const, downSince: T0, at: T0 };
    await store.outbox.enqueue({ key: 'first', channelId: 'C1', action: 'post', notice }, clock.now());
    expect(await worker.drain()).toBe(1);
    expect(delivered).toEqual(['first']);

    nowMs += 15_000;
    expect((await theirs.tryAcquire())?.token).toBe(token + 1);
    await store.outbox.enqueue({ key: 'second', channelId: 'C1', action: 'post', notice }, clock.now());
    expect(await worker.drain()).toBe(0);
    expect(delivered).toEqual(['first']);
    const open = await other.outbox.open();
    expect(open.map((r) => [r.key, r.status])).toEqual([['second', 'pending']]);
  });
});
