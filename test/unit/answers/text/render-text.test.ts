import { describe, expect, it } from 'vitest';
import { renderText, toTerminalSafe } from '../../../../src/answers/text/render-text.js';
import { ReplibotError } from '../../../../src/core/errors.js';
import { helpText } from '../../../../src/question/help.js';

describe('renderText', () => {
  it('prints the help with the RPO questions, and their command examples marked as Slack ones', () => {
    const text = renderText(
      { kind: 'help', help: helpText(), commands: [] },
      { color: false, timeZone: 'UTC' },
    );
    expect(text).toContain('  is apache02 protected');
    expect(text).toContain('  /replicas subscribe rpo 4h job "SQL Replica"  (in Slack)');
  });

  it('colours on a TTY and stays plain otherwise', () => {
    const reply = {
      kind: 'error' as const,
      error: new ReplibotError('em_timeout', 'EM did not answer within 30 s.'),
      referenceId: 'R-ABCDEF',
    };
    const coloured = renderText(reply, { color: true, timeZone: 'UTC' });
    const plain = renderText(reply, { color: false, timeZone: 'UTC' });
    expect(coloured).toContain('\x1b[');
    expect(plain).not.toContain('\x1b[');
    expect(plain).toBe(
      [
        'Enterprise Manager took too long to answer.',
        'EM did not answer within 30 s.',
        'Next: Try a shorter time range, or raise VEEAM_TIMEOUT_MS if EM is just slow.',
        'Reference R-ABCDEF',
      ].join('\n'),
    );
  });

  it('keeps escape sequences from EM out of the terminal', () => {
    expect(toTerminalSafe('vm\x1b[2J\x07name\nnext')).toBe('vm [2J name next');
  });
});
