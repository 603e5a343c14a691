import { describe, expect, it } from 'vitest';
import { runInSlices, runToEnd } from '../../../src/core/slices.js';

function* countTo(n: number, events: string[]): Generator<void, number, void> {
  let sum = 0;
  for (let i = 1; i <= n; i++) {
    sum += i;
    events.push(`row ${i}`);
    yield;
  }
  return sum;
}

describe('runToEnd', () => {
  it('returns what the steps return', () => {
    expect(runToEnd(countTo(4, []))).toBe(10);
  });
});

describe('runInSlices', () => {
  it('pauses between slices and returns what the steps return', async () => {
    const events: string[] = [];
    const sum = await runInSlices(countTo(3, events), async () => {
      events.push('pause');
    });
    expect(sum).toBe(6);
    expect(events).toEqual(['row 1', 'pause', 'row 2', 'pause', 'row 3', 'pause']);
  });
});
