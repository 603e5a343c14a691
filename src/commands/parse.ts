import type { Command } from 'commander';

/** `replibot parse`: not built yet. */
export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('replibot parse is not built yet\n');
      process.exitCode = 1;
    });
}
