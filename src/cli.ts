/** Command-line entry: `replibot start | ask | parse | digest | sim`. Each command lives in src/commands/. */
import { Command, CommanderError } from 'commander';
import { registerAskCommand } from './commands/ask.js';
import type { CliIo } from './commands/cli-io.js';
import { registerDigestCommand } from './commands/digest.js';
import { registerParseCommand } from './commands/parse.js';
import { registerSimCommand } from './commands/sim.js';
import { registerStartCommand } from './commands/start.js';
import { isReplibotError } from './core/errors.js';

/** The process's own environment and streams: what `bin/replibot.js` runs with. */
export function processIo(): CliIo {
  return {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    exitCode: 0,
  };
}

export function createProgram(io: CliIo = processIo()): Command {
  const program = new Command('replibot')
    .description('Slack chat-ops bot for Veeam Backup & Replication (Enterprise Manager REST API)')
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  registerStartCommand(program, io);
  registerAskCommand(program, io);
  registerParseCommand(program, io);
  registerDigestCommand(program, io);
  registerSimCommand(program, { write: (text) => void io.stderr.write(text) });
  return program;
}

/**
 * Runs one command line (`argv` as in process.argv: node, script, then the arguments) with the given environment
 * and streams. Resolves with the exit code: the command's, commander's for a bad option, 78 for a configuration
 * error, 1 for another error it can explain.
 */
export async function runCli(argv: string[], io: Omit<CliIo, 'exitCode'> = processIo()): Promise<number> {
  const context: CliIo = { ...io, exitCode: 0 };
  const program = createProgram(context);
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (isReplibotError(error)) {
      context.stderr.write(`replibot: ${error.message}\n${error.hint ? `  ${error.hint}\n` : ''}`);
      return error.code === 'config_invalid' ? 78 : 1;
    }
    throw error;
  }
}

export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runCli(argv);
}
