import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplibotError } from '../../../src/core/errors.js';
import {
  jobSessionSchema,
  parseEmError,
  parseEntity,
  parseEntityList,
  parseLogonSession,
  parseQueryPage,
  stripSessionTimestamp,
  taskSessionSchema,
  toOwnString,
  toPlainUtcDate,
  toPlainUtcDateAt,
} from '../../../src/veeam/em-schemas.js';
import { parseEmBody } from '../../../src/veeam/parse-em-body.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/em/${name}`, import.meta.url));
const tree = (name: string) => parseEmBody(fixture(name)).tree;

function thrown(run: () => unknown): ReplibotError {
  try {
    run();
  } catch (error) {
    if (error instanceof ReplibotError) return error;
    throw error;
  }
  throw new Error('expected a ReplibotError');
}

describe('parseQueryPage', () => {
  it('decodes the replica task session query of the EM docs', () => {
    const page = parseQueryPage('ReplicaTaskSession', tree('replica-task-sessions.query.apache02.xml'));
    expect(page).toMatchObject({ pageNum: 1, pagesCount: 1, pageSize: 15 });
    expect(page.items).toEqual([
      {
        uid: 'urn:veeam:ReplicaTaskSession:efe448ad-6d52-496b-ba79-decd586713eb',
        id: 'efe448ad-6d52-496b-ba79-decd586713eb',
        name: 'apache02@2025-06-17 20:00:18',
        vmDisplayName: 'apache02',
        jobSessionUid: 'urn:veeam:ReplicaJobSession:90e440bb-8af1-4e3f-8022-bfd89dd267a0',
        jobName: 'Replication Job 2',
        backupServerName: 'enterprise06.tech.local',
        creationTime: new Date('2025-06-17T20:00:18.060Z'),
        endTime: new Date('2025-06-17T20:02:36.993Z'),
        state: 'Completed',
        result: 'Success',
        reason: '',
        totalSize: 8_589_934_592,
      },
    ]);
  });

  it('reads the same sessions from XML, v12 JSON and v13 JSON', () => {
    const xml = parseQueryPage('ReplicaTaskSession', tree('replica-task-sessions.query.two-failed.xml'));
    const v12 = parseQueryPage('ReplicaTaskSession', tree('replica-task-sessions.query.two-failed.v12.json'));
    const v13 = parseQueryPage('ReplicaTaskSession', tree('replica-task-sessions.query.two-failed.v13.json'));
    for (const page of [xml, v12, v13]) {
      expect(page).toMatchObject({ pageNum: 2, pagesCount: 3, pageSize: 4 });
      expect(page.items.map((task) => [task.vmDisplayName, task.result, task.state])).toEqual([
        ['sql "prod" & <db>', 'Failed', 'Completed'],
        ['apache02', 'Failed', 'Completed'],
        ['srv04', 'None', 'InProgress'],
        ['ubuntu88', 'Warning', 'Completed'],
      ]);
      expect(page.items.map((task) => task.jobName)).toEqual(Array(4).fill('ops@site "DR" & co'));
      expect(page.items[0]!.reason).toBe(
        'Error: Failed to create VM snapshot: <sql "prod"> is locked & busy',
      );
      expect(page.items[0]!.backupServerName).toBe('vbr01.tech.local');
      expect(page.items[2]!.endTime).toBeNull();
      expect(page.items[3]!.totalSize).toBe(17_179_869_184);
    }
    // v13 sends microseconds; dates keep the milliseconds
    expect(v13.items[0]!.creationTime.toISOString()).toBe('2026-11-23T02:00:18.060Z');
    expect(xml.items[0]!.creationTime.toISOString()).toBe('2026-11-23T02:00:18.060Z');
    expect(v12.items).toEqual(xml.items);
  });

  it('decodes the real v12 backup task sessions, keeping backslashes in job names', () => {
    const page = parseQueryPage('BackupTaskSession', tree('backup-task-sessions.query.all-success.v12.json'));
    expect(page).toMatchObject({ pageNum: 1, pagesCount: 1, pageSize: 100 });
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({
      uid: 'urn:veeam:BackupTaskSession:5c8add49-6b08-4147-bc38-00293667728a',
      id: '5c8add49-6b08-4147-bc38-00293667728a',
      vmDisplayName: 'MYHOST',
      jobName: 'COPY_OPER_WIN_S3\\\\BACKUP_C2_OPER_WIN',
      backupServerName: 'myhost.mydomain.org',
      state: 'Completed',
      result: 'Success',
      reason: '',
      totalSize: 0,
      endTime: new Date('2026-06-15T05:50:44.620Z'),
    });
  });

  it('decodes the real v13 backup task sessions with their failure reason', () => {
    const page = parseQueryPage('BackupTaskSession', tree('backup-task-sessions.query.one-failed.v13.json'));
    expect(page.items).toHaveLength(4);
    const failed = page.items.filter((task) => task.result === 'Failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      vmDisplayName: 'myhost',
      jobName: 'H3_BACKUP_DDH_ORACLE_DEV_SYSONLY',
      backupServerName: 'myhost2.mydomain.org',
      creationTime: new Date('2026-06-16T06:22:59.399Z'),
    });
    expect(failed[0]!.reason).toMatch(/^Processing myhost Error: An error occurred while quiescing/);
    expect(page.items.map((task) => task.totalSize)).toContain(214_748_364_800);
  });

  it('decodes the real v12 and v13 backup job sessions, retries included', () => {
    const v12 = parseQueryPage('BackupJobSession', tree('backup-job-sessions.query.with-retry.v12.json'));
    expect(v12.items.map((job) => [job.jobName, job.jobType, job.isRetry, job.result])).toEqual([
      ['COPY_BACKUP_VMW_MECM_AN_TO_DD_DCH_NEW', 'ImmediateBackupCopy', false, 'Success'],
      ['BACKUP_DCH_C2_VMW_INF', expect.any(String), true, 'Success'],
      [
        'COPY_OPER_WIN_S3\\\\BACKUP_DCP_C2_AGENTS_PRA_clone1 - myhost2.mydomain.org',
        expect.any(String),
        false,
        'Success',
      ],
    ]);
    expect(v12.items[0]).toMatchObject({
      uid: 'urn:veeam:BackupJobSession:45f138d9-7e5e-4140-bd33-088cc207a0f9',
      jobUid: 'urn:veeam:Job:408829ea-75b1-476c-80e1-47b731952e7a',
      backupServerName: 'myhost2.mydomain.org',
      state: 'Stopped',
      progress: 0,
      failureMessage: null,
      creationTime: new Date('2026-06-14T23:09:26.173Z'),
    });
    const v13 = parseQueryPage(
      'BackupJobSession',
      tree('backup-job-sessions.query.failed-then-retried.v13.json'),
    );
    expect(v13.items.map((job) => [job.result, job.isRetry, job.progress])).toEqual([
      ['Success', true, 100],
      ['Failed', true, expect.any(Number)],
    ]);
  });

  it('decodes replica job sessions that are still running', () => {
    const page = parseQueryPage(
      'ReplicaJobSession',
      tree('replica-job-sessions.query.retry-running.v13.json'),
    );
    expect(
      page.items.map((job) => [job.state, job.result, job.endTime, job.isRetry, job.failureMessage]),
    ).toEqual([
      ['Stopped', 'Failed', new Date('2026-11-23T01:20:41.500Z'), false, '1 of 2 VMs failed: sql02'],
      ['Working', 'None', null, true, null],
    ]);
    expect(page.items[1]).toMatchObject({ progress: 37, jobName: 'SQL Replication', jobType: 'Replica' });
  });

  it('reads an empty result as no rows', () => {
    const page = parseQueryPage('ReplicaTaskSession', tree('replica-task-sessions.query.empty.xml'));
    expect(page).toEqual({ items: [], unreadable: [], pageNum: 1, pagesCount: 0, pageSize: 500 });
  });

  it('reads a UTF-8 BOM in front of JSON and XML', () => {
    for (const name of [
      'replica-task-sessions.query.two-failed.v13.json',
      'replica-task-sessions.query.two-failed.xml',
    ]) {
      const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture(name)]);
      expect(parseQueryPage('ReplicaTaskSession', parseEmBody(withBom).tree).items).toHaveLength(4);
    }
  });

  it('refuses a page without PagingInfo and names what is missing', () => {
    const text = fixture('replica-task-sessions.query.apache02.xml')
      .toString()
      .replace(/<PagingInfo[\s\S]*<\/PagingInfo>/, '');
    const error = thrown(() => parseQueryPage('ReplicaTaskSession', parseEmBody(text).tree));
    expect(error.code).toBe('em_bad_response');
    expect(error.message).toMatch(/paginginfo/);
  });

  it('leaves out a row whose date or state is not what EM sends, naming its UID and field', () => {
    const base = fixture('replica-task-sessions.query.apache02.xml').toString();
    const badDate = base.replace('2025-06-17T20:00:18.06Z', 'yesterday');
    const dated = parseQueryPage('ReplicaTaskSession', parseEmBody(badDate).tree);
    expect(dated.items).toEqual([]);
    expect(dated.unreadable).toEqual([
      expect.objectContaining({ field: 'creationtimeutc', problem: 'is not an ISO 8601 date and time' }),
    ]);
    expect(dated.unreadable[0]!.uid).toMatch(/^urn:veeam:ReplicaTaskSession:/);
    const badState = base.replace('<State>Completed</State>', '<State>Exploded</State>');
    expect(parseQueryPage('ReplicaTaskSession', parseEmBody(badState).tree).unreadable).toEqual([
      expect.objectContaining({ field: 'state', problem: 'is not one of Pending, InProgress, Completed' }),
    ]);
  });

  it('keeps an unknown Result word as Unknown with the word, and a running Success as no result yet', () => {
    const base = fixture('replica-task-sessions.query.apache02.xml').toString();
    const odd = base.replace(/<Result>\w+<\/Result>/, '<Result>Skipped</Result>');
    expect(parseQueryPage('ReplicaTaskSession', parseEmBody(odd).tree).items[0]).toMatchObject({
      result: 'Unknown',
      resultWord: 'Skipped',
    });
    const running = base
      .replace(/<Result>\w+<\/Result>/, '<Result>Success</Result>')
      .replace('<State>Completed</State>', '<State>InProgress</State>');
    expect(parseQueryPage('ReplicaTaskSession', parseEmBody(running).tree).items[0]).toMatchObject({
      state: 'InProgress',
      result: 'None',
    });
  });

  it('refuses a References answer where Entities were asked for', () => {
    const refs =
      '<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Refs><Ref UID="urn:veeam:ReplicaTaskSession:a" Name="x" Href="h" Type="ReplicaTaskSessionReference"/></Refs><PagingInfo PageNum="1" PageSize="1" PagesCount="1"/></QueryResult>';
    expect(thrown(() => parseQueryPage('ReplicaTaskSession', parseEmBody(refs).tree)).code).toBe(
      'em_bad_response',
    );
  });

  it('treats an end time without a zone as UTC and a .NET placeholder as not ended', () => {
    const base = fixture('replica-task-sessions.query.apache02.xml').toString();
    const noZone = base.replace('2025-06-17T20:02:36.993Z', '2025-06-17T20:02:36.993');
    expect(parseQueryPage('ReplicaTaskSession', parseEmBody(noZone).tree).items[0]!.endTime).toEqual(
      new Date('2025-06-17T20:02:36.993Z'),
    );
    const placeholder = base.replace('2025-06-17T20:02:36.993Z', '0001-01-01T00:00:00');
    expect(parseQueryPage('ReplicaTaskSession', parseEmBody(placeholder).tree).items[0]!.endTime).toBeNull();
  });

  it('keeps any VM and job name intact through XML escaping (property)', () => {
    const xmlText = (s: string) =>
      s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
    // XML 1.0 cannot carry most control characters; EM names are printable text
    const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s);
    fc.assert(
      fc.property(name, name, (vm, job) => {
        const doc = `<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Entities><ReplicaTaskSessions>
<ReplicaTaskSession Type="ReplicaTaskSession" Href="h" Name="${xmlText(vm)}@2026-01-01 00:00:00" VmDisplayName="${xmlText(vm)}" UID="urn:veeam:ReplicaTaskSession:1">
<Links><Link Rel="Up" Type="ReplicaJobSessionReference" Href="h" Name="${xmlText(job)}@2026-01-01 00:00:00.123456" /></Links>
<JobSessionUid>urn:veeam:ReplicaJobSession:2</JobSessionUid><CreationTimeUTC>2026-01-01T00:00:00Z</CreationTimeUTC>
<State>Completed</State><Result>Failed</Result><Reason>${xmlText(job)}</Reason><TotalSize>1</TotalSize>
</ReplicaTaskSession></ReplicaTaskSessions></Entities><PagingInfo PageNum="1" PageSize="1" PagesCount="1"/></QueryResult>`;
        const [task] = parseQueryPage('ReplicaTaskSession', parseEmBody(doc).tree).items;
        expect(task!.vmDisplayName).toBe(vm);
        expect(task!.jobName).toBe(job);
        expect(task!.reason).toBe(job);
      }),
    );
  });
});

describe('parseEntity', () => {
  it('decodes the task session entity of the EM docs', () => {
    const task = parseEntity('ReplicaTaskSession', tree('replica-task-session.entity.srv04.xml'));
    expect(task).toMatchObject({
      id: '24590151-20cd-4e57-8a2f-8b65869a1879',
      vmDisplayName: 'srv04',
      jobName: 'Fileserver02 Replication',
      backupServerName: 'srv02.tech.local',
      totalSize: 64_424_509_440,
      endTime: new Date('2014-10-19T07:02:33Z'),
    });
  });

  it('decodes the job session entity of the EM docs', () => {
    const job = parseEntity('ReplicaJobSession', tree('replica-job-session.entity.fileserver02.xml'));
    expect(job).toEqual({
      uid: 'urn:veeam:ReplicaJobSession:0bcf5a1e-866c-4b40-8bc3-ce64753b9a6b',
      id: '0bcf5a1e-866c-4b40-8bc3-ce64753b9a6b',
      name: 'Fileserver02 Replication@2014-10-19 06:46:31',
      jobUid: 'urn:veeam:Job:2c49a44e-1e59-4527-a6bc-6b2f9b579ee1',
      jobName: 'Fileserver02 Replication',
      jobType: 'Replica',
      backupServerName: 'srv02.tech.local',
      creationTime: new Date('2014-10-19T06:46:31Z'),
      endTime: new Date('2014-10-19T07:02:35Z'),
      state: 'Stopped',
      result: 'Success',
      progress: 100,
      isRetry: false,
      failureMessage: null,
    });
  });

  it('decodes a JSON entity, which has no root name', () => {
    const page = JSON.parse(fixture('replica-task-sessions.query.two-failed.v13.json').toString());
    const one = JSON.stringify(page.entities.replicaTaskSessions.replicaTaskSessions[1]);
    expect(parseEntity('ReplicaTaskSession', parseEmBody(one).tree).vmDisplayName).toBe('apache02');
  });
});

describe('parseEntityList', () => {
  it('reads a list with a single member as a list', () => {
    const tasks = parseEntityList(
      'ReplicaTaskSession',
      tree('replica-task-sessions.list.ubuntu88.xml'),
    ).items;
    expect(tasks.map((task) => [task.vmDisplayName, task.jobName])).toEqual([
      ['ubuntu88', 'Replication Job 1'],
    ]);
  });

  it('reads the JSON list shape', () => {
    const page = JSON.parse(fixture('replica-task-sessions.query.two-failed.v12.json').toString());
    const list = JSON.stringify({
      ReplicaTaskSessions: page.Entities.ReplicaTaskSessions.ReplicaTaskSessions,
    });
    expect(parseEntityList('ReplicaTaskSession', parseEmBody(list).tree).items).toHaveLength(4);
  });
});

describe('parseLogonSession', () => {
  it('takes the SessionId from XML and JSON logon bodies', () => {
    expect(parseLogonSession(tree('logon-session.xml'))).toEqual({
      sessionId: '15a3fc97-0325-4119-b789-5c0367c6c565',
      userName: 'SRV12\\Administrator',
    });
    expect(parseLogonSession(tree('logon-session.v12.json')).sessionId).toBe(
      'b9a759dd-4496-4f50-8fc0-f925aa283f8d',
    );
  });
});

describe('parseEmError', () => {
  it('reads Message and StatusCode from XML and JSON error bodies', () => {
    expect(parseEmError(tree('error.500.xml'))).toEqual({
      message: 'Object reference not set to an instance of an object.',
      statusCode: 500,
    });
    expect(parseEmError(tree('error.400.json'))).toEqual({
      message: 'Node [root] does not exist.',
      statusCode: 400,
    });
  });

  it('returns null for a body that is not an EM error', () => {
    expect(parseEmError(tree('logon-session.xml'))).toBeNull();
  });
});

describe('stripSessionTimestamp', () => {
  it('removes only a trailing EM timestamp', () => {
    expect(stripSessionTimestamp('Replication Job 2@2025-06-17 20:00:05')).toBe('Replication Job 2');
    expect(stripSessionTimestamp('H3_BACKUP@2026-06-16 06:22:07.193292')).toBe('H3_BACKUP');
    expect(stripSessionTimestamp('ops@site@2025-06-17 20:00:05')).toBe('ops@site');
    expect(stripSessionTimestamp('nightly@2025-06-17')).toBe('nightly@2025-06-17');
    expect(stripSessionTimestamp('Fileserver02 Replication')).toBe('Fileserver02 Replication');
  });
});

describe('the fast row decoder', () => {
  // every field mostly takes what EM sends and sometimes something odd that zod has a rule for, so rows that the
  // fast path accepts and rows it must leave to zod both come up often
  const field = <T, U>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<U>) =>
    fc.oneof(
      { arbitrary: usual, weight: 25 },
      { arbitrary: odd, weight: 1 },
      { arbitrary: fc.constantFrom(undefined, null, '', ' ', 7, true, ['x'], { a: 1 }), weight: 1 },
    );
  const uidValue = field(
    fc.constantFrom('urn:veeam:ReplicaTaskSession:1a-2b', 'urn:veeam:X:y'),
    fc.constantFrom('urn:veeam:X', ' urn:veeam:X:y', 'urn:veeam:X:y\n'),
  );
  const date = field(
    fc.constantFrom(
      '2026-10-25T11:51:26.965Z',
      '2026-10-25T11:51:26.9651234Z',
      '2026-10-25T11:51:26',
      '2026-10-25T11:51:26+02:00',
      '2026-10-25T11:51',
      '0001-01-01T00:00:00',
    ),
    fc.constantFrom(
      ' 2026-10-25T11:51:26 ',
      '1900-12-31T23:59:59Z',
      '1901-01-01T00:00:00Z',
      '2026-13-45T99:99:99Z',
      'yesterday',
    ),
  );
  const odd = fc.constantFrom('completed', ' InProgress ', 'working', 'SUCCESS ', 'Exploded', '');
  const taskState = field(fc.constantFrom('Pending', 'InProgress', 'Completed'), odd);
  const jobState = field(fc.constantFrom('Starting', 'Working', 'Stopped'), odd);
  const result = field(fc.constantFrom('None', 'Success', 'Warning', 'Failed'), odd);
  const number = field(
    fc.oneof(fc.nat(200), fc.constantFrom('64424509440', '0', '100', '')),
    fc.constantFrom(-1, ' 12 ', '-1', '1.5', '99999999999999999999', 1.5, -0, Number.NaN, 2 ** 60),
  );
  const bool = field(
    fc.constantFrom(false, true, 'true', 'false', ''),
    fc.constantFrom('True', ' false ', 'yes'),
  );
  const text = field(fc.constantFrom('Web Tier DR@2026-10-25 11:51:15', 'ops@site', 'x', ''), fc.constant(5));
  const link = fc.record(
    {
      rel: field(fc.constantFrom('Up', 'Alternate'), fc.constant('up')),
      href: text,
      name: text,
      type: field(
        fc.constantFrom('BackupServerReference', 'ReplicaJobSessionReference'),
        fc.constant('backupserverreference'),
      ),
    },
    { requiredKeys: ['rel', 'type'] },
  );
  const links = field(
    fc.oneof(fc.record({ link: fc.array(link, { maxLength: 3 }) }), fc.array(link, { maxLength: 3 })),
    fc.oneof(
      fc.record({ link: fc.constantFrom(undefined, 'x', null) }, { requiredKeys: [] }),
      fc.array(fc.constantFrom('x', null), { minLength: 1, maxLength: 2 }),
    ),
  );
  const task = fc.record(
    {
      uid: uidValue,
      name: text,
      vmdisplayname: text,
      jobsessionuid: uidValue,
      creationtimeutc: date,
      endtimeutc: date,
      state: taskState,
      result,
      reason: text,
      totalsize: number,
      links,
    },
    { requiredKeys: ['uid', 'name', 'jobsessionuid', 'creationtimeutc', 'state'] },
  );
  const job = fc.record(
    {
      uid: uidValue,
      name: text,
      jobuid: uidValue,
      jobname: text,
      jobtype: text,
      creationtimeutc: date,
      endtimeutc: date,
      state: jobState,
      result,
      progress: number,
      failuremessage: text,
      isretry: bool,
      links,
    },
    { requiredKeys: ['uid', 'name', 'jobuid', 'jobname', 'jobtype', 'creationtimeutc', 'state'] },
  );

  const agrees = (decoded: () => unknown, reference: { success: boolean; data?: unknown }) => {
    if (reference.success) expect(decoded()).toEqual(reference.data);
    else expect(thrown(decoded).code).toBe('em_bad_response');
  };

  it('accepts and refuses task session rows exactly as the zod schema does (property)', () => {
    fc.assert(
      fc.property(task, (row) => {
        agrees(() => parseEntity('ReplicaTaskSession', row), taskSessionSchema.safeParse(row));
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts and refuses job session rows exactly as the zod schema does (property)', () => {
    fc.assert(
      fc.property(job, (row) => {
        agrees(() => parseEntity('BackupJobSession', row), jobSessionSchema.safeParse(row));
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes a typical XML row to the same object as the zod schema', () => {
    const good = {
      uid: 'urn:veeam:ReplicaTaskSession:a',
      name: 'vm@2026-01-01 00:00:00',
      jobsessionuid: 'urn:veeam:ReplicaJobSession:b',
      creationtimeutc: '2026-01-01T00:00:00Z',
      endtimeutc: '',
      state: 'InProgress',
      totalsize: '12',
      links: { link: [{ rel: 'Up', type: 'ReplicaJobSessionReference', name: 'Job@2026-01-01 00:00:00' }] },
    };
    expect(parseEntity('ReplicaTaskSession', good)).toEqual(taskSessionSchema.parse(good));
    expect(parseEntity('ReplicaTaskSession', good)).toMatchObject({
      vmDisplayName: 'vm',
      jobName: 'Job',
      result: 'None',
    });
  });
});

describe('toPlainUtcDate', () => {
  it('reads what Date.parse reads for the form EM sends', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1901-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        (date, fractionDigits, zulu) => {
          const iso = date.toISOString();
          const fraction =
            fractionDigits === 0 ? '' : `.${`${iso.slice(20, 23)}9876`.slice(0, fractionDigits)}`;
          const text = `${iso.slice(0, 19)}${fraction}${zulu ? 'Z' : ''}`;
          expect(toPlainUtcDate(text)?.getTime()).toBe(Date.parse(`${text}${zulu ? '' : 'Z'}`));
        },
      ),
    );
  });

  it('reads a date in place exactly as from its own string, whatever is around it (property)', () => {
    const piece = fc.constantFrom(
      '2026',
      '-',
      '02',
      '11',
      '29',
      '30',
      'T',
      ':',
      '59',
      '.',
      '1',
      '0',
      'Z',
      'z',
      '+',
    );
    const text = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, text, text, (before, date, after) => {
        const src = `${before}${date}${after}`;
        const inPlace = toPlainUtcDateAt(src, before.length, before.length + date.length);
        expect(inPlace?.getTime()).toBe(toPlainUtcDate(date)?.getTime());
      }),
      { numRuns: 3000 },
    );
    const iso = fc.date({
      min: new Date('0100-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(iso, text, (date, after) => {
        const value = date.toISOString();
        expect(toPlainUtcDateAt(`${value}${after}`, 0, value.length)?.getTime()).toBe(date.getTime());
      }),
    );
  });

  it('reads leap days', () => {
    expect(toPlainUtcDate('2028-02-29T10:00:00Z')?.toISOString()).toBe('2028-02-29T10:00:00.000Z');
    expect(toPlainUtcDate('2000-02-29T10:00:00')?.toISOString()).toBe('2000-02-29T10:00:00.000Z');
  });

  it('leaves every other form to the reference path', () => {
    for (const text of [
      '2026-02-30T10:00:00Z',
      '2026-02-29T10:00:00Z',
      '2100-02-29T10:00:00Z',
      '2026-04-31T10:00:00Z',
      '2026-11-02T24:00:00Z',
      '2026-11-02T18:48:51+02:00',
      ' 2026-11-02T18:48:51Z',
      '2026-11-02t18:48:51Z',
      '2026-11-02T18:48:51.Z',
      '2026-11-02T18:48:51.12345678Z',
      '0099-11-02T18:48:51Z',
      '2026-1x-02T18:48:51Z',
    ]) {
      expect(toPlainUtcDate(text)).toBeNull();
    }
  });
});

describe('toOwnString', () => {
  it('gives the same text', () => {
    const page = `<A UID="urn:veeam:ReplicaTaskSession:${'b'.repeat(36)}"/>`.repeat(3);
    const slice = page.slice(8, 8 + 56);
    expect(toOwnString(slice)).toBe(slice);
    expect(toOwnString('short')).toBe('short');
    expect(toOwnString('')).toBe('');
  });
});
