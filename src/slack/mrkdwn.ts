/**
 * Safe text for Slack mrkdwn. Everything that came from EM (VM, job and server names, reasons) or from a user
 * goes through `escapeMrkdwn` before it lands in a mrkdwn field, so `<!channel>` or `<https://evil|click>` shows
 * as text and pings nobody.
 */

/** `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`, the only three characters Slack asks apps to escape. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const ENTITY = /^&(?:amp|lt|gt);/;
const ELLIPSIS = '…';

/**
 * Cuts `text` to at most `max` UTF-16 units, ending with "…" when it had to cut. It never cuts inside an
 * `&amp;`/`&lt;`/`&gt;` entity (which would show a broken `&am`) nor between the two halves of a surrogate pair
 * (which would show a replacement character).
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
    const c = text[i]!;
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
