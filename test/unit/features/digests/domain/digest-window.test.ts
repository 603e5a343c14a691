import { describe, expect, it } from 'vitest';
import { toDigestWindow } from '../../../../../src/features/digests/domain/digest-window.js';

describe('toDigestWindow', () => {
  it('covers the 24 hours back to the same time yesterday for a daily digest', () => {
    const w = toDigestWindow('day', new Date('2025-06-10T06:00:00Z'), 'Europe/Berlin');
    expect(w.start.toISOString()).toBe('2025-06-09T06:00:00.000Z');
    expect(w.previousStart.toISOString()).toBe('2025-06-08T06:00:00.000Z');
    expect(w.previousEnd).toEqual(w.start);
  });

  it('keeps 08:00 local across the spring DST change, giving a 23-hour day', () => {
    // Berlin moved from +01:00 to +02:00 on Sunday 30 March 2025
    const w = toDigestWindow('day', new Date('2025-03-30T06:00:00Z'), 'Europe/Berlin');
    expect(w.start.toISOString()).toBe('2025-03-29T07:00:00.000Z');
    expect(w.end.getTime() - w.start.getTime()).toBe(23 * 3600_000);
  });

  it('covers seven calendar days for a weekly digest across the autumn DST change in New York', () => {
    // New York moved from -04:00 to -05:00 on Sunday 2 November 2025
    const w = toDigestWindow('week', new Date('2025-11-03T13:00:00Z'), 'America/New_York');
    expect(w.start.toISOString()).toBe('2025-10-27T12:00:00.000Z');
    expect(w.end.getTime() - w.start.getTime()).toBe((7 * 24 + 1) * 3600_000);
  });

  it('shows 7 chart days for a daily digest and 30 for a weekly one, the last ending at the digest time', () => {
    const end = new Date('2025-06-10T06:00:00Z');
    const day = toDigestWindow('day', end, 'Europe/Berlin');
    const week = toDigestWindow('week', end, 'Europe/Berlin');
    expect(day.chartDays.map((d) => d.date)).toEqual([
      '2025-06-04',
      '2025-06-05',
      '2025-06-06',
      '2025-06-07',
      '2025-06-08',
      '2025-06-09',
      '2025-06-10',
    ]);
    expect(day.chartDays[0]!.start.toISOString()).toBe('2025-06-03T22:00:00.000Z');
    expect(day.chartDays.at(-1)!.end).toEqual(end);
    expect(day.chartDays.map((d) => d.partial)).toEqual([false, false, false, false, false, false, true]);
    expect(week.chartDays).toHaveLength(30);
    expect(week.chartDays[0]!.date).toBe('2025-05-12');
    expect(week.fetchStart).toEqual(week.chartDays[0]!.start);
  });

  it('ends the chart with the day that just ended when the digest runs at midnight', () => {
    const w = toDigestWindow('day', new Date('2025-06-10T00:00:00Z'), 'UTC');
    expect(w.chartDays.at(-1)!.date).toBe('2025-06-09');
    expect(w.chartDays.at(-1)!.end.toISOString()).toBe('2025-06-10T00:00:00.000Z');
    expect(w.chartDays.at(-1)!.partial).toBe(false);
  });
});
