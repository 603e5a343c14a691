import { describe, expect, it } from 'vitest';
import { generateData } from '../../../src/simulator/generate-data.js';

describe('the generator at a big estate', () => {
  it('names 25,000 VMs, each once, past the random names it has', () => {
    const data = generateData(5, Date.parse('2026-06-17T12:00:00Z'), {
      jobs: 2_600,
      vmsPerJob: 10,
      taskSessions: 0,
    });
    const names = data.jobs.flatMap((job) => job.vms.map((vm) => vm.lower));
    expect(names.length).toBeGreaterThan(25_000);
    expect(new Set(names).size).toBe(names.length);
  });
});
