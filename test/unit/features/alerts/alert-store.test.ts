import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../../src/app/database.js';
import { openDatabase } from '../../../../src/store/open-database.js';
import { openStore } from '../../../fakes/open-store.js';

const T0 = new Date('2026-05-14T09:00:00Z');
const dirs: string[] = [];
const tempDb = () => {
  const dir = mkdtempSync(join(tmpdir(), 'replibot-store-'));
  dirs.push(dir);
  return join(dir, 'nested', 'replibot.db');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('openStore', () => {
  it('creates the folder, uses WAL and records each migration once', () => {
    const path = tempDb();
    const store = openStore(path);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const versions = store.db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    // by version: a feature's later step may carry a number of another range (backup digests: 250)
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version).sort((a, b) => a - b));
    store.close();
    const again = openStore(path);
    expect(again.db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
    again.close();
  });

  it('applies extra migrations given later and refuses a version defined twice', () => {
    const path = tempDb();
    openStore(path).close();
    const extra = {
      version: 45,
      name: 'later step',
      up: 'CREATE TABLE later_test (id INTEGER PRIMARY KEY)',
    };
    const db = openDatabase(path, [...MIGRATIONS, extra]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'later_test'").pluck().get()).toBe(
      'later_test',
    );
    db.close();
    expect(() => openDatabase(':memory:', [...MIGRATIONS, extra, extra])).toThrow(/defined twice/);
  });

  it('leaves the database as it was when a migration fails', () => {
    const path = tempDb();
    const bad = { version: 46, name: 'broken', up: 'CREATE TABLE ok_part (id INTEGER); THIS IS NOT SQL' };
    expect(() => openDatabase(path, [...MIGRATIONS, bad])).toThrow(/migration 46/);
    const store = openStore(path);
    expect(
      store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok_part'").pluck().get(),
    ).toBeUndefined();
    store.close();
  });
});

describe('store repositories', () => {
  it('remembers seen session UIDs across a reopen and prunes old ones', () => {
    const path = tempDb();
    const store = openStore(path);
    store.seen.markSeen(
      [
        { uid: 'a', endTime: new Date('2026-05-01T00:00:00Z') },
        { uid: 'b', endTime: T0 },
      ],
      T0,
    );
    store.close();
    const reopened = openStore(path);
    expect(reopened.seen.unseen(['a', 'b', 'c'])).toEqual(['c']);
    expect(reopened.seen.prune(new Date('2026-05-10T00:00:00Z'))).toBe(1);
    expect(reopened.seen.unseen(['a', 'b'])).toEqual(['a']);
    reopened.close();
  });

  it('keeps the outbox FIFO per channel and reports the head of each channel', () => {
    const store = openStore(':memory:');
    const notice = { kind: 'em-reachable' as const, downSince: T0, at: T0 };
    expect(store.outbox.enqueue({ key: 'k1', channelId: 'C1', action: 'post', notice }, T0)).toBe(true);
    expect(store.outbox.enqueue({ key: 'k1', channelId: 'C1', action: 'post', notice }, T0)).toBe(false);
    store.outbox.enqueue({ key: 'k2', channelId: 'C1', action: 'post', notice }, T0);
    store.outbox.enqueue({ key: 'k3', channelId: 'C2', action: 'post', notice }, T0);
    expect(store.outbox.heads().map((r) => r.key)).toEqual(['k1', 'k3']);
    const head = store.outbox.heads()[0]!;
    expect(head.notice).toEqual(notice);
    store.outbox.markSent(head.id, '1.1', T0);
    expect(store.outbox.heads().map((r) => r.key)).toEqual(['k2', 'k3']);
    store.close();
  });

  it('stores alerts with their VMs, acknowledgements and recoveries', () => {
    const store = openStore(':memory:');
    const alert = store.alerts.create(
      {
        channelId: 'C1',
        jobSessionUid: 'urn:veeam:ReplicaJobSession:1',
        jobName: 'SQL',
        serverName: 'vbr01',
        runStartedAt: T0,
        vms: [
          { taskUid: 't1', vmName: 'sql01', result: 'Failed', reason: 'disk', failedRuns: 2, endTime: T0 },
          { taskUid: 't2', vmName: 'sql02', result: 'Warning', reason: 'slow', failedRuns: 0, endTime: T0 },
        ],
      },
      T0,
    );
    expect(store.alerts.openVms('SQL', 'sql01').map((v) => v.taskUid)).toEqual(['t1']);
    store.alerts.markRecovered(alert.id, 't1', new Date(T0.getTime() + 60_000));
    expect(store.alerts.openVms('SQL', 'sql01')).toEqual([]);
    const acked = store.alerts.acknowledge(alert.id, 'U1', T0);
    expect(acked?.acknowledgedBy).toBe('U1');
    // a second click keeps the first acknowledgement
    expect(store.alerts.acknowledge(alert.id, 'U2', T0)?.acknowledgedBy).toBe('U1');
    expect(store.alerts.get(alert.id)?.vms.map((v) => [v.vmName, v.recoveredAt !== null])).toEqual([
      ['sql01', true],
      ['sql02', false],
    ]);
    store.close();
  });

  it('lists subscriptions per channel and only the mutes still running', () => {
    const store = openStore(':memory:');
    store.subscriptions.add('C1', { level: 'failed', job: null, vm: null, server: null }, 'U1', T0);
    const s2 = store.subscriptions.add(
      'C2',
      { level: 'warnings', job: 'SQL', vm: null, server: null },
      'U1',
      T0,
    );
    expect(store.subscriptions.list('C2')).toEqual([s2]);
    expect(store.subscriptions.list()).toHaveLength(2);
    expect(store.subscriptions.remove(s2.id)).toBe(true);
    expect(store.subscriptions.remove(s2.id)).toBe(false);
    store.mutes.add(
      {
        channelId: 'C1',
        scope: 'vm',
        name: 'sql01',
        until: new Date(T0.getTime() + 3_600_000),
        createdBy: 'U1',
      },
      T0,
    );
    expect(store.mutes.active(T0, 'C1')).toHaveLength(1);
    expect(store.mutes.active(new Date(T0.getTime() + 3_600_000), 'C1')).toHaveLength(0);
    store.close();
  });
});
