/**
 * Backup questions answered end to end: the real answerer and EM client against the simulator's backup jobs
 * over HTTP. Each answer is checked against EM's own rows for the same question, asked directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultAnswerer } from '../../src/answers/create-default-answerer.js';
import type { Answerer } from '../../src/answers/domain/create-answerer.js';
import type { Reply, SessionListReply } from '../../src/answers/domain/reply.js';
import { and, anyOf, cmp, eq } from '../../src/core/filter.js';
import type { ReplicaJobSession, ReplicaTaskSession } from '../../src/core/sessions.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { simEmOptions } from '../fakes/sim-em-options.js';

const NOW = new Date('2026-11-20T10:00:00Z');
const asker = { userId: 'U1', timeZone: 'UTC' };

let sim: RunningSimulator;
let em: EmClient;
let answerer: Answerer;

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

function asList(reply: Reply): SessionListReply {
  if (reply.kind !== 'answer')
    throw new Error(`expected an answer, got ${reply.kind}: ${JSON.stringify(reply)}`);
  return reply;
}

const ask = async (question: string) =>
  asList(await answerer.ask(question, asker, { now: NOW, pageSize: 200 }));

beforeAll(async () => {
  sim = await startSimulator({ seed: 1, now: () => NOW });
  em = createEmClient(simEmOptions(sim.url));
  answerer = createDefaultAnswerer(em);
});
afterAll(async () => {
  await em?.close();
  await sim?.close();
});

describe('backup questions', () => {
  it('answers "backups failed last night" from the backup sessions, in backup words', async () => {
    const reply = await ask('backups failed last night');
    expect(reply.intent.kind).toBe('backup');
    expect(reply.intent.phrase).toBe('failed backups last night');
    const from = new Date('2026-11-19T18:00:00Z');
    const to = new Date('2026-11-20T06:00:00Z');
    const direct: ReplicaTaskSession[] = await collect(
      em.queryBackupTaskSessions({
        filter: and(eq('Result', 'Failed'), cmp('CreationTime', '>=', from), cmp('CreationTime', '<', to)),
      }),
    );
    expect(direct.length).toBeGreaterThan(0);
    expect(reply.total).toBe(direct.length);
    expect(new Set(reply.sessions.map((s) => s.uid))).toEqual(new Set(direct.map((s) => s.uid)));
    // the demo story: apache03 failed in last night's Nightly run
    expect(reply.sessions.some((s) => s.vmDisplayName === 'apache03' && s.jobName === 'Nightly')).toBe(true);
  });

  it('answers "backup copy jobs with warnings this week" with copy job runs only', async () => {
    const reply = await ask('backup copy jobs with warnings this week');
    expect(reply.intent.type).toBe('ReplicaJobSession');
    expect(reply.intent.phrase).toContain('backup copy job');
    const direct: ReplicaJobSession[] = await collect(
      em.queryBackupJobSessions({
        filter: and(
          eq('Result', 'Warning'),
          cmp('CreationTime', '>=', new Date('2026-11-16T00:00:00Z')),
          anyOf('JobType', ['BackupCopy', 'ImmediateBackupCopy', 'ImmediateBackupCopyWorker']),
        ),
      }),
    );
    expect(direct.length).toBeGreaterThan(0);
    expect(reply.total).toBe(direct.length);
    expect(new Set(reply.sessions.map((s) => s.uid))).toEqual(new Set(direct.map((s) => s.uid)));
  });

  it('answers "agent backups for srv04 today" from the agent job, and shows its run', async () => {
    const reply = await ask('agent backups for srv04 today');
    expect(reply.total).toBeGreaterThan(0);
    expect(
      reply.sessions.every((s) => s.vmDisplayName === 'srv04' && s.jobName === 'Agent Backup Servers'),
    ).toBe(true);
    expect(reply.sessions.some((s) => s.result === 'Failed')).toBe(true);
    const run = reply.sessions[0]?.jobSessionId;
    expect(run).toBeTruthy();
    const details = await answerer.jobRun(run ?? '', { now: NOW, timeZone: 'UTC', pageSize: 50 });
    expect(details.kind).toBe('job-run');
    if (details.kind === 'job-run') expect(details.job.jobName).toBe('Agent Backup Servers');
    // nothing for a machine no agent job backs up
    expect((await ask('agent backups for apache02 today')).total).toBe(0);
  });

  it('keeps replication the default where a question names no kind', async () => {
    const reply = await ask('failed replicas this week');
    expect(reply.intent.kind).toBeUndefined();
    const backupJobs = new Set(['Nightly', 'SQL Backup', 'Agent Backup Servers', 'File Share Backup']);
    expect(reply.total).toBeGreaterThan(0);
    expect(reply.sessions.every((s) => s.uid.startsWith('urn:veeam:ReplicaTaskSession:'))).toBe(true);
    expect(reply.sessions.some((s) => backupJobs.has(s.jobName ?? ''))).toBe(false);
    // "backup server" is a server, not a kind
    const onServer = await ask('failed replicas on backup server srv02.tech.local this week');
    expect(onServer.intent.kind).toBeUndefined();
  });

  it('looks up one backup session by its EM id, task or job run', async () => {
    const [task] = await collect(em.queryBackupTaskSessions({ filter: eq('Result', 'Failed'), limit: 1 }));
    if (task === undefined) throw new Error('no failed backup task');
    const reply = await ask(`session ${task.uid}`);
    expect(reply.intent.kind).toBe('backup');
    expect(reply.sessions.map((s) => s.uid)).toEqual([task.uid]);
    const run = await answerer.ask(`session ${task.jobSessionUid}`, asker, { now: NOW, pageSize: 50 });
    expect(run.kind).toBe('job-run');
    if (run.kind === 'job-run') expect(run.tasks.map((t) => t.uid)).toContain(task.uid);
  });
});

describe('an immediate copy job asked for by its own name', () => {
  const since = new Date('2026-11-16T00:00:00Z');
  it('answers "backups in job Offsite Copy this week" with its workers\' VM sessions', async () => {
    const reply = await ask('backups in job "Offsite Copy" this week');
    const direct = (
      await collect(em.queryBackupTaskSessions({ filter: cmp('CreationTime', '>=', since) }))
    ).filter((t) => (t.jobName ?? '').startsWith('Offsite Copy\\'));
    expect(direct.length).toBeGreaterThan(0);
    expect(reply.total).toBe(direct.length);
    expect(reply.unknownNames ?? []).toEqual([]);
  });

  it('answers "backup job runs in job Offsite Copy this week" with the parent\'s runs and its workers\'', async () => {
    const reply = await ask('backup job runs in job "Offsite Copy" this week');
    const direct = (
      await collect(em.queryBackupJobSessions({ filter: cmp('CreationTime', '>=', since) }))
    ).filter((j) => j.jobName === 'Offsite Copy' || j.jobName.startsWith('Offsite Copy\\'));
    expect(direct.some((j) => j.jobName === 'Offsite Copy')).toBe(true);
    expect(direct.some((j) => j.jobName !== 'Offsite Copy')).toBe(true);
    expect(reply.total).toBe(direct.length);
  });

  it('says no failures rather than "no job named Offsite Copy" when its workers had none', async () => {
    const reply = await ask('failed backups in job "Offsite Copy" in the last hour');
    expect(reply.unknownNames ?? []).toEqual([]);
  });
});

describe('running backup jobs, as people read them', () => {
  it('says a copy job that runs for days is copying by design, and any other run is running', async () => {
    const reply = await ask('running backup jobs');
    const { renderText } = await import('../../src/answers/text/render-text.js');
    const { renderReply } = await import('../../src/answers/slack/render-reply.js');
    const text = renderText(reply, { color: false, timeZone: 'UTC' });
    // one line per block's line, as in the terminal
    const slack = JSON.stringify(renderReply(reply, { timeZone: 'UTC' })).replaceAll('\\n', '\n');
    const copy = reply.sessions.find((r) => r.jobName === 'Backup Copy to DR');
    const sql = reply.sessions.find((r) => r.jobName === 'SQL Backup');
    expect(copy?.jobType).toBe('BackupCopy');
    expect(sql?.jobType).toBe('Backup');
    for (const out of [text, slack]) {
      expect(out).toMatch(
        /Backup Copy to DR.*copying for \d+h \d+m \(a backup copy job copies for its whole interval, by design\)/s,
      );
      expect(out).toMatch(/SQL Backup.*running for \d+m/s);
      expect(out).not.toMatch(/SQL Backup[^\n]*copying/);
      expect(out).not.toMatch(/stuck/i);
    }
  });

  it("names an immediate-copy worker's VM sessions under their parent copy job", async () => {
    const reply = await ask('backup copies this week');
    const rows = reply.sessions.filter((r) => r.jobName?.startsWith('Offsite Copy\\'));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.jobType === 'ImmediateBackupCopyWorker')).toBe(true);
    // the periodic copy job's rows are no workers, and keep their own name
    expect(reply.sessions.some((r) => r.jobName === 'Backup Copy to DR' && r.jobType === undefined)).toBe(
      true,
    );
    const { renderText } = await import('../../src/answers/text/render-text.js');
    const { renderReply } = await import('../../src/answers/slack/render-reply.js');
    const source = rows[0]?.jobName?.split('\\').at(-1) ?? '';
    expect(renderText(reply, { color: false, timeZone: 'UTC' })).toContain(
      `job Offsite Copy (copying ${source})`,
    );
    const slack = JSON.stringify(renderReply(reply, { timeZone: 'UTC' }));
    expect(slack).toContain(`job Offsite Copy (copying ${source})`);
    expect(slack).not.toContain('job Offsite Copy\\\\');
  });

  it('names an immediate-copy worker run under its parent copy job', async () => {
    const reply = await ask('backup copy jobs this week');
    const worker = reply.sessions.find((r) => r.jobType === 'ImmediateBackupCopyWorker');
    expect(worker?.jobName).toMatch(/^Offsite Copy\\/);
    const { renderText } = await import('../../src/answers/text/render-text.js');
    const { renderReply } = await import('../../src/answers/slack/render-reply.js');
    const source = worker?.jobName?.split('\\').at(-1) ?? '';
    expect(renderText(reply, { color: false, timeZone: 'UTC' })).toContain(
      `Offsite Copy (copying ${source}) (job run)`,
    );
    expect(JSON.stringify(renderReply(reply, { timeZone: 'UTC' }))).toContain(
      `*Offsite Copy (copying ${source})* (job run)`,
    );
  });
});
