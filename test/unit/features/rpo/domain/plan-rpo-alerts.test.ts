import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Mute } from '../../../../../src/features/alerts/domain/alert-notice.js';
import {
  evaluateRpo,
  type JobRun,
  type KnownVm,
} from '../../../../../src/features/rpo/domain/evaluate-rpo.js';
import {
  planRpoAlerts,
  type RpoAlert,
  type RpoAlertAction,
  type RpoSubscription,
} from '../../../../../src/features/rpo/domain/plan-rpo-alerts.js';
import { renderRpoMessage } from '../../../../../src/features/rpo/slack/render-rpo-message.js';
import { findBlockKitViolations } from '../../../../../src/slack/limits.js';

const H = 3_600_000;
const T0 = new Date('2026-06-17T12:00:00Z').getTime();
const policy = { defaultMs: 24 * H, graceMs: 72 * H };

const sub = (over: Partial<RpoSubscription> = {}): RpoSubscription => ({
  id: 1,
  channelId: 'C1',
  rpoMs: null,
  job: null,
  vm: null,
  server: null,
  createdBy: 'U1',
  createdAt: new Date(T0 - 1000 * H),
  ...over,
});

/** A small world: jobs run every 6 h until `stoppedAt` (hours after T0); VMs get a point per run. */
function world(atHours: number, stoppedAtHours: number | null, extra: Partial<{ goneSince: Date }> = {}) {
  const now = new Date(T0 + atHours * H);
  const runs: JobRun[] = [];
  let last = T0 - 60 * H;
  for (let at = T0 - 60 * H; at <= now.getTime(); at += 6 * H) {
    if (stoppedAtHours !== null && at > T0 + stoppedAtHours * H) break;
    runs.push({
      jobName: 'SQL Replica',
      serverName: 'srv02',
      creationTime: new Date(at),
      endTime: new Date(at + 600_000),
      state: 'Stopped',
      result: 'Success',
      isRetry: false,
    });
    last = at + 600_000;
  }
  const vms: KnownVm[] = ['sql01', 'sql02'].map((vmName) => ({
    jobName: 'SQL Replica',
    vmName,
    serverName: 'srv02',
    lastGoodAt: new Date(last),
    firstSeenAt: new Date(T0 - 100 * H),
    goneSince: vmName === 'sql02' ? (extra.goneSince ?? null) : null,
  }));
  return evaluateRpo({ now, vms, runs, failures: [], policy });
}

/** Applies actions the way the store does, so a test can run evaluations in a row. */
function apply(open: RpoAlert[], actions: RpoAlertAction[], nextId: { n: number }): RpoAlert[] {
  const out = [...open];
  for (const action of actions) {
    if (action.kind === 'open') out.push({ ...action.content, id: nextId.n++, revision: 0 });
    else {
      const i = out.findIndex((a) => a.id === action.alertId);
      const current = out[i];
      if (current) out[i] = { ...action.content, id: current.id, revision: current.revision + 1 };
    }
  }
  return out.filter((a) => a.closedAt === null);
}

describe('planRpoAlerts', () => {
  it('calls out a stopped job on its own, then says its VMs are outside in the same message, then closes it', () => {
    const ids = { n: 1 };
    let open: RpoAlert[] = [];
    const run = (at: number, stopped: number | null) => {
      const actions = planRpoAlerts({
        verdict: world(at, stopped),
        subscriptions: [sub()],
        mutes: [],
        open,
        defaultMs: policy.defaultMs,
      });
      open = apply(open, actions, ids);
      return actions;
    };
    expect(run(0, null)).toEqual([]);
    // stopped at T0; 10 h later: not run for more than 1.5 intervals, VMs still within 24 h
    const first = run(10, 0);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      kind: 'open',
      content: { jobName: 'SQL Replica', vms: [], job: { trouble: 'not-running' } },
    });
    expect(run(11, 0)).toEqual([]);
    // 25 h after the last copy: both VMs outside, the same alert edited
    const outside = run(25, 0);
    expect(outside).toHaveLength(1);
    expect(outside[0]).toMatchObject({ kind: 'update', alertId: 1 });
    expect(outside[0]?.content.vms.map((v) => v.vmName)).toEqual(['sql01', 'sql02']);
    expect(run(26, 0)).toEqual([]);
    // the job runs again (stoppedAt far ahead): both VMs back, the alert is closed
    const back = run(31, null);
    expect(back).toHaveLength(1);
    expect(back[0]?.content.closedAt).not.toBeNull();
    expect(back[0]?.content.vms.every((v) => v.backAt !== null && (v.gapMs ?? 0) > 24 * H)).toBe(true);
    expect(open).toEqual([]);
    const text = renderRpoMessage(back[0]?.content ?? first[0]?.content ?? ({} as never), 'UTC').text;
    expect(text).toContain('Protected again');
    expect(text).toMatch(/sql01 back within RPO at 2026-06-18 18:10 UTC after 1d 06h/);
  });

  it('says nothing to a channel whose subscription names another job, and honours a stricter RPO', () => {
    const other = planRpoAlerts({
      verdict: world(10, 0),
      subscriptions: [sub({ job: 'Web*' })],
      mutes: [],
      open: [],
      defaultMs: policy.defaultMs,
    });
    expect(other).toEqual([]);
    const strict = planRpoAlerts({
      verdict: world(5, 0),
      subscriptions: [sub({ rpoMs: 4 * H, job: 'sql replica' })],
      mutes: [],
      open: [],
      defaultMs: policy.defaultMs,
    });
    expect(strict[0]?.content.vms.map((v) => [v.vmName, v.rpoMs])).toEqual([
      ['sql01', 4 * H],
      ['sql02', 4 * H],
    ]);
  });

  it('calls a run stuck in progress out on its own', () => {
    const base = world(10, null);
    const stuck = {
      ...base,
      jobs: base.jobs.map((job) => ({ ...job, overdue: false, stuckSince: new Date(T0 + 2 * H) })),
    };
    const [action] = planRpoAlerts({
      verdict: stuck,
      subscriptions: [sub()],
      mutes: [],
      open: [],
      defaultMs: policy.defaultMs,
    });
    expect(action?.content.job.trouble).toBe('stuck');
    const text = renderRpoMessage(action?.content ?? ({} as never), 'UTC').text;
    expect(text).toContain('Stuck in progress: SQL Replica');
    expect(text).toContain('a run started 2026-06-17 14:00 UTC is still in progress');
  });

  it('leaves muted VMs and VMs gone past the grace period out', () => {
    const mute: Mute = {
      id: 1,
      channelId: 'C1',
      scope: 'vm',
      name: 'sql01',
      until: new Date(T0 + 100 * H),
      createdBy: 'U1',
      createdAt: new Date(T0),
    };
    const verdict = world(30, 0, { goneSince: new Date(T0 - 80 * H) });
    expect(
      planRpoAlerts({
        verdict,
        subscriptions: [sub()],
        mutes: [mute],
        open: [],
        defaultMs: policy.defaultMs,
      }),
    ).toEqual([]);
  });

  it('keeps the kinds apart: a backup verdict answers backup subscriptions, backup mutes and backup alerts only', () => {
    const verdict = { ...world(30, 0), kind: 'backup' as const };
    const mute: Mute = {
      id: 1,
      channelId: 'C1',
      scope: 'vm',
      name: 'sql01',
      until: new Date(T0 + 100 * H),
      createdBy: 'U1',
      createdAt: new Date(T0),
    };
    // a replication subscription and a replication mute: nothing for backups
    expect(
      planRpoAlerts({ verdict, subscriptions: [sub()], mutes: [], open: [], defaultMs: policy.defaultMs }),
    ).toEqual([]);
    const actions = planRpoAlerts({
      verdict,
      subscriptions: [sub({ kind: 'backup' })],
      mutes: [mute],
      open: [],
      defaultMs: policy.defaultMs,
    });
    expect(actions.map((a) => [a.kind, a.content.kind, a.content.vms.map((v) => v.vmName)])).toEqual([
      ['open', 'backup', ['sql01', 'sql02']],
    ]);
    // a backup mute of sql01 leaves it out of the backup alert
    const muted = planRpoAlerts({
      verdict,
      subscriptions: [sub({ kind: 'backup' })],
      mutes: [{ ...mute, kind: 'backup' }],
      open: [],
      defaultMs: policy.defaultMs,
    });
    expect(muted[0]?.content.vms.map((v) => v.vmName)).toEqual(['sql02']);
    const text = renderRpoMessage(muted[0]?.content ?? ({} as never), 'UTC').text;
    expect(text).toContain('Backups outside RPO: SQL Replica');
    expect(text).toContain('last restore point');
    // an open replication alert of the same job is not the backup plan's to close
    const open: RpoAlert = { ...(muted[0]?.content ?? ({} as never)), kind: undefined, id: 9, revision: 0 };
    expect(
      planRpoAlerts({
        verdict,
        subscriptions: [sub({ kind: 'backup' })],
        mutes: [],
        open: [open],
        defaultMs: policy.defaultMs,
      }).map((a) => a.kind),
    ).toEqual(['open']);
  });

  it('one message per job and channel whatever the subscriptions, within Block Kit limits (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            rpo: fc.option(fc.integer({ min: 1, max: 48 })),
            job: fc.constantFrom(null, 'SQL*', 'sql replica'),
          }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.integer({ min: 0, max: 60 }),
        (subs, at) => {
          const actions = planRpoAlerts({
            verdict: world(at, 0),
            subscriptions: subs.map((s, i) =>
              sub({ id: i + 1, rpoMs: s.rpo === null ? null : s.rpo * H, job: s.job }),
            ),
            mutes: [],
            open: [],
            defaultMs: policy.defaultMs,
          });
          expect(actions.length).toBeLessThanOrEqual(1);
          for (const action of actions) {
            expect(findBlockKitViolations(renderRpoMessage(action.content, 'UTC'), 'message')).toEqual([]);
          }
        },
      ),
    );
  });
});
