import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, escapeStrayMarkup, toSafeMrkdwn, truncateText } from '../../../src/slack/mrkdwn.js';

const decode = (text: string) =>
  text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

describe('escapeMrkdwn', () => {
  it('turns a channel ping and a disguised link into plain text', () => {
    expect(escapeMrkdwn('<!channel>')).toBe('&lt;!channel&gt;');
    expect(escapeMrkdwn('<https://evil|click>')).toBe('&lt;https://evil|click&gt;');
    expect(escapeMrkdwn('R&D')).toBe('R&amp;D');
  });

  it('leaves no < or > and decodes back to the input, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = escapeMrkdwn(text);
        expect(escaped).not.toMatch(/[<>]/);
        expect(escaped.replaceAll(/&(amp|lt|gt);/g, '')).not.toContain('&');
        expect(decode(escaped)).toBe(text);
      }),
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

  it('stays within the limit and keeps every entity whole for any escaped text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 60 }), (raw, max) => {
        const cut = toSafeMrkdwn(raw, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(cut.replaceAll(/&(amp|lt|gt);/g, '')).not.toContain('&');
        expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
        if (cut.endsWith('…') && !escapeMrkdwn(raw).endsWith('…'))
          expect(escapeMrkdwn(raw).length).toBeGreaterThan(max);
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
