/** Command-line entry: `replibot start | ask | parse | digest | sim`. Each command lives in src/commands/. */
import { Command, CommanderError } from 'commander';
import { registerAskCommand } from './commands/ask.js';
import { registerDigestCommand } from './commands/digest.js';
import { EXIT, toExitCode } from './commands/exit-codes.js';
import { registerParseCommand } from './commands/parse.js';
import { registerSimCommand } from './commands/sim.js';
import { registerStartCommand } from './commands/start.js';
import { isReplibotError } from './core/errors.js';

function createProgram(): Command {
  const program = new Command('replibot')
    .description('Slack chat-ops bot for Veeam Backup & Replication (Enterprise Manager REST API)')
    .version('0.1.0')
    .showHelpAfterError()
    // before the commands are added, so they inherit it: their usage errors reach main's exit-code table too
    .exitOverride();
  registerStartCommand(program);
  registerAskCommand(program);
  registerParseCommand(program);
  registerDigestCommand(program);
  registerSimCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end well; an unknown command, option or bad value is a usage error (README: Exit codes)
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (isReplibotError(error)) {
      process.stderr.write(`replibot: ${error.message}\n${error.hint ? `  ${error.hint}\n` : ''}`);
      process.exitCode = toExitCode(error.code);
      return;
    }
    throw error;
  }
}
