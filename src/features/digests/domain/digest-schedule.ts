/**
 * Digest schedules: the words a channel types (`digest daily 08:00 job "Web tier" tz Europe/Berlin`) read into a
 * schedule, and a schedule back into words and a cron pattern. Pure.
 */

import { must } from '../../../core/must.js';
import type { DigestPeriod } from './digest-window.js';
import type { DigestFilters } from './summarize-digest.js';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export interface DigestScheduleSpec {
  period: DigestPeriod;
  /** 0 = Sunday … 6 = Saturday; weekly digests only */
  weekday: number | null;
  /** 0..23 */
  hour: number;
  /** 0..59 */
  minute: number;
  timeZone: string;
  filters: DigestFilters;
}

export interface DigestSchedule extends DigestScheduleSpec {
  id: number;
  channelId: string;
  createdBy: string;
  createdAt: Date;
  /** why the last attempt failed (for the list), null when it went out */
  lastError: string | null;
}

export type DigestCommand =
  | { kind: 'add'; spec: DigestScheduleSpec }
  | { kind: 'list' }
  | { kind: 'off'; id: number }
  | { kind: 'preview'; period: DigestPeriod; filters: DigestFilters; timeZone: string }
  | { kind: 'help' }
  | { kind: 'invalid'; error: string };

export const DIGEST_USAGE = [
  '`digest daily 08:00` · `digest weekly mon 08:00`',
  'options: `backups` (backup jobs instead of replication) · `job <name>` · `server <name>` · `failed-only` · `tz <IANA zone>` (default: your Slack time zone)',
  '`digests` lists this channel’s digests · `digest off <n>` removes one · `digest now [daily|weekly]` shows one now',
];

const KEYWORDS = new Set(['job', 'server', 'failed-only', 'failedonly', 'tz', 'backups', 'backup']);

/**
 * Reads the words after `digest`. `isTimeZone` is injected because the core has no Intl policy of its own
 * (and tests can pin it). Names may be quoted ("Web tier") or run to the next keyword.
 */
export function parseDigestCommand(
  text: string,
  options: { defaultTimeZone: string; isTimeZone: (zone: string) => boolean },
): DigestCommand {
  const words = tokenize(text);
  const first = words[0]?.toLowerCase();
  if (first === undefined || first === 'help') return { kind: 'help' };
  if (first === 'list' || first === 'ls') return { kind: 'list' };
  if (first === 'off' || first === 'remove' || first === 'delete' || first === 'rm') {
    const id = Number((words[1] ?? '').replace(/^#/, ''));
    if (words.length !== 2 || !Number.isInteger(id) || id <= 0)
      return {
        kind: 'invalid',
        error: 'Say which digest to remove by its number, e.g. `digest off 2` (see `digests`).',
      };
    return { kind: 'off', id };
  }

  let rest = words.slice(1);
  let period: DigestPeriod;
  let weekday: number | null = null;
  let hour = 8;
  let minute = 0;
  const preview = first === 'now' || first === 'preview';
  if (preview) {
    const p = rest[0]?.toLowerCase();
    period = p === 'weekly' || p === 'week' ? 'week' : 'day';
    if (p === 'weekly' || p === 'week' || p === 'daily' || p === 'day') rest = rest.slice(1);
  } else if (first === 'daily' || first === 'day') {
    period = 'day';
  } else if (first === 'weekly' || first === 'week') {
    period = 'week';
    const day = toWeekday(rest[0] ?? '');
    if (day === null)
      return {
        kind: 'invalid',
        error:
          'A weekly digest needs a day, e.g. `digest weekly mon 08:00` (mon, tue, wed, thu, fri, sat, sun).',
      };
    weekday = day;
    rest = rest.slice(1);
  } else {
    return { kind: 'invalid', error: `I don't know \`digest ${first}\`. Try \`digest daily 08:00\`.` };
  }

  if (!preview) {
    const time = parseTimeOfDay(rest[0] ?? '');
    if (time === null)
      return {
        kind: 'invalid',
        error: `Say when, as a time of day: \`digest ${period === 'day' ? 'daily' : 'weekly mon'} 08:00\` (24-hour, or 8am).`,
      };
    ({ hour, minute } = time);
    rest = rest.slice(1);
  }

  const filters: DigestFilters = { jobName: null, serverName: null, failedOnly: false };
  let timeZone = options.defaultTimeZone;
  while (rest.length > 0) {
    const key = must(rest[0], 'rest is not empty (checked above)').toLowerCase();
    if (key === 'failed-only' || key === 'failedonly') {
      filters.failedOnly = true;
      rest = rest.slice(1);
      continue;
    }
    if (key === 'backups' || key === 'backup') {
      // a digest of the backup jobs instead of replication (replication is the default and stays unwritten)
      filters.kind = 'backup';
      rest = rest.slice(1);
      continue;
    }
    if (key === 'job' || key === 'server' || key === 'tz') {
      let end = 1;
      while (end < rest.length && !KEYWORDS.has(must(rest[end], 'end < rest.length').toLowerCase())) end++;
      const value = rest.slice(1, end).join(' ').trim();
      if (value === '')
        return { kind: 'invalid', error: `\`${key}\` needs a value, e.g. \`${key} ${example(key)}\`.` };
      if (key === 'job') filters.jobName = value;
      else if (key === 'server') filters.serverName = value;
      else {
        if (!options.isTimeZone(value))
          return {
            kind: 'invalid',
            error: `\`${value}\` is not a time zone I know; use an IANA name such as Europe/Berlin or America/New_York.`,
          };
        timeZone = value;
      }
      rest = rest.slice(end);
      continue;
    }
    return {
      kind: 'invalid',
      error: `I don't understand \`${rest[0]}\` here. Options are \`backups\`, \`job <name>\`, \`server <name>\`, \`failed-only\` and \`tz <zone>\`.`,
    };
  }
  if (preview) return { kind: 'preview', period, filters, timeZone };
  return { kind: 'add', spec: { period, weekday, hour, minute, timeZone, filters } };
}

function example(key: string): string {
  return key === 'job' ? '"Web tier"' : key === 'server' ? 'vbr01' : 'Europe/Berlin';
}

/** Splits on spaces, keeping "quoted words" (straight or Slack's curly quotes) together. */
function tokenize(text: string): string[] {
  const words: string[] = [];
  const re = /["“”]([^"“”]*)["“”]|(\S+)/g;
  for (const match of text.trim().matchAll(re))
    words.push(match[1] ?? must(match[2], 'the regex captures one of its two groups'));
  return words;
}

function toWeekday(word: string): number | null {
  const w = word.toLowerCase().slice(0, 3);
  const weekdays: readonly string[] = WEEKDAYS;
  const index = weekdays.indexOf(w);
  if (index === -1) return null;
  // accept "mon", "monday", "Mon." but not "money"
  const full = must(WEEKDAY_NAMES[index], 'index is a weekday 0..6').toLowerCase();
  const clean = word.toLowerCase().replace(/\.$/, '');
  return full.startsWith(clean) ? index : null;
}

/** `08:00`, `8:00`, `8`, `8am`, `8:30pm`, `20h`. */
export function parseTimeOfDay(word: string): { hour: number; minute: number } | null {
  const m = /^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|h)?$/i.exec(word.trim());
  if (m === null) return null;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const suffix = m[3]?.toLowerCase();
  if (suffix === 'am' || suffix === 'pm') {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (suffix === 'pm' ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return null;
  return { hour, minute };
}

/** The croner pattern (minute hour day-of-month month day-of-week), read in the schedule's own zone. */
export function toCronPattern(spec: DigestScheduleSpec): string {
  return `${spec.minute} ${spec.hour} * * ${spec.weekday ?? '*'}`;
}

/** `daily at 08:00 (Europe/Berlin)` / `weekly on Monday at 08:00 (UTC), job "Web", failures only`. */
export function describeSchedule(spec: DigestScheduleSpec): string {
  const time = `${String(spec.hour).padStart(2, '0')}:${String(spec.minute).padStart(2, '0')}`;
  const when =
    spec.period === 'day' ? `daily at ${time}` : `weekly on ${WEEKDAY_NAMES[spec.weekday ?? 1]} at ${time}`;
  const parts = [`${when} (${spec.timeZone})`];
  if (spec.filters.kind === 'backup') parts.push('backups');
  if (spec.filters.jobName !== null) parts.push(`job "${spec.filters.jobName}"`);
  if (spec.filters.serverName !== null) parts.push(`server ${spec.filters.serverName}`);
  if (spec.filters.failedOnly) parts.push('failures only');
  return parts.join(', ');
}
