import type { Command } from 'commander';

/** `replibot digest`: not built yet. */
export function registerDigestCommand(program: Command): void {
  program
    .command('digest')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('replibot digest is not built yet\n');
      process.exitCode = 1;
    });
}
