/**
 * EM names with `*`, `_`, `~` and backticks through the pure renderers that show them in mrkdwn (alerts in a
 * job run and a storm, recoveries, digests): each shows as typed, never as bold, italics, strike or code. The
 * answers go through the real Bolt app in test/integration/slack-door.test.ts.
 */
import { describe, it } from 'vitest';
import type { AlertVm, JobRunAlert } from '../../../src/features/alerts/domain/alert-notice.js';
import { renderAlertMessage } from '../../../src/features/alerts/slack/render-alert-message.js';
import { toDigestWindow } from '../../../src/features/digests/domain/digest-window.js';
import { summarizeDigest } from '../../../src/features/digests/domain/summarize-digest.js';
import { renderDigestBlocks } from '../../../src/features/digests/slack/render-digest-blocks.js';
import { expectShownAsTyped, MARKED_JOB, MARKED_VM, mrkdwnTexts } from '../../fakes/marked-names.js';
import { taskSession } from '../../fakes/task-session.js';

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
const alert = (vms: AlertVm[]): JobRunAlert => ({
  id: 7,
  channelId: 'C1',
  jobSessionUid: 'urn:veeam:ReplicaJobSession:r1',
  jobName: MARKED_JOB,
  serverName: 'vbr_01',
  runStartedAt: T0,
  vms,
  acknowledgedBy: null,
  acknowledgedAt: null,
  ts: null,
});

describe('escapeMrkdwn in the renderers', () => {
  it('shows VM and job names as typed in a job-run alert', () => {
    const texts = mrkdwnTexts(renderAlertMessage({ kind: 'job-run', alert: alert([vm(MARKED_VM)]) }, 'UTC'));
    expectShownAsTyped(texts, MARKED_VM);
    expectShownAsTyped(texts.slice(0, 1), MARKED_JOB);
  });

  it('shows VM names as typed in a storm grouped by reason, a recovered VM and a recovery notice', () => {
    const storm = Array.from({ length: 20 }, (_, i) => vm(`${MARKED_VM}${i}`));
    expectShownAsTyped(
      mrkdwnTexts(renderAlertMessage({ kind: 'job-run', alert: alert(storm) }, 'UTC')),
      MARKED_VM,
    );
    const recovered = vm(MARKED_VM, { recoveredAt: T0 });
    expectShownAsTyped(
      mrkdwnTexts(renderAlertMessage({ kind: 'job-run', alert: alert([recovered]) }, 'UTC')),
      MARKED_VM,
    );
    const notice = renderAlertMessage(
      { kind: 'recovery', alert: alert([recovered]), vmNames: [MARKED_VM], recoveredAt: T0, byRetry: true },
      'UTC',
    );
    expectShownAsTyped(mrkdwnTexts(notice), MARKED_VM);
  });

  it('shows VM and job names as typed in a digest', () => {
    const window = toDigestWindow('day', new Date('2025-06-10T06:00:00Z'), 'UTC');
    const digest = summarizeDigest(
      [
        taskSession({
          vm: MARKED_VM,
          job: MARKED_JOB,
          at: '2025-06-09T08:00:00Z',
          result: 'Failed',
          reason: 'x',
        }),
        taskSession({
          vm: MARKED_VM,
          job: MARKED_JOB,
          at: '2025-06-09T10:00:00Z',
          result: 'Failed',
          reason: 'x',
        }),
      ],
      window,
      { jobName: null, serverName: null, failedOnly: false },
    );
    const texts = mrkdwnTexts(renderDigestBlocks(digest));
    expectShownAsTyped(texts, MARKED_VM);
    expectShownAsTyped(texts, MARKED_JOB);
  });
});
