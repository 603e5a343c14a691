import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, runReplibot, spawnReplibot } from '../fakes/run-cli.js';

/** The real command line, in this process, with a clean environment plus the given variables. */
function replibot(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runReplibot(args, { env });
}

describe('replibot parse', () => {
  // once as the real `node bin/replibot.js` child process, to prove the bin end to end
  it.each([
    ['in process', runReplibot],
    ['as node bin/replibot.js', spawnReplibot],
  ])("prints the EM query for the issue's question and exits 0 (%s)", async (_how, start) => {
    const run = await start([
      'parse',
      'replicas failed today for apache02',
      '--tz',
      'Europe/Berlin',
      '--now',
      '2026-11-23T10:05:00Z',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out).slice(0, 5)).toEqual(['type', 'filter', 'sortDesc', 'limit', 'explanation']);
    expect(out).toMatchObject({
      type: 'ReplicaTaskSession',
      filter: 'Result==Failed;VmDisplayName=="apache02";CreationTime>="2026-11-22T23:00:00.000Z"',
      sortDesc: 'CreationTime',
      limit: null,
      explanation: 'failed replication task sessions of apache02 since 00:00 today (Europe/Berlin)',
      window: { from: '2026-11-22T23:00:00.000Z', to: null },
      warnings: [],
    });
  });

  it('prints sortAsc, a number limit and warnings where asked, and reads DEFAULT_TIMEZONE', async () => {
    const run = await replibot(
      ['parse', '3 oldest failures since Dec 25 2025', '--now', '2026-11-23T10:05:00Z'],
      {
        DEFAULT_TIMEZONE: 'Asia/Tokyo',
        // half-set EM settings must not stop a command that needs no EM
        VEEAM_URL: 'https://em.example.local:9398',
      },
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.sortAsc).toBe('CreationTime');
    expect(out.sortDesc).toBeUndefined();
    expect(out.limit).toBe(3);
    expect(out.filter).toBe('Result==Failed;CreationTime>="2025-12-24T15:00:00.000Z"');
    expect(out.timeZone).toBe('Asia/Tokyo');
    expect(out.beyondRetention).toBe(true);
    expect(out.warnings.join(' ')).toContain('30 days');
  });

  it('reads --now without an offset in the --tz zone, and joins unquoted words', async () => {
    const run = await replibot([
      'parse',
      'failed',
      'since',
      '08:00',
      '--tz',
      'America/New_York',
      '--now',
      '2026-11-02T10:00',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).filter).toBe('Result==Failed;CreationTime>="2026-11-02T13:00:00.000Z"');
  });

  it('prints the error and suggestions for an unreadable question and exits 2', async () => {
    const run = await replibot(['parse', 'apache02 faild today', '--tz', 'UTC']);
    expect(run.code).toBe(2);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out)).toEqual(['error', 'suggestions']);
    expect(out.error).toContain('"faild"');
    expect(out.suggestions.length).toBeGreaterThanOrEqual(2);
  });

  it('prints the help as JSON', async () => {
    const run = await replibot(['parse', 'help']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.help.sections[0].examples.length).toBeGreaterThan(0);
  });

  it('says which window it assumed: 30 days for a count, none for running sessions', async () => {
    const now = '2026-11-23T10:05:00Z';
    const count = await replibot(['parse', 'last 5 failures for apache02', '--tz', 'UTC', '--now', now]);
    expect(count.code).toBe(0);
    const counted = JSON.parse(count.stdout);
    expect(counted.filter).toBe(
      'Result==Failed;VmDisplayName=="apache02";CreationTime>="2026-10-24T10:05:00.000Z"',
    );
    expect(counted.limit).toBe(5);
    expect(counted.defaultWindow).toBe(true);
    expect(counted.warnings).toEqual(['No time was given, so the last 30 days are shown.']);
    const running = await replibot(['parse', 'running replicas', '--tz', 'UTC', '--now', now]);
    expect(running.code).toBe(0);
    expect(JSON.parse(running.stdout)).toMatchObject({
      filter: 'State==InProgress',
      window: null,
      defaultWindow: false,
      warnings: [],
      explanation: 'running replication task sessions, whenever they started',
    });
    const plain = await replibot(['parse', 'failed', '--tz', 'UTC', '--now', now]);
    expect(JSON.parse(plain.stdout).warnings).toEqual(['No time was given, so the last 24 hours are shown.']);
  });

  it('reads the question as typed in a terminal, not as Slack markup', async () => {
    const run = await replibot([
      'parse',
      'failed for "<!channel>" today',
      '--tz',
      'UTC',
      '--now',
      '2026-11-23T10:05:00Z',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).filter).toBe(
      'Result==Failed;VmDisplayName=="<!channel>";CreationTime>="2026-11-23T00:00:00.000Z"',
    );
  });

  it('refuses a bad --tz or --now on stderr with exit 2', async () => {
    const tz = await replibot(['parse', 'failed today', '--tz', 'Mars/Olympus']);
    expect(tz.code).toBe(2);
    expect(tz.stdout).toBe('');
    expect(tz.stderr).toContain('--tz "Mars/Olympus" is not an IANA time zone');
    const abbreviation = await replibot(['parse', 'failed today', '--tz', 'est']);
    expect(abbreviation.code).toBe(2);
    expect(abbreviation.stderr).toContain('--tz "est" is not an IANA time zone');
    const now = await replibot(['parse', 'failed today', '--now', '2026-13-45']);
    expect(now.code).toBe(2);
    expect(now.stderr).toContain('--now "2026-13-45" is not an ISO-8601 date-time');
  });
});

describe('replibot parse: backup and RPO questions, as replibot ask reads them', () => {
  const at = ['--tz', 'UTC', '--now', '2026-11-23T10:05:00Z'];

  it('reads a backup question with its kind and the EM backup type it queries', async () => {
    const run = await replibot(['parse', 'backups failed last night', ...at]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      type: 'BackupTaskSession',
      kind: 'backup',
      jobTypes: [],
      filter:
        'Result==Failed;CreationTime>="2026-11-22T18:00:00.000Z";CreationTime<"2026-11-23T06:00:00.000Z"',
      phrase: 'failed backups last night',
      warnings: [],
    });
  });

  it('shows the JobType filter of a job-level backup question', async () => {
    const run = await replibot(['parse', 'backup copy jobs with warnings this week', ...at]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.type).toBe('BackupJobSession');
    expect(out.kind).toBe('backup');
    expect(out.jobTypes).toEqual(['BackupCopy', 'ImmediateBackupCopy', 'ImmediateBackupCopyWorker']);
    expect(out.filter).toContain('JobType=="BackupCopy",JobType=="ImmediateBackupCopy"');
    expect(out.filter).toContain('Result==Warning');
  });

  it('says that a task-level question naming a job type reads the job names from EM first', async () => {
    const run = await replibot(['parse', 'agent backups for srv04 today', ...at]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({
      type: 'BackupTaskSession',
      kind: 'backup',
      jobTypes: ['AgentBackup', 'AgentManagement'],
      filter: 'VmDisplayName=="srv04";CreationTime>="2026-11-23T00:00:00.000Z"',
    });
    expect(out.warnings.join(' ')).toContain('AgentBackup, AgentManagement jobs');
  });

  it('names replication as the kind of a question that names none', async () => {
    const run = await replibot(['parse', 'failed replicas today', ...at]);
    expect(JSON.parse(run.stdout)).toMatchObject({ type: 'ReplicaTaskSession', kind: 'replication' });
  });

  it('reads an RPO question as one, not as a session query', async () => {
    const run = await replibot(['parse', 'is apache02 protected', ...at]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.rpo).toEqual({ kind: 'protected', vm: 'apache02' });
    expect(out.explanation).toContain('RPO watch');
    const oldest = JSON.parse((await replibot(['parse', 'oldest replicas', ...at])).stdout);
    expect(oldest.rpo).toEqual({ kind: 'oldest', limit: 10 });
  });
});

describe('replibot parse --names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'replibot-names-'));
  const file = join(dir, 'names.tsv');
  writeFileSync(
    file,
    '# kind<TAB>name\nvm\tapache02\nvm\tSQL Server 01\njob\tSQL Replica\njob\tweb01\nvm\tweb01\n',
  );
  const at = ['--tz', 'Europe/Berlin', '--now', '2026-11-23T10:05:00Z', '--names', file];

  it('reads a bare known name, a name with spaces and a near miss, and says what it corrected', async () => {
    const bare = JSON.parse((await replibot(['parse', 'apache02 failures 2d', ...at])).stdout);
    expect(bare.filter).toBe(
      'Result==Failed;VmDisplayName=="apache02";CreationTime>="2026-11-21T10:05:00.000Z"',
    );
    const spaced = JSON.parse((await replibot(['parse', 'failures for sql server 01 today', ...at])).stdout);
    expect(spaced.filter).toBe(
      'Result==Failed;VmDisplayName=="SQL Server 01";CreationTime>="2026-11-22T23:00:00.000Z"',
    );
    const near = JSON.parse((await replibot(['parse', 'apache2 failures today', ...at])).stdout);
    expect(near.corrections).toEqual([{ typed: 'apache2', read: 'apache02', kind: 'vm' }]);
    expect(near.explanation).toContain('I read apache2 as apache02');
  });

  it('asks which when a name is two kinds', async () => {
    const run = await replibot(['parse', 'web01 failures today', ...at]);
    expect(run.code).toBe(2);
    const out = JSON.parse(run.stdout);
    expect(out.error).toContain('EM knows "web01" as a VM and as a job');
    expect(out.suggestions.slice(0, 2)).toEqual(['vm web01 failures today', 'job web01 failures today']);
  });

  it('refuses an unreadable or malformed names file with exit 2', async () => {
    const missing = await replibot(['parse', 'failed today', '--names', join(dir, 'none.tsv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot be read');
    const bad = join(dir, 'bad.tsv');
    writeFileSync(bad, 'vm\tapache02\nhost apache03\n');
    const malformed = await replibot(['parse', 'failed today', '--names', bad]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('line 2');
  });
});
