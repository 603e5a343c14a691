import { describe, expect, it } from 'vitest';
import type { KnownVm } from '../../../../src/features/rpo/domain/evaluate-rpo.js';
import type { RpoAlertContent } from '../../../../src/features/rpo/domain/plan-rpo-alerts.js';
import { createRpoStore } from '../../../../src/features/rpo/rpo-store.js';
import { renderRpoDigestSection } from '../../../../src/features/rpo/text/render-rpo-summary.js';
import { ENGINES, useStoreEngine } from '../../../fakes/store-engines.js';

const NOW = new Date('2026-06-17T12:00:00Z');
const H = 3_600_000;
const vm = (vmName: string, goneSince: Date | null): KnownVm => ({
  jobName: 'SQL Replica',
  vmName,
  serverName: 'srv02',
  lastGoodAt: new Date(NOW.getTime() - 5 * H),
  firstSeenAt: new Date(NOW.getTime() - 50 * H),
  goneSince,
});
const content: RpoAlertContent = {
  channelId: 'C1',
  jobName: 'SQL Replica',
  serverName: 'srv02',
  openedAt: NOW,
  closedAt: null,
  vms: [
    {
      vmName: 'sql01',
      lastGoodAt: new Date(NOW.getTime() - 30 * H),
      ageMs: 30 * H,
      rpoMs: 24 * H,
      failedRuns: 0,
      lastReason: null,
      backAt: null,
      gapMs: null,
      quiet: null,
    },
  ],
  job: {
    trouble: 'not-running',
    lastRunAt: new Date(NOW.getTime() - 30 * H),
    usualIntervalMs: 6 * H,
    intervalLearned: true,
    stuckSince: null,
    runsSince: 0,
    failedRunsSince: 0,
  },
};

describe.each(ENGINES)('createRpoStore on %s', (engine) => {
  const engineStore = useStoreEngine(engine);
  it('keeps VMs, alerts with their dates and revisions, and queues the outbox in the same transaction', async () => {
    const alerts = await engineStore.openStore();
    const store = createRpoStore(alerts.handle.db);
    await alerts.transaction(async (tx) => {
      const { opened } = await store.saveEvaluation(
        {
          at: NOW,
          vms: [vm('sql01', null), vm('sql02', new Date(NOW.getTime() - 80 * H))],
          opened: [content],
          updated: [],
        },
        tx.db,
      );
      for (const a of opened)
        await tx.outbox.enqueue({ key: `rpo:${a.id}`, channelId: a.channelId, action: 'post' }, NOW);
    });
    const [open] = await store.alerts.open();
    expect(open).toEqual({ ...content, id: 1, revision: 0 });
    expect((await alerts.outbox.all()).map((r) => r.key)).toEqual(['rpo:1']);
    await store.saveEvaluation({
      at: NOW,
      vms: [],
      opened: [],
      updated: [{ alertId: 1, content: { ...content, closedAt: NOW } }],
    });
    expect(await store.alerts.open()).toEqual([]);
    expect((await store.alerts.get(1))?.revision).toBe(1);
    // a second open alert for the same job and channel is refused, and nothing of that evaluation is kept
    await store.saveEvaluation({ at: NOW, vms: [], opened: [content], updated: [] });
    await expect(
      store.saveEvaluation({ at: NOW, vms: [vm('sql03', null)], opened: [content], updated: [] }),
    ).rejects.toThrow();
    expect((await store.vms.all()).map((v) => v.vmName)).toEqual(['sql01', 'sql02']);
    await alerts.close();
  });

  it('names a VM that left protection in one digest only', async () => {
    const alerts = await engineStore.openStore();
    const store = createRpoStore(alerts.handle.db);
    await store.saveEvaluation({
      at: NOW,
      vms: [vm('sql01', null), vm('sql02', new Date(NOW.getTime() - 80 * H))],
      opened: [],
      updated: [],
    });
    const before = new Date(NOW.getTime() - 72 * H);
    const first = await store.vms.takeNewlyGone(before, NOW);
    expect(first.map((v) => v.vmName)).toEqual(['sql02']);
    expect(await store.vms.takeNewlyGone(before, NOW)).toEqual([]);
    const section = renderRpoDigestSection(
      {
        at: NOW,
        vms: [
          {
            ...vm('sql01', null),
            ageMs: 5 * H,
            rpoMs: 24 * H,
            status: 'within',
            failedRuns: 0,
            lastReason: null,
          },
        ],
        jobs: [],
      },
      first,
      (t) => t,
    );
    expect(section).toBe('*RPO:* 1 of 1 VM within RPO.\nNo longer replicated: sql02 (SQL Replica)');
    await alerts.close();
  });

  it('keeps the kinds apart: VMs, subscriptions, and a digest takes only the gone VMs its filters show', async () => {
    const alerts = await engineStore.openStore();
    const store = createRpoStore(alerts.handle.db);
    const goneAt = new Date(NOW.getTime() - 80 * H);
    await store.saveEvaluation({ at: NOW, vms: [vm('sql01', goneAt)], opened: [], updated: [] });
    await store.saveEvaluation({
      at: NOW,
      kind: 'backup',
      vms: [
        { ...vm('srv04', goneAt), jobName: 'Agent Backup Servers' },
        { ...vm('nginx01', goneAt), jobName: 'Nightly', serverName: 'srv03' },
      ],
      opened: [],
      updated: [],
    });
    expect((await store.vms.all()).map((v) => v.vmName)).toEqual(['sql01']);
    expect((await store.vms.all('backup')).map((v) => v.vmName)).toEqual(['srv04', 'nginx01']);
    // a backup job named as a replication job (on another server): its own VM row and its own open alert
    await store.saveEvaluation({
      at: NOW,
      kind: 'backup',
      vms: [{ ...vm('sql01', null), serverName: 'vbr02' }],
      opened: [{ ...content, kind: 'backup' }],
      updated: [],
    });
    await store.saveEvaluation({ at: NOW, vms: [], opened: [content], updated: [] });
    expect((await store.alerts.open()).map((a) => a.kind ?? 'replication')).toEqual([
      'backup',
      'replication',
    ]);
    expect((await store.vms.all()).map((v) => [v.vmName, v.goneSince])).toEqual([['sql01', goneAt]]);
    expect((await store.vms.all('backup')).find((v) => v.jobName === 'SQL Replica')?.serverName).toBe(
      'vbr02',
    );
    const before = new Date(NOW.getTime() - 72 * H);
    // a backup digest for job Nightly: nginx01 only, and only it is marked said
    const nightly = await store.vms.takeNewlyGone(
      before,
      NOW,
      (v) => v.kind === 'backup' && v.jobName === 'Nightly',
    );
    expect(nightly.map((v) => [v.vmName, v.kind])).toEqual([['nginx01', 'backup']]);
    const rest = await store.vms.takeNewlyGone(before, NOW, (v) => v.kind === 'backup');
    expect(rest.map((v) => v.vmName)).toEqual(['srv04']);
    expect((await store.vms.takeNewlyGone(before, NOW)).map((v) => [v.vmName, v.kind])).toEqual([
      ['sql01', 'replication'],
    ]);
    const sub = await store.subscriptions.add(
      {
        channelId: 'C1',
        rpoMs: 4 * H,
        job: 'Nightly',
        vm: null,
        server: null,
        createdBy: 'U1',
        kind: 'backup',
      },
      NOW,
    );
    expect(sub.kind).toBe('backup');
    await store.subscriptions.add(
      { channelId: 'C1', rpoMs: null, job: null, vm: null, server: null, createdBy: 'U1' },
      NOW,
    );
    expect((await store.subscriptions.list('C1')).map((s) => s.kind ?? 'replication')).toEqual([
      'backup',
      'replication',
    ]);
    await alerts.close();
  });

  it('gives mutes a kind: a backup mute and a replication mute of one VM are two entries', async () => {
    const alerts = await engineStore.openStore();
    const until = new Date(NOW.getTime() + 4 * H);
    const base = { channelId: 'C1', scope: 'vm' as const, name: 'srv04', until, createdBy: 'U1' };
    const replication = await alerts.mutes.add(base, NOW);
    const backup = await alerts.mutes.add({ ...base, kind: 'backup' }, NOW);
    expect([replication.extended, backup.extended]).toEqual([false, false]);
    expect(backup.mute.kind).toBe('backup');
    expect(replication.mute.kind).toBeUndefined();
    // the same kind again extends that one
    const again = await alerts.mutes.add(
      { ...base, name: 'SRV04', kind: 'backup', until: new Date(until.getTime() + H) },
      NOW,
    );
    expect(again).toMatchObject({ extended: true, mute: { id: backup.mute.id, kind: 'backup' } });
    expect((await alerts.mutes.active(NOW, 'C1')).map((m) => m.kind ?? 'replication')).toEqual([
      'replication',
      'backup',
    ]);
    await alerts.close();
  });
});
