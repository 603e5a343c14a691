/** `--now` and `--tz`, read the same way by `parse`, `ask` and `digest`. */
import { TZDate } from '@date-fns/tz';
import { ReplibotError } from '../core/errors.js';
import { isKnownTimeZone } from '../question/local-calendar.js';

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * `--now` as an instant. With an offset (`Z`, `+01:00`) it is exact; without one it is a wall-clock time in the
 * `--tz` zone, so `--now 2026-11-23T09:00 --tz Europe/Berlin` means 09:00 in Berlin.
 */
export function parseNowOption(value: string, timeZone: string): Date | null {
  const m = ISO_RE.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, hh = '00', mi = '00', ss = '00', ms = '0', zone] = m;
  // cast: the regex matched, so the six groups are there (defaults for the optional ones)
  const parts = [y, mo, d, hh, mi, ss].map(Number) as [number, number, number, number, number, number];
  const check = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]));
  if (
    check.getUTCMonth() !== parts[1] - 1 ||
    check.getUTCDate() !== parts[2] ||
    parts[3] > 23 ||
    parts[4] > 59 ||
    parts[5] > 59
  )
    return null;
  if (zone !== undefined) {
    const instant = new Date(value.trim().replace(' ', 'T'));
    return Number.isNaN(instant.getTime()) ? null : instant;
  }
  const local = new TZDate(
    parts[0],
    parts[1] - 1,
    parts[2],
    parts[3],
    parts[4],
    parts[5],
    Number(ms.padEnd(3, '0')),
    timeZone,
  );
  return new Date(local.getTime());
}

/**
 * Checks `--tz` (or the default zone) and reads `--now` in it. Throws ReplibotError('bad_option') with what
 * to type instead.
 */
export function resolveTimeOptions(
  options: { now?: string | undefined; timeZone?: string | undefined },
  defaultTimeZone: string,
  clockNow: () => Date = () => new Date(),
): { now: Date; timeZone: string } {
  const timeZone = options.timeZone ?? defaultTimeZone;
  // the same check as `parse` and the question reader: canonical IANA names only (not EST or CET)
  if (!isKnownTimeZone(timeZone))
    throw new ReplibotError('bad_option', `--tz "${timeZone}" is not an IANA time zone`, {
      hint: 'Use a zone such as Europe/Berlin, America/New_York or UTC.',
    });
  if (options.now === undefined) return { now: clockNow(), timeZone };
  const now = parseNowOption(options.now, timeZone);
  if (now === null)
    throw new ReplibotError('bad_option', `--now "${options.now}" is not an ISO-8601 date-time`, {
      hint: 'Use a form such as 2026-11-23T09:30:00Z, or 2026-11-23T10:30 (read in --tz).',
    });
  return { now, timeZone };
}
