import { describe, expect, it } from 'vitest';
import {
  formatReportLag,
  planSweep,
  toClockOffsetMs,
  toEffectiveOverlapMinutes,
  toLateReportWarnings,
  toPruneBefore,
  toReportLagMs,
} from '../../../../../src/features/alerts/domain/plan-reconcile.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

describe('planSweep', () => {
  const base = { now: NOW, intervalMs: HOUR, lookbackMs: DAY };

  it('runs the daily 7-day sweep first on an install that has watched longer than the lookback', () => {
    expect(
      planSweep({ ...base, watchingSince: ago(30 * DAY), lastSweepAt: null, lastDeepSweepAt: null }),
    ).toEqual({
      kind: 'deep',
      from: ago(7 * DAY),
    });
  });

  it('sweeps the lookback once an interval has passed, and not before', () => {
    const input = { ...base, watchingSince: ago(30 * DAY), lastDeepSweepAt: ago(HOUR) };
    expect(planSweep({ ...input, lastSweepAt: ago(HOUR - 1) })).toBeNull();
    expect(planSweep({ ...input, lastSweepAt: ago(HOUR) })).toEqual({ kind: 'reconcile', from: ago(DAY) });
  });

  it('never reads from before replibot started watching', () => {
    expect(
      planSweep({ ...base, watchingSince: ago(2 * HOUR), lastSweepAt: null, lastDeepSweepAt: null }),
    ).toEqual({
      kind: 'reconcile',
      from: ago(2 * HOUR),
    });
  });
});

describe('toPruneBefore', () => {
  it('keeps seen-markers for EM retention plus a day, or the lookback when longer', () => {
    expect(toPruneBefore(NOW, DAY)).toEqual(ago(31 * DAY));
    expect(toPruneBefore(NOW, 40 * DAY)).toEqual(ago(40 * DAY));
  });
});

describe('toReportLagMs', () => {
  it('measures in EM time and is never negative', () => {
    expect(toReportLagMs(ago(2 * HOUR), NOW, 0)).toBe(2 * HOUR);
    // EM 40 minutes behind: its end time reads 40 minutes earlier than it was
    expect(toReportLagMs(ago(50 * 60_000), NOW, -40 * 60_000)).toBe(10 * 60_000);
    expect(toReportLagMs(NOW, ago(1000), 0)).toBe(0);
  });
});

describe('toClockOffsetMs', () => {
  it('reads offsets within the header resolution as 0', () => {
    expect(toClockOffsetMs(null, NOW)).toBeNull();
    expect(toClockOffsetMs(new Date(NOW.getTime() + 1500), NOW)).toBe(0);
    expect(toClockOffsetMs(ago(40 * 60_000), NOW)).toBe(-40 * 60_000);
  });
});

describe('toEffectiveOverlapMinutes', () => {
  it('widens the overlap by how far EM is behind, not ahead', () => {
    expect(toEffectiveOverlapMinutes(30, -40 * 60_000)).toBe(70);
    expect(toEffectiveOverlapMinutes(30, 40 * 60_000)).toBe(30);
    expect(toEffectiveOverlapMinutes(30, null)).toBe(30);
  });
});

describe('toLateReportWarnings', () => {
  it('warns only beyond the overlap', () => {
    expect(
      toLateReportWarnings({ overlapMinutes: 30, clockOffsetMs: -29 * 60_000, largestLagMs: 29 * 60_000 }),
    ).toEqual([]);
    const warnings = toLateReportWarnings({
      overlapMinutes: 30,
      clockOffsetMs: 45 * 60_000,
      largestLagMs: 3 * HOUR,
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("EM's clock is 45 min ahead of replibot's");
    expect(warnings[1]).toContain('EM reported a session 3 h after it ended');
  });
});

describe('formatReportLag', () => {
  it('reads in minutes, hours and days', () => {
    expect(formatReportLag(40 * 60_000)).toBe('40 min');
    expect(formatReportLag(130 * 60_000)).toBe('2 h 10 min');
    expect(formatReportLag(2 * HOUR)).toBe('2 h');
    expect(formatReportLag(DAY + 4 * HOUR)).toBe('1 day 4 h');
    expect(formatReportLag(3 * DAY)).toBe('3 days');
  });
});
