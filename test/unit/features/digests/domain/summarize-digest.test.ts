import { describe, expect, it } from 'vitest';
import { toDigestWindow } from '../../../../../src/features/digests/domain/digest-window.js';
import {
  DIGEST_SLICE_ROWS,
  hasDigestProblems,
  summarizeDigest,
  summarizeDigestSteps,
  UNKNOWN_JOB,
} from '../../../../../src/features/digests/domain/summarize-digest.js';
import { taskSession } from '../../../../fakes/task-session.js';

// a daily digest at 08:00 UTC on Tue 10 June 2025: the period is Mon 08:00 to Tue 08:00
const END = new Date('2025-06-10T08:00:00Z');
const window = toDigestWindow('day', END, 'UTC');
const today = (hhmm: string) => `2025-06-09T${hhmm}:00Z`;
const yesterday = (hhmm: string) => `2025-06-08T${hhmm}:00Z`;

describe('summarizeDigest', () => {
  it('counts runs by result and the success rate, warnings counting as replicated', () => {
    const d = summarizeDigest(
      [
        taskSession({ vm: 'a', at: today('10:00') }),
        taskSession({ vm: 'b', at: today('10:00'), result: 'Warning' }),
        taskSession({ vm: 'c', at: today('10:00'), result: 'Failed' }),
        taskSession({ vm: 'd', at: today('10:00'), result: 'Failed' }),
        taskSession({ vm: 'e', at: today('23:00'), result: 'None' }),
      ],
      window,
    );
    expect(d.current.totals).toEqual({ runs: 5, success: 1, warning: 1, failed: 2, running: 1 });
    expect(d.current.successRate).toBe(0.5);
    expect(d.vmCount).toBe(5);
    expect(d.jobCount).toBe(1);
  });

  it('compares with the period before', () => {
    const d = summarizeDigest(
      [
        taskSession({ vm: 'a', at: yesterday('10:00') }),
        taskSession({ vm: 'b', at: yesterday('10:00') }),
        taskSession({ vm: 'a', at: today('10:00') }),
        taskSession({ vm: 'b', at: today('10:00'), result: 'Failed' }),
        taskSession({ vm: 'b', at: today('12:00'), result: 'Failed' }),
      ],
      window,
    );
    expect(d.previous.totals.runs).toBe(2);
    expect(d.previous.successRate).toBe(1);
    expect(d.change).toEqual({ runs: 1, failed: 2, successRatePoints: -66.7 });
  });

  it('leaves out sessions outside the window and counts a repeated UID once', () => {
    const s = taskSession({ vm: 'a', at: today('10:00') });
    const d = summarizeDigest(
      [
        s,
        { ...s },
        taskSession({ vm: 'late', at: '2025-06-10T08:00:00Z' }),
        taskSession({ vm: 'old', at: '2025-05-01T00:00:00Z' }),
      ],
      window,
    );
    expect(d.current.totals.runs).toBe(1);
  });

  it('groups failed VMs with their last reason by job, still failing before fixed', () => {
    const d = summarizeDigest(
      [
        taskSession({ vm: 'web01', job: 'Web', at: today('09:00'), result: 'Failed', reason: 'first' }),
        taskSession({ vm: 'web01', job: 'Web', at: today('11:00'), result: 'Failed', reason: 'Disk full' }),
        taskSession({ vm: 'web02', job: 'Web', at: today('09:00'), result: 'Failed', reason: 'Timeout' }),
        taskSession({ vm: 'web02', job: 'Web', at: today('11:00') }),
        taskSession({ vm: 'db01', job: 'DB', at: today('09:00'), result: 'Failed', reason: 'Snapshot' }),
        taskSession({ vm: 'x', job: null, at: today('09:00'), result: 'Failed' }),
      ],
      window,
    );
    expect(d.failedByJob.map((j) => j.jobName)).toEqual(['Web', 'DB', UNKNOWN_JOB]);
    expect(d.failedByJob[0]!.vms).toMatchObject([
      { vmName: 'web01', failures: 2, lastReason: 'Disk full', recovered: false },
      { vmName: 'web02', failures: 1, lastReason: 'Timeout', recovered: true },
    ]);
    expect(hasDigestProblems(d)).toBe(true);
  });

  it('lists warnings per VM with a count', () => {
    const d = summarizeDigest(
      [
        taskSession({ vm: 'a', at: today('09:00'), result: 'Warning', reason: 'CBT reset' }),
        taskSession({ vm: 'a', at: today('12:00'), result: 'Warning', reason: 'Low space' }),
      ],
      window,
    );
    expect(d.warnings).toMatchObject([{ vmName: 'a', count: 2, lastReason: 'Low space' }]);
    expect(hasDigestProblems(d)).toBe(false);
  });

  it('finds VMs failing several runs in a row, reaching back before the period', () => {
    const d = summarizeDigest(
      [
        taskSession({ vm: 'a', at: '2025-06-05T10:00:00Z' }),
        taskSession({ vm: 'a', at: '2025-06-07T10:00:00Z', result: 'Failed' }),
        taskSession({ vm: 'a', at: yesterday('10:00'), result: 'Failed' }),
        taskSession({ vm: 'a', at: today('10:00'), result: 'Failed', reason: 'Host down' }),
        // only one failure: no streak
        taskSession({ vm: 'b', at: yesterday('10:00') }),
        taskSession({ vm: 'b', at: today('10:00'), result: 'Failed' }),
        // failed before, fine now: no streak
        taskSession({ vm: 'c', at: yesterday('10:00'), result: 'Failed' }),
        taskSession({ vm: 'c', at: today('09:00'), result: 'Failed' }),
        taskSession({ vm: 'c', at: today('10:00') }),
        // every run it has failed
        taskSession({ vm: 'd', at: yesterday('10:00'), result: 'Failed' }),
        taskSession({ vm: 'd', at: today('10:00'), result: 'Failed' }),
      ],
      window,
    );
    expect(d.streaks).toMatchObject([
      {
        vmName: 'a',
        failedRuns: 3,
        since: new Date('2025-06-07T10:00:00Z'),
        lastReason: 'Host down',
        atLeast: false,
      },
      { vmName: 'd', failedRuns: 2, atLeast: true },
    ]);
  });

  it('names VMs replicated the period before with no run in this one', () => {
    const d = summarizeDigest(
      [
        taskSession({ vm: 'quiet', job: 'Web', at: '2025-06-07T10:00:00Z' }),
        taskSession({ vm: 'quiet', job: 'Web', at: yesterday('10:00'), result: 'Warning' }),
        taskSession({ vm: 'busy', job: 'Web', at: yesterday('10:00') }),
        taskSession({ vm: 'busy', job: 'Web', at: today('10:00') }),
        // same VM name in another job still runs: the replica of job Web is the one that stopped
        taskSession({ vm: 'quiet', job: 'DR', at: today('10:00') }),
      ],
      window,
    );
    expect(d.stopped).toEqual([
      { jobName: 'Web', vmName: 'quiet', lastRunAt: new Date(yesterday('10:00')), lastResult: 'Warning' },
    ]);
    expect(hasDigestProblems(d)).toBe(true);
  });

  it('does not call a weekly replica stopped on the days between its runs', () => {
    const d = summarizeDigest(
      [
        taskSession({ vm: 'weekly', at: '2025-06-01T10:00:00Z' }),
        taskSession({ vm: 'weekly', at: yesterday('10:00') }),
      ],
      toDigestWindow('day', END, 'UTC'),
    );
    expect(d.stopped).toEqual([]);
  });

  it('keeps the longest and largest finished runs', () => {
    const d = summarizeDigest(
      [
        taskSession({ vm: 'a', at: today('09:00'), minutes: 10, size: 5 }),
        taskSession({ vm: 'b', at: today('09:00'), minutes: 90, size: 1 }),
        taskSession({ vm: 'c', at: today('09:00'), minutes: 30, size: 900 }),
        taskSession({ vm: 'd', at: today('09:00'), minutes: 1, size: 50 }),
        taskSession({ vm: 'e', at: today('23:00'), result: 'None', size: 0 }),
      ],
      window,
      undefined,
      { topRuns: 2 },
    );
    expect(d.longest.map((r) => [r.vmName, r.durationMs])).toEqual([
      ['b', 90 * 60_000],
      ['c', 30 * 60_000],
    ]);
    expect(d.largest.map((r) => r.vmName)).toEqual(['c', 'd']);
  });

  it('counts results per calendar day in the digest time zone', () => {
    const w = toDigestWindow('day', new Date('2025-06-10T06:00:00Z'), 'Europe/Berlin');
    const d = summarizeDigest(
      [
        // 23:30 UTC on the 8th is 01:30 on the 9th in Berlin
        taskSession({ vm: 'a', at: '2025-06-08T23:30:00Z', result: 'Failed' }),
        taskSession({ vm: 'b', at: '2025-06-08T21:30:00Z', result: 'Warning' }),
        taskSession({ vm: 'c', at: '2025-06-10T05:00:00Z' }),
        taskSession({ vm: 'd', at: '2025-06-10T05:00:00Z', result: 'None' }),
      ],
      w,
    );
    const byDate = Object.fromEntries(
      d.perDay.map((day) => [day.date, [day.success, day.warning, day.failed]]),
    );
    expect(byDate['2025-06-08']).toEqual([0, 1, 0]);
    expect(byDate['2025-06-09']).toEqual([0, 0, 1]);
    expect(byDate['2025-06-10']).toEqual([1, 0, 0]);
    expect(d.perDay).toHaveLength(7);
  });

  it('limits the digest to one job or server, whatever the case the name was typed in', () => {
    const sessions = [
      taskSession({ vm: 'a', job: 'Web tier', server: 'vbr01', at: today('09:00') }),
      taskSession({ vm: 'b', job: 'DB', server: 'vbr01', at: today('09:00') }),
      taskSession({ vm: 'c', job: 'DB', server: 'vbr02', at: today('09:00') }),
    ];
    const byJob = summarizeDigest(sessions, window, {
      jobName: 'web TIER',
      serverName: null,
      failedOnly: false,
    });
    const byServer = summarizeDigest(sessions, window, {
      jobName: null,
      serverName: 'VBR01',
      failedOnly: false,
    });
    expect(byJob.current.totals.runs).toBe(1);
    expect(byServer.current.totals.runs).toBe(2);
  });

  it('says nothing is wrong on an empty period', () => {
    const d = summarizeDigest([], window);
    expect(d.current.successRate).toBeNull();
    expect(d.change.successRatePoints).toBeNull();
    expect(hasDigestProblems(d)).toBe(false);
  });
});

describe('summarizeDigestSteps', () => {
  // a week of runs for 40 VMs, some failing, some repeated, not in creation order
  const weekly = toDigestWindow('week', END, 'UTC');
  function manySessions(): ReturnType<typeof taskSession>[] {
    const sessions: ReturnType<typeof taskSession>[] = [];
    const from = weekly.fetchStart.getTime();
    const span = END.getTime() - from;
    for (let i = 0; i < 12_000; i++) {
      const at = new Date(from + ((i * 7_919) % 12_000) * (span / 12_000)).toISOString();
      const result = i % 17 === 0 ? 'Failed' : i % 11 === 0 ? 'Warning' : 'Success';
      sessions.push(taskSession({ vm: `vm${i % 40}`, at, result }));
    }
    sessions.push({ ...sessions[5]! });
    return sessions;
  }

  it('yields every DIGEST_SLICE_ROWS rows and ends with the digest summarizeDigest computes', () => {
    const sessions = manySessions();
    const steps = summarizeDigestSteps(sessions, weekly);
    let yields = 0;
    let next = steps.next();
    while (!next.done) {
      yields++;
      next = steps.next();
    }
    expect(yields).toBeGreaterThanOrEqual(Math.floor(sessions.length / DIGEST_SLICE_ROWS));
    expect(next.value).toEqual(summarizeDigest(sessions, weekly));
    expect(next.value.current.totals.runs + next.value.previous.totals.runs).toBeGreaterThan(0);
  });

  it('gives the same digest for sessions in creation order and shuffled', () => {
    const sessions = manySessions();
    const sorted = [...sessions].sort((a, b) => a.creationTime.getTime() - b.creationTime.getTime());
    const fromSorted = summarizeDigest(sorted, weekly);
    const fromShuffled = summarizeDigest(sessions, weekly);
    expect(fromShuffled.perDay).toEqual(fromSorted.perDay);
    expect(fromShuffled.streaks).toEqual(fromSorted.streaks);
    expect(fromShuffled.current.totals).toEqual(fromSorted.current.totals);
  });
});
