/** Pure formatting shared by the Slack and terminal renderers: durations, sizes, dates in the asker's zone. */

/**
 * A count with its noun, singular for exactly one: `plural(0, 'warning')` is "0 warnings", `plural(1, 'VM')` "1 VM",
 * `plural(1200, 'job run')` "1,200 job runs". Every count shown to a person goes through here.
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/**
 * 1536 -> "1.5 KB" (binary multiples, as the Veeam console shows them); a size that is not a count of bytes
 * (negative, NaN) reads as "?" rather than a plausible lie such as "0 B".
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

const DURATION_UNITS = [
  { label: 'd', seconds: 86_400 },
  { label: 'h', seconds: 3600 },
  { label: 'm', seconds: 60 },
  { label: 's', seconds: 1 },
] as const;

/**
 * The one duration text of every surface (answers, alerts and mutes, digests): the two largest units, the
 * second zero-padded so a list of runs lines up, and left off when it is zero. "45s", "12m 30s", "1h 05m",
 * "4h", "2d 03h". Seconds past the second unit are dropped (floor), never rounded up into a longer run.
 * A negative span (clock skew) reads as "0s"; a span that is not a number as "?". The text is also what
 * `/replicas mute` reads back ("1h 05m" -> 65 minutes).
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const total = Math.max(0, Math.round(ms / 1000));
  const first = DURATION_UNITS.findIndex((u) => total >= u.seconds);
  const big = DURATION_UNITS[first];
  if (big === undefined) return '0s';
  const lead = `${Math.floor(total / big.seconds)}${big.label}`;
  const small = DURATION_UNITS[first + 1];
  if (small === undefined) return lead;
  const rest = Math.floor((total % big.seconds) / small.seconds);
  return rest === 0 ? lead : `${lead} ${String(rest).padStart(2, '0')}${small.label}`;
}

/**
 * Building an `Intl.DateTimeFormat` costs tens of microseconds, using one about one: an answer page or a digest
 * formats many dates in one or two zones, so each formatter is built once per zone (a bounded memo; an unknown
 * zone throws on every call, as before, and is never kept).
 */
const FORMATTERS_MAX = 256;
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(
  key: string,
  locale: string,
  options: Intl.DateTimeFormatOptions & { timeZone: string },
): Intl.DateTimeFormat {
  const id = `${key}|${locale}|${options.timeZone}`;
  let formatter = formatters.get(id);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat(locale, options);
    if (formatters.size >= FORMATTERS_MAX) formatters.clear();
    formatters.set(id, formatter);
  }
  return formatter;
}

/** "2024-05-14 09:03" in the given IANA zone (24-hour clock, as in the Veeam console). */
export function formatDateTime(date: Date, timeZone: string): string {
  const parts = formatterFor('datetime', 'en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/**
 * "2024-05-14 09:03 CEST": `formatDateTime` that says its zone, for every time a person reads without the zone
 * named nearby (an alert's notification text, a mute's end, App Home). The zone's common abbreviation ("UTC",
 * "CEST", "EDT"), else its offset ("GMT+5:30").
 */
export function formatZonedDateTime(date: Date, timeZone: string): string {
  return `${formatDateTime(date, timeZone)} ${toZoneAbbreviation(date, timeZone)}`;
}

/** "CEST" for Europe/Berlin in summer, "EDT" for America/New_York, "UTC"; the GMT offset where no name is known. */
function toZoneAbbreviation(date: Date, timeZone: string): string {
  const name = (locale: string) =>
    formatterFor('zone', locale, { timeZone, timeZoneName: 'short' })
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  const us = name('en-US');
  // en-US names American zones (EDT), en-GB European ones (CEST, BST); both fall back to "GMT+2"
  return /^GMT(?:[+-]|$)/.test(us) ? name('en-GB') : us;
}

/** "Failed replicas for apache02 today" from the parser's lower-case phrase. */
export function capitalize(text: string): string {
  return text.length === 0 ? text : text.charAt(0).toUpperCase() + text.slice(1);
}

/** How long a session ran, or has been running for, at `now`. */
export function sessionDuration(row: { creationTime: Date; endTime: Date | null }, now: Date): number {
  return (row.endTime ?? now).getTime() - row.creationTime.getTime();
}

/**
 * The note under an answer that assumed the last 24 hours, or null when there is none to add: the parser's
 * explanation may already say so ("...; no time was given"), and saying it twice reads as noise.
 */
export function defaultWindowNote(intent: {
  defaultWindow: boolean;
  explanation: string;
  limit: number | null;
}): string | null {
  if (!intent.defaultWindow || /\bno time\b/i.test(intent.explanation)) return null;
  // the parser reads a count with no time words ("last 5 failures") over EM's whole 30 days, the rest over 24 hours
  return intent.limit !== null
    ? "No time was named, so this looks through EM's whole 30 days of history."
    : 'No time was named, so this is the last 24 hours.';
}

/** "Next page (11)" for one row, "(11–20)" for several: the 1-based numbers of the next page. */
export function nextPageRange(first: number, last: number): string {
  return last <= first ? `${first}` : `${first}–${last}`;
}

/**
 * A command description as help lists it: sentence case with a full stop, whoever wrote it, so a list mixing
 * built-in and feature commands reads as one.
 */
export function toSentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const capital = capitalize(trimmed);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
