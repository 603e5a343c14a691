/** The lease on both engines: two lease objects (two processes) on one real database, time driven by the test. */
import { beforeEach, describe, expect, it } from 'vitest';
import { createLease, type Lease, toOwnerId } from '../../../src/store/lease.js';
import { ENGINES, useStoreEngine } from '../../fakes/store-engines.js';

const PERIOD = 15_000;
let nowMs: number;
const clock = { now: () => new Date(nowMs) };

describe.each(ENGINES)('createLease on %s', (engine) => {
  const engineStore = useStoreEngine(engine);
  let target: string;
  beforeEach(async () => {
    target = await engineStore.target();
    nowMs = Date.parse('2026-12-01T10:00:00Z');
  });
  const open = async (ownerId: string): Promise<Lease> =>
    createLease((await engineStore.open(target)).db, { ownerId, periodMs: PERIOD, clock });

  it('gives the lease to the first and refuses the second while it is live', async () => {
    const a = await open('a');
    const b = await open('b');
    const won = await a.tryAcquire();
    expect(won).toMatchObject({ holder: 'a', token: 1, live: true });
    expect(won?.expiresAt.getTime()).toBe(nowMs + PERIOD);
    nowMs += PERIOD - 1;
    expect(await b.tryAcquire()).toBeNull();
    expect(await b.current()).toMatchObject({ holder: 'a', token: 1, live: true });
  });

  it('keeps the lease with its token while the holder renews', async () => {
    const a = await open('a');
    const b = await open('b');
    await a.tryAcquire();
    for (let i = 0; i < 10; i++) {
      nowMs += PERIOD / 3;
      expect(await a.renew()).toBe(true);
      expect(await b.tryAcquire()).toBeNull();
    }
    expect(await a.isHeld(1)).toBe(true);
    expect((await a.current())?.expiresAt.getTime()).toBe(nowMs + PERIOD);
  });

  it('hands the lease over after expiry with a higher fencing token', async () => {
    const a = await open('a');
    const b = await open('b');
    await a.tryAcquire();
    nowMs += PERIOD;
    const taken = await b.tryAcquire();
    expect(taken).toMatchObject({ holder: 'b', token: 2, live: true });
    expect(await b.isHeld(2)).toBe(true);
    nowMs += PERIOD;
    expect(await a.tryAcquire()).toMatchObject({ holder: 'a', token: 3 });
  });

  it('tells the stale holder it no longer holds the lease and refuses its renewal', async () => {
    const a = await open('a');
    const b = await open('b');
    await a.tryAcquire();
    nowMs += PERIOD + 1;
    expect(await a.isHeld(1)).toBe(false); // expired: not held even before anyone took it
    await b.tryAcquire();
    expect(await a.renew()).toBe(false);
    expect(await a.isHeld(1)).toBe(false);
    expect(await a.isHeld(2)).toBe(false); // the current token is not ours either
    expect(await b.current()).toMatchObject({ holder: 'b', token: 2 });
  });

  it('refuses a renewal after the lease lapsed even when nobody took it', async () => {
    const a = await open('a');
    await a.tryAcquire();
    nowMs += PERIOD;
    expect(await a.renew()).toBe(false);
    expect(await a.tryAcquire()).toMatchObject({ holder: 'a', token: 2 });
  });

  it('lets a standby take over at once after a release, keeping the token counting up', async () => {
    const a = await open('a');
    const b = await open('b');
    await a.tryAcquire();
    await a.release();
    expect(await a.current()).toMatchObject({ holder: 'a', token: 1, live: false });
    expect(await a.renew()).toBe(false);
    expect(await b.tryAcquire()).toMatchObject({ holder: 'b', token: 2 });
    await b.release();
    expect(await a.tryAcquire()).toMatchObject({ holder: 'a', token: 3 });
  });

  it('keeps the token when the holder acquires again while it holds the lease', async () => {
    const a = await open('a');
    await a.tryAcquire();
    nowMs += 1000;
    expect(await a.tryAcquire()).toMatchObject({ holder: 'a', token: 1 });
  });

  it('survives a reopen of the file: the lease and its token are in the database', async () => {
    await (await open('a')).tryAcquire();
    nowMs += PERIOD;
    const later = await open('c');
    expect(await later.current()).toMatchObject({ holder: 'a', token: 1, live: false });
    expect(await later.tryAcquire()).toMatchObject({ holder: 'c', token: 2 });
  });
});

describe('toOwnerId', () => {
  it('names the host and pid and differs per call', () => {
    const id = toOwnerId();
    expect(id).toContain(`:${process.pid}:`);
    expect(toOwnerId()).not.toBe(id);
  });
});
