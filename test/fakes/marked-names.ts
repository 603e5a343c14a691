/** EM names full of Slack formatting marks, and how to check that a rendered message shows them as typed. */
import { expect } from 'vitest';
import { escapeMrkdwn } from '../../src/slack/mrkdwn.js';

export const MARKED_VM = 'db_*prod*_~old~`x`';
export const MARKED_JOB = '_Nightly_ *SQL* ~tier~';

/** Every mrkdwn text in a message: the `text` fallback and each `mrkdwn` object in the blocks. */
export function mrkdwnTexts(message: { text?: unknown; blocks?: unknown }): string[] {
  const out = typeof message.text === 'string' ? [message.text] : [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    for (const value of Object.values(o)) walk(value);
  };
  walk(message.blocks);
  return out;
}

/** a formatting mark glued to a letter of a marked name, with no word joiner between */
const GLUED_MARK = /(?:db|prod|old|x|Nightly|SQL|tier)[*_~`]|[*_~`](?:prod|old|x|Nightly|SQL|tier)/;

/** The name is shown escaped at least once, never raw, and no mark is glued to a part of it. */
export function expectShownAsTyped(texts: string[], name: string): void {
  const all = texts.join('\n');
  expect(all).toContain(escapeMrkdwn(name));
  expect(all).not.toContain(name);
  expect(all).not.toMatch(GLUED_MARK);
}
