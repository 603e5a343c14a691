import https from 'node:https';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';

const NOW = new Date('2026-06-17T12:00:00Z');
const BASIC = `Basic ${Buffer.from('replibot:replibot').toString('base64')}`;
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  // lists are arrays even with one item; a document root stays an object
  isArray: (name, jpath) =>
    String(jpath).includes('.') &&
    ['Link', 'ReplicaTaskSession', 'ReplicaJobSession', 'Ref', 'LogonSession'].includes(name),
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function logOn(sim: RunningSimulator): Promise<{ token: string; sessionId: string }> {
  const res = await call(`${sim.url}/api/sessionMngr/?v=latest`, {
    method: 'POST',
    headers: { authorization: BASIC },
  });
  expect(res.status).toBe(201);
  const body = xml.parse(res.text);
  return { token: res.headers.get('x-restsvcsessionid')!, sessionId: body.LogonSession.SessionId };
}

function get(sim: RunningSimulator, token: string, path: string, json = false): Promise<Answer> {
  const headers: Record<string, string> = { 'x-restsvcsessionid': token };
  if (json) headers.accept = 'application/json';
  return call(path.startsWith('http') ? path : `${sim.url}${path}`, { headers });
}

function queryPath(params: Record<string, string>): string {
  return `/api/query?${new URLSearchParams(params).toString()}`;
}

interface TaskRow {
  UID: string;
  Name: string;
  VmDisplayName: string;
  CreationTimeUTC: string;
  EndTimeUTC?: string;
  State: string;
  Result: string;
  Reason: string;
  JobSessionUid: string;
  Links: { Link: Array<{ Rel: string; Type?: string; Name?: string; Href: string }> };
}

function tasksOf(text: string): {
  rows: TaskRow[];
  paging: Record<string, unknown> & { Links: { Link: Array<{ Rel: string; Href: string }> } };
} {
  const doc = xml.parse(text).QueryResult;
  return { rows: doc.Entities?.ReplicaTaskSessions?.ReplicaTaskSession ?? [], paging: doc.PagingInfo };
}

describe('startSimulator', () => {
  let sim: RunningSimulator;
  let token: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 7, now: () => NOW });
    token = (await logOn(sim)).token;
  });
  afterAll(() => sim.close());

  describe('logon', () => {
    it('answers GET /api/ with the EnterpriseManager document without a logon', async () => {
      const res = await call(`${sim.url}/api/`);
      expect(res.status).toBe(200);
      const doc = xml.parse(res.text).EnterpriseManager;
      expect(doc.Links.Link.map((l: { Type: string }) => l.Type)).toEqual([
        'LogonSessionList',
        'LogonSession',
      ]);
      expect(doc.SupportedVersions.SupportedVersion.map((v: { Name: string }) => v.Name)).toContain('v1_7');
    });

    it('logs on with Basic credentials: 201, the token in X-RestSvcSessionId and a LogonSession body', async () => {
      const res = await call(`${sim.url}/api/sessionMngr/?v=latest`, {
        method: 'POST',
        headers: { authorization: BASIC },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-restsvcsessionid')).toMatch(/^[A-Za-z0-9+/]+=*$/);
      const body = xml.parse(res.text).LogonSession;
      expect(body.UserName).toBe('replibot');
      expect(body.SessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.SessionId).not.toBe(res.headers.get('x-restsvcsessionid'));
      expect(body.Links.Link.find((l: { Rel: string }) => l.Rel === 'Delete').Href).toBe(
        `${sim.url}/api/logonSessions/${body.SessionId}`,
      );
    });

    it('refuses wrong credentials with 401, an Error body and WWW-Authenticate: Basic Realm=RestSvc', async () => {
      const wrong = `Basic ${Buffer.from('replibot:nope').toString('base64')}`;
      const res = await call(`${sim.url}/api/sessionMngr/?v=latest`, {
        method: 'POST',
        headers: { authorization: wrong },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic Realm=RestSvc');
      expect(res.headers.get('x-restsvcsessionid')).toBeNull();
      expect(xml.parse(res.text).Error.StatusCode).toBe('401');
      expect(res.text).not.toContain('nope');
    });

    it('answers 401 with an Error body without a token or with an unknown one', async () => {
      const none = await call(`${sim.url}${queryPath({ type: 'ReplicaTaskSession' })}`);
      expect(none.status).toBe(401);
      expect(xml.parse(none.text).Error.Message).toMatch(/expected but not found/);
      const unknown = await get(sim, 'bm9wZQ==', queryPath({ type: 'ReplicaTaskSession' }), true);
      expect(unknown.status).toBe(401);
      expect(JSON.parse(unknown.text)).toMatchObject({ StatusCode: 401, Status: null });
    });

    it('lists logon sessions and logs off with DELETE /api/logonSessions/{SessionId}', async () => {
      const mine = await logOn(sim);
      const list = await get(sim, mine.token, '/api/logonSessions');
      expect(list.status).toBe(200);
      const ids = xml
        .parse(list.text)
        .LogonSessions.LogonSession.map((s: { SessionId: string }) => s.SessionId);
      expect(ids).toContain(mine.sessionId);
      const off = await call(`${sim.url}/api/logonSessions/${mine.sessionId}`, {
        method: 'DELETE',
        headers: { 'x-restsvcsessionid': mine.token },
      });
      expect(off.status).toBe(204);
      expect((await get(sim, mine.token, '/api/logonSessions')).status).toBe(401);
      expect((await get(sim, token, '/api/logonSessions')).status).toBe(200);
    });

    it('lets the cookie win over the header, as EM does', async () => {
      const res = await call(`${sim.url}/api/logonSessions`, {
        headers: { 'x-restsvcsessionid': token, cookie: 'X-RestSvcSessionId=c3RhbGU=' },
      });
      expect(res.status).toBe(401);
    });
  });

  describe('query', () => {
    it('uses a page size of 100 when none is given, like a real EM', async () => {
      const res = await get(sim, token, queryPath({ type: 'ReplicaTaskSession', format: 'Entities' }));
      const { rows, paging } = tasksOf(res.text);
      expect(rows).toHaveLength(100);
      expect(paging.PageSize).toBe('100');
      expect(paging.PagesCount).toBe(String(Math.ceil(sim.counts().taskSessions / 100)));
    });

    it('follows First/Previous/Next/Last links through every page without losing or repeating a session', async () => {
      const first = queryPath({
        type: 'ReplicaTaskSession',
        format: 'Entities',
        sortDesc: 'CreationTime',
        filter: 'Result>=Success',
        pageSize: '700',
      });
      let next: string | undefined = first;
      const seen: string[] = [];
      const relsByPage: string[][] = [];
      while (next) {
        const res = await get(sim, token, next);
        expect(res.status).toBe(200);
        const { rows, paging } = tasksOf(res.text);
        seen.push(...rows.map((row) => row.UID));
        relsByPage.push(paging.Links.Link.map((l) => l.Rel));
        next = paging.Links.Link.find((l) => l.Rel === 'Next')?.Href;
      }
      const all = tasksOf(
        (
          await get(
            sim,
            token,
            queryPath({ type: 'ReplicaTaskSession', format: 'Entities', pageSize: '100000' }),
          )
        ).text,
      ).rows.filter((row) => row.Result !== 'None');
      expect(relsByPage.length).toBe(Math.ceil(all.length / 700));
      expect(relsByPage[0]).toEqual(['First', 'Next', 'Last']);
      expect(relsByPage[1]).toEqual(['First', 'Previous', 'Next', 'Last']);
      expect(relsByPage.at(-1)).toEqual(['First', 'Previous', 'Last']);
      expect(new Set(seen).size).toBe(seen.length);
      expect(new Set(seen)).toEqual(new Set(all.map((row) => row.UID)));
    });

    it('writes & in XML paging links as &amp; and keeps a plain & in JSON', async () => {
      const path = queryPath({
        type: 'ReplicaTaskSession',
        format: 'Entities',
        pageSize: '5',
        filter: 'JobName=="R&D <lab> replicas"',
      });
      const x = await get(sim, token, path);
      expect(x.text).toContain(
        'query?type=ReplicaTaskSession&amp;format=Entities&amp;filter=JobName%3D%3D%22R%26D%20%3Clab%3E%20replicas%22&amp;pageSize=5&amp;page=2',
      );
      const j = JSON.parse((await get(sim, token, path, true)).text);
      expect(j.PagingInfo.Links[0]).toEqual({
        Rel: 'First',
        Href: `${sim.url}/api/query?type=ReplicaTaskSession&format=Entities&filter=JobName%3D%3D%22R%26D%20%3Clab%3E%20replicas%22&pageSize=5&page=1`,
        Name: null,
        Type: null,
      });
    });

    it('sorts by CreationTime descending and by VmDisplayName ascending', async () => {
      const desc = tasksOf(
        (
          await get(
            sim,
            token,
            queryPath({
              type: 'ReplicaTaskSession',
              format: 'Entities',
              sortDesc: 'CreationTime',
              pageSize: '300',
            }),
          )
        ).text,
      ).rows.map((row) => Date.parse(row.CreationTimeUTC));
      expect(desc).toEqual([...desc].sort((a, b) => b - a));
      const byVm = tasksOf(
        (
          await get(
            sim,
            token,
            queryPath({
              type: 'ReplicaTaskSession',
              format: 'Entities',
              sortAsc: 'vmdisplayname',
              pageSize: '300',
            }),
          )
        ).text,
      ).rows.map((row) => row.VmDisplayName.toLowerCase());
      expect(byVm).toEqual([...byVm].sort());
      expect(new Set(byVm).size).toBeGreaterThan(1);
    });

    describe('filters', () => {
      let all: TaskRow[];
      beforeAll(async () => {
        all = tasksOf(
          (
            await get(
              sim,
              token,
              queryPath({ type: 'ReplicaTaskSession', format: 'Entities', pageSize: '100000' }),
            )
          ).text,
        ).rows;
      });
      const uidsFor = async (filter: string) => {
        const res = await get(
          sim,
          token,
          queryPath({ type: 'ReplicaTaskSession', format: 'Entities', pageSize: '100000', filter }),
        );
        expect(res.status).toBe(200);
        return new Set(tasksOf(res.text).rows.map((row) => row.UID));
      };
      const expected = (keep: (row: TaskRow) => boolean) => new Set(all.filter(keep).map((row) => row.UID));
      const since = Date.parse('2026-06-10T00:00:00Z');
      const jobOf = (row: TaskRow) =>
        row.Links.Link.find((l) => l.Type === 'ReplicaJobSessionReference')!.Name!.replace(/@[^@]*$/, '');

      it.each([
        ['Result==Failed', (r: TaskRow) => r.Result === 'Failed'],
        ['Result>=Warning', (r: TaskRow) => r.Result === 'Warning' || r.Result === 'Failed'],
        ['Result<Warning', (r: TaskRow) => r.Result === 'Success' || r.Result === 'None'],
        [
          'Result!=Success;State==Completed',
          (r: TaskRow) => r.Result !== 'Success' && r.State === 'Completed',
        ],
        ['State==InProgress', (r: TaskRow) => r.State === 'InProgress'],
        [
          'CreationTime>="2026-06-10T00:00:00Z";(Result==Warning,Result==Failed)',
          (r: TaskRow) =>
            Date.parse(r.CreationTimeUTC) >= since && (r.Result === 'Warning' || r.Result === 'Failed'),
        ],
        ['CreationTime>=2026-06-10T00:00:00', (r: TaskRow) => Date.parse(r.CreationTimeUTC) >= since],
        ['creationtime < "2026-06-10T00:00:00.000Z"', (r: TaskRow) => Date.parse(r.CreationTimeUTC) < since],
        [
          'VmDisplayName==apache02,VmDisplayName=="srv04"',
          (r: TaskRow) => ['apache02', 'srv04'].includes(r.VmDisplayName),
        ],
        [
          '(JobName=="SQL Replica";Result==Failed),(VmDisplayName=="<!channel>";Result!=Success)',
          (r: TaskRow) =>
            (jobOf(r) === 'SQL Replica' && r.Result === 'Failed') ||
            (r.VmDisplayName === '<!channel>' && r.Result !== 'Success'),
        ],
        ['JobName=="Exchange ""DAG"" Replica"', (r: TaskRow) => jobOf(r) === 'Exchange "DAG" Replica'],
        ['vmdisplayname=="APACHE02"', (r: TaskRow) => r.VmDisplayName === 'apache02'],
        [
          'EndTime>"2026-06-17T11:00:00Z"',
          (r: TaskRow) =>
            r.EndTimeUTC !== undefined && Date.parse(r.EndTimeUTC) > Date.parse('2026-06-17T11:00:00Z'),
        ],
      ])('answers %s with exactly the matching sessions', async (filter, keep) => {
        const want = expected(keep);
        expect(want.size).toBeGreaterThan(0);
        expect(await uidsFor(filter)).toEqual(want);
      });

      it.each([
        ['Result==Failed;', /Expected a field name/],
        ['VmDisplayName=="apache02', /not closed/],
        ['Foo==1', /Unknown filter parameter 'Foo'/],
        ['Result=Failed', /Expected an operator/],
        ['Result==Broken', /expected one of/],
        ['CreationTime>="yesterday"', /Invalid DateTime/],
        ['(Result==Failed', /Expected '\)'/],
        ['Result==Failed)', /Unexpected '\)'/],
        ['VmDisplayName==', /Expected a value/],
        ['TotalSize>big', /Invalid number/],
      ])('answers 400 with an Error for the bad filter %s', async (filter, message) => {
        const res = await get(sim, token, queryPath({ type: 'ReplicaTaskSession', filter }));
        expect(res.status).toBe(400);
        const error = xml.parse(res.text).Error;
        expect(error.StatusCode).toBe('400');
        expect(error.Message).toMatch(message);
      });
    });

    it.each([
      [{ type: 'BackupServer' }, /Unknown query type/],
      [{}, /query type is not specified/],
      [{ type: 'ReplicaTaskSession', pageSize: '0' }, /pageSize/],
      [{ type: 'ReplicaTaskSession', page: 'x' }, /page must/],
      [{ type: 'ReplicaTaskSession', format: 'Everything' }, /Unknown format/],
      [{ type: 'ReplicaTaskSession', sortDesc: 'Colour' }, /Unknown sort parameter/],
    ])('answers 400 for the bad query %j', async (params, message) => {
      const res = await get(sim, token, queryPath(params as Record<string, string>), true);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).Message).toMatch(message);
    });

    it('answers format=References with Refs that link to the entity', async () => {
      const res = await get(sim, token, queryPath({ type: 'ReplicaJobSession', pageSize: '3' }));
      const doc = xml.parse(res.text).QueryResult;
      expect(doc.Entities).toBeUndefined();
      expect(doc.Refs.Ref).toHaveLength(3);
      const ref = doc.Refs.Ref[0];
      expect(ref.Type).toBe('ReplicaJobSessionReference');
      expect(ref.UID).toMatch(/^urn:veeam:ReplicaJobSession:[0-9a-f-]{36}$/);
      expect(ref.Links.Link.find((l: { Rel: string }) => l.Rel === 'Alternate').Href).toBe(
        `${ref.Href}?format=Entity`,
      );
    });

    it('answers ReplicaJobSession queries with IsRetry, running sessions and results derived from the tasks', async () => {
      const res = await get(
        sim,
        token,
        queryPath({ type: 'ReplicaJobSession', format: 'Entities', pageSize: '100000' }),
        true,
      );
      const sessions = JSON.parse(res.text).Entities.ReplicaJobSessions.ReplicaJobSessions as Array<
        Record<string, unknown>
      >;
      expect(sessions.length).toBe(sim.counts().jobSessions);
      expect(sessions.some((s) => s.IsRetry === true && s.Result === 'Success')).toBe(true);
      expect(sessions.some((s) => s.IsRetry === true && s.Result === 'Failed')).toBe(true);
      const working = sessions.filter((s) => s.State === 'Working');
      expect(working.length).toBeGreaterThan(0);
      expect(working.every((s) => s.EndTimeUTC === null && s.Result === 'None')).toBe(true);
      const retries = await get(
        sim,
        token,
        queryPath({
          type: 'ReplicaJobSession',
          format: 'Entities',
          pageSize: '100000',
          filter: 'IsRetry==true',
        }),
        true,
      );
      const retried = JSON.parse(retries.text).Entities.ReplicaJobSessions.ReplicaJobSessions as Array<
        Record<string, unknown>
      >;
      expect(retried.length).toBe(sessions.filter((s) => s.IsRetry === true).length);
    });
  });

  describe('data', () => {
    it('holds the VMs and hostile names demos rely on, with realistic failure reasons', async () => {
      const res = await get(
        sim,
        token,
        queryPath({ type: 'ReplicaTaskSession', format: 'Entities', pageSize: '100000' }),
        true,
      );
      const rows = JSON.parse(res.text).Entities.ReplicaTaskSessions.ReplicaTaskSessions as Array<
        Record<string, unknown>
      >;
      const vms = new Set(rows.map((row) => row.VmDisplayName));
      for (const vm of ['apache02', 'ubuntu88', 'srv04', '<!channel>', '<https://evil|click>'])
        expect(vms).toContain(vm);
      const reasons = rows.filter((row) => row.Result === 'Failed').map((row) => String(row.Reason));
      expect(reasons.some((r) => r.includes('quiescing'))).toBe(true);
      expect(reasons.some((r) => r.includes('Failed to create VM snapshot'))).toBe(true);
      expect(rows.filter((row) => row.Result === 'Success').every((row) => row.Reason === '')).toBe(true);
      const jobs = new Set(
        rows.map((row) =>
          (row.Links as Array<{ Type: string; Name: string }>)
            .find((l) => l.Type === 'ReplicaJobSessionReference')!
            .Name.replace(/@[^@]*$/, ''),
        ),
      );
      expect(jobs).toContain('SQL Replica');
      expect(jobs).toContain('R&D <lab> replicas');
      expect(jobs).toContain('Exchange "DAG" Replica');
    });

    it('generates the same data for the same seed', async () => {
      const twin = await startSimulator({ seed: 7, now: () => NOW });
      try {
        const t = (await logOn(twin)).token;
        const path = queryPath({
          type: 'ReplicaTaskSession',
          format: 'Entities',
          pageSize: '50',
          sortDesc: 'CreationTime',
        });
        const mine = (await get(sim, token, path)).text.replaceAll(sim.url, '');
        const theirs = (await get(twin, t, path)).text.replaceAll(twin.url, '');
        expect(theirs).toBe(mine);
      } finally {
        await twin.close();
      }
    });
  });

  describe('resources', () => {
    let task: TaskRow;
    beforeAll(async () => {
      task = tasksOf(
        (
          await get(
            sim,
            token,
            queryPath({
              type: 'ReplicaTaskSession',
              format: 'Entities',
              pageSize: '1',
              filter: 'Result==Failed',
            }),
          )
        ).text,
      ).rows[0]!;
    });

    it('answers GET /api/replicaTaskSessions/{ID} with an EntityRef and ?format=Entity with the session', async () => {
      const id = task.UID.split(':').at(-1)!;
      const ref = xml.parse((await get(sim, token, `/api/replicaTaskSessions/${id}`)).text).EntityRef;
      expect(ref).toMatchObject({ UID: task.UID, Name: task.Name, Type: 'ReplicaTaskSessionReference' });
      const entity = xml.parse(
        (await get(sim, token, `/api/replicaTaskSessions/${id}?format=Entity`)).text,
      ).ReplicaTaskSession;
      expect(entity.xmlns).toBe('http://www.veeam.com/ent/v1.0');
      const { xmlns, 'xmlns:xsd': xsd, 'xmlns:xsi': xsi, ...rest } = entity;
      expect(rest).toEqual(task);
    });

    it('answers GET /api/replicaSessions/{ID}?format=Entity and its replicaTaskSessions', async () => {
      const jobId = task.JobSessionUid.split(':').at(-1)!;
      const session = JSON.parse(
        (await get(sim, token, `/api/replicaSessions/${jobId}?format=Entity`, true)).text,
      );
      expect(session.UID).toBe(task.JobSessionUid);
      expect(session.Result).toBe('Failed');
      expect(session.FailureMessage).toEqual(expect.any(String));
      const ref = xml.parse((await get(sim, token, `/api/replicaSessions/${jobId}`)).text).EntityRef;
      expect(ref.Type).toBe('ReplicaJobSessionReference');
      const children = xml.parse(
        (await get(sim, token, `/api/replicaSessions/${jobId}/replicaTaskSessions?format=Entity`)).text,
      ).ReplicaTaskSessions.ReplicaTaskSession as TaskRow[];
      expect(children.map((c) => c.UID)).toContain(task.UID);
      expect(children.every((c) => c.JobSessionUid === task.JobSessionUid)).toBe(true);
    });

    it('answers 404 with an Error for unknown ids', async () => {
      for (const path of [
        '/api/replicaTaskSessions/00000000-0000-4000-8000-000000000000?format=Entity',
        '/api/replicaSessions/not-a-guid',
        '/api/nothingHere',
      ]) {
        const res = await get(sim, token, path);
        expect(res.status).toBe(404);
        expect(xml.parse(res.text).Error.StatusCode).toBe('404');
      }
    });
  });

  describe('JSON', () => {
    it('answers v12 PascalCase JSON with doubled list wrappers and nulls', async () => {
      const res = await get(
        sim,
        token,
        queryPath({
          type: 'ReplicaTaskSession',
          format: 'Entities',
          pageSize: '1',
          filter: 'State==InProgress',
        }),
        true,
      );
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = JSON.parse(res.text);
      expect(Object.keys(body)).toEqual(['Refs', 'Entities', 'Resources', 'Links', 'PagingInfo']);
      expect(body.Entities.BackupTaskSessions).toBeNull();
      const row = body.Entities.ReplicaTaskSessions.ReplicaTaskSessions[0];
      expect(Object.keys(row)).toEqual([
        'JobSessionUid',
        'CreationTimeUTC',
        'EndTimeUTC',
        'State',
        'Result',
        'Reason',
        'TotalSize',
        'VmDisplayName',
        'Name',
        'UID',
        'Links',
        'Href',
        'Type',
      ]);
      expect(row).toMatchObject({ EndTimeUTC: null, State: 'InProgress', Result: 'None' });
      expect(typeof row.TotalSize).toBe('number');
      expect(body.PagingInfo).toMatchObject({ PageNum: 1, PageSize: 1 });
    });

    it('answers v13 camelCase JSON when started with keyStyle v13', async () => {
      const v13 = await startSimulator({ seed: 7, now: () => NOW, keyStyle: 'v13' });
      try {
        const t = (await logOn(v13)).token;
        const body = JSON.parse(
          (
            await get(
              v13,
              t,
              queryPath({ type: 'ReplicaTaskSession', format: 'Entities', pageSize: '1' }),
              true,
            )
          ).text,
        );
        expect(Object.keys(body)).toEqual(['refs', 'entities', 'resources', 'links', 'pagingInfo']);
        const row = body.entities.replicaTaskSessions.replicaTaskSessions[0];
        expect(Object.keys(row)).toEqual(
          expect.arrayContaining(['uid', 'vmDisplayName', 'creationTimeUTC', 'jobSessionUid', 'links']),
        );
        expect(row.links[0]).toEqual({
          rel: 'Up',
          href: expect.any(String),
          name: expect.any(String),
          type: 'BackupServerReference',
        });
        expect(body.pagingInfo).toMatchObject({ pageNum: 1, pageSize: 1, pagesCount: expect.any(Number) });
        const api = JSON.parse(
          (await call(`${v13.url}/api/`, { headers: { accept: 'application/json' } })).text,
        );
        expect(api.supportedVersions.supportedVersions).toHaveLength(3);
      } finally {
        await v13.close();
      }
    });
  });
});

describe('startSimulator sessions over time', () => {
  let sim: RunningSimulator;
  let now = NOW.getTime();
  const start = async (options: SimulatorOptions) => {
    now = NOW.getTime();
    sim = await startSimulator({
      seed: 3,
      data: { taskSessions: 200 },
      now: () => new Date(now),
      ...options,
    });
    return sim;
  };
  afterEach(() => sim?.close());

  it('expires an idle logon session after sessionIdleSeconds', async () => {
    await start({ sessionIdleSeconds: 60 });
    const { token } = await logOn(sim);
    now += 59_000;
    expect((await get(sim, token, '/api/logonSessions')).status).toBe(200);
    now += 59_000;
    expect((await get(sim, token, '/api/logonSessions')).status).toBe(200);
    now += 61_000;
    const expired = await get(sim, token, '/api/logonSessions');
    expect(expired.status).toBe(401);
    expect(xml.parse(expired.text).Error.Message).toMatch(/expired/);
  });

  it('shows new and finished sessions only after the collection lag', async () => {
    await start({ collectionLagSeconds: 900 });
    const { token } = await logOn(sim);
    const added = sim.addTaskSession({ vm: 'lagvm01', job: 'Lag Job' });
    const find = async () =>
      tasksOf(
        (
          await get(
            sim,
            token,
            queryPath({ type: 'ReplicaTaskSession', format: 'Entities', filter: 'VmDisplayName=="lagvm01"' }),
          )
        ).text,
      ).rows;
    expect(await find()).toEqual([]);
    expect((await get(sim, token, `/api/replicaTaskSessions/${added.id}`)).status).toBe(404);
    now += 900_000;
    expect((await find()).map((r) => [r.UID, r.State, r.Result])).toEqual([
      [added.uid, 'InProgress', 'None'],
    ]);
    sim.finishTaskSession(added.uid, { result: 'Failed', reason: 'Failed to create VM snapshot' });
    now += 899_000;
    expect((await find())[0]!.State).toBe('InProgress');
    now += 1_000;
    expect((await find())[0]).toMatchObject({
      State: 'Completed',
      Result: 'Failed',
      Reason: 'Failed to create VM snapshot',
    });
  });
});

describe('startSimulator control API', () => {
  let sim: RunningSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 5, data: { taskSessions: 100 }, now: () => NOW });
    token = (await logOn(sim)).token;
  });
  afterAll(() => sim.close());

  const post = (path: string, body: unknown) =>
    call(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('adds a running session, joins a second VM to its job run and finishes both', async () => {
    const first = await post('/_sim/sessions', {
      vm: 'demo vm "1"',
      job: 'Demo & Co',
      server: 'srv09.tech.local',
    });
    expect(first.status).toBe(201);
    const a = JSON.parse(first.text);
    expect(a).toMatchObject({
      vmDisplayName: 'demo vm "1"',
      jobName: 'Demo & Co',
      state: 'InProgress',
      result: 'None',
      endTime: null,
    });
    const b = JSON.parse(
      (await post('/_sim/sessions', { vm: 'demo-vm-2', job: 'ignored', jobSessionUid: a.jobSessionUid }))
        .text,
    );
    expect(b.jobSessionUid).toBe(a.jobSessionUid);
    const jobId = a.jobSessionId;
    const job = async () =>
      JSON.parse((await get(sim, token, `/api/replicaSessions/${jobId}?format=Entity`, true)).text);
    expect(await job()).toMatchObject({
      State: 'Working',
      Result: 'None',
      Progress: 0,
      JobName: 'Demo & Co',
      EndTimeUTC: null,
    });
    const finished = await post(`/_sim/sessions/${a.id}/finish`, {
      result: 'Warning',
      reason: 'Low free space',
    });
    expect(finished.status).toBe(200);
    expect(await job()).toMatchObject({ State: 'Working', Progress: 50 });
    await post(`/_sim/sessions/${b.uid}/finish`, {
      result: 'Failed',
      reason: 'Failed to create VM snapshot',
      endTime: '2026-06-17T12:30:00Z',
    });
    expect(await job()).toMatchObject({
      State: 'Stopped',
      Result: 'Failed',
      Progress: 100,
      FailureMessage: 'Failed to create VM snapshot',
    });
    const row = JSON.parse(
      (await get(sim, token, `/api/replicaTaskSessions/${b.id}?format=Entity`, true)).text,
    );
    expect(row.EndTimeUTC).toBe('2026-06-17T12:30:00Z');
    expect(row.Links[0].Name).toBe('srv09.tech.local');
  });

  it('answers 400 for bad input and 404 for unknown sessions', async () => {
    expect((await post('/_sim/sessions', { job: 'x' })).status).toBe(400);
    expect((await post('/_sim/sessions', { vm: 'bad\u0001name', job: 'x' })).status).toBe(400);
    expect((await post('/_sim/sessions', { vm: 'x', job: 'x', result: 'Meh' })).status).toBe(400);
    expect(
      (await post('/_sim/sessions/00000000-0000-4000-8000-000000000000/finish', { result: 'Success' }))
        .status,
    ).toBe(404);
    expect((await post('/_sim/faults', { errorRate: 3 })).status).toBe(400);
    expect((await post('/_sim/quirks', { oddRow: 'sideways' })).status).toBe(400);
    expect((await post('/_sim/quirks', { pagesCount: 0 })).status).toBe(400);
  });

  it('switches EM quirks on and off through the control API', async () => {
    const on = await post('/_sim/quirks', { emptyEntities: 'self-closing', emptyPagesCount: 0 });
    expect(on.status).toBe(200);
    expect(JSON.parse(on.text)).toEqual({ emptyEntities: 'self-closing', emptyPagesCount: 0 });
    const path = `/api/query?type=ReplicaTaskSession&format=Entities&filter=${encodeURIComponent('VmDisplayName=="nobody"')}`;
    const empty = (await get(sim, token, path)).text;
    expect(empty).toContain('<Entities />');
    expect(empty).toContain('PagesCount="0"');
    expect((await post('/_sim/quirks', {})).status).toBe(200);
    expect((await get(sim, token, path)).text).toContain(
      '<Entities><ReplicaTaskSessions></ReplicaTaskSessions></Entities>',
    );
  });

  it('counts /api requests and bytes in stats and resets them', async () => {
    sim.resetStats();
    const res = await get(sim, token, '/api/logonSessions');
    const stats = JSON.parse((await call(`${sim.url}/_sim/stats`)).text);
    expect(stats).toMatchObject({
      requests: 1,
      bytesSent: Buffer.byteLength(res.text),
      taskSessions: sim.counts().taskSessions,
    });
    sim.resetStats();
    expect(sim.stats).toEqual({ requests: 0, bytesSent: 0, inFlight: 0, maxInFlight: 0 });
  });

  describe('faults', () => {
    afterEach(() => sim.setFaults({}));

    it('answers 500 or 503 with an Error body at errorRate 1', async () => {
      const res = await post('/_sim/faults', { errorRate: 1, errorStatuses: [503] });
      expect(res.status).toBe(200);
      const answer = await get(sim, token, '/api/logonSessions');
      expect(answer.status).toBe(503);
      expect(xml.parse(answer.text).Error.StatusCode).toBe('503');
    });

    it('cuts bodies at malformedRate 1 so they are not valid XML', async () => {
      sim.setFaults({ malformedRate: 1 });
      const answer = await get(sim, token, queryPath({ type: 'ReplicaTaskSession', pageSize: '3' }));
      expect(answer.status).toBe(200);
      expect(XMLValidator.validate(answer.text)).not.toBe(true);
    });

    it('drops connections at dropRate 1', async () => {
      sim.setFaults({ dropRate: 1 });
      await expect(fetch(`${sim.url}/api/`)).rejects.toThrow();
    });

    it('expires logon sessions early after expireSessionsAfterRequests', async () => {
      const fresh = await logOn(sim);
      sim.setFaults({ expireSessionsAfterRequests: 2 });
      expect((await get(sim, fresh.token, '/api/logonSessions')).status).toBe(200);
      expect((await get(sim, fresh.token, '/api/logonSessions')).status).toBe(200);
      expect((await get(sim, fresh.token, '/api/logonSessions')).status).toBe(401);
    });

    it('still answers correctly with added latency', async () => {
      sim.setFaults({ latencyMs: 20 });
      expect((await get(sim, token, '/api/logonSessions')).status).toBe(200);
    });
  });
});

describe('startSimulator over HTTPS', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ tls: true, data: { taskSessions: 10 } });
  });
  afterAll(() => sim.close());

  const request = (ca: string | undefined) =>
    new Promise<{ status: number; token: string | undefined }>((resolve, reject) => {
      const req = https.request(
        `${sim.url}/api/sessionMngr/?v=latest`,
        { method: 'POST', headers: { authorization: BASIC }, ...(ca ? { ca } : {}) },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              token: res.headers['x-restsvcsessionid'] as string | undefined,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('serves HTTPS with a self-signed certificate that verifies against caPem', async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.caPem).toContain('BEGIN CERTIFICATE');
    const ok = await request(sim.caPem);
    expect(ok.status).toBe(201);
    expect(ok.token).toBeTruthy();
  });

  it('is refused by a client that does not trust the certificate', async () => {
    await expect(request(undefined)).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});
