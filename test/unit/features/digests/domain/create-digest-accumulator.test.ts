import { describe, expect, it } from 'vitest';
import type { ReplicaTaskSession } from '../../../../../src/core/sessions.js';
import {
  createDigestAccumulator,
  type DigestAccumulator,
} from '../../../../../src/features/digests/domain/create-digest-accumulator.js';
import {
  type DigestWindow,
  toDigestWindow,
} from '../../../../../src/features/digests/domain/digest-window.js';
import {
  type Digest,
  type DigestFilters,
  matchesDigestFilters,
  NO_DIGEST_FILTERS,
  summarizeDigest,
} from '../../../../../src/features/digests/domain/summarize-digest.js';
import { taskSession } from '../../../../fakes/task-session.js';

// a weekly digest at 08:00 UTC on Tue 10 June 2025: this week from 3 June, the one before from 27 May
const END = new Date('2025-06-10T08:00:00Z');
const week = toDigestWindow('week', END, 'UTC');
const day = toDigestWindow('day', END, 'UTC');

const byTime = (a: ReplicaTaskSession, b: ReplicaTaskSession) =>
  a.creationTime.getTime() - b.creationTime.getTime();

/** Feeds the accumulator the way collectDigest does, with EM's counts and queries done over the list. */
function accumulate(
  sessions: ReplicaTaskSession[],
  window: DigestWindow,
  filters: DigestFilters = NO_DIGEST_FILTERS,
): { digest: Digest; accumulator: DigestAccumulator } {
  const acc = createDigestAccumulator(window, filters);
  const sorted = [...sessions].sort(byTime);
  const between = (from: Date, to: Date) =>
    sorted.filter((s) => s.creationTime >= from && s.creationTime < to);
  for (const s of between(window.start, window.end)) acc.addCurrent(s);
  for (const s of between(window.previousStart, window.start)) acc.addPrevious(s);
  for (const part of acc.dayCountsNeeded()) {
    for (const result of ['Success', 'Warning', 'Failed'] as const)
      acc.addDayCount(
        part.day,
        result,
        between(part.from, part.to).filter((s) => s.result === result && matchesDigestFilters(s, filters))
          .length,
      );
  }
  const older = between(window.fetchStart, window.previousStart);
  for (const ref of acc.streakHistoryNeeded()) {
    for (const s of [...older].reverse()) if (!acc.addStreakHistory(ref, s)) break;
  }
  for (const ref of acc.stoppedHistoryNeeded()) for (const s of older) acc.addStoppedHistory(ref, s);
  return { digest: acc.finish(), accumulator: acc };
}

const at = (iso: string) => `2025-${iso}:00Z`;

const story = (): ReplicaTaskSession[] => [
  // a VM failing since before the previous week, bounded by a success in May
  taskSession({ vm: 'db01', at: at('05-20T01:00') }),
  ...['05-25T01:00', '05-28T01:00', '06-01T01:00', '06-05T01:00', '06-09T01:00'].map((t) =>
    taskSession({ vm: 'db01', at: at(t), result: 'Failed', reason: `disk full ${t}` }),
  ),
  // the same VM name in another job, recovered
  taskSession({ vm: 'db01', job: 'Other', at: at('06-04T02:00'), result: 'Failed', reason: 'snapshot' }),
  taskSession({ vm: 'db01', job: 'Other', at: at('06-04T03:00'), result: 'Failed', reason: '' }),
  taskSession({ vm: 'db01', job: 'Other', at: at('06-04T05:00'), minutes: 90 }),
  // no job from EM, warnings, a run still going
  taskSession({ vm: 'orphan', job: null, at: at('06-06T10:00'), result: 'Warning', reason: 'tools' }),
  taskSession({ vm: 'orphan', job: null, at: at('06-07T10:00'), result: 'Warning', reason: '' }),
  taskSession({ vm: 'busy', at: at('06-10T07:30'), result: 'None' }),
  // stopped: daily until the previous week; 'monthly' ran once, so its interval is the time since the history
  // starts (more than 1.5 weeks) and it is not expected this week
  ...Array.from({ length: 12 }, (_, i) =>
    taskSession({ vm: 'gone', at: new Date(Date.parse(at('05-20T04:00')) + i * 86_400_000) }),
  ),
  taskSession({ vm: 'monthly', at: at('05-29T04:00'), size: 0 }),
  // large and long ones
  taskSession({ vm: 'big', at: at('06-08T01:00'), size: 900 * 1024 ** 3, minutes: 200 }),
  taskSession({ vm: 'big', at: at('06-08T05:00'), size: 901 * 1024 ** 3, minutes: 10 }),
  taskSession({ vm: 'other server', server: 'vbr02', at: at('06-08T05:00'), result: 'Failed' }),
];

describe('createDigestAccumulator', () => {
  it('gives the figures summarizeDigest gives over every row, weekly and daily', () => {
    for (const window of [week, day]) {
      const sessions = story();
      expect(accumulate(sessions, window).digest).toEqual(summarizeDigest(sessions, window));
    }
  });

  it('gives the same figures with a job or a server filter (case aside)', () => {
    const sessions = story();
    for (const filters of [
      { ...NO_DIGEST_FILTERS, jobName: 'WEB TIER' },
      { ...NO_DIGEST_FILTERS, serverName: 'vbr02' },
    ]) {
      expect(accumulate(sessions, week, filters).digest).toEqual(summarizeDigest(sessions, week, filters));
    }
  });

  it('asks for the history of the streaks that run through both periods, and of the stopped replicas', () => {
    const { accumulator, digest } = accumulate(story(), week);
    // one failure and nothing else seen: it may be the end of a streak that began long ago
    expect(accumulator.streakHistoryNeeded().map((r) => r.vmName)).toEqual(['db01', 'other server']);
    expect(
      accumulator
        .stoppedHistoryNeeded()
        .map((r) => r.vmName)
        .sort(),
    ).toEqual(['gone', 'monthly']);
    expect(digest.streaks[0]).toMatchObject({ vmName: 'db01', failedRuns: 5, atLeast: false });
    expect(digest.stopped.map((s) => s.vmName)).toEqual(['gone']);
  });

  it('stops reading a streak history at its first run that did not fail', () => {
    const acc = createDigestAccumulator(week);
    acc.addCurrent(taskSession({ vm: 'x', at: at('06-05T01:00'), result: 'Failed' }));
    const [ref] = acc.streakHistoryNeeded();
    expect(
      acc.addStreakHistory(ref!, taskSession({ vm: 'x', at: at('05-25T01:00'), result: 'Failed' })),
    ).toBe(true);
    expect(acc.addStreakHistory(ref!, taskSession({ vm: 'x', at: at('05-24T01:00'), result: 'None' }))).toBe(
      true,
    );
    expect(acc.addStreakHistory(ref!, taskSession({ vm: 'x', at: at('05-23T01:00') }))).toBe(false);
    expect(acc.finish().streaks[0]).toMatchObject({ failedRuns: 2, atLeast: false });
  });

  it('refuses a current row after the previous period began', () => {
    const acc = createDigestAccumulator(week);
    acc.addPrevious(taskSession({ vm: 'x', at: at('05-30T01:00') }));
    expect(() => acc.addCurrent(taskSession({ vm: 'x', at: at('06-05T01:00') }))).toThrow(
      /current period comes first/,
    );
  });
});
