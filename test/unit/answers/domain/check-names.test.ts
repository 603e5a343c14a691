import { describe, expect, it } from 'vitest';
import {
  checkNames,
  suggestNames,
  toNamedValues,
  toReaskedQuestion,
  toUnknownNameText,
} from '../../../../src/answers/domain/check-names.js';
import { and, anyOf, cmp, eq, type Filter } from '../../../../src/core/filter.js';
import type { EmApi, EmQuery } from '../../../../src/core/ports.js';
import type { ReplicaTaskSession } from '../../../../src/core/sessions.js';

describe('toNamedValues', () => {
  it('finds every VM, job and server the filter requires, once each, and ignores other fields', () => {
    const filter = and(
      anyOf('Result', ['Failed', 'Warning']),
      anyOf('VmDisplayName', ['apache02', 'APACHE02', 'sql 02']),
      eq('JobName', 'SQL Replica'),
      cmp('BackupServerName', '!=', 'srv05.tech.local'),
      eq('BackupServerName', 'srv02'),
      cmp('CreationTime', '>=', new Date('2026-11-23T00:00:00Z')),
    );
    expect(toNamedValues(filter)).toEqual([
      { field: 'VmDisplayName', name: 'apache02' },
      { field: 'VmDisplayName', name: 'sql 02' },
      { field: 'JobName', name: 'SQL Replica' },
      { field: 'BackupServerName', name: 'srv02' },
    ]);
    expect(toNamedValues(null)).toEqual([]);
  });
});

describe('suggestNames', () => {
  const servers = ['srv02.tech.local', 'srv05.tech.local', 'enterprise06.tech.local', 'vbr-dr01.tech.local'];
  const vms = ['sql 02', 'sql01', 'sqlreport03', 'apache02', 'apache03', 'nginx01', '<!channel>'];

  it('suggests the full name of a server typed by its short name', () => {
    expect(suggestNames('srv02', servers)).toEqual(['srv02.tech.local']);
    expect(suggestNames('SRV02', servers)).toEqual(['srv02.tech.local']);
  });

  it('puts a name that differs only by spaces or case first, then near misses', () => {
    expect(suggestNames('sql02', vms)).toEqual(['sql 02', 'sql01']);
    expect(suggestNames('apache', vms)).toEqual(['apache02', 'apache03']);
    // two letters swapped are one typo, as in the question parser
    expect(suggestNames('ngnix01', vms)).toEqual(['nginx01']);
    expect(suggestNames('ngxin01', vms)).toEqual([]);
    expect(suggestNames('nginx02', vms)).toEqual(['nginx01']);
  });

  it('suggests nothing for a name like no other, and never the typed name itself', () => {
    expect(suggestNames('nosuchvm', vms)).toEqual([]);
    expect(suggestNames('apache02', ['apache02', 'APACHE02'])).toEqual([]);
    expect(suggestNames('', vms)).toEqual([]);
  });
});

const NOW = new Date('2026-11-23T12:00:00Z');

function task(vm: string, job: string, server: string): ReplicaTaskSession {
  return {
    uid: `urn:veeam:ReplicaTaskSession:${vm}`,
    id: vm,
    name: `${vm}@2026-11-23 10:00:00`,
    vmDisplayName: vm,
    jobSessionUid: 'urn:veeam:ReplicaJobSession:1',
    jobName: job,
    backupServerName: server,
    creationTime: new Date('2026-11-23T10:00:00Z'),
    endTime: new Date('2026-11-23T10:05:00Z'),
    state: 'Completed',
    result: 'Success',
    reason: '',
    totalSize: 1,
  };
}

/** An EM port over fixed task sessions: it answers `Field == "name"` (case aside) and returns every row otherwise. */
function fakeEm(rows: ReplicaTaskSession[]): EmApi {
  const value = (row: ReplicaTaskSession, field: string) =>
    field === 'VmDisplayName' ? row.vmDisplayName : field === 'JobName' ? row.jobName : row.backupServerName;
  const matches = (row: ReplicaTaskSession, filter: Filter | null | undefined): boolean =>
    filter?.kind !== 'cmp' ||
    filter.op !== '==' ||
    String(value(row, filter.field) ?? '').toLowerCase() === String(filter.value).toLowerCase();
  async function* tasks(query: EmQuery) {
    for (const row of rows) if (matches(row, query.filter)) yield row;
  }
  return {
    queryTaskSessions: tasks,
    async *queryJobSessions() {},
    countTaskSessions: () => Promise.reject(new Error('not used')),
    countJobSessions: () => Promise.reject(new Error('not used')),
    queryTaskSessionPage: () => Promise.reject(new Error('not used')),
    queryJobSessionPage: () => Promise.reject(new Error('not used')),
    getJobSession: () => Promise.reject(new Error('not used')),
    getJobSessionTasks: () => Promise.reject(new Error('not used')),
    getTaskSession: () => Promise.reject(new Error('not used')),
    close: async () => {},
  };
}

describe('checkNames across fields', () => {
  const em = fakeEm([
    task('apache02', 'Web replicas', 'srv02.tech.local'),
    task('sql01', 'SQL Replica', 'enterprise06.tech.local'),
  ]);

  it('finds a backup server read as a VM under its own field, case aside', async () => {
    const check = await checkNames(
      em,
      [{ field: 'VmDisplayName', name: 'SRV02.tech.local' }],
      'ReplicaTaskSession',
      NOW,
    );
    expect(check.unknown).toEqual([
      {
        field: 'VmDisplayName',
        name: 'SRV02.tech.local',
        suggestions: [],
        otherFields: [{ field: 'BackupServerName', name: 'srv02.tech.local', exact: true }],
      },
    ]);
  });

  it('suggests look-alikes of the other fields when the name is nowhere exactly', async () => {
    const check = await checkNames(
      em,
      [
        { field: 'VmDisplayName', name: 'enterprise06' },
        { field: 'BackupServerName', name: 'sql01' },
        { field: 'VmDisplayName', name: 'apache02' },
      ],
      'ReplicaTaskSession',
      NOW,
    );
    expect(check.known).toEqual([{ field: 'VmDisplayName', name: 'apache02' }]);
    expect(check.unknown).toEqual([
      {
        field: 'VmDisplayName',
        name: 'enterprise06',
        suggestions: [],
        otherFields: [{ field: 'BackupServerName', name: 'enterprise06.tech.local', exact: false }],
      },
      {
        field: 'BackupServerName',
        name: 'sql01',
        suggestions: [],
        otherFields: [{ field: 'VmDisplayName', name: 'sql01', exact: true }],
      },
    ]);
  });

  it('leaves other fields empty for a name like nothing EM has', async () => {
    const check = await checkNames(em, [{ field: 'JobName', name: 'nosuchjob' }], 'ReplicaTaskSession', NOW);
    expect(check.unknown).toEqual([
      { field: 'JobName', name: 'nosuchjob', suggestions: [], otherFields: [] },
    ]);
  });
});

describe('toUnknownNameText across fields', () => {
  const show = (name: string) => name.replaceAll('<', '&lt;');

  it('offers the question re-asked in the field where the name exists', () => {
    const text = toUnknownNameText(
      {
        field: 'VmDisplayName',
        name: 'srv02.tech.local',
        suggestions: [],
        otherFields: [{ field: 'BackupServerName', name: 'srv02.tech.local', exact: true }],
      },
      show,
      'failures on srv02.tech.local today',
    );
    expect(text).toBe(
      'Enterprise Manager has no VM named srv02.tech.local, but it has a backup server of that name: ask `failures on server srv02.tech.local today`.',
    );
    expect(text).not.toMatch(/check the spelling/i);
  });

  it('names the clause to type when the question is not at hand, and escapes names from EM', () => {
    expect(
      toUnknownNameText(
        {
          field: 'BackupServerName',
          name: '<x>',
          suggestions: [],
          otherFields: [{ field: 'JobName', name: '<x>', exact: true }],
        },
        show,
      ),
    ).toBe(
      'Enterprise Manager has no backup server named &lt;x>, but it has a job of that name: name it `in job "&lt;x>"`.',
    );
  });

  it('words a look-alike of another field with the clause that names it', () => {
    expect(
      toUnknownNameText(
        {
          field: 'VmDisplayName',
          name: 'enterprise06',
          suggestions: ['enterprise07'],
          otherFields: [{ field: 'BackupServerName', name: 'enterprise06.tech.local', exact: false }],
        },
        show,
        'any warnings on enterprise06?',
      ),
    ).toBe(
      'Enterprise Manager has no VM named enterprise06 in its 30 days of history. Did you mean enterprise07 or backup server enterprise06.tech.local (`on server enterprise06.tech.local`)?',
    );
  });
});

describe('toReaskedQuestion', () => {
  const server = { field: 'BackupServerName', name: 'srv02.tech.local' } as const;

  it('replaces the typed name and its preposition with the clause of the right field', () => {
    expect(toReaskedQuestion('failures on SRV02.tech.local', 'srv02.tech.local', server)).toBe(
      'failures on server srv02.tech.local',
    );
    expect(
      toReaskedQuestion('failed replicas for vm srv02.tech.local today', 'srv02.tech.local', server),
    ).toBe('failed replicas on server srv02.tech.local today');
    expect(
      toReaskedQuestion('warnings on server "SQL Replica"', 'SQL Replica', {
        field: 'JobName',
        name: 'SQL Replica',
      }),
    ).toBe('warnings in job "SQL Replica"');
    expect(toReaskedQuestion('srv02.tech.local', 'srv02.tech.local', server)).toBe(
      'on server srv02.tech.local',
    );
    expect(toReaskedQuestion('failures today', 'srv02.tech.local', server)).toBeNull();
  });
});
