/** Leadership over the SQLite lease: two processes' worth on one real file, the test drives time and heartbeats. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openReplibotDatabase } from '../../../src/app/database.js';
import type { Service } from '../../../src/app/feature.js';
import { createLeadership, type Leadership } from '../../../src/app/leadership.js';
import { silentLogger } from '../../../src/logger.js';
import { createLease } from '../../../src/store/lease.js';
import type { StoreDatabase } from '../../../src/store/open-database.js';

const PERIOD = 15_000;
let dir: string;
let dbs: StoreDatabase[];
let nowMs: number;
const clock = { now: () => new Date(nowMs) };

async function createProcess(ownerId: string): Promise<{ leadership: Leadership; events: string[] }> {
  const db = await openReplibotDatabase(join(dir, 'replibot.db'));
  dbs.push(db);
  const events: string[] = [];
  const service: Service = {
    name: 'poller',
    start: async () => {
      events.push('start');
    },
    stop: async () => {
      events.push('stop');
    },
  };
  const leadership = createLeadership({
    lease: createLease(db.db, { ownerId, periodMs: PERIOD, clock }),
    services: () => [service],
    clock,
    logger: silentLogger,
    timers: false,
  });
  return { leadership, events };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'replibot-leadership-'));
  dbs = [];
  nowMs = Date.parse('2026-12-01T10:00:00Z');
});
afterEach(async () => {
  for (const db of dbs) await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('createLeadership', () => {
  it('runs the leader services in one process only', async () => {
    const a = await createProcess('a');
    const b = await createProcess('b');
    await a.leadership.start();
    await b.leadership.start();
    expect(a.events).toEqual(['start']);
    expect(b.events).toEqual([]);
    expect(await a.leadership.status()).toEqual({ role: 'leader', ownerId: 'a', holder: 'a', token: 1 });
    expect(await b.leadership.status()).toEqual({ role: 'standby', ownerId: 'b', holder: 'a', token: 1 });
    expect(await a.leadership.fence()).toBe(true);
    expect(await b.leadership.fence()).toBe(false);
    for (let i = 0; i < 6; i++) {
      nowMs += PERIOD / 3;
      await a.leadership.tick();
      await b.leadership.tick();
    }
    expect(b.events).toEqual([]);
    expect((await a.leadership.status()).role).toBe('leader');
  });

  it('lets the standby take over within two periods after the holder stops beating', async () => {
    const a = await createProcess('a');
    const b = await createProcess('b');
    await a.leadership.start();
    await b.leadership.start();
    // a dies: no more heartbeats; b tries every third of a period
    let waited = 0;
    while (b.events.length === 0 && waited < 3 * PERIOD) {
      nowMs += PERIOD / 3;
      waited += PERIOD / 3;
      await b.leadership.tick();
    }
    expect(b.events).toEqual(['start']);
    expect(waited).toBeLessThanOrEqual(2 * PERIOD);
    expect(await b.leadership.status()).toMatchObject({ role: 'leader', holder: 'b', token: 2 });
    // the old holder wakes up: its fence is false and its next beat stops its services
    expect(await a.leadership.fence()).toBe(false);
    await a.leadership.tick();
    expect(a.events).toEqual(['start', 'stop']);
    expect(await a.leadership.status()).toMatchObject({ role: 'standby', holder: 'b', token: 2 });
  });

  it('releases the lease on stop, so the standby takes over on its next try', async () => {
    const a = await createProcess('a');
    const b = await createProcess('b');
    await a.leadership.start();
    await b.leadership.start();
    await a.leadership.stop();
    expect(a.events).toEqual(['start', 'stop']);
    await b.leadership.tick();
    expect(b.events).toEqual(['start']);
    expect(await b.leadership.status()).toMatchObject({ role: 'leader', token: 2 });
  });
});
