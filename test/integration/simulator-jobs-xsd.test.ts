/** The simulator's Job, Task and Job QueryResult documents validate against EM's XSD. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { findReferenceFile } from '../fakes/reference-dir.js';

const xsd = findReferenceFile('veeam-em/RestAPI-2017.xsd');
const BASIC = `Basic ${Buffer.from('replibot:replibot').toString('base64')}`;

describe.skipIf(!xsd.found)(`simulator job documents against RestAPI-2017.xsd${xsd.skipNote}`, () => {
  let sim: RunningSimulator;
  let schema: string;
  const docs = new Map<string, string>();

  beforeAll(async () => {
    schema = readFileSync(xsd.path, 'utf8').replace(/^\uFEFF/, '');
    // the backup jobs too: every JobType is listed and has its entity
    sim = await startSimulator({ data: { taskSessions: 0 }, backups: { taskSessions: 60 } });
    sim.addTaskSession({ vm: 'x <y> & "z"', job: 'Job & <Co> "quoted"', result: 'Failed', reason: 'r' });
    const logon = await fetch(`${sim.url}/api/sessionMngr/?v=latest`, {
      method: 'POST',
      headers: { authorization: BASIC },
    });
    const token = logon.headers.get('x-restsvcsessionid') ?? '';
    const get = async (path: string, method = 'GET') =>
      (await fetch(`${sim.url}${path}`, { method, headers: { 'x-restsvcsessionid': token } })).text();
    const job = (await (
      await fetch(`${sim.url}/_sim/jobs/${encodeURIComponent('Job & <Co> "quoted"')}`)
    ).json()) as {
      id: string;
    };
    docs.set('QueryResult of Job entities', await get('/api/query?type=Job&format=Entities'));
    docs.set('Job entity', await get(`/api/jobs/${job.id}?format=Entity`));
    docs.set('Job EntityRef', await get(`/api/jobs/${job.id}`));
    const copy = (await (
      await fetch(`${sim.url}/_sim/jobs/${encodeURIComponent('Backup Copy to DR')}`)
    ).json()) as {
      id: string;
    };
    docs.set('Backup copy Job entity', await get(`/api/jobs/${copy.id}?format=Entity`));
    const accepted = await get(`/api/jobs/${job.id}?action=retry`, 'POST');
    docs.set('Task (202)', accepted);
    const taskId = /<TaskId>([^<]+)<\/TaskId>/.exec(accepted)?.[1] ?? '';
    docs.set('Task running', await get(`/api/tasks/${taskId}`));
    docs.set('Task finished', await get(`/api/tasks/${taskId}`));
  });
  afterAll(() => sim?.close());

  it('validates every job and task document', async () => {
    const results: Record<string, string[]> = {};
    for (const [name, text] of docs) {
      const result = await validateXML({
        xml: { fileName: 'doc.xml', contents: text },
        schema: { fileName: 'RestAPI.xsd', contents: schema },
      });
      results[name] = result.valid ? [] : [...result.errors.map((error) => error.message), 'invalid'];
    }
    expect(results).toEqual(Object.fromEntries([...docs.keys()].map((name) => [name, []])));
    expect(docs.get('Task finished')).toContain('<State>Finished</State>');
    expect(docs.get('QueryResult of Job entities')).toContain('<JobType>AgentBackup</JobType>');
    expect(docs.get('Backup copy Job entity')).toContain('<JobType>BackupCopy</JobType>');
  });
});
