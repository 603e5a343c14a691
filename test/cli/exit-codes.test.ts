/**
 * The exit-code table of README "Exit codes", command by command: 0 answered, 2 not understood or a bad option,
 * 69 Enterprise Manager unavailable, 78 bad configuration, 1 any other failure. Codes a command function returns
 * are checked by calling it; codes that only the entry point sets (what a command throws) through the entry point
 * (`runCli`, in this process; test/cli/shell-pipe.test.ts and parse-command.test.ts run the real bin).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsk } from '../../src/commands/ask.js';
import { runDigestCommand } from '../../src/commands/digest.js';
import { EXIT } from '../../src/commands/exit-codes.js';
import { runReplibot } from '../fakes/run-cli.js';

const NOW = '2026-11-23T10:05:00Z';

/** `replibot <args>` as an admin types it, in this process (test/fakes/run-cli.ts: the entry point's own table). */
async function replibot(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string }> {
  const run = await runReplibot(args, { env });
  return { code: run.code, stderr: run.stderr };
}

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

/** An "Enterprise Manager" that refuses every logon: reachable, but it will not answer. */
let refusing: Server;
let refusingEnv: NodeJS.ProcessEnv;
beforeAll(async () => {
  refusing = createServer((_request, response) => {
    response.writeHead(401, { 'content-type': 'application/xml' });
    response.end('<Error Message="Logon failed." StatusCode="401" />');
  });
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  const { port } = refusing.address() as AddressInfo;
  refusingEnv = {
    VEEAM_URL: `http://127.0.0.1:${port}`,
    VEEAM_USERNAME: 'svc-replibot',
    VEEAM_PASSWORD: 'not-the-password',
  };
});
afterAll(() => new Promise<void>((resolve) => refusing.close(() => resolve())));

const BAD_CONFIG = { VEEAM_URL: 'https://em01:9398', VEEAM_USERNAME: 'svc', VEEAM_PASSWORD: 'pw', PORT: 'x' };

describe('replibot ask', () => {
  it('exits 0 for an answer and 2 for a question it cannot read', async () => {
    const common = { env: {}, now: NOW, timeZone: 'UTC', output: sink(), errorOutput: sink() };
    expect(await runAsk({ ...common, question: 'failed replicas this week' })).toBe(EXIT.ok);
    const output = sink();
    expect(await runAsk({ ...common, output, question: 'purple elephants dancing' })).toBe(EXIT.usage);
    expect(output.text()).not.toBe('');
  });

  it('exits 69 when Enterprise Manager refuses, and says so', async () => {
    const output = sink();
    const code = await runAsk({
      env: refusingEnv,
      question: 'failed replicas today',
      now: NOW,
      timeZone: 'UTC',
      output,
      errorOutput: sink(),
    });
    expect(code).toBe(EXIT.unavailable);
    expect(output.text()).toMatch(/refused my logon/);
  });

  it.concurrent('exits 2 for --tz EST, like parse', async () => {
    const run = await replibot(['ask', '--tz', 'EST', 'failed replicas today']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--tz "EST" is not an IANA time zone');
  });

  it.concurrent('exits 78 for a bad configuration', async () => {
    const run = await replibot(['ask', 'failed replicas today'], BAD_CONFIG);
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('PORT');
  });
});

describe('replibot parse', () => {
  it.concurrent('exits 2 for --tz EST and for an unknown option', async () => {
    expect((await replibot(['parse', '--tz', 'EST', 'failed today'])).code).toBe(2);
    expect((await replibot(['parse', '--colour', 'failed today'])).code).toBe(2);
  });
});

describe('replibot digest', () => {
  it('exits 0 for a digest and 69 when Enterprise Manager refuses', async () => {
    const common = { now: NOW, timeZone: 'UTC', output: sink(), errorOutput: sink() };
    expect(await runDigestCommand({ ...common, env: {} })).toBe(EXIT.ok);
    const run = runDigestCommand({ ...common, env: refusingEnv });
    await expect(run).rejects.toMatchObject({ code: 'em_logon_refused' });
  });

  it.concurrent('exits 69 from the command line when Enterprise Manager refuses', async () => {
    const run = await replibot(['digest', '--now', NOW], refusingEnv as Record<string, string>);
    expect(run.code).toBe(69);
    expect(run.stderr).toMatch(/refused the logon/);
  });

  it.concurrent('exits 2 for --tz EST and 78 for a bad configuration', async () => {
    expect((await replibot(['digest', '--tz', 'EST'])).code).toBe(2);
    expect((await replibot(['digest'], BAD_CONFIG)).code).toBe(78);
  });
});

describe('replibot sim and start', () => {
  it.concurrent('exit 2 for a bad option value and 78 for a bad configuration', async () => {
    expect((await replibot(['sim', '--seed', 'many'])).code).toBe(2);
    expect((await replibot(['start'], BAD_CONFIG)).code).toBe(78);
  });

  it.concurrent('exits 2 for an unknown command and 0 for --help', async () => {
    expect((await replibot(['frobnicate'])).code).toBe(2);
    expect((await replibot(['--help'])).code).toBe(0);
  });
});

describe('a database that cannot be opened', () => {
  it('exits 78 and names DATABASE_PATH', async () => {
    const run = await replibot(['start'], { DATABASE_PATH: '/dev/null/replibot.db' });
    expect(run.code).toBe(EXIT.config);
    expect(run.stderr).toContain('DATABASE_PATH');
  });
});
