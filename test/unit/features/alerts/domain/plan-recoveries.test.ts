import { describe, expect, it } from 'vitest';
import type { PlannedAlert } from '../../../../../src/features/alerts/domain/plan-alerts.js';
import {
  planRecoveries,
  type StoredOpenVm,
} from '../../../../../src/features/alerts/domain/plan-recoveries.js';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 10, minute));

const planned = (vmName: string, endMinute: number): PlannedAlert => ({
  channelId: 'C1',
  jobSessionUid: 'run-new',
  jobName: 'SQL',
  serverName: null,
  runStartedAt: at(0),
  vms: [
    {
      taskUid: `t-${vmName}-new`,
      vmName,
      result: 'Failed',
      reason: 'x',
      failedRuns: 1,
      endTime: at(endMinute),
    },
  ],
});

describe('planRecoveries', () => {
  it('recovers every open VM that failed before the success, grouped per alert, stored ones first', () => {
    const stored: Record<string, StoredOpenVm[]> = {
      sql01: [
        { alertId: 3, taskUid: 't1', vmName: 'sql01', endTime: at(1) },
        { alertId: 5, taskUid: 't2', vmName: 'sql01', endTime: at(20) },
      ],
      sql02: [{ alertId: 3, taskUid: 't3', vmName: 'sql02', endTime: at(2) }],
    };
    const plan = planRecoveries({
      recoveries: [
        { jobName: 'SQL', vmName: 'sql02', jobSessionUid: 'run-a', recoveredAt: at(10) },
        { jobName: 'SQL', vmName: 'sql01', jobSessionUid: 'run-b', recoveredAt: at(12) },
      ],
      alerts: [planned('sql01', 5)],
      openVms: (job, vm) => (job === 'SQL' ? (stored[vm] ?? []) : []),
    });
    expect(plan.marks).toEqual([
      { alert: { alertId: 3 }, taskUid: 't3', recoveredAt: at(10) },
      { alert: { alertId: 3 }, taskUid: 't1', recoveredAt: at(12) },
      { alert: { planned: 0 }, taskUid: 't-sql01-new', recoveredAt: at(12) },
    ]);
    // alert 5 failed after the success: still open
    expect(plan.recoveries).toEqual([
      { alert: { alertId: 3 }, vmNames: ['sql01', 'sql02'], at: at(12), run: 'run-a' },
      { alert: { planned: 0 }, vmNames: ['sql01'], at: at(12), run: 'run-b' },
    ]);
  });

  it('does not recover a VM twice when two successes of one poll fix it', () => {
    const plan = planRecoveries({
      recoveries: [
        { jobName: 'SQL', vmName: 'sql01', jobSessionUid: 'run-a', recoveredAt: at(10) },
        { jobName: 'SQL', vmName: 'sql01', jobSessionUid: 'run-b', recoveredAt: at(11) },
      ],
      alerts: [],
      openVms: () => [{ alertId: 1, taskUid: 't1', vmName: 'sql01', endTime: at(1) }],
    });
    expect(plan.marks).toHaveLength(1);
    expect(plan.recoveries).toEqual([
      { alert: { alertId: 1 }, vmNames: ['sql01'], at: at(10), run: 'run-a' },
    ]);
  });

  it('plans nothing without successes', () => {
    expect(planRecoveries({ recoveries: [], alerts: [planned('a', 1)], openVms: () => [] })).toEqual({
      marks: [],
      recoveries: [],
    });
  });
});
