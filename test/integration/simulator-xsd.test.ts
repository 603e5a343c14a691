import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { findReferenceFile } from '../fakes/reference-dir.js';

const xsd = findReferenceFile('veeam-em/RestAPI-2017.xsd');
const XSD_PATH = xsd.path;
const HAS_XSD = xsd.found;
const NOW = new Date('2026-06-17T12:00:00Z');
const BASIC = `Basic ${Buffer.from('replibot:replibot').toString('base64')}`;

describe.skipIf(!HAS_XSD)(`simulator XML against RestAPI-2017.xsd${xsd.skipNote}`, () => {
  let sim: RunningSimulator;
  let token: string;
  let schema: string;
  const docs = new Map<string, string>();

  const fetchText = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${sim.url}${path}`, {
      ...init,
      headers: { 'x-restsvcsessionid': token, ...(init.headers as Record<string, string>) },
    });
    return res.text();
  };

  beforeAll(async () => {
    // the XSD file may carry a BOM; xmllint wants plain UTF-8
    schema = readFileSync(XSD_PATH, 'utf8').replace(/^\uFEFF/, '');
    sim = await startSimulator({ seed: 11, now: () => NOW, data: { taskSessions: 400 } });
    // hostile text must still give valid XML
    const added = sim.addTaskSession({
      vm: 'x <y> & "z" \'q\'\ttab',
      job: 'Job & <Co> "quoted"',
      result: 'Failed',
      reason: 'line one\r\nline two & <three>',
    });
    const logon = await fetch(`${sim.url}/api/sessionMngr/?v=latest`, {
      method: 'POST',
      headers: { authorization: BASIC },
    });
    token = logon.headers.get('x-restsvcsessionid')!;
    docs.set('LogonSession', await logon.text());
    docs.set('EnterpriseManager', await fetchText('/api/'));
    docs.set('LogonSessions', await fetchText('/api/logonSessions'));
    const q = (params: Record<string, string>) => fetchText(`/api/query?${new URLSearchParams(params)}`);
    docs.set(
      'QueryResult of ReplicaTaskSession entities',
      await q({ type: 'ReplicaTaskSession', format: 'Entities', pageSize: '200' }),
    );
    docs.set(
      'QueryResult of ReplicaJobSession entities',
      await q({ type: 'ReplicaJobSession', format: 'Entities', pageSize: '200' }),
    );
    docs.set('QueryResult of references', await q({ type: 'ReplicaTaskSession', pageSize: '50', page: '2' }));
    docs.set(
      'empty QueryResult',
      await q({ type: 'ReplicaTaskSession', format: 'Entities', filter: 'VmDisplayName=="nothing"' }),
    );
    docs.set(
      'ReplicaTaskSession entity',
      await fetchText(`/api/replicaTaskSessions/${added.id}?format=Entity`),
    );
    docs.set('ReplicaTaskSession EntityRef', await fetchText(`/api/replicaTaskSessions/${added.id}`));
    docs.set(
      'ReplicaJobSession entity',
      await fetchText(`/api/replicaSessions/${added.jobSessionId}?format=Entity`),
    );
    docs.set('ReplicaJobSession EntityRef', await fetchText(`/api/replicaSessions/${added.jobSessionId}`));
    docs.set(
      'ReplicaTaskSessions of a job session',
      await fetchText(`/api/replicaSessions/${added.jobSessionId}/replicaTaskSessions?format=Entity`),
    );
    docs.set('ReplicaTaskSessions collection', await fetchText('/api/replicaTaskSessions?format=Entity'));
    docs.set('ReplicaJobSessions collection', await fetchText('/api/replicaSessions?format=Entity'));
    docs.set('EntityReferences collection', await fetchText('/api/replicaTaskSessions'));
    // backup sessions (every job type, parent and child sessions, a task added through the control API)
    const backup = sim.addBackupTaskSession({
      vm: 'srv & <04>',
      job: 'Agent "Backup" & Co',
      jobType: 'AgentManagement',
      result: 'Failed',
      reason: 'offline & <gone>',
    });
    docs.set(
      'QueryResult of BackupTaskSession entities',
      await q({ type: 'BackupTaskSession', format: 'Entities', pageSize: '300' }),
    );
    docs.set(
      'QueryResult of BackupJobSession entities',
      await q({ type: 'BackupJobSession', format: 'Entities', pageSize: '300' }),
    );
    docs.set('QueryResult of backup references', await q({ type: 'BackupJobSession', pageSize: '20' }));
    docs.set(
      'BackupTaskSession entity',
      await fetchText(`/api/backupTaskSessions/${backup.id}?format=Entity`),
    );
    docs.set('BackupTaskSession EntityRef', await fetchText(`/api/backupTaskSessions/${backup.id}`));
    docs.set(
      'BackupJobSession entity',
      await fetchText(`/api/backupSessions/${backup.jobSessionId}?format=Entity`),
    );
    docs.set(
      'BackupTaskSessions of a backup job session',
      await fetchText(`/api/backupSessions/${backup.jobSessionId}/taskSessions?format=Entity`),
    );
    docs.set('BackupJobSessions collection', await fetchText('/api/backupSessions?format=Entity'));
    docs.set('BackupTaskSessions collection', await fetchText('/api/backupTaskSessions?format=Entity'));
    docs.set('Error (400)', await q({ type: 'ReplicaTaskSession', filter: 'Nope==1' }));
    docs.set('Error (401)', await (await fetch(`${sim.url}/api/logonSessions`)).text());
    docs.set('Error (404)', await fetchText('/api/replicaTaskSessions/unknown'));
  });
  afterAll(() => sim?.close());

  it('validates every kind of document the simulator sends', async () => {
    const results: Record<string, string[]> = {};
    for (const [name, text] of docs) {
      const result = await validateXML({
        xml: { fileName: 'doc.xml', contents: text },
        schema: { fileName: 'RestAPI.xsd', contents: schema },
      });
      results[name] = result.valid ? [] : [...result.errors.map((error) => error.message), 'invalid'];
    }
    const expected = Object.fromEntries([...docs.keys()].map((name) => [name, []]));
    expect(results).toEqual(expected);
  });

  it('fails validation for a document that breaks the schema, so the check above can fail', async () => {
    const broken = docs.get('ReplicaTaskSession entity')!.replace(/<State>[^<]*<\/State>/, '');
    const result = await validateXML({
      xml: { fileName: 'doc.xml', contents: broken },
      schema: { fileName: 'RestAPI.xsd', contents: schema },
    });
    expect(result.valid).toBe(false);
  });
});
