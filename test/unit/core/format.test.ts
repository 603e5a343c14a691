import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatZonedDateTime, plural } from '../../../src/core/format.js';
import { parseDuration } from '../../../src/features/alerts/domain/subscription-filter.js';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [42_000, '42s'],
    [60_000, '1m'],
    [65_000, '1m 05s'],
    [750_000, '12m 30s'],
    [3_600_000, '1h'],
    [3_900_000, '1h 05m'],
    [3_723_000, '1h 02m'],
    [4 * 3_600_000, '4h'],
    [86_400_000, '1d'],
    [(2 * 24 + 3) * 3_600_000 + 59_000, '2d 03h'],
  ])('reads %d ms as "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('reads a negative span (clock skew) as "0s" and a span that is not a number as "?"', () => {
    expect(formatDuration(-5000)).toBe('0s');
    expect(formatDuration(Number.NaN)).toBe('?');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('?');
  });

  it('writes a mute length that /replicas mute reads back', () => {
    for (const text of ['4h', '90m', '1h30m', '2 days', '1d2h']) {
      const ms = parseDuration(text)!;
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});

describe('formatBytes', () => {
  it('uses binary multiples with one decimal under 100', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(150 * 1024 ** 3)).toBe('150 GB');
    expect(formatBytes(2.25 * 1024 ** 4)).toBe('2.3 TB');
  });

  it('reads a size that is not a count of bytes as "?"', () => {
    expect(formatBytes(-1)).toBe('?');
    expect(formatBytes(Number.NaN)).toBe('?');
  });
});

describe('plural', () => {
  it.each([
    [0, 'warning', '0 warnings'],
    [1, 'warning', '1 warning'],
    [2, 'VM', '2 VMs'],
    [1200, 'job run', '1,200 job runs'],
  ])('counts %d %s as "%s"', (n, noun, text) => {
    expect(plural(n, noun)).toBe(text);
  });
});

describe('formatZonedDateTime', () => {
  it('shows the time in the zone and says which zone, by its common name or its offset', () => {
    const summer = new Date('2026-07-01T17:22:00Z');
    expect(formatZonedDateTime(summer, 'Europe/Berlin')).toBe('2026-07-01 19:22 CEST');
    expect(formatZonedDateTime(new Date('2026-01-01T17:22:00Z'), 'Europe/Berlin')).toBe(
      '2026-01-01 18:22 CET',
    );
    expect(formatZonedDateTime(summer, 'UTC')).toBe('2026-07-01 17:22 UTC');
    expect(formatZonedDateTime(summer, 'America/New_York')).toBe('2026-07-01 13:22 EDT');
    expect(formatZonedDateTime(summer, 'Asia/Kolkata')).toBe('2026-07-01 22:52 GMT+5:30');
  });
});
