import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateRpo,
  type JobRun,
  type KnownVm,
  mergeInventory,
  newestCopies,
} from '../../../../../src/features/rpo/domain/evaluate-rpo.js';

const H = 3_600_000;
const NOW = new Date('2026-06-17T12:00:00Z');
const ago = (hours: number) => new Date(NOW.getTime() - hours * H);
const policy = { defaultMs: 24 * H, graceMs: 72 * H };

const vm = (vmName: string, lastGoodHoursAgo: number | null, over: Partial<KnownVm> = {}): KnownVm => ({
  jobName: 'SQL Replica',
  vmName,
  serverName: 'srv02',
  lastGoodAt: lastGoodHoursAgo === null ? null : ago(lastGoodHoursAgo),
  firstSeenAt: ago(500),
  goneSince: null,
  ...over,
});
const run = (hoursAgo: number, over: Partial<JobRun> = {}): JobRun => ({
  jobName: 'SQL Replica',
  serverName: 'srv02',
  creationTime: ago(hoursAgo),
  endTime: ago(hoursAgo - 0.2),
  state: 'Stopped',
  result: 'Success',
  isRetry: false,
  ...over,
});
const everySixHours = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => run(from + i * 6));

describe('evaluateRpo: backups', () => {
  it('never calls a backup copy run that lasts days stuck, but does a backup run', () => {
    const copyRuns = [0, 1, 2].map((i) =>
      run(150 - i * 48, { jobName: 'Copy', endTime: ago(110 - i * 48), jobType: 'BackupCopy' }),
    );
    const working = run(40, { jobName: 'Copy', endTime: null, state: 'Working', jobType: 'BackupCopy' });
    const backupRuns = [
      ...everySixHours(30, 4),
      run(8, { endTime: null, state: 'Working', jobType: 'Backup' }),
    ].map((r) => ({ ...r, jobType: 'Backup' }));
    const verdict = evaluateRpo({
      now: NOW,
      vms: [vm('sql01', 8), vm('dc01', 20, { jobName: 'Copy' })],
      runs: [...copyRuns, working, ...backupRuns],
      failures: [],
      policy,
      kind: 'backup',
    });
    expect(verdict.kind).toBe('backup');
    const byJob = new Map(verdict.jobs.map((j) => [j.jobName, j]));
    expect(byJob.get('Copy')?.stuckSince).toBeNull();
    expect(byJob.get('Copy')?.overdue).toBe(false);
    expect(byJob.get('SQL Replica')?.stuckSince).toEqual(ago(8));
  });

  it("learns an immediate copy job's interval from its parent runs only and never calls it not running while its parent is Working", () => {
    // parent sessions span whole days (00:00-24:00); workers run whenever a source job leaves a point
    const parents = [3, 2, 1].map((d) =>
      run(12 + d * 24, {
        jobName: 'Offsite Copy',
        endTime: ago(12 + (d - 1) * 24),
        jobType: 'ImmediateBackupCopy',
      }),
    );
    const today = run(12, {
      jobName: 'Offsite Copy',
      endTime: null,
      state: 'Working',
      result: 'None',
      jobType: 'ImmediateBackupCopy',
    });
    // workers every 1.5 h until 4 h ago (the collector names them after the parent job)
    const workers = Array.from({ length: 40 }, (_, i) =>
      run(4 + i * 1.5, { jobName: 'Offsite Copy', jobType: 'ImmediateBackupCopyWorker' }),
    );
    const verdict = evaluateRpo({
      now: NOW,
      vms: [vm('apache03', 4, { jobName: 'Offsite Copy' })],
      runs: [...parents, today, ...workers],
      failures: [],
      policy,
      kind: 'backup',
    });
    const job = verdict.jobs[0];
    expect(job?.overdue).toBe(false);
    expect(job?.stuckSince).toBeNull();
    expect(job?.usualIntervalMs).toBe(24 * H);
    expect(job?.lastRunAt).toEqual(ago(12));
  });

  it('still calls a copy job not running when no parent session is Working and it is late', () => {
    const parents = [4, 3, 2].map((d) =>
      run(12 + d * 24, {
        jobName: 'Offsite Copy',
        endTime: ago(12 + (d - 1) * 24),
        jobType: 'ImmediateBackupCopy',
      }),
    );
    const workers = [1, 2, 3].map((h) =>
      run(h, { jobName: 'Offsite Copy', jobType: 'ImmediateBackupCopyWorker' }),
    );
    const verdict = evaluateRpo({
      now: NOW,
      vms: [vm('apache03', 1, { jobName: 'Offsite Copy' })],
      runs: [...parents, ...workers],
      failures: [],
      policy,
      kind: 'backup',
    });
    expect(verdict.jobs[0]?.overdue).toBe(true);
    expect(verdict.jobs[0]?.lastRunAt).toEqual(ago(60));
  });
});

describe('evaluateRpo', () => {
  it('ages each VM from its newest replica point and compares it with its policy', () => {
    const verdict = evaluateRpo({
      now: NOW,
      vms: [vm('sql01', 2), vm('sql02', 30)],
      runs: everySixHours(1, 10),
      failures: [],
      policy,
    });
    expect(verdict.vms.map((v) => [v.vmName, v.status, v.ageMs / H])).toEqual([
      ['sql02', 'outside', 30],
      ['sql01', 'within', 2],
    ]);
  });

  it('uses the strictest policy it is given per VM', () => {
    const verdict = evaluateRpo({
      now: NOW,
      vms: [vm('sql01', 5)],
      runs: [],
      failures: [],
      policy,
      rpoFor: () => 4 * H,
    });
    expect(verdict.vms[0]?.status).toBe('outside');
  });

  it('counts the failed runs since the last good copy, with the latest reason', () => {
    const verdict = evaluateRpo({
      now: NOW,
      vms: [vm('sql01', 30)],
      runs: everySixHours(1, 10),
      failures: [
        { jobName: 'sql replica', vmName: 'SQL01', endTime: ago(40), reason: 'before the copy' },
        { jobName: 'SQL Replica', vmName: 'sql01', endTime: ago(20), reason: 'quiesce failed' },
        { jobName: 'SQL Replica', vmName: 'sql01', endTime: ago(10), reason: 'disk full' },
      ],
      policy,
    });
    expect(verdict.vms[0]).toMatchObject({ failedRuns: 2, lastReason: 'disk full' });
  });

  it('learns a job interval from its history and calls a job that stopped running overdue', () => {
    const onTime = evaluateRpo({
      now: NOW,
      vms: [vm('sql01', 3)],
      runs: everySixHours(3, 10),
      failures: [],
      policy,
    });
    expect(onTime.jobs[0]).toMatchObject({ usualIntervalMs: 6 * H, intervalLearned: true, overdue: false });
    // last run 10 h ago: more than 1.5 intervals + 30 min, while the VMs are still within 24 h
    const stopped = evaluateRpo({
      now: NOW,
      vms: [vm('sql01', 10)],
      runs: everySixHours(10, 10),
      failures: [],
      policy,
    });
    expect(stopped.jobs[0]).toMatchObject({ overdue: true, stuckSince: null });
    expect(stopped.vms[0]?.status).toBe('within');
  });

  it('falls back to the policy for a job with too little history', () => {
    const verdict = evaluateRpo({ now: NOW, vms: [vm('sql01', 3)], runs: [run(3)], failures: [], policy });
    expect(verdict.jobs[0]).toMatchObject({
      usualIntervalMs: 24 * H,
      intervalLearned: false,
      overdue: false,
    });
  });

  it('calls a run in progress far longer than usual stuck, and not also overdue', () => {
    const runs = [...everySixHours(14, 10), run(8, { state: 'Working', endTime: null, result: 'None' })];
    const verdict = evaluateRpo({ now: NOW, vms: [vm('sql01', 14)], runs, failures: [], policy });
    expect(verdict.jobs[0]).toMatchObject({ stuckSince: ago(8), overdue: false });
    const young = [...everySixHours(14, 10), run(0.5, { state: 'Working', endTime: null, result: 'None' })];
    expect(
      evaluateRpo({ now: NOW, vms: [vm('sql01', 14)], runs: young, failures: [], policy }).jobs[0]
        ?.stuckSince,
    ).toBe(null);
  });

  it('stops judging a VM gone from EM once the grace period has passed', () => {
    const verdict = evaluateRpo({
      now: NOW,
      vms: [vm('old01', 100, { goneSince: ago(73) }), vm('new01', 100, { goneSince: ago(1) })],
      runs: [],
      failures: [],
      policy,
    });
    expect(Object.fromEntries(verdict.vms.map((v) => [v.vmName, v.status]))).toEqual({
      old01: 'gone',
      new01: 'outside',
    });
  });
});

describe('mergeInventory', () => {
  it('keeps the newest copy, marks VMs EM stopped listing as gone, and brings them back', () => {
    const seen = newestCopies([
      { jobName: 'SQL Replica', vmDisplayName: 'sql01', backupServerName: 'srv02', creationTime: ago(5) },
      { jobName: 'SQL Replica', vmDisplayName: 'sql01', backupServerName: 'srv02', creationTime: ago(2) },
    ]);
    const first = mergeInventory([vm('sql02', 10)], seen, NOW);
    expect(first.map((v) => [v.vmName, v.lastGoodAt?.getTime(), v.goneSince])).toEqual([
      ['sql02', ago(10).getTime(), NOW],
      ['sql01', ago(2).getTime(), null],
    ]);
    const back = mergeInventory(
      first,
      [{ jobName: 'SQL Replica', vmName: 'SQL02', serverName: null, lastGoodAt: ago(20) }],
      NOW,
    );
    // a copy never goes back in time; the server stays known
    expect(back.find((v) => v.vmName === 'sql02')).toMatchObject({
      goneSince: null,
      lastGoodAt: ago(10),
      serverName: 'srv02',
    });
  });

  it('never loses a VM and never moves a copy backwards (property)', () => {
    const copy = fc.record({
      vmName: fc.constantFrom('a', 'b', 'c', 'D'),
      hours: fc.integer({ min: 0, max: 100 }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(copy, { maxLength: 6 }), { maxLength: 5 }), (rounds) => {
        let known: KnownVm[] = [];
        for (const round of rounds) {
          const before = new Map(known.map((k) => [k.vmName.toLowerCase(), k.lastGoodAt?.getTime() ?? 0]));
          known = mergeInventory(
            known,
            newestCopies(
              round.map((c) => ({
                jobName: 'J',
                vmDisplayName: c.vmName,
                backupServerName: null,
                creationTime: ago(c.hours),
              })),
            ),
            NOW,
          );
          for (const [name, at] of before) {
            const now = known.find((k) => k.vmName.toLowerCase() === name);
            expect(now).toBeDefined();
            expect(now?.lastGoodAt?.getTime() ?? 0).toBeGreaterThanOrEqual(at);
          }
          const listed = new Set(round.map((c) => c.vmName.toLowerCase()));
          for (const k of known) expect(k.goneSince === null).toBe(listed.has(k.vmName.toLowerCase()));
        }
      }),
    );
  });
});
