import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKUP_JOB_TYPES, toParentJob } from '../../src/core/backup-sessions.js';
import { and, cmp, eq } from '../../src/core/filter.js';
import { toKindApi } from '../../src/core/kind-api.js';
import type { ReplicaJobSession, ReplicaTaskSession } from '../../src/core/sessions.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { simEmOptions } from '../fakes/sim-em-options.js';

const NOW = new Date('2026-11-20T10:00:00Z');
const HOUR = 3_600_000;

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe.each([
  { format: 'xml', keyStyle: 'v12' },
  { format: 'json', keyStyle: 'v12' },
  { format: 'json', keyStyle: 'v13' },
] as const)('backup sessions over $format ($keyStyle)', ({ format, keyStyle }) => {
  let sim: RunningSimulator;
  let client: EmClient;
  let jobs: ReplicaJobSession[];
  let tasks: ReplicaTaskSession[];

  beforeAll(async () => {
    sim = await startSimulator({ seed: 5, keyStyle, now: () => NOW, data: { taskSessions: 600 } });
    client = createEmClient(simEmOptions(sim.url, { format, pageSize: 500 }));
    jobs = await collect(
      client.queryBackupJobSessions({ sort: { field: 'CreationTime', direction: 'asc' } }),
    );
    tasks = await collect(
      client.queryBackupTaskSessions({ sort: { field: 'CreationTime', direction: 'asc' } }),
    );
  });
  afterAll(async () => {
    await client?.close();
    await sim?.close();
  });

  it('has a job of every EM backup job type, and no replica sessions among them', () => {
    expect(new Set(jobs.map((j) => j.jobType))).toEqual(new Set(BACKUP_JOB_TYPES));
    expect(jobs.every((j) => j.uid.startsWith('urn:veeam:BackupJobSession:'))).toBe(true);
    expect(tasks.every((t) => t.uid.startsWith('urn:veeam:BackupTaskSession:'))).toBe(true);
    expect(tasks.length).toBe(sim.counts().backupTaskSessions);
  });

  it('follows every page at a small page size, each row once, in order', async () => {
    const paged = await collect(
      client.queryBackupTaskSessions({ sort: { field: 'CreationTime', direction: 'asc' }, pageSize: 37 }),
    );
    expect(paged.map((t) => t.uid)).toEqual(tasks.map((t) => t.uid));
    expect(new Set(paged.map((t) => t.uid)).size).toBe(paged.length);
    const page2 = await client.queryBackupJobSessionPage({ pageSize: 25 }, 2);
    expect(page2.pagesCount).toBe(Math.ceil(jobs.length / 25));
    expect(page2.items.map((j) => j.uid)).toEqual(jobs.slice(25, 50).map((j) => j.uid));
  });

  it('filters and counts as EM does: result, VM, job type, state', async () => {
    const failed = await collect(
      client.queryBackupTaskSessions({ filter: and(eq('Result', 'Failed'), eq('VmDisplayName', 'srv04')) }),
    );
    expect(failed.length).toBeGreaterThan(0);
    expect(failed).toEqual(tasks.filter((t) => t.result === 'Failed' && t.vmDisplayName === 'srv04'));
    expect(await client.countBackupTaskSessions({ filter: eq('Result', 'Failed') })).toBe(
      tasks.filter((t) => t.result === 'Failed').length,
    );
    const copies = await collect(client.queryBackupJobSessions({ filter: eq('JobType', 'BackupCopy') }));
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.every((j) => j.jobType === 'BackupCopy' && j.jobName === 'Backup Copy to DR')).toBe(true);
    const since = new Date(NOW.getTime() - 24 * HOUR);
    expect(await collect(client.queryBackupTaskSessions({ filter: cmp('EndTime', '>=', since) }))).toEqual(
      tasks.filter((t) => t.endTime !== null && t.endTime >= since),
    );
  });

  it('shows a copy job that runs for days as Working, and workers under their parent', () => {
    const copying = jobs.filter((j) => j.jobType === 'BackupCopy' && j.state === 'Working');
    expect(copying).toHaveLength(1);
    expect(NOW.getTime() - (copying[0]?.creationTime.getTime() ?? NOW.getTime())).toBeGreaterThan(HOUR);
    const workers = jobs.filter((j) => j.jobType === 'ImmediateBackupCopyWorker');
    expect(workers.length).toBeGreaterThan(0);
    expect(new Set(workers.map((w) => toParentJob(w.jobName, w.jobType).jobName))).toEqual(
      new Set(['Offsite Copy']),
    );
    expect(new Set(workers.map((w) => toParentJob(w.jobName, w.jobType).source))).toEqual(
      new Set(['Nightly', 'Web Tier Backup']),
    );
  });

  it('reads /backupSessions/{ID}, its taskSessions and /backupTaskSessions/{ID}', async () => {
    const task = tasks.find((t) => t.result === 'Failed');
    expect(task).toBeDefined();
    if (!task) return;
    const session = await client.getBackupJobSession(task.jobSessionUid);
    expect(session.uid).toBe(task.jobSessionUid);
    const ofSession = await client.getBackupJobSessionTasks(session.id);
    expect(ofSession.map((t) => t.uid)).toContain(task.uid);
    expect(await client.getBackupTaskSession(task.id)).toEqual(task);
    // a backup id is not a replication id
    await expect(client.getJobSession(session.id)).rejects.toMatchObject({ code: 'em_not_found' });
  });

  it('makes a backup task fail through the control API, and the kind view reads it', async () => {
    const added = sim.addBackupTaskSession({
      vm: 'srv09',
      job: 'Nightly',
      result: 'Failed',
      reason: 'Processing srv09 Error: disk gone',
    });
    const backups = toKindApi(client, 'backup');
    const found = await collect(backups.queryTaskSessions({ filter: eq('VmDisplayName', 'srv09') }));
    expect(found.map((t) => [t.uid, t.result, t.jobName])).toEqual([[added.uid, 'Failed', 'Nightly']]);
    expect(await collect(client.queryTaskSessions({ filter: eq('VmDisplayName', 'srv09') }))).toEqual([]);
  });
});

describe('the /_sim/backupSessions control API', () => {
  it('adds and finishes a backup task over HTTP, and refuses an unknown job type', async () => {
    const sim = await startSimulator({ seed: 2, now: () => NOW, data: { taskSessions: 50 } });
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${sim.url}/_sim/${path}`, { method: 'POST', body: JSON.stringify(body) });
      const bad = await post('backupSessions', { vm: 'a', job: 'New job', jobType: 'Tape' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(
        /jobType must be one of Backup, BackupCopy/,
      );
      const created = await post('backupSessions', { vm: 'ws01', job: 'Laptops', jobType: 'AgentBackup' });
      expect(created.status).toBe(201);
      const task = (await created.json()) as { id: string; uid: string; state: string };
      expect(task.uid).toMatch(/^urn:veeam:BackupTaskSession:/);
      expect(task.state).toBe('InProgress');
      const finished = await post(`backupSessions/${task.id}/finish`, {
        result: 'Failed',
        reason: 'offline',
      });
      expect(((await finished.json()) as { result: string }).result).toBe('Failed');
    } finally {
      await sim.close();
    }
  });
});
