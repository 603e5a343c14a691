import type { Command } from 'commander';
import { startReplibot } from '../main.js';
import { createMetrics } from '../metrics.js';
import { type CliIo, isInteractive } from './cli-io.js';

/**
 * SIGTERM or SIGINT: replibot stops in order (src/main.ts stop: the lease released with the poller, outbox and
 * digests stopped, the front door closed, EM logged off, the database closed) and exits 0. If that takes longer
 * than this, it exits 1 anyway; Kubernetes' default grace period (30 s) is longer, so the pod is not killed
 * before. A second signal exits at once.
 */
export const SHUTDOWN_TIMEOUT_MS = 25_000;

/** `replibot start`: the Slack app when SLACK_BOT_TOKEN is set, else a chat in this terminal. */
export function registerStartCommand(program: Command, io: CliIo): void {
  program
    .command('start')
    .description(
      'Start replibot: the Slack app when SLACK_BOT_TOKEN is set, else a chat in this terminal ' +
        '(with the built-in EM simulator when VEEAM_URL is not set)',
    )
    .action(async () => {
      const running = await startReplibot({
        env: io.env,
        input: io.stdin,
        output: io.stdout,
        errorOutput: io.stderr,
        isTTY: isInteractive(io),
        // CPU, memory, event loop lag and GC on /metrics: once per process, so here and not in tests
        metrics: createMetrics({ processMetrics: true }),
      });
      let signalled: NodeJS.Signals | undefined;
      const onSignal = (signal: NodeJS.Signals) => {
        if (signalled !== undefined) {
          io.stderr.write(`replibot: ${signal} again, exiting without finishing the shutdown\n`);
          process.exit(1);
        }
        signalled = signal;
        const deadline = setTimeout(() => {
          io.stderr.write(
            `replibot: shutdown took longer than ${SHUTDOWN_TIMEOUT_MS / 1000} s after ${signal}; exiting\n`,
          );
          process.exit(1);
        }, SHUTDOWN_TIMEOUT_MS);
        void running.stop().finally(() => clearTimeout(deadline));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      await running.done;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (signalled !== undefined) {
        // everything is closed; a socket some library keeps open must not hold the exit up
        setTimeout(() => process.exit(), 1_000).unref();
      }
    });
}
