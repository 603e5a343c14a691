/**
 * The no-Slack demo end to end: `startReplibot` with a clean environment runs the built-in simulator and the
 * terminal chat; `fail <vm>` makes a replication fail in the simulator and the real alert poller prints the alert
 * into the chat.
 */
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningReplibot, startReplibot } from '../../src/main.js';
import { startSimulator } from '../../src/simulator/index.js';
import { waitFor } from '../fakes/wait-for.js';

function collect(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

let running: RunningReplibot | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('the terminal demo', () => {
  it('prints a failure alert after "fail <vm>"', async () => {
    const input = new PassThrough();
    const output = collect();
    running = await startReplibot({
      env: { POLL_INTERVAL_SECONDS: '1', DEFAULT_TIMEZONE: 'UTC' },
      input,
      output: output.stream,
      errorOutput: collect().stream,
      isTTY: false,
    });
    expect(running.simulatorUrl).toBeDefined();
    input.write('fail ubuntu88\n');
    await waitFor(
      () => output.text().includes('The simulator now has a failed replica of ubuntu88'),
      'the answer to "fail ubuntu88"',
      { timeoutMs: 20_000 },
    );
    await waitFor(() => /Replication job .+: 1 VM failed/.test(output.text()), 'the alert', {
      timeoutMs: 20_000,
    });
    const alert = output.text().slice(output.text().indexOf('The simulator now has'));
    expect(alert).toContain('ubuntu88: Processing ubuntu88 Error: Failed to create VM snapshot');
    expect(alert).toContain('Replication Job 1');
  });

  it('has no fail command against a real Enterprise Manager', async () => {
    const sim = await startSimulator({ data: { taskSessions: 100 } });
    try {
      const input = new PassThrough();
      const output = collect();
      running = await startReplibot({
        env: {
          VEEAM_URL: sim.url,
          VEEAM_USERNAME: 'replibot',
          VEEAM_PASSWORD: 'replibot',
          DEFAULT_TIMEZONE: 'UTC',
          DATABASE_PATH: ':memory:',
        },
        input,
        output: output.stream,
        errorOutput: collect().stream,
        isTTY: false,
      });
      expect(running.simulatorUrl).toBeUndefined();
      input.end('help\nfail apache02\n');
      await running.done;
      expect(output.text()).toContain('details <n>');
      expect(output.text()).not.toContain('fail <vm>');
      expect(output.text()).not.toContain('The simulator now has');
    } finally {
      await running?.stop();
      await sim.close();
    }
  });
});
