import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertVm, JobRunAlert } from '../../../../../src/features/alerts/domain/alert-notice.js';
import { renderAlertMessage } from '../../../../../src/features/alerts/slack/render-alert-message.js';
import { renderAlertText } from '../../../../../src/features/alerts/text/render-alert-text.js';
import { findBlockKitViolations } from '../../../../../src/slack/limits.js';

const T0 = new Date('2026-05-14T09:00:00Z');
const vm = (name: string, over: Partial<AlertVm> = {}): AlertVm => ({
  taskUid: `t-${name}`,
  vmName: name,
  result: 'Failed',
  reason: 'Failed to create snapshot',
  failedRuns: 1,
  endTime: T0,
  recoveredAt: null,
  ...over,
});
const alert = (vms: AlertVm[], over: Partial<JobRunAlert> = {}): JobRunAlert => ({
  id: 7,
  channelId: 'C1',
  jobSessionUid: 'urn:veeam:ReplicaJobSession:r1',
  jobName: 'SQL Prod',
  serverName: 'vbr01',
  runStartedAt: T0,
  vms,
  acknowledgedBy: null,
  acknowledgedAt: null,
  ts: null,
  ...over,
});

describe('renderAlertMessage', () => {
  it('lists each VM with its reason and says how many runs in a row it failed', () => {
    const message = renderAlertMessage(
      {
        kind: 'job-run',
        alert: alert([vm('sql01', { failedRuns: 3 }), vm('sql02', { result: 'Warning', reason: 'slow' })]),
      },
      'UTC',
    );
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('Replication failed: SQL Prod');
    expect(json).toContain('*sql01*: Failed to create snapshot _(failed 3 runs in a row)_');
    expect(json).toContain('1 VM failed, 1 with a warning');
    expect(json).toContain('Acknowledge');
    expect(message.text).toContain('failed 3 runs in a row');
  });

  it('shows recovery and acknowledgement and drops the buttons once everything recovered', () => {
    const message = renderAlertMessage(
      {
        kind: 'job-run',
        alert: alert([vm('sql01', { recoveredAt: new Date(T0.getTime() + 600_000) })], {
          acknowledgedBy: 'U9',
          acknowledgedAt: T0,
        }),
      },
      'UTC',
    );
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('Recovered: SQL Prod');
    expect(json).toContain('recovered at <!date^');
    expect(json).toContain('Acknowledged by <@U9>');
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('stays within every Block Kit limit whatever EM sends', () => {
    const name = fc.string({ minLength: 1, maxLength: 300 });
    fc.assert(
      fc.property(
        fc.array(fc.record({ name, reason: fc.string({ maxLength: 3000 }), warn: fc.boolean() }), {
          minLength: 1,
          maxLength: 600,
        }),
        name,
        (rows, job) => {
          const vms = rows.map((r, i) =>
            vm(`${r.name}${i}`, { reason: r.reason, result: r.warn ? 'Warning' : 'Failed' }),
          );
          const message = renderAlertMessage({ kind: 'job-run', alert: alert(vms, { jobName: job }) }, 'UTC');
          expect(findBlockKitViolations(message)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('escapes mrkdwn in every string that came from EM', () => {
    const message = renderAlertMessage(
      {
        kind: 'job-run',
        alert: alert([vm('<!channel>', { reason: '<https://evil|click> & co' })], { serverName: '<@U1>' }),
      },
      'UTC',
    );
    const all = JSON.stringify(message);
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<https://evil');
    expect(all).not.toContain('<@U1>');
    expect(all).toContain('&lt;!channel&gt;');
  });
});

describe('renderAlertText', () => {
  it('writes a catch-up summary and the EM outage notices', () => {
    expect(
      renderAlertText(
        {
          kind: 'catch-up',
          since: T0,
          until: new Date(T0.getTime() + 3_600_000),
          runs: [{ jobName: 'SQL', serverName: null, failed: 2, warnings: 0, vmNames: ['a', 'b'] }],
        },
        { timeZone: 'Europe/Berlin' },
      ),
    ).toContain(
      'While replibot was not watching (2026-05-14 11:00 CEST to 2026-05-14 12:00 CEST), 1 job run had problems',
    );
    expect(
      renderAlertText(
        { kind: 'em-unreachable', since: T0, failedPolls: 3, error: 'EM did not answer.' },
        { timeZone: 'UTC' },
      ),
    ).toContain('unreachable since 2026-05-14 09:00 UTC (3 polls failed in a row)');
  });
});
