/**
 * `replibot store migrate --from sqlite:./data/replibot.db --to postgres://...`: moves an installation to another
 * database (src/app/copy-store.ts). Prints what it copied per table; the target's password is never printed.
 * Exit codes (README "Exit codes"): 0 copied, 2 a bad option, 78 a database that cannot be opened or a target that
 * already holds data (without --replace).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { copyStore } from '../app/copy-store.js';
import { openReplibotDatabase } from '../app/database.js';
import { errorMessage } from '../core/error-message.js';
import { isReplibotError } from '../core/errors.js';
import type { StoreDatabase } from '../store/open-database.js';
import { toSafeUrl } from '../store/open-postgres.js';
import type { CliIo } from './cli-io.js';
import { EXIT } from './exit-codes.js';

/** `sqlite:path`, a bare path, or a postgres:// URL, as openReplibotDatabase takes it. */
export function toStoreTarget(text: string): string {
  return text.startsWith('sqlite:') ? text.slice('sqlite:'.length) : text;
}

const describeTarget = (target: string): string =>
  /^postgres(ql)?:\/\//.test(target) ? toSafeUrl(target) : `sqlite:${target}`;

export function registerStoreCommand(program: Command, io: CliIo): void {
  const store = program.command('store').description('Work on the store (the database replibot keeps)');
  store
    .command('migrate')
    .description('Copy subscriptions, mutes, digests and alert state from one database to another')
    .requiredOption('--from <db>', 'the source: sqlite:<path> (or a path) or postgres://...')
    .requiredOption('--to <db>', 'the target: postgres://user:password@host:5432/database (or sqlite:<path>)')
    .option('--replace', "delete the target's replibot data first (else a non-empty target is refused)")
    .action(async (options: { from: string; to: string; replace?: boolean }) => {
      const from = toStoreTarget(options.from);
      const to = toStoreTarget(options.to);
      if (from === to) {
        io.stderr.write('replibot store migrate: --from and --to are the same database.\n');
        io.exitCode = EXIT.usage;
        return;
      }
      if (!/^postgres(ql)?:\/\//.test(from) && !existsSync(from)) {
        // opening a missing SQLite file would create an empty one and "copy 0 rows"
        io.stderr.write(`replibot store migrate: --from ${describeTarget(from)} does not exist.\n`);
        io.exitCode = EXIT.config;
        return;
      }
      const opened: StoreDatabase[] = [];
      try {
        const source = await openReplibotDatabase(from);
        opened.push(source);
        const target = await openReplibotDatabase(to);
        opened.push(target);
        const result = await copyStore(source, target, { replace: options.replace === true });
        const total = result.tables.reduce((n, t) => n + t.rows, 0);
        io.stdout.write(
          `Copied ${total} rows from ${describeTarget(from)} to ${describeTarget(to)}:\n${result.tables
            .map((t) => `  ${t.name}: ${t.rows}`)
            .join('\n')}\n`,
        );
      } catch (error) {
        const text = isReplibotError(error)
          ? `${error.message}${error.hint ? ` ${error.hint}` : ''}`
          : (errorMessage(error) ?? String(error));
        io.stderr.write(`replibot store migrate: ${text}\n`);
        io.exitCode = EXIT.config;
      } finally {
        for (const db of opened) await db.close().catch(() => undefined);
      }
    });
}
