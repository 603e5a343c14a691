/** `replibot store migrate`: a SQLite installation moved to PostgreSQL keeps what it knew, and a used target is refused. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplibotDatabase } from '../../src/app/database.js';
import { createAlertStore } from '../../src/features/alerts/alert-store.js';
import { createDigestStore } from '../../src/features/digests/digest-store.js';
import { NO_DIGEST_FILTERS } from '../../src/features/digests/domain/summarize-digest.js';
import { type PostgresServer, startPostgresServer } from '../fakes/postgres-server.js';
import { runReplibot } from '../fakes/run-cli.js';

let server: PostgresServer;
let dir: string;
beforeAll(async () => {
  server = await startPostgresServer();
  dir = mkdtempSync(join(tmpdir(), 'replibot-migrate-'));
}, 60_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = new Date('2026-12-01T10:00:00Z');

/** An installation as it is after some weeks: every kind of row replibot keeps. */
async function seedSqlite(path: string): Promise<void> {
  const db = await openReplibotDatabase(path);
  const alerts = createAlertStore(db.db);
  const digests = createDigestStore(db.db);
  await alerts.subscriptions.add('C1', { level: 'failed', job: 'SQL', vm: null, server: null }, 'U1', T0);
  await alerts.subscriptions.add('C2', { level: 'warnings', job: null, vm: null, server: null }, 'U2', T0);
  await alerts.mutes.add(
    {
      channelId: 'C1',
      scope: 'vm',
      name: 'sql01',
      until: new Date(T0.getTime() + 86_400_000),
      createdBy: 'U1',
    },
    T0,
  );
  await alerts.seen.markSeen([{ uid: 'task-1', endTime: T0 }], T0);
  await alerts.state.set('poller.watermark', String(T0.getTime()));
  const alert = await alerts.alerts.create(
    {
      channelId: 'C1',
      jobSessionUid: 'run-1',
      jobName: 'SQL',
      serverName: 'vbr01',
      runStartedAt: T0,
      vms: [
        { taskUid: 'task-1', vmName: 'sql01', result: 'Failed', reason: 'x', failedRuns: 1, endTime: T0 },
      ],
    },
    T0,
  );
  await alerts.alerts.setTs(alert.id, '1700000000.000100');
  await alerts.outbox.enqueue(
    { key: `alert:${alert.id}`, channelId: 'C1', action: 'post', alertId: alert.id },
    T0,
  );
  const [row] = await alerts.outbox.all();
  await alerts.outbox.markSent(row?.id ?? 0, '1700000000.000100', T0);
  const schedule = await digests.schedules.add(
    'C1',
    { period: 'day', weekday: null, hour: 8, minute: 0, timeZone: 'UTC', filters: NO_DIGEST_FILTERS },
    'U1',
    T0,
  );
  await digests.deliveries.claim(schedule.id, new Date('2026-11-30T08:00:00Z'), T0, false, T0);
  await digests.deliveries.markSent(schedule.id, new Date('2026-11-30T08:00:00Z'), '1.2', null, T0);
  await db.close();
}

describe('replibot store migrate', () => {
  it('refuses a SQLite source that does not exist instead of creating it and copying nothing', async () => {
    const path = join(dir, 'typo.db');
    const url = await server.createDatabase();
    const run = await runReplibot(['store', 'migrate', '--from', `sqlite:${path}`, '--to', url]);
    expect(run.code).toBe(78);
    expect(run.stderr).toContain(`sqlite:${path} does not exist`);
    expect(run.stdout).toBe('');
    expect(existsSync(path)).toBe(false);
  });

  it('copies subscriptions, mutes, digests and what was posted to PostgreSQL, and ids go on from there', async () => {
    const path = join(dir, 'replibot.db');
    await seedSqlite(path);
    const url = await server.createDatabase();
    const run = await runReplibot(['store', 'migrate', '--from', `sqlite:${path}`, '--to', url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('subscriptions: 2');
    expect(run.stdout).toContain('outbox: 1');
    expect(run.stdout).not.toContain(server.adminPassword);

    const pg = await openReplibotDatabase(url);
    const alerts = createAlertStore(pg.db);
    const digests = createDigestStore(pg.db);
    expect((await alerts.subscriptions.list()).map((s) => [s.channelId, s.level, s.job])).toEqual([
      ['C1', 'failed', 'SQL'],
      ['C2', 'warnings', null],
    ]);
    expect((await alerts.mutes.active(T0)).map((m) => m.name)).toEqual(['sql01']);
    expect(await alerts.seen.unseen(['task-1', 'task-2'])).toEqual(['task-2']);
    expect(await alerts.state.get('poller.watermark')).toBe(String(T0.getTime()));
    const [sent] = await alerts.outbox.all();
    expect(sent).toMatchObject({ status: 'sent', ts: '1700000000.000100' });
    expect((await alerts.alerts.get(sent?.alertId ?? 0))?.vms.map((v) => v.vmName)).toEqual(['sql01']);
    const [schedule] = await digests.schedules.list();
    expect((await digests.deliveries.latest(schedule?.id ?? 0))?.status).toBe('sent');
    // the sequences go on after the copied ids
    const added = await alerts.subscriptions.add(
      'C3',
      { level: 'failed', job: null, vm: null, server: null },
      'U3',
      T0,
    );
    expect(added.id).toBe(3);
    await pg.close();

    // a target that holds data is refused, unless --replace
    const again = await runReplibot(['store', 'migrate', '--from', `sqlite:${path}`, '--to', url]);
    expect(again.code).toBe(78);
    expect(again.stderr).toContain('already holds replibot data');
    expect(again.stderr).not.toContain(server.adminPassword);
    const replaced = await runReplibot([
      'store',
      'migrate',
      '--from',
      `sqlite:${path}`,
      '--to',
      url,
      '--replace',
    ]);
    expect(replaced.code).toBe(0);
    const after = await openReplibotDatabase(url);
    expect(await createAlertStore(after.db).subscriptions.list()).toHaveLength(2);
    await after.close();
  });
});
