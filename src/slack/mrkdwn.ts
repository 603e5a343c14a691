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
