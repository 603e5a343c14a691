import { describe, expect, it } from 'vitest';
import { toFilterString } from '../../../src/core/filter.js';
import { parseKindQuestion, readKind } from '../../../src/question/read-kind.js';

const now = new Date('2026-11-20T10:00:00Z');
const parse = (q: string) => parseKindQuestion(q, { now, timeZone: 'UTC' });

describe('readKind', () => {
  it.each([
    ['backups failed last night', 'backup', [], 'replicas failed last night'],
    [
      'backup copy jobs with warnings this week',
      'backup',
      ['BackupCopy', 'ImmediateBackupCopy', 'ImmediateBackupCopyWorker'],
      'replication jobs with warnings this week',
    ],
    [
      'agent backups for srv04 today',
      'backup',
      ['AgentBackup', 'AgentManagement'],
      'replicas for srv04 today',
    ],
    ['file share backups with warnings', 'backup', ['NasBackup'], 'replicas with warnings'],
    ['running backup jobs', 'backup', [], 'running replication jobs'],
  ])('reads %j as %s %j', (question, kind, jobTypes, rest) => {
    expect(readKind(question)).toEqual({ kind, jobTypes, rest });
  });

  it('leaves replication questions and "backup server" alone', () => {
    expect(readKind('failed replicas today')).toBeNull();
    expect(readKind('failed replicas on backup server srv02')).toBeNull();
  });
});

describe('parseKindQuestion', () => {
  it('filters job runs by the job types named, and words the phrase as the kind', () => {
    const parsed = parse('backup copy jobs with warnings this week');
    if (parsed.kind !== 'query') throw new Error(parsed.kind);
    expect(parsed.intent.kind).toBe('backup');
    expect(parsed.intent.phrase).toBe('backup copy job runs with warnings this week');
    expect(toFilterString('BackupJobSession', parsed.intent.filter ?? { kind: 'and', items: [] })).toContain(
      'JobType=="BackupCopy",JobType=="ImmediateBackupCopy",JobType=="ImmediateBackupCopyWorker"',
    );
  });

  it('reads a question with no kind exactly as parseQuestion does', () => {
    const parsed = parse('failed replicas today');
    if (parsed.kind !== 'query') throw new Error(parsed.kind);
    expect(parsed.intent.kind).toBeUndefined();
    expect(parsed.intent.phrase).toBe('failed replicas today');
  });

  it('still explains what it could not read in a backup question', () => {
    expect(parse('backups failed blorptastic').kind).toBe('not-understood');
  });
});

describe('session ids keep their own type', () => {
  const guid = '3df6cbea-fb43-4904-8bea-43399f5769bb';
  it.each([
    ['BackupTaskSession', 'backup'],
    ['BackupJobSession', 'backup'],
    ['ReplicaTaskSession', 'replication'],
    ['ReplicaJobSession', 'replication'],
  ])('looks up urn:veeam:%s by its own id (kind %s)', (type, kind) => {
    const uid = `urn:veeam:${type}:${guid}`;
    const parsed = parse(`session ${uid}`);
    if (parsed.kind !== 'query') throw new Error(JSON.stringify(parsed));
    expect(parsed.intent.kind ?? 'replication').toBe(kind);
    expect(parsed.intent.sessionId).toBe(uid);
    expect(toFilterString('BackupTaskSession', parsed.intent.filter ?? { kind: 'and', items: [] })).toBe(
      `UID=="${uid}"`,
    );
    expect(parsed.intent.explanation).toContain(uid);
    expect(parsed.intent.explanation).not.toMatch(type.startsWith('Backup') ? /Replica/ : /Backup/);
  });

  it('the id decides the kind over the words, and a bare GUID in a backup question is a backup id', () => {
    const replica = parse(`backup session urn:veeam:ReplicaTaskSession:${guid}`);
    if (replica.kind !== 'query') throw new Error(replica.kind);
    expect(replica.intent.kind ?? 'replication').toBe('replication');
    const bare = parse(`backup session ${guid}`);
    if (bare.kind !== 'query') throw new Error(bare.kind);
    expect(bare.intent.kind).toBe('backup');
    expect(toFilterString('BackupTaskSession', bare.intent.filter ?? { kind: 'and', items: [] })).toBe(
      `UID=="urn:veeam:BackupTaskSession:${guid}"`,
    );
  });

  it('quotes a bad backup id as it was typed', () => {
    const parsed = parse('session urn:veeam:BackupTaskSession:foo');
    if (parsed.kind !== 'not-understood') throw new Error(parsed.kind);
    expect(parsed.error).toContain('"urn:veeam:BackupTaskSession:foo"');
    expect(parsed.error).not.toContain('Replica');
  });
});

describe('what to ask instead of a backup question', () => {
  it.each(['backups failed blorptastic', 'backup job runs blorptastic', 'when did blorptastic last back up'])(
    'suggests backup questions that read as backup questions after %j',
    (question) => {
      const parsed = parse(question);
      if (parsed.kind !== 'not-understood') throw new Error(parsed.kind);
      expect(parsed.suggestions.length).toBeGreaterThan(0);
      for (const suggestion of parsed.suggestions) {
        expect(suggestion).not.toMatch(/replica/i);
        const again = parse(suggestion);
        if (again.kind !== 'query') throw new Error(`${suggestion}: ${JSON.stringify(again)}`);
        expect(again.intent.kind).toBe('backup');
      }
    },
  );
});

describe('the backup verbs', () => {
  it.each([
    ['when did srv04 last back up', 'when did srv04 last replicate'],
    ['VMs that have not backed up successfully', 'VMs that have not replicated successfully'],
    ['is srv04 backing up', 'is srv04 replicating'],
    ['srv04 backs up nightly', 'srv04 replicate nightly'],
  ])('reads %j as %j', (question, rest) => {
    expect(readKind(question)).toEqual({ kind: 'backup', jobTypes: [], rest });
  });
});
