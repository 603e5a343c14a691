/**
 * VEEAM_CONCURRENCY reaches the digest collection (`replibot digest`): at 1 the chart-day counts go one at a time
 * beside the one streamed query, at 4 several are in flight. The simulator counts the requests it holds at once.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDigestCommand } from '../../src/commands/digest.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';

const NOW = new Date('2025-03-26T07:00:00Z');

function sink(): Writable & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

let sim: RunningSimulator;

beforeAll(async () => {
  // every /api answer waits 20 ms, so requests sent side by side are in flight together
  sim = await startSimulator({
    port: 0,
    seed: 11,
    now: () => NOW,
    data: { taskSessions: 1500 },
    faults: { latencyMs: 20 },
  });
});

afterAll(async () => {
  await sim.close();
});

async function digestWith(concurrency: string): Promise<{ text: string; maxInFlight: number }> {
  sim.resetStats();
  const output = sink();
  const code = await runDigestCommand({
    env: {
      VEEAM_URL: sim.url,
      VEEAM_USERNAME: 'replibot',
      VEEAM_PASSWORD: 'replibot',
      VEEAM_CONCURRENCY: concurrency,
      LOG_LEVEL: 'silent',
    },
    now: NOW.toISOString(),
    timeZone: 'UTC',
    period: 'day',
    format: 'json',
    output,
    errorOutput: sink(),
  });
  expect(code).toBe(0);
  return { text: output.text(), maxInFlight: sim.stats.maxInFlight };
}

describe('replibot digest with VEEAM_CONCURRENCY', () => {
  it('sends at most one count beside the streamed query at 1, and more at 4, for the same digest', async () => {
    const one = await digestWith('1');
    const four = await digestWith('4');
    // at 1: one count query at a time, beside the one streamed query (itself one page at a time)
    expect(one.maxInFlight).toBeLessThanOrEqual(2);
    expect(four.maxInFlight).toBeGreaterThan(2);
    expect(four.text).toBe(one.text);
    expect(JSON.parse(one.text).title).toContain('Daily replication digest');
  });
});
