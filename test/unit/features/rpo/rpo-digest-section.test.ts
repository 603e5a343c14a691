import { describe, expect, it } from 'vitest';
import type { KnownVm, RpoVerdict } from '../../../../src/features/rpo/domain/evaluate-rpo.js';
import { renderRpoDigestFor } from '../../../../src/features/rpo/rpo-digest-section.js';
import { createRpoStore } from '../../../../src/features/rpo/rpo-store.js';
import { ENGINES, useStoreEngine } from '../../../fakes/store-engines.js';

const NOW = new Date('2026-06-17T12:00:00Z');
const H = 3_600_000;
const clock = { now: () => NOW };
const gone = new Date(NOW.getTime() - 80 * H);
const known = (jobName: string, vmName: string, serverName: string, goneSince: Date | null): KnownVm => ({
  jobName,
  vmName,
  serverName,
  lastGoodAt: new Date(NOW.getTime() - 5 * H),
  firstSeenAt: new Date(NOW.getTime() - 100 * H),
  goneSince,
});
const judged = (vm: KnownVm, status: 'within' | 'outside' | 'gone') => ({
  ...vm,
  ageMs: status === 'outside' ? 30 * H : 5 * H,
  rpoMs: 24 * H,
  status,
  failedRuns: 0,
  lastReason: null,
});

describe.each(ENGINES)("the digest's RPO section on %s", (engine) => {
  const engineStore = useStoreEngine(engine);
  it('honours the digest filters (kind, job, server) and names a gone VM once, in a digest that shows it', async () => {
    const handle = await engineStore.openStore();
    const store = createRpoStore(handle.handle.db);
    const replication = [
      known('SQL Replica', 'sql01', 'vbr01', null),
      known('SQL Replica', 'sql02', 'vbr01', gone),
      known('Web Replica', 'web01', 'vbr02', gone),
    ];
    const backups = [known('Nightly', 'nginx01', 'vbr01', null), known('Nightly', 'apache09', 'vbr01', gone)];
    await store.saveEvaluation({ at: NOW, vms: replication, opened: [], updated: [] });
    await store.saveEvaluation({ at: NOW, kind: 'backup', vms: backups, opened: [], updated: [] });
    const verdicts: Record<'replication' | 'backup', RpoVerdict> = {
      replication: {
        at: NOW,
        vms: [judged(replication[0] as KnownVm, 'outside'), judged(replication[2] as KnownVm, 'gone')],
        jobs: [],
      },
      backup: { at: NOW, kind: 'backup', vms: [judged(backups[0] as KnownVm, 'within')], jobs: [] },
    };
    const service = { current: async (kind: 'replication' | 'backup' = 'replication') => verdicts[kind] };
    const deps = { store, service, clock, graceMs: 72 * H };
    // a digest of job Web Replica: its own VMs only; web01 named there, not sql02
    expect(await renderRpoDigestFor(deps, { jobName: 'Web Replica', serverName: null })).toBe(
      '*RPO:* 0 of 0 VMs within RPO.\nNo longer replicated: web01 (Web Replica)',
    );
    // an unfiltered replication digest: sql01 outside, and sql02 (web01 was said already)
    expect(await renderRpoDigestFor(deps, { jobName: null, serverName: null })).toBe(
      '*RPO:* 0 of 1 VM within RPO; outside: sql01 (1d 06h)\nNo longer replicated: sql02 (SQL Replica)',
    );
    // a server filter that shows nothing of the replicas
    expect(await renderRpoDigestFor(deps, { jobName: null, serverName: 'vbr09' })).toBe(
      '*RPO:* 0 of 0 VMs within RPO.',
    );
    // a backups digest: the backup watch, "no longer backed up"; then said, never again
    expect(await renderRpoDigestFor(deps, { jobName: null, serverName: null, kind: 'backup' })).toBe(
      '*Backup RPO:* 1 of 1 VM within RPO.\nNo longer backed up: apache09 (Nightly)',
    );
    expect(await renderRpoDigestFor(deps, { jobName: null, serverName: null, kind: 'backup' })).toBe(
      '*Backup RPO:* 1 of 1 VM within RPO.',
    );
    await handle.close();
  });
});
