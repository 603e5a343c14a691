import { describe, expect, it } from 'vitest';
import {
  BACKUP_JOB_TYPES,
  isLongRunningByDesign,
  toJobTypeWords,
  toKindOfUid,
  toParentJob,
  toRunTitle,
} from '../../../src/core/backup-sessions.js';
import { parseSubscriptionFilter } from '../../../src/features/alerts/domain/subscription-filter.js';

describe('backup job types in words', () => {
  it('names every EM job type the way people say it', () => {
    expect(BACKUP_JOB_TYPES.map((t) => toJobTypeWords(t).one)).toEqual([
      'backup',
      'backup copy',
      'backup copy',
      'backup copy',
      'agent backup',
      'agent backup',
      'file share backup',
    ]);
    expect(toJobTypeWords('SomethingNewer').one).toBe('backup');
  });

  it('shows an immediate-copy worker under its parent, with one or two backslashes, and nothing else', () => {
    expect(toParentJob('Offsite Copy\\Nightly', 'ImmediateBackupCopyWorker')).toEqual({
      jobName: 'Offsite Copy',
      source: 'Nightly',
    });
    expect(toParentJob('COPY_S3\\\\BACKUP_C2 - vbr02', 'ImmediateBackupCopyWorker')).toEqual({
      jobName: 'COPY_S3',
      source: 'BACKUP_C2 - vbr02',
    });
    // a backup job may have a backslash in its own name
    expect(toParentJob('Dept\\Finance', 'Backup')).toEqual({ jobName: 'Dept\\Finance', source: null });
  });

  it('titles a run by the kind of its job session and its job type', () => {
    expect(toRunTitle({ jobSessionUid: 'urn:veeam:ReplicaJobSession:1', jobName: 'SQL' })).toEqual({
      what: 'Replication',
      jobName: 'SQL',
      source: null,
    });
    expect(
      toRunTitle({ jobSessionUid: 'urn:veeam:BackupJobSession:1', jobName: 'Files', jobType: 'NasBackup' })
        .what,
    ).toBe('File share backup');
    expect(
      toRunTitle({ jobSessionUid: 'urn:veeam:BackupJobSession:1', jobName: 'X', jobType: null }).what,
    ).toBe('Backup');
    expect(toKindOfUid('urn:veeam:BackupTaskSession:abc')).toBe('backup');
    expect(toKindOfUid('abc')).toBe('replication');
  });

  it('does not call a copy job that runs for days stuck', () => {
    expect(isLongRunningByDesign('BackupCopy')).toBe(true);
    expect(isLongRunningByDesign('ImmediateBackupCopy')).toBe(true);
    expect(isLongRunningByDesign('Backup')).toBe(false);
  });
});

describe('parseSubscriptionFilter with a kind', () => {
  it('reads backups, and leaves replication unwritten', () => {
    expect(parseSubscriptionFilter('backups job "Nightly"')).toEqual({
      ok: true,
      value: { level: 'failed', job: 'Nightly', vm: null, server: null, kind: 'backup' },
    });
    expect(parseSubscriptionFilter('warnings backup')).toEqual({
      ok: true,
      value: { level: 'warnings', job: null, vm: null, server: null, kind: 'backup' },
    });
    expect(parseSubscriptionFilter('replication')).toEqual({
      ok: true,
      value: { level: 'failed', job: null, vm: null, server: null },
    });
  });
});
