/** Where a command reads and writes, and the exit code it asks for: the process's own in `bin/replibot.js`, streams in tests. */
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** set by a command; `runCli` resolves with it (default 0) */
  exitCode: number;
}

/** True when both ends are a terminal (an interactive prompt, colours). */
export function isInteractive(io: Pick<CliIo, 'stdin' | 'stdout'>): boolean {
  // cast: a TTY stream carries isTTY, any other stream lacks it (reads as false)
  return Boolean((io.stdin as { isTTY?: boolean }).isTTY && (io.stdout as { isTTY?: boolean }).isTTY);
}
