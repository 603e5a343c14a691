/**
 * Runs replibot's command line as an admin would type it, with a clean environment plus the given variables:
 * in this process through `runCli` (fast, for every case), or as the real `node bin/replibot.js` child process
 * (for the few smoke tests that prove the bin works end to end).
 */
import { spawn } from 'node:child_process';
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
