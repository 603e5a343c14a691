import { describe, expect, it } from 'vitest';
import { findBlockKitViolations } from '../../../src/slack/limits.js';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('findBlockKitViolations', () => {
  it('accepts a small valid message', () => {
    expect(findBlockKitViolations({ text: 'hi', blocks: [section('hello')] })).toEqual([]);
  });

  it('reports more than 50 blocks in a message but allows 100 on the Home tab', () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(findBlockKitViolations({ text: 'x', blocks })).toEqual([
      'no more than 50 blocks allowed (got 51) [json-pointer:/blocks]',
    ]);
    expect(findBlockKitViolations({ blocks }, 'home')).toEqual([]);
  });

  it('points at a section text over 3000 characters', () => {
    const problems = findBlockKitViolations({ text: 'x', blocks: [section('a'.repeat(3001))] });
    expect(problems).toContain(
      'must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]',
    );
  });

  it('reports a header over 150 characters and a header in mrkdwn', () => {
    const problems = findBlockKitViolations({
      text: 'x',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        { type: 'header', text: { type: 'mrkdwn', text: 'h' } },
      ],
    });
    expect(problems.some((p) => p.includes('/blocks/0/text/text'))).toBe(true);
    expect(problems).toContain('must be plain_text [json-pointer:/blocks/1/text/type]');
  });

  it('reports more than 10 fields, a long button value and a duplicate action_id', () => {
    const fields = Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' }));
    const button = (id: string, value: string) => ({
      type: 'button',
      action_id: id,
      value,
      text: { type: 'plain_text', text: 'Go' },
    });
    const problems = findBlockKitViolations({
      text: 'x',
      blocks: [
        { type: 'section', fields },
        { type: 'actions', elements: [button('a', 'v'.repeat(2001)), button('a', 'v')] },
      ],
    });
    expect(problems.some((p) => p.startsWith('no more than 10 fields'))).toBe(true);
    expect(problems.some((p) => p.includes('/blocks/1/elements/0/value'))).toBe(true);
    expect(problems.some((p) => p.startsWith('action_id a is used twice'))).toBe(true);
  });

  it('requires a text fallback with blocks', () => {
    expect(findBlockKitViolations({ blocks: [section('a')] })).toEqual([
      'a text fallback is required with blocks [json-pointer:/text]',
    ]);
  });

  it('reports a message whose blocks hold more text in total than Slack takes', () => {
    const blocks = Array.from({ length: 5 }, () => section('a'.repeat(2900)));
    const problems = findBlockKitViolations({ text: 'x', blocks });
    expect(problems.some((p) => p.startsWith('blocks hold 14500 characters'))).toBe(true);
  });
});
