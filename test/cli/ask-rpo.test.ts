import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { runReplibot } from '../fakes/run-cli.js';

const NOW = '2026-06-17T12:00:00Z';
let now = Date.parse(NOW);
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 4, now: () => new Date(now), data: { taskSessions: 1500 } });
});
afterAll(() => sim?.close());

describe('replibot ask: the RPO questions', () => {
  const env = () => ({ VEEAM_URL: sim.url, VEEAM_USERNAME: 'replibot', VEEAM_PASSWORD: 'replibot' });

  it('answers from EM alone, in text and JSON', async () => {
    const yes = await runReplibot(['ask', '--now', NOW, 'is apache03 protected'], { env: env() });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toContain('Yes: the replica of apache03 is within its RPO');
    // two days on, with no run since: outside
    now += 2 * 86_400_000;
    const later = new Date(now).toISOString();
    const no = await runReplibot(
      ['ask', '--now', later, '--format', 'json', 'how old is the replica of apache03'],
      {
        env: env(),
      },
    );
    expect(no.code).toBe(0);
    expect(JSON.parse(no.stdout)).toEqual({
      notice: { title: expect.stringMatching(/^The replica of apache03 is 2d/), lines: expect.any(Array) },
    });
    const unknown = await runReplibot(['ask', '--now', later, 'is apache3 protected'], { env: env() });
    expect(unknown.stdout).toContain('Did you mean apache03');
  });
});
