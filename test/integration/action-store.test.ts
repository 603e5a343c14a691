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

  const newAction = (clickKey: string) => ({
    clickKey,
    action: 'retry' as const,
    jobUid: 'urn:veeam:Job:race',
    jobName: 'SQL Replica',
    serverName: null,
    slackUser: 'U0ANA',
    channelId: 'C1',
    messageTs: null,
    alertId: null,
    startedAt: new Date(),
  });

  it('lets one of two instances racing on one job start it: the database holds one running action', async () => {
    const target = await engines.target();
    const a = createActionStore((await engines.open(target)).db);
    // PostgreSQL: a second pool, as a second instance of the fleet has; SQLite: one file, one writer
    const b = engine === 'postgres' ? createActionStore((await engines.open(target)).db) : a;
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? a : b).actions.begin(newAction(`race-${i}`), new Date(0)),
      ),
    );
    expect(answers.filter((x) => x.status === 'started')).toHaveLength(1);
    expect(answers.filter((x) => x.status === 'busy')).toHaveLength(7);
    const winner = answers.find((x) => x.status === 'started');
    for (const x of answers) expect(x.row.id).toBe(winner?.row.id);
    // even a writer that skipped the check cannot add a second running run of the job
    const { db } = await engines.open(target);
    await expect(
      sql`INSERT INTO job_actions (click_key, action, kind, job_uid, job_name, slack_user, channel_id, state, started_at)
        VALUES ('raw', 'start', 'run', 'urn:veeam:Job:race', 'SQL Replica', 'U0ANA', 'C1', 'running', 1)`.execute(
        db,
      ),
    ).rejects.toThrow(/unique|UNIQUE/);
    // a stop is another kind: it may run beside the run it stops
    expect((await b.actions.begin({ ...newAction('race-stop'), action: 'stop' }, new Date(0))).status).toBe(
      'started',
    );
  });

  it('ends an action once, and hands an unfollowed one to exactly one instance', async () => {
    const target = await engines.target();
    const a = createActionStore((await engines.open(target)).db);
    const b = engine === 'postgres' ? createActionStore((await engines.open(target)).db) : a;
    const begun = await a.actions.begin({ ...newAction('f1'), followOwner: 'one' }, new Date(0));
    expect(begun.status).toBe('started');
    const now = new Date();
    // followed and beating: nobody takes it
    expect(await a.actions.beat(begun.row.id, 'one', now)).toBe(true);
    expect(await b.actions.claimUnfollowed('two', now, new Date(now.getTime() - 60_000))).toEqual([]);
    // a clean stop lets go of it: two instances look at once, one gets it
    await a.actions.release(begun.row.id, 'one');
    const [x, y] = await Promise.all([
      a.actions.claimUnfollowed('two', now, new Date(now.getTime() - 60_000)),
      b.actions.claimUnfollowed('three', now, new Date(now.getTime() - 60_000)),
    ]);
    expect([...(x ?? []), ...(y ?? [])].map((r) => r.id)).toEqual([begun.row.id]);
    const owner = (x ?? []).length > 0 ? 'two' : 'three';
    expect((await a.actions.get(begun.row.id))?.followOwner).toBe(owner);
    // the old follower's beat no longer holds it
    expect(await a.actions.beat(begun.row.id, 'one', now)).toBe(false);
    // a follower gone quiet (a crash) is taken over after its beat is old
    const later = new Date(now.getTime() + 10 * 60_000);
    const taken = await a.actions.claimUnfollowed('four', later, new Date(later.getTime() - 60_000));
    expect(taken.map((r) => r.followOwner)).toEqual(['four']);
    // the outcome is written once: a second follower finishing it gets null
    expect((await a.actions.finish(begun.row.id, 'succeeded', later))?.outcome).toBe('succeeded');
    expect(await b.actions.finish(begun.row.id, 'failed', later)).toBeNull();
    expect((await b.actions.get(begun.row.id))?.outcome).toBe('succeeded');
  });
});
