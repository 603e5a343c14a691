import type { Command } from 'commander';

/** `replibot sim`: not built yet. */
export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('replibot sim is not built yet\n');
      process.exitCode = 1;
    });
}
