/** The SQLite lease: two lease objects (two processes) on one real database file, time driven by the test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openReplibotDatabase } from '../../../src/app/database.js';
import { createSqliteLease, type Lease, toOwnerId } from '../../../src/store/lease.js';
import type { SqliteDatabase } from '../../../src/store/open-database.js';

const PERIOD = 15_000;
let dir: string;
let dbs: SqliteDatabase[];
let nowMs: number;
const clock = { now: () => new Date(nowMs) };

function open(ownerId: string): Lease {
  const db = openReplibotDatabase(join(dir, 'replibot.db'));
  dbs.push(db);
  return createSqliteLease(db, { ownerId, periodMs: PERIOD, clock });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'replibot-lease-'));
  dbs = [];
  nowMs = Date.parse('2026-12-01T10:00:00Z');
});
afterEach(() => {
  for (const db of dbs) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('createSqliteLease', () => {
  it('gives the lease to the first and refuses the second while it is live', () => {
    const a = open('a');
    const b = open('b');
    const won = a.tryAcquire();
    expect(won).toMatchObject({ holder: 'a', token: 1, live: true });
    expect(won?.expiresAt.getTime()).toBe(nowMs + PERIOD);
    nowMs += PERIOD - 1;
    expect(b.tryAcquire()).toBeNull();
    expect(b.current()).toMatchObject({ holder: 'a', token: 1, live: true });
  });

  it('keeps the lease with its token while the holder renews', () => {
    const a = open('a');
    const b = open('b');
    a.tryAcquire();
    for (let i = 0; i < 10; i++) {
      nowMs += PERIOD / 3;
      expect(a.renew()).toBe(true);
      expect(b.tryAcquire()).toBeNull();
    }
    expect(a.isHeld(1)).toBe(true);
    expect(a.current()?.expiresAt.getTime()).toBe(nowMs + PERIOD);
  });

  it('hands the lease over after expiry with a higher fencing token', () => {
    const a = open('a');
    const b = open('b');
    a.tryAcquire();
    nowMs += PERIOD;
    const taken = b.tryAcquire();
    expect(taken).toMatchObject({ holder: 'b', token: 2, live: true });
    expect(b.isHeld(2)).toBe(true);
    nowMs += PERIOD;
    expect(a.tryAcquire()).toMatchObject({ holder: 'a', token: 3 });
  });

  it('tells the stale holder it no longer holds the lease and refuses its renewal', () => {
    const a = open('a');
    const b = open('b');
    a.tryAcquire();
    nowMs += PERIOD + 1;
    expect(a.isHeld(1)).toBe(false); // expired: not held even before anyone took it
    b.tryAcquire();
    expect(a.renew()).toBe(false);
    expect(a.isHeld(1)).toBe(false);
    expect(a.isHeld(2)).toBe(false); // the current token is not ours either
    expect(b.current()).toMatchObject({ holder: 'b', token: 2 });
  });

  it('refuses a renewal after the lease lapsed even when nobody took it', () => {
    const a = open('a');
    a.tryAcquire();
    nowMs += PERIOD;
    expect(a.renew()).toBe(false);
    expect(a.tryAcquire()).toMatchObject({ holder: 'a', token: 2 });
  });

  it('lets a standby take over at once after a release, keeping the token counting up', () => {
    const a = open('a');
    const b = open('b');
    a.tryAcquire();
    a.release();
    expect(a.current()).toMatchObject({ holder: 'a', token: 1, live: false });
    expect(a.renew()).toBe(false);
    expect(b.tryAcquire()).toMatchObject({ holder: 'b', token: 2 });
    b.release();
    expect(a.tryAcquire()).toMatchObject({ holder: 'a', token: 3 });
  });

  it('keeps the token when the holder acquires again while it holds the lease', () => {
    const a = open('a');
    a.tryAcquire();
    nowMs += 1000;
    expect(a.tryAcquire()).toMatchObject({ holder: 'a', token: 1 });
  });

  it('survives a reopen of the file: the lease and its token are in the database', () => {
    open('a').tryAcquire();
    nowMs += PERIOD;
    const later = open('c');
    expect(later.current()).toMatchObject({ holder: 'a', token: 1, live: false });
    expect(later.tryAcquire()).toMatchObject({ holder: 'c', token: 2 });
  });
});

describe('toOwnerId', () => {
  it('names the host and pid and differs per call', () => {
    const id = toOwnerId();
    expect(id).toContain(`:${process.pid}:`);
    expect(toOwnerId()).not.toBe(id);
  });
});
