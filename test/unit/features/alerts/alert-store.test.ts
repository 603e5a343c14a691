import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../../src/app/database.js';
import { type Migration, openDatabase, toIdType } from '../../../../src/store/open-database.js';
import { openStore } from '../../../fakes/open-store.js';
import { ENGINES, useStoreEngine } from '../../../fakes/store-engines.js';

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
  it('creates the folder, uses WAL and records each migration once', async () => {
    const path = tempDb();
    const store = await openStore(path);
    expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    const versions = store.sqlite
      .prepare('SELECT version FROM schema_migrations ORDER BY version')
      .pluck()
      .all();
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version).sort((x, y) => x - y));
    await store.close();
    const again = await openStore(path);
    expect(again.sqlite.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(
      MIGRATIONS.length,
    );
    await again.close();
  });

  it('applies extra migrations given later and refuses a version defined twice', async () => {
    const path = tempDb();
    await (await openStore(path)).close();
    const extra: Migration = {
      version: 45,
      name: 'later step',
      up: (db, dialect) =>
        db.schema
          .createTable('later_test')
          .addColumn('id', toIdType(dialect), (c) => c.primaryKey())
          .execute(),
    };
    const db = await openDatabase(path, [...MIGRATIONS, extra]);
    expect(db.sqlite?.prepare("SELECT name FROM sqlite_master WHERE name = 'later_test'").pluck().get()).toBe(
      'later_test',
    );
    await db.close();
    await expect(openDatabase(':memory:', [...MIGRATIONS, extra, extra])).rejects.toThrow(/defined twice/);
  });

  it('leaves the database as it was when a migration fails', async () => {
    const path = tempDb();
    const bad: Migration = {
      version: 46,
      name: 'broken',
      async up(db) {
        await db.schema.createTable('ok_part').addColumn('id', 'integer').execute();
        await sql`THIS IS NOT SQL`.execute(db);
      },
    };
    await expect(openDatabase(path, [...MIGRATIONS, bad])).rejects.toThrow(/migration 46/);
    const store = await openStore(path);
    expect(
      store.sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'ok_part'").pluck().get(),
    ).toBeUndefined();
    await store.close();
  });
});

describe.each(ENGINES)('store repositories on %s', (engine) => {
  const engineStore = useStoreEngine(engine);
  it('remembers seen session UIDs across a reopen and prunes old ones', async () => {
    const path = await engineStore.target();
    const store = await engineStore.openStore(path);
    await store.seen.markSeen(
      [
        { uid: 'a', endTime: new Date('2026-05-01T00:00:00Z') },
        { uid: 'b', endTime: T0 },
      ],
      T0,
    );
    await store.close();
    const reopened = await engineStore.openStore(path);
    expect(await reopened.seen.unseen(['a', 'b', 'c'])).toEqual(['c']);
    expect(await reopened.seen.prune(new Date('2026-05-10T00:00:00Z'))).toBe(1);
    expect(await reopened.seen.unseen(['a', 'b'])).toEqual(['a']);
    await reopened.close();
  });

  it('keeps the outbox FIFO per channel and reports the head of each channel', async () => {
    const store = await engineStore.openStore();
    const notice = { kind: 'em-reachable' as const, downSince: T0, at: T0 };
    expect(await store.outbox.enqueue({ key: 'k1', channelId: 'C1', action: 'post', notice }, T0)).toBe(true);
    expect(await store.outbox.enqueue({ key: 'k1', channelId: 'C1', action: 'post', notice }, T0)).toBe(
      false,
    );
    await store.outbox.enqueue({ key: 'k2', channelId: 'C1', action: 'post', notice }, T0);
    await store.outbox.enqueue({ key: 'k3', channelId: 'C2', action: 'post', notice }, T0);
    expect((await store.outbox.heads()).map((r) => r.key)).toEqual(['k1', 'k3']);
    const head = (await store.outbox.heads())[0]!;
    expect(head.notice).toEqual(notice);
    await store.outbox.markSent(head.id, '1.1', T0);
    expect((await store.outbox.heads()).map((r) => r.key)).toEqual(['k2', 'k3']);
    await store.close();
  });

  it('stores alerts with their VMs, acknowledgements and recoveries', async () => {
    const store = await engineStore.openStore();
    const alert = await store.alerts.create(
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
    expect((await store.alerts.openVms('SQL', 'sql01')).map((v) => v.taskUid)).toEqual(['t1']);
    await store.alerts.markRecovered(alert.id, 't1', new Date(T0.getTime() + 60_000));
    expect(await store.alerts.openVms('SQL', 'sql01')).toEqual([]);
    const acked = await store.alerts.acknowledge(alert.id, 'U1', T0);
    expect(acked?.acknowledgedBy).toBe('U1');
    // a second click keeps the first acknowledgement
    expect((await store.alerts.acknowledge(alert.id, 'U2', T0))?.acknowledgedBy).toBe('U1');
    expect((await store.alerts.get(alert.id))?.vms.map((v) => [v.vmName, v.recoveredAt !== null])).toEqual([
      ['sql01', true],
      ['sql02', false],
    ]);
    await store.close();
  });

  it("finds a parent run's alert, adds a later worker's VMs to it and keeps each VM's own job", async () => {
    const store = await engineStore.openStore();
    const vm = (taskUid: string, vmName: string, jobName: string) => ({
      taskUid,
      vmName,
      jobName,
      result: 'Failed' as const,
      reason: 'offline',
      failedRuns: 1,
      endTime: T0,
    });
    const alert = await store.alerts.create(
      {
        channelId: 'C1',
        jobSessionUid: 'urn:veeam:BackupJobSession:parent',
        jobName: 'Offsite Copy',
        jobType: 'ImmediateBackupCopy',
        serverName: 'vbr01',
        runStartedAt: T0,
        vms: [vm('t1', 'apache02', 'Offsite Copy\\Nightly')],
      },
      T0,
    );
    expect(await store.alerts.findByRun('C1', 'urn:veeam:BackupJobSession:parent')).toBe(alert.id);
    expect(await store.alerts.findByRun('C2', 'urn:veeam:BackupJobSession:parent')).toBeNull();
    await store.alerts.addVms(alert.id, [vm('t2', 'web01', 'Offsite Copy\\Web'), vm('t1', 'apache02', 'x')]);
    const stored = await store.alerts.get(alert.id);
    expect(stored?.vms.map((v) => [v.vmName, v.jobName])).toEqual([
      ['apache02', 'Offsite Copy\\Nightly'],
      ['web01', 'Offsite Copy\\Web'],
    ]);
    // recoveries look VMs up by the job they ran in: the worker's
    expect((await store.alerts.openVms('Offsite Copy\\Web', 'web01')).map((v) => v.alertId)).toEqual([
      alert.id,
    ]);
    expect(await store.alerts.openVms('Offsite Copy', 'web01')).toEqual([]);
    await store.close();
  });

  it('lists subscriptions per channel and only the mutes still running', async () => {
    const store = await engineStore.openStore();
    await store.subscriptions.add('C1', { level: 'failed', job: null, vm: null, server: null }, 'U1', T0);
    const s2 = await store.subscriptions.add(
      'C2',
      { level: 'warnings', job: 'SQL', vm: null, server: null },
      'U1',
      T0,
    );
    expect(await store.subscriptions.list('C2')).toEqual([s2]);
    expect(await store.subscriptions.list()).toHaveLength(2);
    expect(await store.subscriptions.remove(s2.id)).toBe(true);
    expect(await store.subscriptions.remove(s2.id)).toBe(false);
    await store.mutes.add(
      {
        channelId: 'C1',
        scope: 'vm',
        name: 'sql01',
        until: new Date(T0.getTime() + 3_600_000),
        createdBy: 'U1',
      },
      T0,
    );
    expect(await store.mutes.active(T0, 'C1')).toHaveLength(1);
    expect(await store.mutes.active(new Date(T0.getTime() + 3_600_000), 'C1')).toHaveLength(0);
    await store.close();
  });
});
