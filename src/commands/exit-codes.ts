/**
 * The one exit-code table of every `replibot` command (README "Exit codes"). The command functions resolve with
 * one of these; src/cli.ts maps what they throw through `toExitCode`, so the same failure exits the same way in
 * `ask`, `parse`, `digest`, `sim` and `start`.
 */
import type { ErrorCode } from '../core/errors.js';

export const EXIT = {
  /** answered (a query, help, a digest, a clean stop) */
  ok: 0,
  /** any other failure (a file that cannot be written, a bug) */
  failure: 1,
  /** the question was not understood, or an option or argument is not valid */
  usage: 2,
  /** Enterprise Manager could not be reached or refused (EX_UNAVAILABLE) */
  unavailable: 69,
  /** the configuration (environment variables) is not valid (EX_CONFIG) */
  config: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code for a failure with this code. */
export function toExitCode(code: ErrorCode): ExitCode {
  // a database that cannot be opened at start is DATABASE_PATH's problem (unwritable, not a file, damaged)
  if (code === 'config_invalid' || code === 'store_error') return EXIT.config;
  if (code === 'bad_option' || code === 'question_too_long') return EXIT.usage;
  if (code.startsWith('em_')) return EXIT.unavailable;
  return EXIT.failure;
}
