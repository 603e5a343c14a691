/** The simulator's jobs, job actions and tasks over HTTP: roles, 202 + Task, tasks per logon session, runs. */
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';

const open: RunningSimulator[] = [];
afterEach(async () => {
  for (const sim of open.splice(0)) await sim.close();
});

async function logon(sim: RunningSimulator, user = 'replibot', password = 'replibot'): Promise<string> {
  const response = await fetch(`${sim.url}/api/sessionMngr/?v=latest`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
  });
  expect(response.status).toBe(201);
  return response.headers.get('x-restsvcsessionid') ?? '';
}

async function call(sim: RunningSimulator, token: string, path: string, method = 'GET', json = false) {
  const response = await fetch(`${sim.url}/api${path}`, {
    method,
    headers: { 'x-restsvcsessionid': token, accept: json ? 'application/json' : 'application/xml' },
  });
  return { status: response.status, body: await response.text() };
}

async function start(): Promise<RunningSimulator> {
  const sim = await startSimulator({
    data: { taskSessions: 0 },
    accounts: [{ username: 'reader', password: 'reader', roles: ['PortalUser'] }],
  });
  open.push(sim);
  sim.addTaskSession({ vm: 'sql01', job: 'SQL Replica', server: 'vbr01', result: 'Failed', reason: 'boom' });
  sim.addTaskSession({ vm: 'web01', job: 'Web "Tier"', server: 'vbr01', result: 'Success' });
  return sim;
}

describe('simulator jobs', () => {
  it('lists jobs by name with ScheduleEnabled and NextRun, in XML and JSON', async () => {
    const sim = await start();
    const token = await logon(sim);
    const xml = await call(
      sim,
      token,
      `/query?type=Job&format=Entities&filter=${encodeURIComponent('Name=="Web ""Tier"""')}`,
    );
    expect(xml.status).toBe(200);
    expect(xml.body).toContain('Name="Web &quot;Tier&quot;"');
    expect(xml.body).toContain('<ScheduleEnabled>true</ScheduleEnabled>');
    expect(xml.body).toContain('<NextRun>');
    expect(xml.body).not.toContain('SQL Replica');
    const json = await call(sim, token, '/query?type=Job&format=Entities&sortAsc=name', 'GET', true);
    const names = (
      JSON.parse(json.body) as { Entities: { Jobs: { Jobs: Array<{ Name: string }> } } }
    ).Entities.Jobs.Jobs.map((j) => j.Name);
    expect(names).toEqual(expect.arrayContaining(['SQL Replica', 'Web "Tier"']));
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('refuses /jobs to a Portal User with 403', async () => {
    const sim = await start();
    const token = await logon(sim, 'reader', 'reader');
    expect((await call(sim, token, '/query?type=Job')).status).toBe(403);
    const [job] = (await (await fetch(`${sim.url}/_sim/jobs`)).json()) as Array<{ id: string }>;
    expect((await call(sim, token, `/jobs/${job?.id}?action=start`, 'POST')).status).toBe(403);
  });

  it('retries a failed job: 202 and a task of that logon session, Running then Finished, and an IsRetry run', async () => {
    const sim = await start();
    const token = await logon(sim);
    const job = (await (await fetch(`${sim.url}/_sim/jobs/SQL%20Replica`)).json()) as { id: string };
    const accepted = await call(sim, token, `/jobs/${job.id}?action=retry`, 'POST');
    expect(accepted.status).toBe(202);
    const taskId = /<TaskId>([^<]+)<\/TaskId>/.exec(accepted.body)?.[1] ?? '';
    expect(taskId).toMatch(/^task-/);
    // another logon session does not see the task
    const other = await logon(sim);
    expect((await call(sim, other, `/tasks/${taskId}`)).status).toBe(404);
    expect((await call(sim, token, `/tasks/${taskId}`)).body).toContain('<State>Running</State>');
    const done = await call(sim, token, `/tasks/${taskId}`);
    expect(done.body).toContain('<State>Finished</State>');
    expect(done.body).toContain('Success="true"');
    const described = (await (await fetch(`${sim.url}/_sim/jobs/SQL%20Replica`)).json()) as {
      runs: Array<{ isRetry: boolean; state: string; vms: string[] }>;
    };
    expect(described.runs.at(-1)).toMatchObject({ isRetry: true, state: 'Running', vms: ['sql01'] });
    // a second retry while it runs fails in the task, with EM's message
    const again = await call(sim, token, `/jobs/${job.id}?action=retry`, 'POST');
    const againId = /<TaskId>([^<]+)<\/TaskId>/.exec(again.body)?.[1] ?? '';
    await call(sim, token, `/tasks/${againId}`);
    const refused = await call(sim, token, `/tasks/${againId}`);
    expect(refused.body).toContain('Success="false"');
    const finish = await fetch(`${sim.url}/_sim/jobs/SQL%20Replica/finish`, {
      method: 'POST',
      body: JSON.stringify({ result: 'Success' }),
    });
    expect(finish.status).toBe(200);
    const after = (await finish.json()) as { runs: Array<{ state: string }> };
    expect(after.runs.at(-1)?.state).toBe('Finished');
  });

  it('toggles the schedule and refuses start on a backup copy job', async () => {
    const sim = await start();
    const token = await logon(sim);
    const job = (await (
      await fetch(`${sim.url}/_sim/jobs/SQL%20Replica`, {
        method: 'POST',
        body: JSON.stringify({ type: 'BackupCopy' }),
      })
    ).json()) as { id: string; type: string };
    expect(job.type).toBe('BackupCopy');
    const toggled = await call(sim, token, `/jobs/${job.id}?action=toggleScheduleEnabled`, 'POST');
    expect(toggled.status).toBe(202);
    expect((await call(sim, token, `/jobs/${job.id}?format=Entity`)).body).toContain(
      '<ScheduleEnabled>false</ScheduleEnabled>',
    );
    const started = await call(sim, token, `/jobs/${job.id}?action=start`, 'POST');
    const id = /<TaskId>([^<]+)<\/TaskId>/.exec(started.body)?.[1] ?? '';
    await call(sim, token, `/tasks/${id}`);
    expect((await call(sim, token, `/tasks/${id}`)).body).toContain('use sync');
  });

  it('lists the backup jobs of every type and acts on them: their runs are backup job sessions', async () => {
    const sim = await startSimulator({ data: { taskSessions: 300 }, backups: { taskSessions: 400 } });
    open.push(sim);
    const token = await logon(sim);
    const listed = await call(
      sim,
      token,
      '/query?type=Job&format=Entities&sortAsc=name&pageSize=500',
      'GET',
      true,
    );
    const jobs = (
      JSON.parse(listed.body) as {
        Entities: { Jobs: { Jobs: Array<{ Name: string; JobType: string; UID: string }> } };
      }
    ).Entities.Jobs.Jobs;
    const typeOf = (name: string) => jobs.find((j) => j.Name === name)?.JobType;
    expect(typeOf('Nightly')).toBe('Backup');
    expect(typeOf('Backup Copy to DR')).toBe('BackupCopy');
    expect(typeOf('Offsite Copy')).toBe('ImmediateBackupCopy');
    expect(typeOf('Agent Backup Servers')).toBe('AgentBackup');
    expect(typeOf('File Share Backup')).toBe('NasBackup');
    expect(jobs.some((j) => j.JobType === 'Replica')).toBe(true);
    // the worker jobs of an immediate copy are parts of its sessions, not jobs
    expect(jobs.some((j) => j.Name.includes('\\'))).toBe(false);
    const filtered = await call(
      sim,
      token,
      `/query?type=Job&format=Entities&filter=${encodeURIComponent('JobType==BackupCopy')}`,
    );
    expect(filtered.body).toContain('Name="Backup Copy to DR"');
    expect(filtered.body).not.toContain('Name="Nightly"');

    const taskOf = async (body: string) => {
      const id = /<TaskId>([^<]+)<\/TaskId>/.exec(body)?.[1] ?? '';
      await call(sim, token, `/tasks/${id}`);
      return (await call(sim, token, `/tasks/${id}`)).body;
    };
    const backupSessions = async (job: string) =>
      (
        await call(
          sim,
          token,
          `/query?type=BackupJobSession&format=Entities&sortDesc=CreationTime&filter=${encodeURIComponent(`JobName=="${job}"`)}`,
        )
      ).body;

    // the periodic copy job is still copying: sync waits for it, then makes a BackupCopy session
    const copy = jobs.find((j) => j.Name === 'Backup Copy to DR');
    const copyId = copy?.UID.split(':').at(-1) ?? '';
    expect((await call(sim, token, `/jobs/${copyId}?format=Entity`)).body).toContain(
      '<JobType>BackupCopy</JobType>',
    );
    expect(await taskOf((await call(sim, token, `/jobs/${copyId}?action=sync`, 'POST')).body)).toContain(
      'already running',
    );
    await fetch(`${sim.url}/_sim/jobs/${encodeURIComponent('Backup Copy to DR')}/finish`, {
      method: 'POST',
      body: JSON.stringify({ result: 'Success' }),
    });
    expect(await taskOf((await call(sim, token, `/jobs/${copyId}?action=start`, 'POST')).body)).toContain(
      'use sync',
    );
    expect(await taskOf((await call(sim, token, `/jobs/${copyId}?action=sync`, 'POST')).body)).toContain(
      'Success="true"',
    );
    const copyRuns = (await (
      await fetch(`${sim.url}/_sim/jobs/${encodeURIComponent('Backup Copy to DR')}`)
    ).json()) as {
      runs: Array<{ jobSessionUid: string; state: string; isRetry: boolean }>;
    };
    expect(copyRuns.runs.at(-1)).toMatchObject({ state: 'Running', isRetry: false });
    expect(copyRuns.runs.at(-1)?.jobSessionUid).toMatch(/^urn:veeam:BackupJobSession:/);
    const copySessions = await backupSessions('Backup Copy to DR');
    expect(copySessions).toContain('<JobType>BackupCopy</JobType>');
    expect(copySessions).toContain('<State>Working</State>');

    // a backup job: start, a failed run, then a retry of its failed items as an IsRetry backup session
    const nightly =
      jobs
        .find((j) => j.Name === 'Nightly')
        ?.UID.split(':')
        .at(-1) ?? '';
    const nightlyUrl = `${sim.url}/_sim/jobs/Nightly`;
    await fetch(`${nightlyUrl}/finish`, {
      method: 'POST',
      body: JSON.stringify({ result: 'Success' }),
    }).catch(() => undefined);
    expect(await taskOf((await call(sim, token, `/jobs/${nightly}?action=start`, 'POST')).body)).toContain(
      'Success="true"',
    );
    await fetch(`${nightlyUrl}/finish`, {
      method: 'POST',
      body: JSON.stringify({ result: 'Failed', reason: 'boom' }),
    });
    expect(await taskOf((await call(sim, token, `/jobs/${nightly}?action=retry`, 'POST')).body)).toContain(
      'Success="true"',
    );
    const retried = (await (await fetch(nightlyUrl)).json()) as {
      runs: Array<{ isRetry: boolean; state: string }>;
    };
    expect(retried.runs.at(-1)).toMatchObject({ isRetry: true, state: 'Running' });
    const nightlySessions = await backupSessions('Nightly');
    expect(nightlySessions).toContain('<IsRetry>true</IsRetry>');
    expect(nightlySessions).toContain('<JobType>Backup</JobType>');
    // the replication side did not get a session of a backup job
    expect(
      (
        await call(
          sim,
          token,
          `/query?type=ReplicaJobSession&format=Entities&filter=${encodeURIComponent('JobName=="Nightly"')}`,
        )
      ).body,
    ).not.toContain('Nightly@');
  });
});
