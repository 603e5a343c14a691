/**
 * `replibot sim` in-process: the real commander program and action, the real simulator it starts, queried over
 * HTTP by the real EM client while the command runs; the test says when it stops instead of Ctrl-C.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerSimCommand } from '../../src/commands/sim.js';
import { loadConfig } from '../../src/config.js';
import { eq } from '../../src/core/filter.js';
import { silentLogger } from '../../src/logger.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { createEmClient } from '../../src/veeam/em-client.js';

function simProgram(untilStopped: (sim: RunningSimulator) => Promise<void>) {
  let written = '';
  let errors = '';
  const program = new Command().exitOverride().configureOutput({
    writeErr: (text) => {
      errors += text;
    },
    writeOut: () => undefined,
  });
  registerSimCommand(program, {
    write: (text) => {
      written += text;
    },
    untilStopped,
  });
  return {
    run: (...args: string[]) => program.parseAsync(['node', 'replibot', 'sim', ...args]),
    written: () => written,
    errors: () => errors,
  };
}

describe('registerSimCommand', () => {
  it('serves the generated history over HTTP until it is stopped, then closes the port', async () => {
    let url = '';
    const results: string[] = [];
    const cli = simProgram(async (sim) => {
      url = sim.url;
      const config = loadConfig({ VEEAM_URL: sim.url, VEEAM_USERNAME: 'ops', VEEAM_PASSWORD: 'it is me' });
      const em = createEmClient({ ...config.veeam!, logger: silentLogger });
      try {
        for await (const s of em.queryTaskSessions({ filter: eq('State', 'Completed') }))
          results.push(s.result);
        expect(sim.counts().taskSessions).toBe(40);
      } finally {
        await em.close();
      }
    });
    await cli.run(
      '--port',
      '0',
      '--sessions',
      '40',
      '--failure-rate',
      '0',
      '--warning-rate',
      '0',
      '--username',
      'ops',
      '--password',
      'it is me',
    );
    // --failure-rate 0 --warning-rate 0: every completed task succeeded
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results)).toEqual(new Set(['Success']));
    expect(cli.written()).toContain(
      `EM simulator listening on ${url}/api/ (seed 1, 40 task sessions over 30 days`,
    );
    // the printed commands quote the password for a POSIX shell
    expect(cli.written()).toContain(`-u 'ops:it is me'`);
    expect(cli.written()).toContain(`VEEAM_URL=${url} VEEAM_USERNAME='ops' VEEAM_PASSWORD='it is me'`);
    expect(cli.written().endsWith('EM simulator stopped.\n')).toBe(true);
    await expect(fetch(`${url}/api/`)).rejects.toThrow();
  });

  it('writes the self-signed certificate with --tls and names it as VEEAM_CA_FILE', async () => {
    let caFile = '';
    const cli = simProgram(async (sim) => {
      caFile = cli.written().match(/certificate is in (\S+) \(use it as VEEAM_CA_FILE\)/)?.[1] ?? '';
      expect(sim.url.startsWith('https://')).toBe(true);
    });
    await cli.run('--port', '0', '--tls', '--sessions', '0');
    try {
      expect(existsSync(caFile)).toBe(true);
      expect(readFileSync(caFile, 'utf8')).toContain('BEGIN CERTIFICATE');
      expect(cli.written()).toContain(`--cacert '${caFile}'`);
    } finally {
      rmSync(caFile, { force: true });
    }
  });

  it('refuses an out-of-range option with the rule, and starts nothing', async () => {
    let started = false;
    const cli = simProgram(async () => {
      started = true;
    });
    await expect(cli.run('--error-rate', '2')).rejects.toThrow();
    expect(cli.errors()).toContain('--error-rate must be from 0 to 1.');
    await expect(cli.run('--sessions', '-5')).rejects.toThrow();
    expect(cli.errors()).toContain('--sessions must be a whole number from 0 to 5000000.');
    expect(started).toBe(false);
    expect(cli.written()).toBe('');
  });
});
