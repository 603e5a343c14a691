/**
 * Calendar arithmetic in the asker's time zone. Days are plain calendar dates ({year, month, day}); they become
 * instants only at the end, through `TZDate`, so a daylight-saving change never moves midnight.
 */
import { TZDate } from '@date-fns/tz';
import { format, subDays, subMonths, subWeeks } from 'date-fns';
import type { TimeUnit } from './vocabulary.js';

export interface LocalDay {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

const zoneChecks = new Map<string, boolean>();

/**
 * True when the zone is a canonical IANA name Intl knows: Area/Location ("Europe/Berlin", "Etc/GMT+5"), or
 * exactly "UTC" or "GMT". Intl also takes legacy abbreviations such as "EST" or "CET", but those are fixed
 * offsets or ambiguous ("EST" never observes daylight saving, which is not what an admin in New York means),
 * so they are refused. Remembered: Intl is slow.
 */
export function isKnownTimeZone(zone: string): boolean {
  const known = zoneChecks.get(zone);
  if (known !== undefined) return known;
  let ok = zone === 'UTC' || zone === 'GMT' || /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)+$/.test(zone);
  if (ok) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
    } catch {
      ok = false;
    }
  }
  // bounded, so a stream of made-up zone names cannot grow it without end
  if (zoneChecks.size < 1000) zoneChecks.set(zone, ok);
  return ok;
}

export function toLocalDay(instant: Date, timeZone: string): LocalDay {
  const zoned = new TZDate(instant.getTime(), timeZone);
  return { year: zoned.getFullYear(), month: zoned.getMonth() + 1, day: zoned.getDate() };
}

/** Pure calendar arithmetic (UTC has no daylight saving, so whole days stay whole). */
export function addDays(day: LocalDay, days: number): LocalDay {
  const d = new Date(Date.UTC(day.year, day.month - 1, day.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function addMonths(day: LocalDay, months: number): LocalDay {
  const d = new Date(Date.UTC(day.year, day.month - 1 + months, 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: day.day };
}

/** 0 = Sunday ... 6 = Saturday */
export function weekdayOf(day: LocalDay): number {
  return new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDay();
}

export function compareDays(a: LocalDay, b: LocalDay): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

export function isValidDay(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || year < 1970 || year > 9999) return false;
  if (!Number.isInteger(month) || month < 1 || month > 12) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** The instant a wall-clock time happens on that day in that zone (the first one, if a DST change repeats it). */
export function atLocalTime(day: LocalDay, hour: number, minute: number, timeZone: string): Date {
  return new Date(new TZDate(day.year, day.month - 1, day.day, hour, minute, 0, 0, timeZone).getTime());
}

export function startOfLocalDay(day: LocalDay, timeZone: string): Date {
  return atLocalTime(day, 0, 0, timeZone);
}

/** The Monday of the week holding that day (weeks start on Monday, as in ISO 8601 and most of Europe). */
export function mondayOf(day: LocalDay): LocalDay {
  return addDays(day, -((weekdayOf(day) + 6) % 7));
}

/** `now` minus n units; days, weeks and months keep the wall-clock time across a DST change. */
export function minusUnits(now: Date, n: number, unit: TimeUnit, timeZone: string): Date {
  if (unit === 'minute') return new Date(now.getTime() - n * 60_000);
  if (unit === 'hour') return new Date(now.getTime() - n * 3_600_000);
  const zoned = new TZDate(now.getTime(), timeZone);
  const moved =
    unit === 'day' ? subDays(zoned, n) : unit === 'week' ? subWeeks(zoned, n) : subMonths(zoned, n);
  return new Date(moved.getTime());
}

/** date-fns `format` of an instant as the clock in that zone shows it. */
export function formatIn(instant: Date, timeZone: string, pattern: string): string {
  return format(new TZDate(instant.getTime(), timeZone), pattern);
}

/** date-fns `format` of a calendar day (no zone involved). */
export function formatDay(day: LocalDay, pattern: string): string {
  return format(new TZDate(day.year, day.month - 1, day.day, 12, 0, 0, 0, 'UTC'), pattern);
}
