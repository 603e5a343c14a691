/** The job action buttons on other surfaces: the RPO alert's hook and the answer that shows one job (pure). */
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../../src/answers/domain/reply.js';
import { createJobButtons } from '../../../../src/app/job-buttons.js';
import { and, anyOf, eq, type Filter } from '../../../../src/core/filter.js';
import { renderJobActionButtons } from '../../../../src/features/actions/slack/render-action-buttons.js';
import type { RpoAlertContent } from '../../../../src/features/rpo/domain/plan-rpo-alerts.js';
import { renderRpoMessage } from '../../../../src/features/rpo/slack/render-rpo-message.js';
import { findBlockKitViolations } from '../../../../src/slack/limits.js';
import { toReplyJob, withJobButtons } from '../../../../src/slack/reply-job-buttons.js';

const NOW = new Date('2026-06-17T12:00:00Z');
const H = 3_600_000;
const content: RpoAlertContent = {
  channelId: 'C1',
  jobName: 'SQL Replica',
  serverName: 'srv02',
  openedAt: NOW,
  closedAt: null,
  vms: Array.from({ length: 400 }, (_, i) => ({
    vmName: `vm-${i}-${'x'.repeat(40)}`,
    lastGoodAt: new Date(NOW.getTime() - 30 * H),
    ageMs: 30 * H,
    rpoMs: 24 * H,
    failedRuns: 2,
    lastReason: 'Snapshot failed '.repeat(20),
    backAt: null,
    gapMs: null,
    quiet: null,
  })),
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
const buttons = renderJobActionButtons(
  { name: 'SQL Replica', serverName: 'srv02', type: 'Replica' },
  { lastRunFailed: false, running: false, scheduleEnabled: true },
  (a) => a,
);

describe('buttons on an RPO alert', () => {
  it('adds one actions block while the alert is open, inside Block Kit limits, and none once closed', () => {
    const open = renderRpoMessage(content, 'UTC', { buttons });
    const actions = open.blocks.filter((b) => b.type === 'actions');
    expect(actions).toHaveLength(1);
    expect(open.blocks.at(-1)).toEqual({ type: 'actions', elements: buttons });
    expect(findBlockKitViolations(open, 'message')).toEqual([]);
    // 30 buttons: the block holds 25
    const thirty = Array.from({ length: 30 }, (_, i) => ({
      type: 'button' as const,
      action_id: `b${i}`,
      text: { type: 'plain_text' as const, text: 'Go' },
    }));
    const many = renderRpoMessage(content, 'UTC', { buttons: thirty });
    expect(many.blocks.at(-1)).toMatchObject({ type: 'actions', elements: thirty.slice(0, 25) });
    expect(findBlockKitViolations(many, 'message')).toEqual([]);
    const closed = renderRpoMessage({ ...content, closedAt: NOW }, 'UTC', { buttons });
    expect(closed.blocks.some((b) => b.type === 'actions')).toBe(false);
    // without the hook the message is as before
    expect(renderRpoMessage(content, 'UTC').blocks).toEqual(open.blocks.slice(0, -1));
  });
});

describe('buttons under an answer', () => {
  const answer = (filter: Filter | null, servers: Array<string | null>): Reply =>
    ({
      kind: 'answer',
      intent: { filter },
      sessions: servers.map((backupServerName) => ({ backupServerName })),
    }) as unknown as Reply; // only the fields toReplyJob reads
  it('finds the one job an answer shows, and no job for several or none', () => {
    expect(
      toReplyJob(answer(and(eq('JobName', 'SQL Replica'), eq('Result', 'Failed')), ['vbr01', 'vbr01'])),
    ).toEqual({
      name: 'SQL Replica',
      serverName: 'vbr01',
    });
    expect(toReplyJob(answer(eq('JobName', 'SQL Replica'), ['vbr01', 'vbr02']))).toEqual({
      name: 'SQL Replica',
      serverName: null,
    });
    expect(toReplyJob(answer(anyOf('JobName', ['A', 'B']), []))).toBeNull();
    expect(toReplyJob(answer(eq('VmDisplayName', 'sql01'), ['vbr01']))).toBeNull();
    expect(toReplyJob(answer(null, []))).toBeNull();
  });

  it('appends one actions block only with room in the message, and nothing when no provider answers', async () => {
    const reply = answer(eq('JobName', 'SQL Replica'), ['vbr01']);
    const registry = createJobButtons();
    const message = { text: 'x', blocks: [{ type: 'divider' as const }] };
    expect(await withJobButtons(reply, message, registry, { channelId: 'C1' })).toEqual(message);
    registry.use(async () => buttons);
    registry.use(async () => {
      throw new Error('EM down');
    });
    const withButtons = await withJobButtons(reply, message, registry, { channelId: 'C1' });
    expect(withButtons.blocks).toEqual([{ type: 'divider' }, { type: 'actions', elements: buttons }]);
    const full = { text: 'x', blocks: Array.from({ length: 50 }, () => ({ type: 'divider' as const })) };
    expect(await withJobButtons(reply, full, registry, { channelId: 'C1' })).toEqual(full);
  });
});
