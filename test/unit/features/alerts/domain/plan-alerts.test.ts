import { describe, expect, it } from 'vitest';
import { toFilterString } from '../../../../../src/core/filter.js';
import type { Mute, Subscription } from '../../../../../src/features/alerts/domain/alert-notice.js';
import {
  type PreviousRun,
  planAlerts,
  planPollWindow,
  toPollFilters,
} from '../../../../../src/features/alerts/domain/plan-alerts.js';
import { renderAlertText } from '../../../../../src/features/alerts/text/render-alert-text.js';
import { taskSession } from '../../../../fakes/alert-session.js';

const T0 = new Date('2026-05-14T09:00:00Z');
const sub = (channelId: string, over: Partial<Subscription> = {}): Subscription => ({
  id: 1,
  channelId,
  level: 'failed',
  job: null,
  vm: null,
  server: null,
  createdBy: 'U1',
  createdAt: T0,
  ...over,
});
const none = () => null;

describe('planAlerts', () => {
  it('alerts a completed session with a result word EM sent that replibot does not know, with the word', () => {
    const plan = planAlerts({
      sessions: [taskSession({ vmDisplayName: 'odd01', result: 'Unknown', resultWord: 'Skipped' })],
      subscriptions: [sub('C1')],
      mutes: [],
      previous: () => ({ failedRuns: 2, lastResult: 'Failed', lastEndTime: new Date(0) }),
      catchUp: false,
      catchUpThreshold: 5,
    });
    expect(plan.alerts).toHaveLength(1);
    expect(plan.alerts[0]!.vms).toEqual([
      expect.objectContaining({ vmName: 'odd01', result: 'Unknown', resultWord: 'Skipped', failedRuns: 0 }),
    ]);
    // it neither ends nor extends the failure streak
    expect(plan.statuses).toEqual([expect.objectContaining({ vmName: 'odd01', failedRuns: 2 })]);
    const alert = { ...plan.alerts[0]!, id: 1, acknowledgedBy: null, acknowledgedAt: null, ts: null };
    const text = renderAlertText(
      { kind: 'job-run', alert: { ...alert, vms: alert.vms.map((vm) => ({ ...vm, recoveredAt: null })) } },
      { timeZone: 'UTC' },
    );
    expect(text).toContain('1 VM with another result');
    expect(text).toContain('• odd01 (ended with result Skipped): ');
    expect(plan.recoveries).toEqual([]);
  });

  it('groups the failures of one job run into one alert per channel', () => {
    const plan = planAlerts({
      sessions: [
        taskSession({ vmDisplayName: 'sql02' }),
        taskSession({ vmDisplayName: 'sql01' }),
        taskSession({
          vmDisplayName: 'web01',
          jobName: 'Web',
          jobSessionUid: 'urn:veeam:ReplicaJobSession:run-2',
        }),
        taskSession({ vmDisplayName: 'ok01', result: 'Success' }),
      ],
      subscriptions: [sub('C1'), sub('C2', { job: 'web' })],
      mutes: [],
      previous: none,
      catchUp: false,
      catchUpThreshold: 5,
    });
    expect(plan.alerts.map((a) => [a.channelId, a.jobName, a.vms.map((v) => v.vmName)])).toEqual([
      ['C1', 'SQL Prod', ['sql01', 'sql02']],
      ['C1', 'Web', ['web01']],
      ['C2', 'Web', ['web01']],
    ]);
  });

  it('sends warnings only to channels that asked for them', () => {
    const plan = planAlerts({
      sessions: [taskSession({ result: 'Warning', reason: 'slow' })],
      subscriptions: [sub('C1'), sub('C2', { level: 'warnings' })],
      mutes: [],
      previous: none,
      catchUp: false,
      catchUpThreshold: 5,
    });
    expect(plan.alerts.map((a) => a.channelId)).toEqual(['C2']);
  });

  it('leaves a muted VM out of that channel only', () => {
    const mute: Mute = {
      id: 1,
      channelId: 'C1',
      scope: 'vm',
      name: 'SQL01',
      until: T0,
      createdBy: 'U1',
      createdAt: T0,
    };
    const plan = planAlerts({
      sessions: [taskSession({ vmDisplayName: 'sql01' }), taskSession({ vmDisplayName: 'sql02' })],
      subscriptions: [sub('C1'), sub('C2')],
      mutes: [mute],
      previous: none,
      catchUp: false,
      catchUpThreshold: 5,
    });
    expect(plan.alerts.map((a) => [a.channelId, a.vms.map((v) => v.vmName)])).toEqual([
      ['C1', ['sql02']],
      ['C2', ['sql01', 'sql02']],
    ]);
  });

  it('counts failed runs in a row and resets the count on success', () => {
    const previous = (): PreviousRun => ({ failedRuns: 2, lastResult: 'Failed', lastEndTime: T0 });
    const later = new Date(T0.getTime() + 3_600_000);
    const plan = planAlerts({
      sessions: [taskSession({ endTime: later })],
      subscriptions: [sub('C1')],
      mutes: [],
      previous,
      catchUp: false,
      catchUpThreshold: 5,
    });
    expect(plan.alerts[0]?.vms[0]?.failedRuns).toBe(3);
    expect(plan.statuses).toEqual([
      { jobName: 'SQL Prod', vmName: 'sql01', failedRuns: 3, lastResult: 'Failed', lastEndTime: later },
    ]);
    const ok = planAlerts({
      sessions: [taskSession({ endTime: later, result: 'Success' })],
      subscriptions: [sub('C1')],
      mutes: [],
      previous,
      catchUp: false,
      catchUpThreshold: 5,
    });
    expect(ok.statuses[0]?.failedRuns).toBe(0);
    expect(ok.recoveries).toEqual([
      {
        jobName: 'SQL Prod',
        vmName: 'sql01',
        jobSessionUid: 'urn:veeam:ReplicaJobSession:run-1',
        recoveredAt: later,
      },
    ]);
  });

  it('posts one summary per channel when a catch-up finds more runs than the threshold', () => {
    const sessions = Array.from({ length: 8 }, (_, i) =>
      taskSession({ jobName: `Job ${i}`, jobSessionUid: `urn:veeam:ReplicaJobSession:r${i}` }),
    );
    const input = { sessions, subscriptions: [sub('C1')], mutes: [], previous: none, catchUpThreshold: 5 };
    const flood = planAlerts({ ...input, catchUp: true });
    expect(flood.alerts).toEqual([]);
    expect(flood.summaries).toHaveLength(1);
    expect(flood.summaries[0]?.runs).toHaveLength(8);
    expect(planAlerts({ ...input, catchUp: false }).alerts).toHaveLength(8);
  });
});

describe('planPollWindow', () => {
  it('reads from the watermark minus the overlap and calls a long gap a catch-up', () => {
    const now = new Date('2026-05-14T12:00:00Z');
    expect(
      planPollWindow({
        now,
        watermark: new Date('2026-05-14T11:59:00Z'),
        overlapMinutes: 30,
        intervalSeconds: 60,
      }),
    ).toEqual({
      from: new Date('2026-05-14T11:29:00Z'),
      catchUp: false,
      since: new Date('2026-05-14T11:59:00Z'),
    });
    expect(
      planPollWindow({
        now,
        watermark: new Date('2026-05-14T08:00:00Z'),
        overlapMinutes: 30,
        intervalSeconds: 60,
      }).catchUp,
    ).toBe(true);
    expect(planPollWindow({ now, watermark: null, overlapMinutes: 30, intervalSeconds: 60 })).toMatchObject({
      from: new Date('2026-05-14T11:30:00Z'),
      catchUp: false,
    });
  });
});

describe('toPollFilters', () => {
  it('asks for completed sessions that did not succeed, and successes only of jobs with open failures', () => {
    const from = new Date('2026-05-14T11:29:00Z');
    expect(toPollFilters(from, []).map((f) => toFilterString('ReplicaTaskSession', f))).toEqual([
      'State==Completed;EndTime>="2026-05-14T11:29:00.000Z";Result!=Success',
    ]);
    const filters = toPollFilters(from, ['SQL Prod']).map((f) => toFilterString('ReplicaTaskSession', f));
    expect(filters[1]).toBe(
      'State==Completed;EndTime>="2026-05-14T11:29:00.000Z";Result==Success;JobName=="SQL Prod"',
    );
  });
});
