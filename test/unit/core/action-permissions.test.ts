import { describe, expect, it } from 'vitest';
import { mayAct, namedGroups, parseActionPermissions } from '../../../src/core/action-permissions.js';

describe('parseActionPermissions', () => {
  it('reads groups of actions and ids, with * for every action', () => {
    const parsed = parseActionPermissions('retry,start:U0AAA,S0OPS; stop,pause,resume:U0BBB;*:U0CCC');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.permissions.retry).toEqual(['U0AAA', 'S0OPS', 'U0CCC']);
    expect(parsed.permissions.stop).toEqual(['U0BBB', 'U0CCC']);
    expect(namedGroups(parsed.permissions)).toEqual(['S0OPS']);
    expect(mayAct(parsed.permissions, 'retry', 'U0AAA', [])).toBe(true);
    expect(mayAct(parsed.permissions, 'stop', 'U0AAA', [])).toBe(false);
    expect(mayAct(parsed.permissions, 'start', 'U0ZZZ', ['S0OPS'])).toBe(true);
  });

  it('names each problem: a missing colon, an unknown action, an id that is not a Slack id', () => {
    const parsed = parseActionPermissions('retry U0AAA;failover:U0BBB;stop:#ops');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.join('\n')).toMatch(/has no ':'/);
    expect(parsed.problems.join('\n')).toMatch(/"failover" is not an action/);
    expect(parsed.problems.join('\n')).toMatch(/"#ops" is not a Slack user id/);
  });

  it('gives nobody an action it does not name', () => {
    const parsed = parseActionPermissions('retry:U0AAA');
    expect(parsed.ok && parsed.permissions.pause).toEqual([]);
  });
});
