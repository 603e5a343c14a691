import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderJobActionButtons } from '../../../../src/features/actions/slack/render-action-buttons.js';
import { findBlockKitViolations } from '../../../../src/slack/limits.js';
import { hostileText } from '../../../fakes/hostile-text.js';

describe('renderJobActionButtons', () => {
  it('offers retry only after a failed run, stop only while running, and the schedule toggle by its state', () => {
    const job = { name: 'SQL Replica', serverName: 'vbr01', type: 'Replica' as const };
    const ids = (state: Parameters<typeof renderJobActionButtons>[1]) =>
      renderJobActionButtons(job, state, (a) => a).map((b) => b.value);
    expect(ids({ lastRunFailed: true, running: false, scheduleEnabled: true })).toEqual([
      'retry',
      'start',
      'pause',
    ]);
    expect(ids({ lastRunFailed: true, running: true, scheduleEnabled: false })).toEqual(['stop', 'resume']);
  });

  it('says Sync now for a backup copy job, and marks stop and pause as danger', () => {
    const buttons = renderJobActionButtons(
      { name: 'Copy', serverName: null, type: 'BackupCopy' },
      { lastRunFailed: false, running: false, scheduleEnabled: true },
      (a) => a,
    );
    expect(buttons.map((b) => b.text.text)).toEqual(['Sync now', 'Pause schedule']);
    expect(buttons[1]?.style).toBe('danger');
    expect(buttons[1]?.confirm?.style).toBe('danger');
  });

  it('escapes names and stays inside Block Kit limits', () => {
    fc.assert(
      fc.property(hostileText({ minLength: 1, maxLength: 300 }), (name) => {
        const elements = renderJobActionButtons(
          { name: name.repeat(3), serverName: name, type: 'Replica' },
          { lastRunFailed: true, running: false, scheduleEnabled: true },
          () => 'v',
        );
        expect(
          findBlockKitViolations({ text: 'x', blocks: [{ type: 'actions', elements }] }, 'message'),
        ).toEqual([]);
        for (const button of elements) expect(button.confirm?.text.text).not.toMatch(/[<>]/);
      }),
    );
  });
});
