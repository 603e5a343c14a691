import type { Command } from 'commander';
import { startReplibot } from '../main.js';
import { type CliIo, isInteractive } from './cli-io.js';

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
      });
      const onSignal = () => {
        void running.stop();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      await running.done;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
}
