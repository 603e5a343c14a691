/** The job-actions EM client against the simulator over HTTP: lookup, one POST per action, tasks on their session. */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { createEmActionsClient } from '../../src/veeam/em-actions-client.js';

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function setup(format: 'xml' | 'json' = 'xml', keyStyle: 'v12' | 'v13' = 'v12') {
  const sim = await startSimulator({
    data: { taskSessions: 0 },
    keyStyle,
    accounts: [
      { username: 'ops', password: 'ops-pass', roles: ['PortalAdministrator'] },
      { username: 'reader', password: 'reader', roles: ['PortalUser'] },
    ],
  });
  open.push(() => sim.close());
  sim.addTaskSession({ vm: 'sql01', job: 'Ops Replica', server: 'vbr01', result: 'Failed', reason: 'boom' });
  const client = (username = 'ops', password = 'ops-pass') => {
    const c = createEmActionsClient({
      url: sim.url,
      username,
      password,
      caFile: undefined,
      insecureTls: false,
      format,
      timeoutMs: 5000,
    });
    open.push(() => c.close());
    return c;
  };
  return { sim, client };
}

describe('EM actions client', () => {
  for (const [format, keyStyle] of [
    ['xml', 'v12'],
    ['json', 'v12'],
    ['json', 'v13'],
  ] as const) {
    it(`finds a job by name with its schedule and server (${format} ${keyStyle})`, async () => {
      const { client } = await setup(format, keyStyle);
      const em = client();
      const job = await em.findJobByName('Ops Replica');
      expect(job).toMatchObject({
        name: 'Ops Replica',
        type: 'Replica',
        serverName: 'vbr01',
        scheduleEnabled: true,
        scheduleConfigured: true,
      });
      expect(job?.nextRun).toBeInstanceOf(Date);
      expect(await em.findJobByName('No such job')).toBeNull();
      const again = await em.getJob(job?.uid ?? '');
      expect(again.id).toBe(job?.id);
    });
  }

  it('sends a retry once and follows its task on the same logon session', async () => {
    const { sim, client } = await setup();
    const em = client();
    const job = await em.findJobByName('Ops Replica');
    const ticket = await em.sendAction(job?.id ?? '', 'retry');
    expect(await em.readTask(ticket)).toMatchObject({ state: 'Running', success: null });
    expect(await em.readTask(ticket)).toMatchObject({ state: 'Finished', success: true });
    expect(em.stats.actionsSent).toBe(1);
    const described = (await (await fetch(`${sim.url}/_sim/jobs/Ops%20Replica`)).json()) as {
      runs: Array<{ isRetry: boolean }>;
    };
    expect(described.runs.filter((r) => r.isRetry)).toHaveLength(1);
  });

  it('says session-expired when the task session is gone, and never logs on again for it', async () => {
    const { sim, client } = await setup();
    await fetch(`${sim.url}/_sim/jobs/options`, {
      method: 'POST',
      body: JSON.stringify({ expireSessionAfterAction: true }),
    });
    const em = client();
    const job = await em.findJobByName('Ops Replica');
    const ticket = await em.sendAction(job?.id ?? '', 'toggleScheduleEnabled');
    const logons = em.stats.logons;
    expect(await em.readTask(ticket)).toBe('session-expired');
    expect(em.stats.logons).toBe(logons);
  });

  it('turns a 403 for a Portal User into a message naming the role', async () => {
    const { client } = await setup();
    const em = client('reader', 'reader');
    await expect(em.findJobByName('Ops Replica')).rejects.toMatchObject({
      code: 'em_forbidden',
      hint: expect.stringContaining('Portal Administrator'),
    });
  });

  it('never resends a POST: a 500 is an error, sent once', async () => {
    const { sim, client } = await setup();
    const em = client();
    const job = await em.findJobByName('Ops Replica');
    sim.setFaults({ errorRate: 1, errorStatuses: [500] });
    const before = sim.stats.requests;
    await expect(em.sendAction(job?.id ?? '', 'toggleScheduleEnabled')).rejects.toMatchObject({
      code: 'em_error',
    });
    expect(sim.stats.requests - before).toBe(1);
  });
});
