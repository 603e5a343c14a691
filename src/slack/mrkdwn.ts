/**
 * Safe text for Slack mrkdwn. Everything that came from EM (VM, job and server names, reasons) or from a user
 * goes through `escapeMrkdwn` before it lands in a mrkdwn field, so `<!channel>` or `<https://evil|click>` shows
 * as text and pings nobody, and `web_01_prod` or `*legacy*` shows as typed instead of in italics or bold.
 */

/**
 * U+2060 WORD JOINER: invisible, zero width, and neither a space nor punctuation.
 *
 * Slack has no backslash escape for `*`, `_`, `~` and `` ` ``. It opens bold, italics, strike or code only at a
 * word boundary (start, space or punctuation before the mark, no space after) and closes them only at one, so
 * `escapeMrkdwn` puts a word joiner on both sides of each mark: with a non-space, non-punctuation character on
 * either side, a mark in a name can neither open nor close, while our own `*${name}*` around it still works.
 * A word joiner rather than a zero-width space, because Slack reads a zero-width space as a boundary (that is
 * the trick for bold in mid-word), and rather than a zero-width joiner, which glues `*` into the `*️⃣` emoji.
 * Copy-paste stays sane: the joiner is invisible, copies along as an ignorable character, and replibot's
 * question reader drops it again (src/question/tokenize-question.ts), so a name copied from an answer and
 * pasted into `/replicas` is the name EM has.
 */
export const WORD_JOINER = '\u2060';
const FORMATTING_MARK = /[*_~`]/g;

/**
 * `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;` (the three characters Slack asks apps to escape), and each
 * formatting mark `*`, `_`, `~`, `` ` `` gets a word joiner on both sides.
 */
export function escapeMrkdwn(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(FORMATTING_MARK, (mark) => `${WORD_JOINER}${mark}${WORD_JOINER}`);
}

const ENTITY = /^&(?:amp|lt|gt);/;
const isMark = (ch: string | undefined) => ch === '*' || ch === '_' || ch === '~' || ch === '`';
const ELLIPSIS = '…';

/**
 * Cuts `text` to at most `max` UTF-16 units, ending with "…" when it had to cut. It never cuts inside an
 * `&amp;`/`&lt;`/`&gt;` entity (which would show a broken `&am`), inside an escaped mark (which would leave a
 * `*` that may close a bold), nor between the two halves of a surrogate pair (which would show a replacement
 * character).
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  if (max === 1) return ELLIPSIS;
  let cut = max - ELLIPSIS.length;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp !== -1 && cut - amp < 5) {
    const entity = ENTITY.exec(text.slice(amp));
    if (entity && amp + entity[0].length > cut) cut = amp;
  }
  // an escaped mark is joiner, mark, joiner: cut before all three
  if (text[cut - 1] === WORD_JOINER && isMark(text[cut])) cut -= 1;
  else if (isMark(text[cut - 1]) && text[cut - 2] === WORD_JOINER && text[cut] === WORD_JOINER) cut -= 2;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut).trimEnd()}${ELLIPSIS}`;
}

/** Escapes, then truncates: the order that keeps entities whole. */
export function toSafeMrkdwn(text: string, max: number): string {
  return truncateText(escapeMrkdwn(text), max);
}

/** Plain text (header, button labels) needs no escaping, only a safe cut. */
export function toPlainText(text: string, max: number): string {
  return truncateText(text.replace(/\s+/g, ' ').trim(), max);
}

/** What Slack reads as markup on purpose: a mention, a channel, a special mention, a date, a link. */
const SLACK_MARKUP =
  /^<(?:[@#][A-Z0-9]+(?:\|[^<>]*)?|!(?:here|channel|everyone|subteam\^[A-Z0-9]+(?:\|[^<>]*)?|date\^[^<>]*)|(?:https?|mailto):[^<>\s|]+(?:\|[^<>]*)?)>/;

/**
 * A reply we wrote, safe for mrkdwn: our own `<@U123>`, `<!date^...>` and `<https://...|label>` stay markup,
 * every other `<` or `>` (a usage placeholder such as `<n>` or `<IANA zone>`) becomes `&lt;`/`&gt;` so Slack
 * shows it instead of swallowing it. Text from EM or users is escaped before it gets here (`escapeMrkdwn`), so
 * it has no `<` left to keep.
 */
export function escapeStrayMarkup(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '<') {
      const markup = SLACK_MARKUP.exec(text.slice(i, i + 4000));
      if (markup) {
        out += markup[0];
        i += markup[0].length;
        continue;
      }
      out += '&lt;';
    } else if (c === '>') out += '&gt;';
    else out += c;
    i += 1;
  }
  return out;
}
