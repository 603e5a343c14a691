/** Command-line entry: `replibot start | ask | parse | digest | sim | store`. Each command lives in src/commands/. */
import { Command, CommanderError } from 'commander';
import { registerAskCommand } from './commands/ask.js';
import type { CliIo } from './commands/cli-io.js';
import { registerDigestCommand } from './commands/digest.js';
import { EXIT, toExitCode } from './commands/exit-codes.js';
import { registerParseCommand } from './commands/parse.js';
import { registerSimCommand } from './commands/sim.js';
import { registerStartCommand } from './commands/start.js';
import { registerStoreCommand } from './commands/store.js';
import { isReplibotError } from './core/errors.js';

/** The process's own environment and streams: what `bin/replibot.js` runs with. */
function processIo(): CliIo {
  return {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    exitCode: 0,
  };
}

function createProgram(io: CliIo = processIo()): Command {
  const program = new Command('replibot')
    .description('Slack chat-ops bot for Veeam Backup & Replication (Enterprise Manager REST API)')
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    // before the commands are added, so they inherit it: their usage errors reach the exit-code table too
    .exitOverride();
  registerStartCommand(program, io);
  registerAskCommand(program, io);
  registerParseCommand(program, io);
  registerDigestCommand(program, io);
  registerStoreCommand(program, io);
  registerSimCommand(program, { write: (text) => void io.stderr.write(text) });
  return program;
}

/**
 * Runs one command line (`argv` as in process.argv: node, script, then the arguments) with the given environment
 * and streams. Resolves with the exit code: the command's, commander's for a bad option, 78 for a configuration
 * error, 69 when EM is unavailable, 2 for a usage error (src/commands/exit-codes.ts, README "Exit codes").
 */
export async function runCli(argv: string[], io: Omit<CliIo, 'exitCode'> = processIo()): Promise<number> {
  const context: CliIo = { ...io, exitCode: 0 };
  const program = createProgram(context);
  try {
    await program.parseAsync(argv);
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end well; an unknown command, option or bad value is a usage error (README: Exit codes)
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isReplibotError(error)) {
      context.stderr.write(`replibot: ${error.message}\n${error.hint ? `  ${error.hint}\n` : ''}`);
      return toExitCode(error.code);
    }
    throw error;
  }
}

export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runCli(argv);
}
