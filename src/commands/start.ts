import type { Command } from 'commander';

/** `replibot start`: not built yet. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('replibot start is not built yet\n');
      process.exitCode = 1;
    });
}
