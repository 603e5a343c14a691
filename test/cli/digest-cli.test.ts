/** `replibot digest` and the terminal chat's `digest` command, against the simulator over HTTP. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDigestCommand } from '../../src/commands/digest.js';
import { startReplibot } from '../../src/main.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { decodePng } from '../fakes/decode-png.js';

const NOW = new Date('2025-03-26T07:00:00Z');

function sink(): Writable & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

let sim: RunningSimulator;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replibot-digest-cli-'));
  sim = await startSimulator({ port: 0, seed: 11, now: () => NOW, data: { taskSessions: 1500 } });
  env = { VEEAM_URL: sim.url, VEEAM_USERNAME: 'replibot', VEEAM_PASSWORD: 'replibot', LOG_LEVEL: 'silent' };
});

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('replibot digest', () => {
  it('--backups prints the backup digest of the same day', async () => {
    const output = sink();
    const code = await runDigestCommand({
      env,
      now: NOW.toISOString(),
      timeZone: 'UTC',
      backups: true,
      output,
      errorOutput: sink(),
    });
    expect(code).toBe(0);
    expect(output.text().split('\n')[0]).toBe('Daily backup digest · Wed 26 Mar');
    expect(output.text()).toMatch(/\d+ VM backups? \(/);
    expect(output.text()).not.toMatch(/replication/i);
  });

  it('prints the day before --now in the given zone, and writes the chart', async () => {
    const output = sink();
    const errorOutput = sink();
    const chart = join(dir, 'day.png');
    const code = await runDigestCommand({
      env,
      now: NOW.toISOString(),
      timeZone: 'Europe/Berlin',
      chart,
      output,
      errorOutput,
    });
    expect(code).toBe(0);
    const text = output.text();
    expect(text.split('\n').slice(0, 2)).toEqual([
      'Daily replication digest · Wed 26 Mar',
      'Tue 25 Mar 08:00 – Wed 26 Mar 08:00 (Europe/Berlin)',
    ]);
    expect(text).toMatch(/\d+ VM replications? \([-+±]\d+ vs \d+ the day before\)/);
    expect(text).toContain('Per day (success / warning / failed)\n  2025-03-20');
    const png = decodePng(readFileSync(chart));
    expect([png.width, png.height]).toEqual([1600, 800]);
    expect(errorOutput.text()).toContain(`chart written to ${chart} (1600×800 PNG)`);
    expect(errorOutput.text()).not.toContain('simulator');
  });

  it('prints JSON with the figures a script needs', async () => {
    const output = sink();
    await runDigestCommand({
      env,
      now: NOW.toISOString(),
      timeZone: 'UTC',
      period: 'week',
      format: 'json',
      output,
      errorOutput: sink(),
    });
    const json = JSON.parse(output.text());
    expect(json.title).toBe('Weekly replication digest · week to Wed 26 Mar');
    expect(json.window).toMatchObject({
      period: 'week',
      start: '2025-03-19T07:00:00.000Z',
      end: '2025-03-26T07:00:00.000Z',
    });
    expect(json.perDay).toHaveLength(30);
    const t = json.current.totals;
    expect(t.runs).toBe(t.success + t.warning + t.failed + t.running);
    expect(t.runs).toBeGreaterThan(100);
  });

  it('prints the Slack message for --format blocks, limited to one job', async () => {
    const output = sink();
    await runDigestCommand({
      env,
      now: NOW.toISOString(),
      timeZone: 'UTC',
      format: 'blocks',
      job: 'Domain Controllers',
      output,
      errorOutput: sink(),
    });
    const message = JSON.parse(output.text());
    expect(message.blocks[0].text.text).toBe('Daily replication digest · Wed 26 Mar');
    const all = JSON.stringify(message.blocks);
    expect(all).toContain('Filters: job \\"Domain Controllers\\"');
    expect(all).not.toContain('apache02');
  });

  it('warns that a server EM does not know keeps the digest empty, with the name it has', async () => {
    const run = async (server: string) => {
      const output = sink();
      await runDigestCommand({
        env,
        now: NOW.toISOString(),
        timeZone: 'UTC',
        server,
        output,
        errorOutput: sink(),
      });
      return output.text();
    };
    const text = await run('srv02');
    expect(text.split('\n').slice(2, 5)).toEqual([
      'Filters: server srv02',
      '',
      'Warning: Enterprise Manager has no backup server named srv02; did you mean srv02.tech.local? This digest will stay empty until the name matches.',
    ]);
    const known = await run('srv02.tech.local');
    expect(known).not.toContain('Enterprise Manager has no');
    expect(known).toMatch(/[1-9]\d* VM replications? /);
  });

  it('uses the built-in simulator when VEEAM_URL is not set, and says so on stderr', async () => {
    const output = sink();
    const errorOutput = sink();
    const code = await runDigestCommand({
      env: { LOG_LEVEL: 'silent' },
      now: NOW.toISOString(),
      timeZone: 'UTC',
      output,
      errorOutput,
    });
    expect(code).toBe(0);
    expect(errorOutput.text()).toContain(
      'VEEAM_URL is not set; the digest comes from the built-in EM simulator',
    );
    expect(output.text()).toMatch(/\d+ VM replications \([-+±]\d+ vs \d+ the day before\) · [\d.]+% ok/);
  });

  it('refuses a --now that is not a date, and a zone that does not exist', async () => {
    await expect(
      runDigestCommand({ env, now: 'yesterday', output: sink(), errorOutput: sink() }),
    ).rejects.toThrow('--now "yesterday" is not an ISO-8601 date-time');
    await expect(
      runDigestCommand({ env, timeZone: 'Mars/Olympus', output: sink(), errorOutput: sink() }),
    ).rejects.toThrow('--tz "Mars/Olympus" is not an IANA time zone');
  });
});

describe('the terminal chat digest command', () => {
  it('prints a digest of the last day', async () => {
    const input = new PassThrough();
    const output = sink();
    const running = await startReplibot({
      env: { ...env, DEFAULT_TIMEZONE: 'UTC', DATABASE_PATH: join(dir, 'shell.db') },
      input,
      output,
      errorOutput: sink(),
      isTTY: false,
      clock: { now: () => NOW },
    });
    input.end('digest weekly job Domain Controllers\n');
    await running.done;
    const text = output.text();
    expect(text).toContain('Weekly replication digest · week to Wed 26 Mar');
    expect(text).toContain('Filters: job "Domain Controllers"');
    expect(text).toMatch(/\d+ VMs in 1 job\n/);
  });
});
