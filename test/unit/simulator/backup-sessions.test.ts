import { describe, expect, it } from 'vitest';
import { BACKUP_JOB_TYPES } from '../../../src/core/backup-sessions.js';
import { generateBackupData } from '../../../src/simulator/backup-sessions.js';
import { viewJobSession } from '../../../src/simulator/sim-model.js';

const NOW = Date.parse('2026-11-20T10:00:00Z');
const SERVERS = [{ serial: 0, name: 'srv02.tech.local', lower: 'srv02.tech.local' }];

describe('generateBackupData', () => {
  it('is the same for the same seed, sorted and numbered, within its size', () => {
    const a = generateBackupData(7, NOW, SERVERS);
    const b = generateBackupData(7, NOW, SERVERS);
    const shape = (d: typeof a) =>
      d.tasks.map((t) => [t.serial, t.vm.name, t.creation, t.end, t.result, t.jobSession.job.name]);
    expect(shape(a)).toEqual(shape(b));
    expect(a.tasks.length).toBeGreaterThan(500);
    expect(a.tasks.length).toBeLessThanOrEqual(1500);
    expect(a.tasks.every((t, i) => i === 0 || (a.tasks[i - 1]?.creation ?? 0) <= t.creation)).toBe(true);
    expect(a.jobSessions.every((s, i) => s.serial === i)).toBe(true);
    expect(generateBackupData(7, NOW, SERVERS, { taskSessions: 0 }).tasks).toEqual([]);
    expect(generateBackupData(7, NOW, SERVERS, { taskSessions: 100 }).tasks.length).toBeLessThanOrEqual(100);
  });

  it('has sessions of every job type; parents end with their children, and the copy job runs for days', () => {
    const data = generateBackupData(3, NOW, SERVERS);
    expect(new Set(data.jobSessions.map((s) => s.job.jobType))).toEqual(new Set(BACKUP_JOB_TYPES));
    for (const parent of data.jobSessions.filter((s) => s.children !== undefined)) {
      const view = viewJobSession(parent, NOW);
      const children = (parent.children ?? []).map((c) => viewJobSession(c, NOW));
      if (children.some((c) => c.end === null)) expect(view.state).toBe('Working');
      if (view.end !== null)
        expect(children.every((c) => c.end !== null && c.end <= (view.end ?? 0))).toBe(true);
    }
    const copying = data.jobSessions
      .filter((s) => s.job.jobType === 'BackupCopy')
      .map((s) => viewJobSession(s, NOW))
      .filter((v) => v.state === 'Working');
    expect(copying).toHaveLength(1);
    expect(NOW - (copying[0]?.creation ?? NOW)).toBeGreaterThan(3_600_000);
  });
});
