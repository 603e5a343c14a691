import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toPlainQuestion } from '../../../src/question/tokenize-question.js';
import {
  escapeMrkdwn,
  escapeStrayMarkup,
  toSafeMrkdwn,
  truncateText,
  WORD_JOINER,
} from '../../../src/slack/mrkdwn.js';

const WJ = WORD_JOINER;
const decode = (text: string) =>
  text.replaceAll(WJ, '').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
/** a formatting mark with something other than a word joiner on a side: where Slack could start or end a style */
const BARE_MARK = new RegExp(`(?<!${WJ})[*_~\`]|[*_~\`](?!${WJ})`);

describe('escapeMrkdwn', () => {
  it('turns a channel ping and a disguised link into plain text', () => {
    expect(escapeMrkdwn('<!channel>')).toBe('&lt;!channel&gt;');
    expect(escapeMrkdwn('<https://evil|click>')).toBe('&lt;https://evil|click&gt;');
    expect(escapeMrkdwn('R&D')).toBe('R&amp;D');
  });

  it('puts a word joiner on both sides of each *, _, ~ and backtick, so they show as typed', () => {
    expect(escapeMrkdwn('web_01_prod')).toBe(`web${WJ}_${WJ}01${WJ}_${WJ}prod`);
    expect(escapeMrkdwn('*legacy* ~old~ `x`')).toBe(
      `${WJ}*${WJ}legacy${WJ}*${WJ} ${WJ}~${WJ}old${WJ}~${WJ} ${WJ}\`${WJ}x${WJ}\`${WJ}`,
    );
  });

  it('gives back the name as EM has it when an escaped name is pasted into a question', () => {
    expect(toPlainQuestion(`failed ${escapeMrkdwn('web_01*')}`, 'slack')).toBe('failed web_01*');
  });

  it('leaves no < or > and no bare mark, and decodes back to the input, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).map((t) => t.replaceAll(WJ, '')),
        (text) => {
          const escaped = escapeMrkdwn(text);
          expect(escaped).not.toMatch(/[<>]/);
          expect(escaped).not.toMatch(BARE_MARK);
          expect(escaped.replaceAll(/&(amp|lt|gt);/g, '')).not.toContain('&');
          expect(decode(escaped)).toBe(text);
        },
      ),
    );
  });
});

describe('truncateText', () => {
  it('keeps text that fits and marks a cut with an ellipsis', () => {
    expect(truncateText('apache02', 8)).toBe('apache02');
    expect(truncateText('apache02 failed', 8)).toBe('apache0…');
  });

  it('never cuts inside an entity', () => {
    expect(truncateText('ab&amp;cd', 5)).toBe('ab…');
    expect(truncateText('a&lt;b', 4)).toBe('a…');
  });

  it('never splits a surrogate pair', () => {
    expect(truncateText('ab😀cd', 4)).toBe('ab…');
  });

  it('never cuts inside an escaped mark', () => {
    const escaped = escapeMrkdwn('ab*cd');
    for (let max = 3; max <= escaped.length; max += 1) {
      expect(truncateText(escaped, max).replace('…', '')).not.toMatch(BARE_MARK);
    }
  });

  it('stays within the limit and keeps every entity and escaped mark whole for any escaped text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 60 }), (raw, max) => {
        const cut = toSafeMrkdwn(raw.replaceAll(WJ, ''), max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(cut).not.toMatch(BARE_MARK);
        expect(cut.replaceAll(/&(amp|lt|gt);/g, '')).not.toContain('&');
        expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
        const escaped = escapeMrkdwn(raw.replaceAll(WJ, ''));
        if (cut.endsWith('…') && !escaped.endsWith('…')) expect(escaped.length).toBeGreaterThan(max);
      }),
    );
  });
});

describe('escapeStrayMarkup', () => {
  it('keeps mentions, dates and links and escapes every other angle bracket', () => {
    expect(
      escapeStrayMarkup(
        '<@U123> set <!date^1715677380^{time}|09:03 UTC>; see <https://example.com|docs>. `unsubscribe <n>` a > b',
      ),
    ).toBe(
      '<@U123> set <!date^1715677380^{time}|09:03 UTC>; see <https://example.com|docs>. `unsubscribe &lt;n&gt;` a &gt; b',
    );
    expect(escapeStrayMarkup('tz <IANA zone>, <!channel>')).toBe('tz &lt;IANA zone&gt;, <!channel>');
  });
});
