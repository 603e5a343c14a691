import { describe, expect, it } from 'vitest';
import {
  groupWorkerAlerts,
  type ParentRun,
} from '../../../../../src/features/alerts/domain/group-worker-alerts.js';
import type { PlannedAlert } from '../../../../../src/features/alerts/domain/plan-alerts.js';
import { planRecoveries } from '../../../../../src/features/alerts/domain/plan-recoveries.js';

const AT = new Date('2026-11-20T10:00:00Z');
const PARENT: ParentRun = {
  jobSessionUid: 'urn:veeam:BackupJobSession:parent',
  jobName: 'Offsite Copy',
  serverName: 'vbr01',
  runStartedAt: new Date('2026-11-20T00:00:00Z'),
};

function workerAlert(
  channelId: string,
  source: string,
  vm: string,
  jobType = 'ImmediateBackupCopyWorker',
): PlannedAlert {
  return {
    channelId,
    jobSessionUid: `urn:veeam:BackupJobSession:${source}`,
    jobName: `Offsite Copy\\${source}`,
    jobType,
    serverName: 'vbr01',
    runStartedAt: AT,
    vms: [
      { taskUid: `t-${vm}`, vmName: vm, result: 'Failed', reason: 'offline', failedRuns: 1, endTime: AT },
    ],
  };
}

describe('groupWorkerAlerts', () => {
  it('puts the workers of one parent run into one alert per channel, each VM keeping its worker', () => {
    const { alerts, additions } = groupWorkerAlerts({
      alerts: [
        workerAlert('C1', 'Nightly', 'b'),
        workerAlert('C1', 'SQL', 'a'),
        workerAlert('C2', 'SQL', 'a'),
      ],
      parentOf: () => PARENT,
      existing: () => null,
    });
    expect(additions).toEqual([]);
    expect(alerts.map((a) => [a.channelId, a.jobSessionUid, a.jobName, a.jobType])).toEqual([
      ['C1', PARENT.jobSessionUid, 'Offsite Copy', 'ImmediateBackupCopy'],
      ['C2', PARENT.jobSessionUid, 'Offsite Copy', 'ImmediateBackupCopy'],
    ]);
    expect(alerts[0]?.vms.map((v) => [v.vmName, v.jobName])).toEqual([
      ['a', 'Offsite Copy\\SQL'],
      ['b', 'Offsite Copy\\Nightly'],
    ]);
    expect(alerts[0]?.runStartedAt).toEqual(PARENT.runStartedAt);
  });

  it('adds to the alert a channel already has for that parent run instead of planning a new one', () => {
    const { alerts, additions } = groupWorkerAlerts({
      alerts: [workerAlert('C1', 'Web', 'w1'), workerAlert('C2', 'Web', 'w1')],
      parentOf: () => PARENT,
      existing: (channel) => (channel === 'C1' ? 42 : null),
    });
    expect(additions).toEqual([
      {
        alertId: 42,
        channelId: 'C1',
        vms: [expect.objectContaining({ vmName: 'w1', jobName: 'Offsite Copy\\Web' })],
      },
    ]);
    expect(alerts.map((a) => a.channelId)).toEqual(['C2']);
  });

  it('leaves other runs, and a worker whose parent is unknown, as they were', () => {
    const plain = workerAlert('C1', 'x', 'v', 'Backup');
    const orphan = workerAlert('C1', 'Nightly', 'o');
    const { alerts } = groupWorkerAlerts({
      alerts: [plain, orphan],
      parentOf: () => null,
      existing: () => 7,
    });
    expect(alerts).toEqual([plain, orphan]);
  });
});

describe('planRecoveries of a grouped alert', () => {
  it("recovers a VM by a success in its own worker's job, not in the parent's name", () => {
    const { alerts } = groupWorkerAlerts({
      alerts: [workerAlert('C1', 'Nightly', 'apache02')],
      parentOf: () => PARENT,
      existing: () => null,
    });
    const later = new Date(AT.getTime() + 60_000);
    const recover = (jobName: string) =>
      planRecoveries({
        recoveries: [
          {
            jobName,
            vmName: 'apache02',
            jobSessionUid: 'urn:veeam:BackupJobSession:next',
            recoveredAt: later,
          },
        ],
        alerts,
        openVms: () => [],
      }).marks;
    expect(recover('Offsite Copy\\Nightly')).toEqual([
      { alert: { planned: 0 }, taskUid: 't-apache02', recoveredAt: later },
    ]);
    expect(recover('Offsite Copy')).toEqual([]);
  });
});
