/** The time span a digest covers, in the reader's time zone. Pure: the end is always given. */
import { tz } from '@date-fns/tz';
import { addDays, format, startOfDay, subDays, subWeeks } from 'date-fns';
import { must } from '../../../core/must.js';

const DIGEST_PERIODS = ['day', 'week'] as const;
export type DigestPeriod = (typeof DIGEST_PERIODS)[number];

/** Enterprise Manager keeps about this many days of sessions. */
const EM_RETENTION_DAYS = 30;

/** How many calendar days the chart shows for each period. */
const CHART_DAYS: Record<DigestPeriod, number> = { day: 7, week: 30 };

export interface DigestDaySlot {
  /** 00:00 of that calendar day in the digest's time zone */
  start: Date;
  /** the next day's 00:00, or the digest's end for the last (partial) day */
  end: Date;
  /** `yyyy-MM-dd` in the digest's time zone */
  date: string;
  /**
   * the day is not a whole day of data: cut short by the digest's end (a digest at 08:00 sees 8 hours of its own
   * day), or at the edge of the ~30 days EM keeps (`atRetentionEdge`)
   */
  partial: boolean;
  /** the day begins within a day of EM's 30-day limit, so EM's cleanup has already taken part of it */
  atRetentionEdge: boolean;
}

export interface DigestWindow {
  period: DigestPeriod;
  timeZone: string;
  /** inclusive */
  start: Date;
  /** exclusive; when a scheduled digest fires, this is the scheduled time */
  end: Date;
  /** the period before, same length in calendar terms, for the change figures and stopped replicas */
  previousStart: Date;
  previousEnd: Date;
  /** the calendar days the chart shows, oldest first; the last one ends at `end` */
  chartDays: DigestDaySlot[];
  /** the earliest CreationTime any part of the digest needs */
  fetchStart: Date;
}

/**
 * The window that ends at `end`: a day is the 24 hours (23 or 25 across a DST change) back to the same wall-clock
 * time yesterday, a week back to the same time seven days ago. Consecutive digests scheduled at the same time of day
 * therefore cover every run exactly once, with no gap and no overlap.
 */
export function toDigestWindow(period: DigestPeriod, end: Date, timeZone: string): DigestWindow {
  const zone = tz(timeZone);
  const back = (date: Date): Date =>
    plain(period === 'day' ? subDays(date, 1, { in: zone }) : subWeeks(date, 1, { in: zone }));
  const start = back(end);
  const previousStart = back(start);
  const chartDays: DigestDaySlot[] = [];
  // a digest at exactly midnight covers whole days: its last chart day is the day that just ended
  const lastDay = plain(startOfDay(new Date(end.getTime() - 1), { in: zone }));
  // EM cleans up by the day, so a day that starts less than a day inside its 30 days is already thinned out
  const wholeFrom = plain(subDays(end, EM_RETENTION_DAYS - 1, { in: zone }));
  for (let i = CHART_DAYS[period] - 1; i >= 0; i--) {
    const dayStart = plain(subDays(lastDay, i, { in: zone }));
    const next = plain(addDays(dayStart, 1, { in: zone }));
    const cut = next.getTime() > end.getTime();
    const atRetentionEdge = dayStart.getTime() < wholeFrom.getTime();
    chartDays.push({
      start: dayStart,
      end: cut ? end : next,
      date: format(dayStart, 'yyyy-MM-dd', { in: zone }),
      partial: cut || atRetentionEdge,
      atRetentionEdge,
    });
  }
  const fetchStart = new Date(
    Math.min(
      previousStart.getTime(),
      must(chartDays[0], 'a window has at least one chart day').start.getTime(),
    ),
  );
  return { period, timeZone, start, end, previousStart, previousEnd: start, chartDays, fetchStart };
}

function plain(date: Date): Date {
  return new Date(date.getTime());
}
