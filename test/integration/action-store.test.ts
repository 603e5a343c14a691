import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createActionStore } from '../../src/features/actions/action-store.js';
import { ENGINES, useStoreEngine } from '../fakes/store-engines.js';

const entry = {
  at: new Date('2026-03-02T10:00:00Z'),
  event: 'confirmed' as const,
  clickKey: 'k1',
  slackUser: 'U0ANA',
  channelId: 'C1',
  messageTs: null,
  alertId: null,
  action: 'retry',
  jobUid: 'urn:veeam:Job:1',
  jobName: 'SQL Replica',
  serverName: 'vbr01',
  emTask: null,
  result: 'ok',
  detail: null,
};

describe.each(ENGINES)('action store on %s', (engine) => {
  const engines = useStoreEngine(engine);
  it('keeps the audit append-only: updates and deletes are refused by the database', async () => {
    const { db } = await engines.open(await engines.target());
    const store = createActionStore(db);
    await store.audit.append(entry);
    await expect(sql`UPDATE action_audit SET result = 'changed'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM action_audit`.execute(db)).rejects.toThrow(/append-only/);
    const rows = await store.audit.list({ since: new Date(0), jobName: 'sql replica', limit: 10 });
    expect(rows.map((r) => r.result)).toEqual(['ok']);
  });

  it('starts one action per click and one running action per job', async () => {
    const { db } = await engines.open(await engines.target());
    const store = createActionStore(db);
    const input = {
      clickKey: 'k1',
      action: 'retry' as const,
      jobUid: 'urn:veeam:Job:1',
      jobName: 'SQL Replica',
      serverName: null,
      slackUser: 'U0ANA',
      channelId: 'C1',
      messageTs: null,
      alertId: 3,
      startedAt: new Date(),
    };
    const first = await store.actions.begin(input, new Date(0));
    expect(first.status).toBe('started');
    expect((await store.actions.begin(input, new Date(0))).status).toBe('repeat');
    expect((await store.actions.begin({ ...input, clickKey: 'k2' }, new Date(0))).status).toBe('busy');
    // a stop is never kept waiting by the run it stops
    const stop = await store.actions.begin({ ...input, clickKey: 'k2s', action: 'stop' }, new Date(0));
    expect(stop.status).toBe('started');
    await store.actions.finish(stop.row.id, 'succeeded', new Date());
    await store.actions.finish(first.row.id, 'succeeded', new Date());
    expect((await store.actions.begin({ ...input, clickKey: 'k3' }, new Date(0))).status).toBe('started');
    expect(await store.actions.forAlert(3)).toHaveLength(3);
    // a running action from before a restart (older than any follow-through) no longer blocks the job
    const later = new Date(Date.now() + 1000);
    expect((await store.actions.begin({ ...input, clickKey: 'k4' }, later)).status).toBe('started');
  });
});
