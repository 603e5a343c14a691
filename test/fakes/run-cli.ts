/**
 * Runs replibot's command line as an admin would type it, with a clean environment plus the given variables:
 * in this process through `runCli` (fast, for every case), or as the real `node bin/replibot.js` child process
 * (for the few smoke tests that prove the bin works end to end).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = fileURLToPath(new URL('../../bin/replibot.js', import.meta.url));

/** What a clean shell gives a command: PATH and HOME, nothing of this test process's environment. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env };
}

function collect(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** `replibot <args>` in this process, `input` on its stdin (then end of input). */
export async function runReplibot(
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const stdin = new PassThrough();
  stdin.end(options.input ?? '');
  const stdout = collect();
  const stderr = collect();
  const code = await runCli(['node', BIN, ...args], {
    env: cleanEnv(options.env ?? {}),
    stdin,
    stdout: stdout.stream,
    stderr: stderr.stream,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** `node bin/replibot.js <args>` as a child process, `input` on its stdin. */
export function spawnReplibot(
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: cleanEnv(options.env ?? {}),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    // a signal leaves code null: report it as a failure the assertions can see
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export interface ReplibotProcess {
  child: ChildProcess;
  /** everything written to stderr so far (the JSON log lines in Slack mode) */
  stderr(): string;
  /** resolves once the child wants `pattern` in its stderr (bounded), with the matching line */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node bin/replibot.js <args>` left running (a server), stdin kept open; the test signals and awaits it. */
export function startReplibotProcess(args: string[], env: Record<string, string>): ReplibotProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cleanEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stderr: () => stderr,
    async waitForLog(pattern, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const line = stderr.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) return line;
        if (child.exitCode !== null || Date.now() > until)
          throw new Error(`no log line matching ${pattern}; stderr so far:\n${stderr.slice(-4000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    exited,
  };
}
