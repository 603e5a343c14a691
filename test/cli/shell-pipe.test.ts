/** The terminal mode and `replibot ask`, run as the real command line with a clean environment. */
import { describe, expect, it } from 'vitest';
import { findBlockKitViolations } from '../../src/slack/limits.js';
import { runReplibot, spawnReplibot } from '../fakes/run-cli.js';

/** `replibot <args>` in this process, `input` piped to it. */
function run(args: string[], input = '', env: Record<string, string> = {}) {
  return runReplibot(args, { input, env });
}

describe('replibot start without Slack tokens', () => {
  // once as the real `node bin/replibot.js` child process with a real pipe, to prove the bin end to end
  it.each([
    ['in process', runReplibot],
    ['as node bin/replibot.js', spawnReplibot],
  ])(
    'answers each piped question from the built-in simulator and exits at end of input (%s)',
    async (_how, start) => {
      const { code, stdout, stderr } = await start(['start'], {
        input: 'replicas failed today for apache02\nfailed replicas last 7 days\nmore\ndetails 1\nblorp\n',
        env: { DEFAULT_TIMEZONE: 'Europe/Berlin' },
      });
      expect(code).toBe(0);
      const lines = stdout.split('\n');
      expect(lines[0]).toMatch(
        /^replibot: no VEEAM_URL set, so the built-in Enterprise Manager simulator is answering/,
      );
      expect(stdout).toContain('> replicas failed today for apache02');
      expect(stdout).toMatch(/Failed replicas for apache02 today\n/);
      expect(stdout).toMatch(/Failed replicas in the last 7 days\n.*\n\d+ sessions {2}✖ \d+ failed/);
      expect(stdout).toMatch(/Showing 26–\d+ of \d+/);
      expect(stdout).toMatch(/Job run: /);
      expect(stdout).toContain('Try for example:');
      // piped output is plain text: no colour codes, no JSON log lines in the chat
      expect(stdout).not.toContain('\x1b[');
      expect(stdout).not.toContain('{"level"');
      expect(stderr).not.toMatch(/"level":30/);
    },
  );

  it('exits on "exit" without reading the rest', async () => {
    const { code, stdout } = await run(['start'], 'exit\nfailed replicas last 7 days\n');
    expect(code).toBe(0);
    expect(stdout).not.toContain('Failed replicas in the last 7 days');
  });
});

describe('replibot ask', () => {
  it('prints every matching session from every page as JSON', async () => {
    const { code, stdout, stderr } = await run([
      'ask',
      'replicas last 30 days',
      '--format',
      'json',
      '--tz',
      'UTC',
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain('answering from the built-in EM simulator');
    const doc = JSON.parse(stdout) as {
      query: { type: string; filter: string };
      total: number;
      sessions: Array<Record<string, unknown>>;
    };
    expect(doc.query.type).toBe('ReplicaTaskSession');
    expect(doc.query.filter).toMatch(/^CreationTime>="/);
    expect(doc.total).toBeGreaterThan(500);
    expect(doc.sessions).toHaveLength(doc.total);
    expect(Object.keys(doc.sessions[0]!).sort()).toEqual(
      [
        'backupServerName',
        'creationTime',
        'endTime',
        'jobName',
        'reason',
        'result',
        'state',
        'totalSize',
        'uid',
        'vmDisplayName',
      ].sort(),
    );
  });

  it('prints the exact Slack message with --format blocks, within Block Kit limits', async () => {
    const now = new Date().toISOString();
    const { code, stdout } = await run([
      'ask',
      'failed',
      'replicas',
      'last',
      '7',
      'days',
      '--format',
      'blocks',
      '--now',
      now,
      '--tz',
      'Europe/Berlin',
    ]);
    expect(code).toBe(0);
    const message = JSON.parse(stdout) as { text: string; blocks: unknown[] };
    expect(message.text).toMatch(/^Failed replicas in the last 7 days/);
    expect(findBlockKitViolations(message)).toEqual([]);
  });

  it('exits with 2 and suggestions when it does not understand', async () => {
    const { code, stdout } = await run(['ask', 'blorp', '--format', 'text']);
    expect(code).toBe(2);
    expect(stdout).toContain('Try for example:');
  });

  it('refuses a --tz that is not a time zone with exit code 2, like parse', async () => {
    const { code, stderr } = await run(['ask', 'failed today', '--tz', 'Mars/Olympus']);
    expect(code).toBe(2);
    expect(stderr).toContain('--tz "Mars/Olympus" is not an IANA time zone');
  });
});
