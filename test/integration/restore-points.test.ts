/**
 * Restore points of backups end to end over HTTP: the simulator's `type=VmRestorePoint` and `type=RestorePoint`
 * (consistent with its backup task sessions, filters, sort and paging, XML valid against RestAPI-2017.xsd), the
 * EM client reading them in XML and JSON, and one backup RPO collection joining VM restore points to their job
 * through the restore point's backup.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { and, cmp, eq } from '../../src/core/filter.js';
import type { VmRestorePoint } from '../../src/core/restore-points.js';
import { collectRpo } from '../../src/features/rpo/collect-rpo.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient } from '../../src/veeam/em-client.js';
import { findReferenceFile } from '../fakes/reference-dir.js';
import { simEmOptions } from '../fakes/sim-em-options.js';

const NOW = new Date('2026-06-17T12:00:00Z');
const DAY = 86_400_000;
const BASIC = `Basic ${Buffer.from('replibot:replibot').toString('base64')}`;

async function logon(sim: RunningSimulator): Promise<string> {
  const res = await fetch(`${sim.url}/api/sessionMngr/?v=latest`, {
    method: 'POST',
    headers: { authorization: BASIC },
  });
  const token = res.headers.get('x-restsvcsessionid');
  if (token === null) throw new Error('no logon token');
  return token;
}

describe('restore points of backups', () => {
  const sims: RunningSimulator[] = [];
  beforeAll(async () => {
    sims.push(await startSimulator({ seed: 4, now: () => NOW, data: { taskSessions: 600 } }));
    sims.push(
      await startSimulator({ seed: 4, now: () => NOW, keyStyle: 'v13', data: { taskSessions: 600 } }),
    );
  });
  afterAll(async () => {
    for (const sim of sims) await sim.close();
  });

  for (const [label, format, index] of [
    ['XML', 'xml', 0],
    ['v12 JSON', 'json', 0],
    ['v13 JSON', 'json', 1],
  ] as const) {
    it(`reads VM restore points and restore points, filtered, sorted and paged (${label})`, async () => {
      const sim = sims[index];
      if (!sim) throw new Error('no simulator');
      const em = createEmClient(simEmOptions(sim.url, { format, pageSize: 20 }));
      try {
        const all: VmRestorePoint[] = [];
        for await (const point of em.queryVmRestorePoints({})) all.push(point);
        expect(all.length).toBeGreaterThan(40);
        expect(new Set(all.map((p) => p.uid)).size).toBe(all.length);
        expect(all.every((p) => p.restorePointUid?.startsWith('urn:veeam:RestorePoint:'))).toBe(true);
        const backups = new Map<string, string>();
        for await (const rp of em.queryRestorePoints({}))
          backups.set(rp.uid.toLowerCase(), rp.backupName ?? '');
        expect(new Set(backups.values())).toEqual(
          new Set([
            'Nightly',
            'SQL Backup',
            'Web Tier Backup',
            'Backup Copy to DR',
            'Agent Backup Servers',
            'File Share Backup',
            // the immediate copy workers' points are in their copy job's backup
            'Offsite Copy',
          ]),
        );
        // every VM restore point names a restore point EM lists
        expect(all.every((p) => backups.has(p.restorePointUid?.toLowerCase() ?? ''))).toBe(true);
        // at most 7 per VM and backup
        const perVm = new Map<string, number>();
        for (const p of all) {
          const key = `${backups.get(p.restorePointUid?.toLowerCase() ?? '')}/${p.vmDisplayName}`;
          perVm.set(key, (perVm.get(key) ?? 0) + 1);
        }
        expect(Math.max(...perVm.values())).toBeLessThanOrEqual(7);

        const srv04: VmRestorePoint[] = [];
        for await (const point of em.queryVmRestorePoints({
          filter: and(
            eq('VmDisplayName', 'srv04'),
            cmp('CreationTime', '>=', new Date(NOW.getTime() - 30 * DAY)),
          ),
          sort: { field: 'CreationTime', direction: 'desc' },
        }))
          srv04.push(point);
        expect(srv04.length).toBeGreaterThan(0);
        expect(srv04.every((p) => p.vmDisplayName === 'srv04')).toBe(true);
        const times = srv04.map((p) => p.creationTime.getTime());
        expect(times).toEqual([...times].sort((a, b) => b - a));
        const nightly = [];
        for await (const rp of em.queryRestorePoints({ filter: eq('BackupName', 'Nightly') }))
          nightly.push(rp);
        expect(nightly.length).toBeGreaterThan(0);
        expect(nightly.every((rp) => rp.backupName === 'Nightly' && rp.creationTime !== null)).toBe(true);
      } finally {
        await em.close();
      }
    });
  }

  it('makes a point for every good backup task and none for a failed one', async () => {
    const sim = sims[0];
    if (!sim) throw new Error('no simulator');
    const em = createEmClient(simEmOptions(sim.url, { format: 'json' }));
    try {
      // the demo: apache03 failed in last night's Nightly run, so its newest point is older than that run's
      const newest = async (vm: string) => {
        for await (const p of em.queryVmRestorePoints({
          filter: eq('VmDisplayName', vm),
          sort: { field: 'CreationTime', direction: 'desc' },
          limit: 1,
        }))
          return p.creationTime.getTime();
        return null;
      };
      const lastNightly = [];
      for await (const task of em.queryBackupTaskSessions?.({
        filter: and(eq('JobName', 'Nightly'), eq('State', 'Completed')),
        sort: { field: 'CreationTime', direction: 'desc' },
        limit: 6,
      }) ?? [])
        lastNightly.push(task);
      const apache03 = lastNightly.find((t) => t.vmDisplayName === 'apache03');
      const nginx01 = lastNightly.find((t) => t.vmDisplayName === 'nginx01');
      expect(apache03?.result).toBe('Failed');
      expect(await newest('apache03')).toBeLessThan(apache03?.creationTime.getTime() ?? 0);
      if (nginx01?.result !== 'Failed') {
        // its point of that run (its copy by Offsite Copy may be newer)
        const times = [];
        for await (const p of em.queryVmRestorePoints({ filter: eq('VmDisplayName', 'nginx01') }))
          times.push(p.creationTime.getTime());
        expect(times).toContain(nginx01?.endTime?.getTime());
      }
    } finally {
      await em.close();
    }
  });

  it('collects the backup RPO inputs: each VM under its job, worker runs under their copy job', async () => {
    const sim = sims[0];
    if (!sim) throw new Error('no simulator');
    const em = createEmClient(simEmOptions(sim.url, { format: 'xml' }));
    try {
      const inputs = await collectRpo(em, NOW, 7 * DAY, 'backup');
      const jobs = new Set(inputs.copies.map((c) => c.jobName));
      expect(jobs).toContain('Nightly');
      expect(jobs).toContain('Offsite Copy');
      expect(jobs).not.toContain('(unknown backup)');
      expect(
        inputs.copies.find((c) => c.jobName === 'Agent Backup Servers' && c.vmName === 'srv04'),
      ).toBeDefined();
      expect(
        inputs.runs.some((r) => r.jobName === 'Offsite Copy' && r.jobType === 'ImmediateBackupCopyWorker'),
      ).toBe(true);
      expect(inputs.runs.some((r) => r.jobName.includes('\\'))).toBe(false);
      expect(inputs.runs.some((r) => r.jobType === 'AgentManagement')).toBe(false);
      expect(inputs.failures.some((f) => f.jobName === 'Nightly' && f.vmName === 'apache03')).toBe(true);
      expect(inputs.unreadableRows).toBe(0);
    } finally {
      await em.close();
    }
  });

  it("reads a copy job's Working parent session that began before the lookback", async () => {
    const sim = sims[0];
    if (!sim) throw new Error('no simulator');
    const em = createEmClient(simEmOptions(sim.url, { format: 'xml' }));
    try {
      // today's immediate copy parent began at 00:00, twelve hours before NOW: outside a 1 h lookback
      const inputs = await collectRpo(em, NOW, 3_600_000, 'backup');
      const parents = inputs.runs.filter(
        (r) => r.jobName === 'Offsite Copy' && r.jobType === 'ImmediateBackupCopy',
      );
      expect(parents.length).toBe(1);
      expect(parents[0]?.state).toBe('Working');
      expect(parents[0]?.creationTime.getTime()).toBeLessThan(NOW.getTime() - 3_600_000);
      expect(
        inputs.runs.some(
          (r) => r.jobType === 'Backup' && r.creationTime.getTime() < NOW.getTime() - 3_600_000,
        ),
      ).toBe(false);
    } finally {
      await em.close();
    }
  });
});

const xsd = findReferenceFile('veeam-em/RestAPI-2017.xsd');
describe.skipIf(!xsd.found)(`restore point XML against RestAPI-2017.xsd${xsd.skipNote}`, () => {
  it('validates the VmRestorePoint and RestorePoint query documents', async () => {
    const schema = readFileSync(xsd.path, 'utf8').replace(/^\uFEFF/, '');
    const sim = await startSimulator({ seed: 11, now: () => NOW, data: { taskSessions: 300 } });
    try {
      const token = await logon(sim);
      const text = async (path: string) =>
        (await fetch(`${sim.url}${path}`, { headers: { 'x-restsvcsessionid': token } })).text();
      const docs: Record<string, string> = {
        'VmRestorePoint entities': await text('/api/query?type=VmRestorePoint&format=Entities&pageSize=30'),
        'VmRestorePoint references': await text('/api/query?type=VmRestorePoint&pageSize=5'),
        'RestorePoint entities': await text('/api/query?type=RestorePoint&format=Entities&pageSize=30'),
        'RestorePoint references': await text('/api/query?type=RestorePoint&pageSize=5'),
      };
      const results: Record<string, string[]> = {};
      for (const [name, contents] of Object.entries(docs)) {
        const result = await validateXML({
          xml: { fileName: 'doc.xml', contents },
          schema: { fileName: 'RestAPI.xsd', contents: schema },
        });
        results[name] = result.valid ? [] : result.errors.map((error) => error.message);
      }
      expect(results).toEqual(Object.fromEntries(Object.keys(docs).map((name) => [name, []])));
      const broken =
        docs['VmRestorePoint entities']?.replace(/<HierarchyObjRef>[^<]*<\/HierarchyObjRef>/, '') ?? '';
      const invalid = await validateXML({
        xml: { fileName: 'doc.xml', contents: broken },
        schema: { fileName: 'RestAPI.xsd', contents: schema },
      });
      expect(invalid.valid).toBe(false);
    } finally {
      await sim.close();
    }
  });
});
