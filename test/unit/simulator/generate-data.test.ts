import { describe, expect, it } from 'vitest';
import { generateData } from '../../../src/simulator/generate-data.js';
import { fromGuid, toGuid, viewJobSession, viewTask } from '../../../src/simulator/sim-model.js';

const NOW = Date.parse('2026-06-17T12:00:00Z');
const DAY = 86_400_000;

describe('generateData', () => {
  it('generates exactly the number of task sessions asked for, sorted by creation, within the days asked for', () => {
    for (const count of [1, 57, 3000]) {
      const data = generateData(1, NOW, { taskSessions: count, days: 10 });
      expect(data.tasks).toHaveLength(count);
      const times = data.tasks.map((t) => t.creation);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(times[0]!).toBeGreaterThanOrEqual(NOW - 10 * DAY);
      expect(times.at(-1)!).toBeLessThan(NOW);
      const sessions = new Set(data.tasks.map((t) => t.jobSession));
      expect(data.jobSessions).toHaveLength(sessions.size);
    }
  });

  it('gives an empty history for taskSessions 0', () => {
    const data = generateData(1, NOW, { taskSessions: 0 });
    expect(data.tasks).toEqual([]);
    expect(data.jobSessions).toEqual([]);
    expect(data.jobs.length).toBeGreaterThan(0);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const summary = (seed: number) =>
      generateData(seed, NOW, { taskSessions: 500 }).tasks.map(
        (t) => `${t.vm.name}|${t.creation}|${t.result}|${t.reason}`,
      );
    expect(summary(4)).toEqual(summary(4));
    expect(summary(4)).not.toEqual(summary(5));
  });

  it('retries failed runs with IsRetry, and the retries fix some VMs but not all', () => {
    const data = generateData(1, NOW, { taskSessions: 3000 });
    const retries = data.jobSessions.filter((s) => s.isRetry);
    expect(retries.length).toBeGreaterThan(0);
    const results = retries.flatMap((s) => s.tasks.map((t) => t.result));
    expect(results).toContain('Success');
    expect(results).toContain('Failed');
  });

  it('leaves some runs in progress at "now" and finishes them as time passes', () => {
    const data = generateData(1, NOW, { taskSessions: 3000, running: 2 });
    const running = data.tasks.filter((t) => viewTask(t, NOW).state === 'InProgress');
    expect(running.length).toBeGreaterThan(0);
    expect(running.every((t) => viewTask(t, NOW).end === null && viewTask(t, NOW).result === 'None')).toBe(
      true,
    );
    const working = data.jobSessions.filter((s) => viewJobSession(s, NOW).state === 'Working');
    expect(working.length).toBeGreaterThanOrEqual(2);
    const later = NOW + DAY;
    expect(running.every((t) => viewTask(t, later).state === 'Completed')).toBe(true);
    expect(working.every((s) => viewJobSession(s, later).state === 'Stopped')).toBe(true);
  });

  it('scales the number of jobs so a million sessions need no more than hourly runs', () => {
    const data = generateData(1, NOW, { taskSessions: 200_000, days: 30 });
    const runsPerJob = data.jobSessions.filter((s) => !s.isRetry).length / data.jobs.length;
    expect(runsPerJob).toBeLessThanOrEqual(30 * 24 + 1);
  });
});

describe('toGuid', () => {
  it('makes ids that look like GUIDs and lead back to their serial for the same seed and kind only', () => {
    for (const serial of [0, 1, 2, 999_999, 2 ** 32 - 1]) {
      const id = toGuid(9, 'task', serial);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(fromGuid(9, 'task', id)).toBe(serial);
      expect(fromGuid(9, 'task', id.toUpperCase())).toBe(serial);
      expect(fromGuid(8, 'task', id)).toBeNull();
      expect(fromGuid(9, 'jobSession', id)).toBeNull();
    }
    expect(new Set([0, 1, 2, 3].map((n) => toGuid(9, 'task', n).slice(24))).size).toBe(4);
  });
});
