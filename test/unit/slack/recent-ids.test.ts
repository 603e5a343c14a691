import { describe, expect, it } from 'vitest';
import { createRecentIds } from '../../../src/slack/recent-ids.js';

function testClock() {
  let ms = Date.parse('2026-11-23T12:00:00Z');
  return { now: () => new Date(ms), advance: (by: number) => (ms += by) };
}

describe('createRecentIds', () => {
  it('says true the first time and false for a repeat within the window', () => {
    const clock = testClock();
    const ids = createRecentIds({ max: 10, ttlMs: 60_000, clock });
    expect(ids.remember('Ev1')).toBe(true);
    expect(ids.remember('Ev1')).toBe(false);
    clock.advance(59_999);
    expect(ids.remember('Ev1')).toBe(false);
  });

  it('forgets an id once its window has passed', () => {
    const clock = testClock();
    const ids = createRecentIds({ max: 10, ttlMs: 60_000, clock });
    ids.remember('Ev1');
    clock.advance(60_000);
    expect(ids.remember('Ev1')).toBe(true);
    expect(ids.size).toBe(1);
  });

  it('keeps at most max ids, dropping the oldest first', () => {
    const clock = testClock();
    const ids = createRecentIds({ max: 3, ttlMs: 60_000, clock });
    for (const id of ['a', 'b', 'c', 'd']) ids.remember(id);
    expect(ids.size).toBe(3);
    expect(ids.remember('b')).toBe(false);
    expect(ids.remember('a')).toBe(true);
  });

  it('stays bounded under 20 000 distinct ids', () => {
    const clock = testClock();
    const ids = createRecentIds({ max: 10_000, ttlMs: 3_600_000, clock });
    for (let i = 0; i < 20_000; i += 1) ids.remember(`Ev${i}`);
    expect(ids.size).toBe(10_000);
  });
});
