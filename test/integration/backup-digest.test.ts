/**
 * Backup digests: `digest ... backups` is read, kept in the real store, and sums up EM's backup sessions (the
 * real collector and client against the simulator over HTTP), titled as a backup digest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, cmp } from '../../src/core/filter.js';
import { collectDigest } from '../../src/features/digests/collect-digest.js';
import { createDigestStore } from '../../src/features/digests/digest-store.js';
import { describeSchedule, parseDigestCommand } from '../../src/features/digests/domain/digest-schedule.js';
import { toDigestWindow } from '../../src/features/digests/domain/digest-window.js';
import { renderDigestText } from '../../src/features/digests/text/render-digest-text.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { openStore } from '../fakes/open-store.js';
import { simEmOptions } from '../fakes/sim-em-options.js';

const NOW = new Date('2026-11-20T10:00:00Z');
let sim: RunningSimulator;
let em: EmClient;

beforeAll(async () => {
  sim = await startSimulator({ seed: 4, now: () => NOW, data: { taskSessions: 800 } });
  em = createEmClient(simEmOptions(sim.url));
});
afterAll(async () => {
  await em?.close();
  await sim?.close();
});

describe('backup digests', () => {
  it('reads `backups` in a digest command and keeps it across a store round trip', async () => {
    const command = parseDigestCommand('daily 08:00 backups job Nightly', {
      defaultTimeZone: 'UTC',
      isTimeZone: () => true,
    });
    if (command.kind !== 'add') throw new Error(command.kind);
    expect(command.spec.filters).toEqual({
      jobName: 'Nightly',
      serverName: null,
      failedOnly: false,
      kind: 'backup',
    });
    expect(describeSchedule(command.spec)).toBe('daily at 08:00 (UTC), backups, job "Nightly"');
    const store = await openStore();
    try {
      const digests = createDigestStore(store.database);
      const saved = await digests.schedules.add('C1', command.spec, 'U1', NOW);
      expect((await digests.schedules.get(saved.id))?.filters.kind).toBe('backup');
      const plain = parseDigestCommand('daily 08:00', { defaultTimeZone: 'UTC', isTimeZone: () => true });
      if (plain.kind !== 'add') throw new Error(plain.kind);
      const other = await digests.schedules.add('C1', plain.spec, 'U1', NOW);
      expect((await digests.schedules.get(other.id))?.filters.kind).toBe(undefined);
    } finally {
      await store.close();
    }
  });

  it('sums up the backup sessions of the period, as a backup digest', async () => {
    const filters = { jobName: null, serverName: null, failedOnly: false, kind: 'backup' as const };
    const digest = await collectDigest(em, { period: 'day', end: NOW, timeZone: 'UTC', filters });
    const window = toDigestWindow('day', NOW, 'UTC');
    let runs = 0;
    for await (const _ of em.queryBackupTaskSessions({
      filter: and(cmp('CreationTime', '>=', window.start), cmp('CreationTime', '<', window.end)),
    }))
      runs += 1;
    expect(runs).toBeGreaterThan(0);
    expect(digest.current.totals.runs).toBe(runs);
    const text = renderDigestText(digest);
    expect(text).toContain('Daily backup digest');
    expect(text).toContain('VM backups');
    // in the kind's words throughout (the backup jobs' own names say nothing of replicas)
    expect(text).not.toMatch(/replicat/i);
    // the replication digest of the same period counts other sessions
    const replication = await collectDigest(em, {
      period: 'day',
      end: NOW,
      timeZone: 'UTC',
      filters: { ...filters, kind: 'replication' },
    });
    expect(replication.current.totals.runs).not.toBe(runs);
  });
});
