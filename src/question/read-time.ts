/**
 * The time part of a question: "today", "last 3 hours", "since Monday", "on Nov 20", "between 2026-11-20 and
 * 2026-11-22" ... Read in the asker's zone; every window is a pair of instants (to = null: up to now).
 */
import {
  addDays,
  addMonths,
  atLocalTime,
  compareDays,
  formatDay,
  formatIn,
  isValidDay,
  type LocalDay,
  minusUnits,
  mondayOf,
  startOfLocalDay,
  weekdayOf,
} from './local-calendar.js';
import type { Token } from './tokenize-question.js';
import {
  DAY_PART_HOURS,
  DAY_PART_WORDS,
  type DayPart,
  MONTH_WORDS,
  NUMBER_WORDS,
  SHORT_UNITS,
  type TimeUnit,
  UNIT_WORDS,
  WEEKDAY_WORDS,
} from './vocabulary.js';

export interface TimeWindowRead {
  from: Date;
  to: Date | null;
  /** for the explanation: "since 00:00 today", "last week" */
  explanation: string;
  /** the exact bounds when the words alone do not give them: "Monday 16 Nov 00:00 to Monday 23 Nov 2026 00:00" */
  detail: string | null;
  /** for the phrase: "today" */
  phrase: string;
}

export type TimeRead =
  | { kind: 'window'; window: TimeWindowRead; next: number }
  | { kind: 'error'; error: string; next: number };

export interface TimeContext {
  now: Date;
  timeZone: string;
  today: LocalDay;
}

/**
 * The problem for a time that has not begun yet ("tomorrow", "next week", "this evening" asked at 10:00): an
 * empty answer there would read as an all-clear, so it is refused rather than asked.
 */
export function futureProblem(typed: string): string {
  const night = /\b(?:tonight|night)\b/i.test(typed) ? ' For the night before, ask "last night".' : '';
  return `"${typed}": that is in the future. I can only list sessions that have already started; ask about today or an earlier time.${night}`;
}

/** Counts above this are refused ("last 1000000 days" is a typo, not a question). */
const MAX_COUNT = 100_000;
const EPOCH = Date.UTC(1970, 0, 1);

type Read<T> = (T & { next: number }) | { error: string; next: number } | null;

function isError<T>(read: Read<T>): read is { error: string; next: number } {
  return read !== null && 'error' in read;
}

function word(tokens: readonly Token[], i: number): string | undefined {
  const token = tokens[i];
  return token?.kind === 'word' ? token.lower : undefined;
}

function readCount(
  tokens: readonly Token[],
  i: number,
  allowArticle: boolean,
): { value: number; next: number } | null {
  const w = word(tokens, i);
  if (w === undefined) return null;
  if (/^\d{1,9}$/.test(w)) return { value: Number(w), next: i + 1 };
  const number = NUMBER_WORDS[w];
  if (number !== undefined) return { value: number, next: i + 1 };
  if (allowArticle && (w === 'a' || w === 'an')) return { value: 1, next: i + 1 };
  return null;
}

function unitName(unit: TimeUnit, n: number): string {
  return n === 1 ? unit : `${n} ${unit}s`;
}

function rolling(n: number, unit: TimeUnit, ctx: TimeContext, next: number, typed: string): TimeRead {
  if (n < 1)
    return { kind: 'error', error: `"${typed}" is an empty time window; ask for at least 1 ${unit}.`, next };
  if (n > MAX_COUNT) return { kind: 'error', error: `"${typed}" is further back than I can look.`, next };
  const from = minusUnits(ctx.now, n, unit, ctx.timeZone);
  if (Number.isNaN(from.getTime()) || from.getTime() < EPOCH)
    return { kind: 'error', error: `"${typed}" reaches back before 1970.`, next };
  const phrase = `in the last ${unitName(unit, n)}`;
  return {
    kind: 'window',
    window: {
      from,
      to: null,
      phrase,
      explanation: phrase,
      detail: `since ${formatIn(from, ctx.timeZone, 'EEE d MMM yyyy HH:mm')}`,
    },
    next,
  };
}

function typedText(tokens: readonly Token[], from: number, to: number): string {
  return tokens
    .slice(from, to)
    .map((t) => t.text)
    .join(' ');
}

/** "20", "20th", "1st" */
function readDayNumber(tokens: readonly Token[], i: number): { value: number; next: number } | null {
  const w = word(tokens, i);
  const m = w === undefined ? null : /^(\d{1,2})(?:st|nd|rd|th)?$/.exec(w);
  return m ? { value: Number(m[1]), next: i + 1 } : null;
}

function readYear(tokens: readonly Token[], i: number): { value: number; next: number } | null {
  let j = i;
  if (tokens[j]?.kind === 'comma') j++;
  const w = word(tokens, j);
  return w !== undefined && /^\d{4}$/.test(w) ? { value: Number(w), next: j + 1 } : null;
}

function mostRecentWeekday(today: LocalDay, weekday: number, strictlyBefore: boolean): LocalDay {
  let back = (weekdayOf(today) - weekday + 7) % 7;
  if (back === 0 && strictlyBefore) back = 7;
  return addDays(today, -back);
}

function dayFrom(
  year: number,
  month: number,
  day: number,
  typed: string,
  next: number,
): Read<{ day: LocalDay }> {
  if (!isValidDay(year, month, day)) {
    return { error: `There is no date ${typed}; check the day and the month.`, next };
  }
  return { day: { year, month, day }, next };
}

/** A calendar day: today, yesterday, a weekday, "last friday", 2026-11-20, "Nov 20", "20 Nov 2026". */
/**
 * How a month and day without a year are read. 'refuse-future' (since, on, a bare date): a date still to come
 * this year is refused with a hint to add the year, because "since Nov 30" asked on Nov 23 is far more likely a
 * slip than a question about last year. 'look-back' (between, from ... to): the most recent such date, so that
 * "between Dec 20 and Jan 5" asked in January spans the turn of the year.
 */
export type YearlessDates = 'refuse-future' | 'look-back';

function readDay(
  tokens: readonly Token[],
  i: number,
  ctx: TimeContext,
  yearless: YearlessDates = 'refuse-future',
): Read<{ day: LocalDay }> {
  const w = word(tokens, i);
  if (w === undefined) return null;
  if (w === 'today') return { day: ctx.today, next: i + 1 };
  // "the 20th of November"
  if (w === 'the' && /^\d/.test(word(tokens, i + 1) ?? '')) return readDay(tokens, i + 1, ctx, yearless);
  if (w === 'yesterday') return { day: addDays(ctx.today, -1), next: i + 1 };
  // "the day before yesterday", "day before yesterday"
  if (w === 'the' && startsWith(tokens, i + 1, 'day', 'before', 'yesterday'))
    return { day: addDays(ctx.today, -2), next: i + 4 };
  if (startsWith(tokens, i, 'day', 'before', 'yesterday'))
    return { day: addDays(ctx.today, -2), next: i + 3 };
  // future days are read so that the question can be refused with "that is in the future", not misread
  if (w === 'tomorrow') return { day: addDays(ctx.today, 1), next: i + 1 };
  const weekdayAfter = WEEKDAY_WORDS[word(tokens, i + 1) ?? ''];
  if (w === 'next' && weekdayAfter !== undefined) {
    // the first such day after today ("next monday" asked on a Monday is a week ahead)
    const back = mostRecentWeekday(ctx.today, weekdayAfter, false);
    return { day: addDays(back, 7), next: i + 2 };
  }
  const weekday = WEEKDAY_WORDS[w];
  if (weekday !== undefined) return { day: mostRecentWeekday(ctx.today, weekday, false), next: i + 1 };
  if ((w === 'last' || w === 'previous') && weekdayAfter !== undefined) {
    return { day: mostRecentWeekday(ctx.today, weekdayAfter, true), next: i + 2 };
  }
  // 11/20, 20.11.2026: day/month or month/day? Refused rather than guessed.
  if (/^\d{1,2}\/\d{1,2}$/.test(w) || /^\d{1,2}[./-]\d{1,2}[./-](?:\d{2}|\d{4})$/.test(w)) {
    return {
      error: `"${typedText(tokens, i, i + 1)}" could be read day-first or month-first; write the date as 2026-11-20 or Nov 20.`,
      next: i + 1,
    };
  }
  const iso = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(w);
  if (iso) return dayFrom(Number(iso[1]), Number(iso[2]), Number(iso[3]), typedText(tokens, i, i + 1), i + 1);

  // "Nov 20", "November 20th, 2026"
  const month = MONTH_WORDS[w];
  if (month !== undefined) {
    const dayNumber = readDayNumber(tokens, i + 1);
    if (dayNumber === null) return null;
    const year = readYear(tokens, dayNumber.next);
    const next = year?.next ?? dayNumber.next;
    return dayWithYear(month, dayNumber.value, year?.value, ctx, typedText(tokens, i, next), next, yearless);
  }
  // "20 Nov", "20th of November 2026"
  const dayNumber = readDayNumber(tokens, i);
  if (dayNumber !== null) {
    let j = dayNumber.next;
    if (word(tokens, j) === 'of' && MONTH_WORDS[word(tokens, j + 1) ?? ''] !== undefined) j++;
    const month2 = MONTH_WORDS[word(tokens, j) ?? ''];
    if (month2 === undefined) return null;
    const year = readYear(tokens, j + 1);
    const next = year?.next ?? j + 1;
    return dayWithYear(month2, dayNumber.value, year?.value, ctx, typedText(tokens, i, next), next, yearless);
  }
  return null;
}

/** Without a year, a date means this year's, or (see YearlessDates) its most recent occurrence. */
function dayWithYear(
  month: number,
  day: number,
  year: number | undefined,
  ctx: TimeContext,
  typed: string,
  next: number,
  yearless: YearlessDates,
): Read<{ day: LocalDay }> {
  if (year !== undefined) return dayFrom(year, month, day, `"${typed}"`, next);
  const thisYear = { year: ctx.today.year, month, day };
  if (
    yearless === 'refuse-future' &&
    isValidDay(thisYear.year, month, day) &&
    compareDays(thisYear, ctx.today) > 0
  ) {
    return {
      error: `"${typed}" is in the future; to mean last year, write "${typed} ${ctx.today.year - 1}".`,
      next,
    };
  }
  let y = ctx.today.year;
  // 29 Feb: look back to the last leap year
  for (let tries = 0; tries < 8; tries++, y--) {
    if (isValidDay(y, month, day) && compareDays({ year: y, month, day }, ctx.today) <= 0) break;
  }
  return dayFrom(y, month, day, `"${typed}"`, next);
}

/** A clock time: 08:00, 8am, 8 pm, 14:30, 2:30pm, noon, midnight. */
function readClock(tokens: readonly Token[], i: number): Read<{ hour: number; minute: number }> {
  const w = word(tokens, i);
  if (w === undefined) return null;
  if (w === 'noon' || w === 'midday') return { hour: 12, minute: 0, next: i + 1 };
  if (w === 'midnight') return { hour: 0, minute: 0, next: i + 1 };
  const m = /^(\d{1,2})(?:[:.](\d{2}))?(am|pm|a\.m\.|p\.m\.)?$/.exec(w);
  if (!m) return null;
  let next = i + 1;
  let meridiem = m[3]?.replaceAll('.', '');
  const after = word(tokens, next);
  if (meridiem === undefined && (after === 'am' || after === 'pm' || after === 'a.m.' || after === 'p.m.')) {
    meridiem = after.replaceAll('.', '');
    next++;
  }
  // a bare number is a count ("last 5"), not a time
  if (m[2] === undefined && meridiem === undefined) return null;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const typed = typedText(tokens, i, next);
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12)
      return { error: `"${typed}" is not a time of day (use 1 to 12 with am/pm).`, next };
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return { error: `"${typed}" is not a time of day.`, next };
  return { hour, minute, next };
}

interface Point {
  instant: Date;
  /** the day, when the point is a whole day (no clock time) */
  day: LocalDay | null;
  /** "00:00 on Friday 20 Nov 2026", "08:00 today" */
  label: string;
  /** "Friday 20 Nov", "08:00" */
  short: string;
  clockOnly: boolean;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function dayLong(day: LocalDay, ctx: TimeContext): string {
  if (compareDays(day, ctx.today) === 0) return 'today';
  if (compareDays(day, addDays(ctx.today, -1)) === 0) return 'yesterday';
  return `on ${formatDay(day, 'EEEE d MMM yyyy')}`;
}

function dayShort(day: LocalDay, ctx: TimeContext): string {
  if (compareDays(day, ctx.today) === 0) return 'today';
  if (compareDays(day, addDays(ctx.today, -1)) === 0) return 'yesterday';
  return formatDay(day, day.year === ctx.today.year ? 'EEEE d MMM' : 'EEEE d MMM yyyy');
}

/** A point in time: an ISO date-time, a day, a day with a clock time, or a clock time today. */
function readPoint(
  tokens: readonly Token[],
  i: number,
  ctx: TimeContext,
  yearless: YearlessDates = 'refuse-future',
): Read<{ point: Point }> {
  const w = word(tokens, i);
  if (w === undefined) return null;
  const isoTime =
    /^(\d{4}-\d{2}-\d{2})[t ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(z|[+-]\d{2}:?\d{2})?$/.exec(w);
  if (isoTime) {
    const [, date = '', hh, mm, , zone] = isoTime;
    const [y = 0, mo = 0, d = 0] = date.split('-').map(Number);
    if (!isValidDay(y, mo, d) || Number(hh) > 23 || Number(mm) > 59)
      return { error: `"${typedText(tokens, i, i + 1)}" is not a valid date and time.`, next: i + 1 };
    const instant =
      zone === undefined
        ? atLocalTime({ year: y, month: mo, day: d }, Number(hh), Number(mm), ctx.timeZone)
        : new Date(
            typedText(tokens, i, i + 1)
              .toUpperCase()
              .replace(' ', 'T'),
          );
    if (Number.isNaN(instant.getTime()))
      return { error: `"${typedText(tokens, i, i + 1)}" is not a valid date and time.`, next: i + 1 };
    const label = formatIn(instant, ctx.timeZone, "HH:mm 'on' EEEE d MMM yyyy");
    return {
      point: {
        instant,
        day: null,
        label,
        short: formatIn(instant, ctx.timeZone, 'd MMM HH:mm'),
        clockOnly: false,
      },
      next: i + 1,
    };
  }
  const part = readDayPart(tokens, i, ctx, yearless);
  if (isError(part)) return part;
  if (part !== null) {
    const [start] = DAY_PART_HOURS[part.part];
    const time = `${two(start)}:00`;
    return {
      point: {
        instant: atLocalTime(part.day, start, 0, ctx.timeZone),
        day: null,
        label: `${time} ${dayLong(part.day, ctx)}`,
        short: `${dayShort(part.day, ctx)} ${time}`,
        clockOnly: false,
      },
      next: part.next,
    };
  }
  const day = readDay(tokens, i, ctx, yearless);
  if (isError(day)) return day;
  if (day !== null) {
    let j = day.next;
    if (word(tokens, j) === 'at') j++;
    const clock = readClock(tokens, j);
    if (isError(clock)) return clock;
    if (clock !== null) {
      const time = `${two(clock.hour)}:${two(clock.minute)}`;
      return {
        point: {
          instant: atLocalTime(day.day, clock.hour, clock.minute, ctx.timeZone),
          day: null,
          label: `${time} ${dayLong(day.day, ctx)}`,
          short: `${dayShort(day.day, ctx)} ${time}`,
          clockOnly: false,
        },
        next: clock.next,
      };
    }
    return {
      point: {
        instant: startOfLocalDay(day.day, ctx.timeZone),
        day: day.day,
        label: `00:00 ${dayLong(day.day, ctx)}`,
        short: dayShort(day.day, ctx),
        clockOnly: false,
      },
      next: day.next,
    };
  }
  const clock = readClock(tokens, w === 'at' ? i + 1 : i);
  if (isError(clock)) return clock;
  if (clock !== null) {
    const time = `${two(clock.hour)}:${two(clock.minute)}`;
    return {
      point: {
        instant: atLocalTime(ctx.today, clock.hour, clock.minute, ctx.timeZone),
        day: null,
        label: `${time} today`,
        short: time,
        clockOnly: true,
      },
      next: clock.next,
    };
  }
  return null;
}

function windowOf(
  from: Date,
  to: Date | null,
  explanation: string,
  phrase: string,
  next: number,
  detail: string | null = null,
): TimeRead {
  return { kind: 'window', window: { from, to, explanation, phrase, detail }, next };
}

function wholeDay(day: LocalDay, ctx: TimeContext, next: number): TimeRead {
  const from = startOfLocalDay(day, ctx.timeZone);
  const to = startOfLocalDay(addDays(day, 1), ctx.timeZone);
  if (compareDays(day, ctx.today) === 0) return windowOf(from, to, 'today', 'today', next, '00:00 to 24:00');
  if (compareDays(day, addDays(ctx.today, -1)) === 0)
    return windowOf(from, to, 'from 00:00 yesterday to 00:00 today', 'yesterday', next);
  return windowOf(
    from,
    to,
    `on ${formatDay(day, 'EEEE d MMM yyyy')}`,
    `on ${dayShort(day, ctx)}`,
    next,
    '00:00 to 24:00',
  );
}

/**
 * A part of a day: "this morning", "yesterday evening", "friday night", "tonight", "last night", "overnight".
 * Morning is 06:00-12:00, afternoon 12:00-18:00, evening 18:00-24:00, night 18:00-06:00 the next day.
 */
function readDayPart(
  tokens: readonly Token[],
  i: number,
  ctx: TimeContext,
  yearless: YearlessDates = 'refuse-future',
): Read<{ day: LocalDay; part: DayPart; label: string }> {
  const w = word(tokens, i);
  if (w === undefined) return null;
  const yesterday = addDays(ctx.today, -1);
  if (w === 'tonight' || (w === 'this' && word(tokens, i + 1) === 'night')) {
    // asked at 02:00, "tonight" is the night still going on, which began yesterday evening
    const early = Number(formatIn(ctx.now, ctx.timeZone, 'H')) < DAY_PART_HOURS.morning[0];
    return {
      day: early ? yesterday : ctx.today,
      part: 'night',
      label: 'tonight',
      next: w === 'this' ? i + 2 : i + 1,
    };
  }
  if (w === 'overnight') return { day: yesterday, part: 'night', label: 'overnight', next: i + 1 };
  if (w === 'last' && word(tokens, i + 1) === 'night')
    return { day: yesterday, part: 'night', label: 'last night', next: i + 2 };
  const partAfter = DAY_PART_WORDS[word(tokens, i + 1) ?? ''];
  if (w === 'this' && partAfter !== undefined) {
    const part = partAfter;
    return { day: ctx.today, part, label: `this ${part}`, next: i + 2 };
  }
  const day = readDay(tokens, i, ctx, yearless);
  if (day === null || isError(day)) return null;
  const part = DAY_PART_WORDS[word(tokens, day.next) ?? ''];
  if (part === undefined) return null;
  return { day: day.day, part, label: dayPartLabel(day.day, part, ctx), next: day.next + 1 };
}

function dayPartLabel(day: LocalDay, part: DayPart, ctx: TimeContext): string {
  if (compareDays(day, ctx.today) === 0) return part === 'night' ? 'tonight' : `this ${part}`;
  if (compareDays(day, addDays(ctx.today, -1)) === 0)
    return part === 'night' ? 'last night' : `yesterday ${part}`;
  return `on the ${part} of ${formatDay(day, 'EEEE d MMM yyyy')}`;
}

function dayPartWindow(
  read: { day: LocalDay; part: DayPart; label: string; next: number },
  ctx: TimeContext,
): TimeRead {
  const [start, end] = DAY_PART_HOURS[read.part];
  const endDay = addDays(read.day, Math.floor(end / 24));
  const from = atLocalTime(read.day, start, 0, ctx.timeZone);
  const to = atLocalTime(endDay, end % 24, 0, ctx.timeZone);
  let detail = `${two(start)}:00 to ${end === 24 ? '24' : two(end % 24)}:00`;
  if (end > 24) {
    const names = (day: LocalDay): string | null =>
      compareDays(day, ctx.today) === 0
        ? 'today'
        : compareDays(day, addDays(ctx.today, -1)) === 0
          ? 'yesterday'
          : compareDays(day, addDays(ctx.today, 1)) === 0
            ? 'tomorrow'
            : null;
    const startName = names(read.day);
    const endName = names(endDay);
    detail =
      startName !== null && endName !== null
        ? `${two(start)}:00 ${startName} to ${two(end % 24)}:00 ${endName}`
        : `${two(start)}:00 to ${two(end % 24)}:00 the next morning`;
  }
  const phrase = read.label.startsWith('on the ')
    ? `on the ${read.part} of ${formatDay(read.day, read.day.year === ctx.today.year ? 'EEEE d MMM' : 'EEEE d MMM yyyy')}`
    : read.label;
  return windowOf(from, to, read.label, phrase, read.next, detail);
}

/** A whole day, or a part of it when one follows ("yesterday evening", "on friday night"). */
function dayOrPart(day: LocalDay, ctx: TimeContext, tokens: readonly Token[], next: number): TimeRead {
  const part = DAY_PART_WORDS[word(tokens, next) ?? ''];
  if (part === undefined) return wholeDay(day, ctx, next);
  return dayPartWindow({ day, part, label: dayPartLabel(day, part, ctx), next: next + 1 }, ctx);
}

function since(point: Point, ctx: TimeContext, next: number): TimeRead {
  if (point.clockOnly && point.instant.getTime() > ctx.now.getTime()) {
    // "since 22:00" asked at 08:00 means last night, not a window that has not started
    const instant = new Date(
      atLocalTime(
        addDays(ctx.today, -1),
        Number(point.short.slice(0, 2)),
        Number(point.short.slice(3)),
        ctx.timeZone,
      ),
    );
    return windowOf(instant, null, `since ${point.short} yesterday`, `since ${point.short} yesterday`, next);
  }
  if (point.day !== null && compareDays(point.day, ctx.today) === 0)
    return windowOf(point.instant, null, 'since 00:00 today', 'today', next);
  return windowOf(point.instant, null, `since ${point.label}`, `since ${point.short}`, next);
}

function startsWith(tokens: readonly Token[], i: number, ...words: string[]): boolean {
  return words.every((w, k) => word(tokens, i + k) === w);
}

/** Reads the time expression that starts with the word `w` at token i; see `readTimeAt`. */
type TimeReader = (tokens: readonly Token[], i: number, ctx: TimeContext, w: string) => TimeRead | null;

/** Prepositions in front of a time: "in the last 3 days", "for today", "over the past week". */
const readAfterPreposition: TimeReader = (tokens, i, ctx) => {
  const j = word(tokens, i + 1) === 'the' ? i + 2 : i + 1;
  const inner = readTimeAt(tokens, j, ctx);
  if (
    inner?.kind === 'window' &&
    !['on', 'in', 'for', 'at', 'within', 'over', 'during'].includes(word(tokens, j) ?? '')
  )
    return inner;
  return inner?.kind === 'error' ? inner : null;
};

/** "next week", "next 3 days": nothing has started there yet; anything else after "next" is read as usual. */
const readNext: TimeReader = (tokens, i, ctx, w) => {
  const what = word(tokens, i + 1);
  const count = readCount(tokens, i + 1, false);
  const unitAt = count === null ? i + 1 : count.next;
  if (
    what !== undefined &&
    (UNIT_WORDS[word(tokens, unitAt) ?? ''] !== undefined ||
      shortForm(what) !== null ||
      what === 'year' ||
      what === 'weekend')
  ) {
    const next = UNIT_WORDS[word(tokens, unitAt) ?? ''] !== undefined ? unitAt + 1 : i + 2;
    return { kind: 'error', error: futureProblem(typedText(tokens, i, next)), next };
  }
  return readCountOrDay(tokens, i, ctx, w);
};

/** "this week", "this month". */
const readThis: TimeReader = (tokens, i, ctx) => {
  const what = word(tokens, i + 1);
  if (what === 'week') {
    const monday = mondayOf(ctx.today);
    return windowOf(
      startOfLocalDay(monday, ctx.timeZone),
      null,
      'this week',
      'this week',
      i + 2,
      `since ${formatDay(monday, 'EEEE d MMM yyyy')} 00:00`,
    );
  }
  if (what === 'weekend') return weekend(ctx, 'this', i + 2, typedText(tokens, i, i + 2));
  if (what === 'month') {
    const first = { ...ctx.today, day: 1 };
    return windowOf(
      startOfLocalDay(first, ctx.timeZone),
      null,
      'this month',
      'this month',
      i + 2,
      `since ${formatDay(first, 'd MMM yyyy')} 00:00`,
    );
  }
  return null;
};

/** "last week" (the calendar week), "past 3 days", "previous Friday", "recent 24h". */
const readLast: TimeReader = (tokens, i, ctx, w) => {
  const next = word(tokens, i + 1);
  if (next === undefined) return null;
  const calendar = w === 'last' || w === 'previous';
  if (next === 'week' && calendar) {
    const monday = mondayOf(ctx.today);
    const start = addDays(monday, -7);
    return windowOf(
      startOfLocalDay(start, ctx.timeZone),
      startOfLocalDay(monday, ctx.timeZone),
      'last week',
      'last week',
      i + 2,
      `${formatDay(start, 'EEEE d MMM')} 00:00 to ${formatDay(monday, 'EEEE d MMM yyyy')} 00:00`,
    );
  }
  if (next === 'month' && calendar) {
    const first = { ...ctx.today, day: 1 };
    const start = addMonths(first, -1);
    return windowOf(
      startOfLocalDay(start, ctx.timeZone),
      startOfLocalDay(first, ctx.timeZone),
      'last month',
      'last month',
      i + 2,
      formatDay(start, 'MMMM yyyy'),
    );
  }
  if (WEEKDAY_WORDS[next] !== undefined && calendar) {
    const day = readDay(tokens, i, ctx);
    if (day !== null && !isError(day)) return dayOrPart(day.day, ctx, tokens, day.next);
  }
  if (next === 'weekend')
    return weekend(ctx, w === 'this' ? 'this' : 'last', i + 2, typedText(tokens, i, i + 2));
  // "past fortnight", "last 2 fortnights": two weeks each
  if (next === 'fortnight') return rolling(2, 'week', ctx, i + 2, typedText(tokens, i, i + 2));
  const unit = UNIT_WORDS[next];
  if (unit !== undefined) return rolling(1, unit, ctx, i + 2, typedText(tokens, i, i + 2));
  const short = shortForm(next);
  if (short !== null) return rolling(short.n, short.unit, ctx, i + 2, typedText(tokens, i, i + 2));
  const count = readCount(tokens, i + 1, false);
  if (count !== null) {
    const unit2 = UNIT_WORDS[word(tokens, count.next) ?? ''];
    if (unit2 !== undefined)
      return rolling(count.value, unit2, ctx, count.next + 1, typedText(tokens, i, count.next + 1));
  }
  return null;
};

/** "since Monday", "since last week", "since 3 hours ago". */
const readSince: TimeReader = (tokens, i, ctx) => {
  if (
    startsWith(tokens, i + 1, 'this', 'week') ||
    startsWith(tokens, i + 1, 'last', 'week') ||
    startsWith(tokens, i + 1, 'this', 'month') ||
    startsWith(tokens, i + 1, 'last', 'month')
  ) {
    const inner = readTimeAt(tokens, i + 1, ctx);
    if (inner?.kind === 'window') {
      const { from, phrase } = inner.window;
      return windowOf(
        from,
        null,
        `since the start of ${phrase}`,
        `since ${phrase}`,
        inner.next,
        `since ${formatIn(from, ctx.timeZone, 'EEEE d MMM yyyy HH:mm')}`,
      );
    }
  }
  const ago = readCount(tokens, i + 1, true);
  const agoUnit = ago === null ? undefined : UNIT_WORDS[word(tokens, ago.next) ?? ''];
  if (ago !== null && agoUnit !== undefined && word(tokens, ago.next + 1) === 'ago') {
    return rolling(ago.value, agoUnit, ctx, ago.next + 2, typedText(tokens, i, ago.next + 2));
  }
  const point = readPoint(tokens, i + 1, ctx);
  if (isError(point)) return { kind: 'error', error: point.error, next: point.next };
  if (point === null) {
    return {
      kind: 'error',
      error: `I could not read a time after "since"; try "since Monday", "since 08:00" or "since 2026-11-20".`,
      next: i + 1,
    };
  }
  return since(point.point, ctx, point.next);
};

/** "between Nov 20 and Nov 22", "from 08:00 to 10:00", "from Monday". */
const readBetween: TimeReader = (tokens, i, ctx, w) => {
  const start = readPoint(tokens, i + 1, ctx, 'look-back');
  if (isError(start)) return { kind: 'error', error: start.error, next: start.next };
  if (start === null && w === 'from') {
    // "from the past 2 weeks", "from last week", "from this month": the time after "from" as it is
    const j = word(tokens, i + 1) === 'the' ? i + 2 : i + 1;
    const inner = readTimeAt(tokens, j, ctx);
    if (inner?.kind === 'window' && !PREPOSITIONS.has(word(tokens, j) ?? '') && word(tokens, j) !== 'from')
      return inner;
    return inner?.kind === 'error' ? inner : null;
  }
  if (start === null) {
    return w === 'between'
      ? {
          kind: 'error',
          error: 'I could not read the start after "between"; try "between Nov 20 and Nov 22".',
          next: i + 1,
        }
      : null;
  }
  const joiner = word(tokens, start.next);
  const joiners = w === 'between' ? ['and', '-'] : ['to', 'until', 'till', 'through', 'and', '-'];
  if (joiner === undefined || !joiners.includes(joiner)) {
    // "failed jobs from yesterday" is yesterday's, not everything since yesterday; "from 08:00" is since 08:00
    if (w === 'from' && start.point.day !== null) {
      const day = readDay(tokens, i + 1, ctx);
      if (day !== null && !isError(day)) return dayOrPart(day.day, ctx, tokens, day.next);
    }
    if (w === 'from') return since(start.point, ctx, start.next);
    return {
      kind: 'error',
      error: 'I could not read the end after "between"; try "between Nov 20 and Nov 22".',
      next: start.next,
    };
  }
  const end = readPoint(tokens, start.next + 1, ctx, 'look-back');
  if (isError(end)) return { kind: 'error', error: end.error, next: end.next };
  if (end === null) {
    return {
      kind: 'error',
      error: `I could not read the end after "${joiner}"; try "${w} Nov 20 and Nov 22".`,
      next: start.next + 1,
    };
  }
  const from = start.point.instant;
  // a whole end day is included: "between Nov 20 and Nov 22" covers the 22nd
  const to =
    end.point.day !== null ? startOfLocalDay(addDays(end.point.day, 1), ctx.timeZone) : end.point.instant;
  const toLabel =
    end.point.day !== null ? `24:00 on ${formatDay(end.point.day, 'EEEE d MMM yyyy')}` : end.point.label;
  if (to.getTime() <= from.getTime()) {
    return {
      kind: 'error',
      error: `The end (${end.point.short}) is not after the start (${start.point.short}); put the earlier time first.`,
      next: end.next,
    };
  }
  const fromLabel =
    start.point.day !== null
      ? `00:00 on ${formatDay(start.point.day, 'EEEE d MMM yyyy')}`
      : start.point.label;
  const shortOf = (point: Point): string =>
    point.day !== null
      ? formatDay(point.day, point.day.year === ctx.today.year ? 'd MMM' : 'd MMM yyyy')
      : point.short;
  return windowOf(
    from,
    to,
    `from ${fromLabel} to ${toLabel}`,
    `between ${shortOf(start.point)} and ${shortOf(end.point)}`,
    end.next,
  );
};

/** "on Nov 20", "on Friday evening". */
const readOn: TimeReader = (tokens, i, ctx) => {
  const day = readDay(tokens, i + 1, ctx);
  if (isError(day)) return { kind: 'error', error: day.error, next: day.next };
  return day === null ? null : dayOrPart(day.day, ctx, tokens, day.next);
};

/** The readers for a time that starts with a word of its own, by that word. */
const LEADING_WORD_READERS: ReadonlyMap<string, TimeReader> = new Map<string, TimeReader>([
  [
    'today',
    (_tokens, i, ctx) =>
      windowOf(startOfLocalDay(ctx.today, ctx.timeZone), null, 'since 00:00 today', 'today', i + 1),
  ],
  ['yesterday', (_tokens, i, ctx) => wholeDay(addDays(ctx.today, -1), ctx, i + 1)],
  ['next', readNext],
  ['this', readThis],
  ['last', readLast],
  ['past', readLast],
  ['previous', readLast],
  ['recent', readLast],
  ['since', readSince],
  ['between', readBetween],
  ['from', readBetween],
  ['on', readOn],
]);

const PREPOSITIONS: ReadonlySet<string> = new Set(['in', 'within', 'over', 'during', 'for', 'at']);

/**
 * "2 days ago" is that calendar day in the asker's zone (as "yesterday" is), not the last 48 hours; hours and
 * minutes ago stay a rolling window.
 */
function daysAgo(n: number, ctx: TimeContext, next: number, typed: string): TimeRead {
  if (n < 1 || n > MAX_COUNT) return rolling(n, 'day', ctx, next, typed);
  const read = wholeDay(addDays(ctx.today, -n), ctx, next);
  if (read.kind !== 'window' || n === 1) return read;
  const { window } = read;
  return { ...read, window: { ...window, explanation: `${typed}, ${window.explanation}` } };
}

/**
 * A month by name: "in November", "November 2025", "in nov". Without a year it is the most recent such month (a
 * month still ahead this year means last year's); the month under way runs up to now.
 */
function readMonth(tokens: readonly Token[], i: number, ctx: TimeContext, month: number): TimeRead | null {
  const year = readYear(tokens, i + 1);
  // "may" alone is too often the verb; it is a month with a year or after a preposition ("in may")
  if (word(tokens, i) === 'may' && year === null && !PREPOSITIONS.has(word(tokens, i - 1) ?? '')) return null;
  const next = year?.next ?? i + 1;
  const typed = typedText(tokens, i, next);
  const y = year?.value ?? (month > ctx.today.month ? ctx.today.year - 1 : ctx.today.year);
  const first: LocalDay = { year: y, month, day: 1 };
  const current = first.year === ctx.today.year && first.month === ctx.today.month;
  if (compareDays(first, ctx.today) > 0) return { kind: 'error', error: futureProblem(typed), next };
  if (y < 1970) return { kind: 'error', error: `"${typed}" reaches back before 1970.`, next };
  const from = startOfLocalDay(first, ctx.timeZone);
  const name = formatDay(first, 'MMMM yyyy');
  return windowOf(
    from,
    current ? null : startOfLocalDay(addMonths(first, 1), ctx.timeZone),
    `in ${name}`,
    `in ${formatDay(first, first.year === ctx.today.year ? 'MMMM' : 'MMMM yyyy')}`,
    next,
    current
      ? `since ${formatDay(first, 'd MMM yyyy')} 00:00`
      : `${formatDay(first, 'd MMM')} 00:00 to ${formatDay(addMonths(first, 1), 'd MMM yyyy')} 00:00`,
  );
}

/** A time with no leading word of its own: "24h ago", "3 hours ago", "24 hours", "Nov 20", "friday". */
const readCountOrDay: TimeReader = (tokens, i, ctx, w) => {
  const short = shortForm(w);
  if (short !== null) {
    const ago = word(tokens, i + 1) === 'ago';
    const next = ago ? i + 2 : i + 1;
    if (ago && short.unit === 'day') return daysAgo(short.n, ctx, next, typedText(tokens, i, next));
    return rolling(short.n, short.unit, ctx, next, typedText(tokens, i, next));
  }
  // "3 hours ago", "an hour ago", "24 hours"
  const count = readCount(tokens, i, true);
  if (count !== null) {
    const unit = UNIT_WORDS[word(tokens, count.next) ?? ''];
    if (unit !== undefined) {
      const ago = word(tokens, count.next + 1) === 'ago';
      if (ago || (w !== 'a' && w !== 'an')) {
        const next = ago ? count.next + 2 : count.next + 1;
        if (ago && unit === 'day') return daysAgo(count.value, ctx, next, typedText(tokens, i, next));
        return rolling(count.value, unit, ctx, next, typedText(tokens, i, next));
      }
    }
  }

  if (w === 'weekend') return weekend(ctx, 'recent', i + 1, typedText(tokens, i, i + 1));
  // "a fortnight ago" is not read; "fortnight" alone is two weeks back
  if (w === 'fortnight') return rolling(2, 'week', ctx, i + 1, typedText(tokens, i, i + 1));
  // a bare day: "failed Nov 20", "failures friday"
  const day = readDay(tokens, i, ctx);
  if (isError(day)) return { kind: 'error', error: day.error, next: day.next };
  if (day !== null) return dayOrPart(day.day, ctx, tokens, day.next);
  const month = MONTH_WORDS[w];
  if (month !== undefined) return readMonth(tokens, i, ctx, month);
  return null;
};

/**
 * Reads a time expression starting at token i. Returns null when the tokens there are not a time (so "on" can
 * still be read as "on <vm>"), or an error when they clearly are one but cannot be read ("since Feb 30").
 * A preposition comes first, then a part of a day ("this morning", "last night"), then the reader for the
 * leading word, then a count or a bare day.
 */
export function readTimeAt(tokens: readonly Token[], i: number, ctx: TimeContext): TimeRead | null {
  const w = word(tokens, i);
  if (w === undefined) return null;
  if (PREPOSITIONS.has(w)) return readAfterPreposition(tokens, i, ctx, w);

  const part = readDayPart(tokens, i, ctx);
  if (isError(part)) return { kind: 'error', error: part.error, next: part.next };
  if (part !== null) return dayPartWindow(part, ctx);

  const reader = LEADING_WORD_READERS.get(w) ?? readCountOrDay;
  return reader(tokens, i, ctx, w);
}

function shortForm(w: string): { n: number; unit: TimeUnit } | null {
  const m = /^(\d{1,9})([a-z]+)$/.exec(w);
  if (!m) return null;
  const letters = m[2] ?? '';
  const unit = SHORT_UNITS[letters] ?? UNIT_WORDS[letters];
  return unit === undefined ? null : { n: Number(m[1]), unit };
}

/**
 * A weekend: Saturday 00:00 to Monday 00:00. 'recent' ("over the weekend") and 'this' on a Saturday or Sunday
 * are the weekend under way (up to now); 'this' on a weekday is the one ahead (refused as in the future);
 * 'last' is the most recent weekend that has ended (on a Saturday or Sunday: the one before).
 */
function weekend(ctx: TimeContext, which: 'this' | 'last' | 'recent', next: number, typed: string): TimeRead {
  const saturday = mostRecentWeekday(ctx.today, 6, false);
  const inWeekend = compareDays(addDays(saturday, 2), ctx.today) > 0;
  let start: LocalDay;
  if (which === 'last') start = inWeekend ? addDays(saturday, -7) : saturday;
  else if (which === 'this' && !inWeekend) return { kind: 'error', error: futureProblem(typed), next };
  else start = saturday;
  const end = addDays(start, 2);
  const current = compareDays(end, ctx.today) > 0;
  const label = current ? 'this weekend' : which === 'last' || !inWeekend ? 'last weekend' : 'the weekend';
  return windowOf(
    startOfLocalDay(start, ctx.timeZone),
    current ? null : startOfLocalDay(end, ctx.timeZone),
    label,
    label,
    next,
    `${formatDay(start, 'EEEE d MMM')} 00:00 to ${formatDay(end, 'EEEE d MMM yyyy')} 00:00`,
  );
}
