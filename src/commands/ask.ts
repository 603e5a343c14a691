import type { Command } from 'commander';

/** `replibot ask`: not built yet. */
export function registerAskCommand(program: Command): void {
  program
    .command('ask')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('replibot ask is not built yet\n');
      process.exitCode = 1;
    });
}
