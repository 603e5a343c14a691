/**
 * Rankings, last success, durations, yes/no and comparisons against the simulator over HTTP at 100k task
 * sessions: each answer's numbers equal a direct computation over every session the simulator holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultAnswerer } from '../../src/answers/create-default-answerer.js';
import type { Answerer } from '../../src/answers/domain/create-answerer.js';
import type { Reply, RowsReply } from '../../src/answers/domain/reply.js';
import { renderReply } from '../../src/answers/slack/render-reply.js';
import { renderAskJson } from '../../src/answers/text/render-ask-json.js';
import { renderText } from '../../src/answers/text/render-text.js';
import { type ReplicaTaskSession, toRunningAwareResult } from '../../src/core/sessions.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { findBlockKitViolations } from '../../src/slack/limits.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { simEmOptions } from '../fakes/sim-em-options.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
const asker = { userId: null, timeZone: 'UTC' };
let sim: RunningSimulator;
let em: EmClient;
let answerer: Answerer;
let all: ReplicaTaskSession[];

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, now: () => NOW, data: { taskSessions: 100_000, days: 30 } });
  em = createEmClient(simEmOptions(sim.url, { format: 'json', pageSize: 10_000, timeoutMs: 60_000 }));
  answerer = createDefaultAnswerer(em);
  all = [];
  for await (const t of em.queryTaskSessions({})) all.push(t);
}, 240_000);
afterAll(async () => {
  await em?.close();
  await sim?.close();
});

function rows(reply: Reply): RowsReply {
  if (reply.kind !== 'rows') throw new Error(`expected rows, got ${JSON.stringify(reply).slice(0, 400)}`);
  return reply;
}
const since = (ms: number) => (t: ReplicaTaskSession) =>
  t.creationTime.getTime() >= ms && t.creationTime.getTime() <= NOW.getTime();
const ask = (q: string, pageSize = 25) => answerer.ask(q, asker, { now: NOW, pageSize });

describe('computed answers at 100k sessions', () => {
  it('holds 100k sessions over 30 days, so the comparisons mean something', () => {
    expect(all.length).toBe(100_000);
  });

  it('ranks VMs by failures over 30 days as a direct count does, and renders within Block Kit limits', async () => {
    const reply = rows(await ask('which VMs failed the most in the last 30 days'));
    const from = NOW.getTime() - 30 * DAY;
    const expected = new Map<string, number>();
    for (const t of all.filter(since(from)).filter((t) => t.result === 'Failed'))
      expected.set(t.vmDisplayName, (expected.get(t.vmDisplayName) ?? 0) + 1);
    const sorted = [...expected].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    expect(reply.rows.map((r) => [r.name, r.total])).toEqual(sorted);
    expect(reply.truncated).toBe(false);
    const message = renderReply(reply, { timeZone: 'UTC' });
    expect(findBlockKitViolations(message, 'message')).toEqual([]);
    expect(message.text).toContain(sorted[0]?.[0] ?? '');
    const json = renderAskJson(reply) as { rows: Array<{ name: string; total: number }> };
    expect(json.rows[0]).toMatchObject({ name: sorted[0]?.[0], total: sorted[0]?.[1] });
  }, 120_000);

  it('gives the top 5 failing jobs and the VMs that failed more than twice this week', async () => {
    // "failing jobs" are job runs: counted from the failed job sessions
    const top = rows(await ask('top 5 failing jobs this week'));
    expect(top.rows.length).toBeLessThanOrEqual(5);
    const weekStart = Date.parse('2026-11-16T00:00:00Z');
    const byJob = new Map<string, number>();
    for await (const j of em.queryJobSessions({}))
      if (j.result === 'Failed' && j.creationTime.getTime() >= weekStart && j.creationTime <= NOW)
        byJob.set(j.jobName, (byJob.get(j.jobName) ?? 0) + 1);
    const sortedJobs = [...byJob].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
    expect(top.rows.map((r) => [r.name, r.total])).toEqual(sortedJobs);

    const twice = rows(await ask('VMs that failed more than twice this week'));
    const byVm = new Map<string, number>();
    for (const t of all.filter(since(weekStart)).filter((t) => t.result === 'Failed'))
      byVm.set(t.vmDisplayName, (byVm.get(t.vmDisplayName) ?? 0) + 1);
    expect(new Set(twice.rows.map((r) => r.name))).toEqual(
      new Set([...byVm].filter(([, n]) => n > 2).map(([name]) => name)),
    );
  }, 120_000);

  it('gives every VM its last success, oldest first, as the newest successful session says', async () => {
    const reply = rows(await ask('which VMs have not replicated successfully for 24 hours', Infinity));
    const last = new Map<string, number>();
    const vms = new Set(all.map((t) => t.vmDisplayName));
    for (const t of all.filter(since(NOW.getTime() - 30 * DAY)))
      if (toRunningAwareResult(t.state, t.result) === 'Success') {
        last.set(t.vmDisplayName, Math.max(last.get(t.vmDisplayName) ?? 0, t.creationTime.getTime()));
      }
    const stale = [...vms].filter((vm) => (last.get(vm) ?? 0) < NOW.getTime() - DAY);
    expect(new Set(reply.rows.map((r) => r.name))).toEqual(new Set(stale));
    for (const row of reply.rows) {
      const at = last.get(row.name);
      expect(row.lastSuccess?.getTime() ?? null).toBe(at ?? null);
    }
    const times = reply.rows.map((r) => r.lastSuccess?.getTime() ?? Number.NEGATIVE_INFINITY);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const vm = all[0]?.vmDisplayName ?? '';
    const one = rows(await ask(`when did ${vm} last replicate successfully`));
    expect(one.rows).toHaveLength(1);
    expect(one.rows[0]?.lastSuccess?.getTime() ?? null).toBe(last.get(vm) ?? null);
    expect(renderText(one, { color: false, timeZone: 'UTC' })).toContain(vm);
  }, 180_000);

  it('answers a yes/no question with yes or no first, and lists sessions longer than an hour by duration', async () => {
    const vm = all[0]?.vmDisplayName ?? '';
    const reply = await ask(`did ${vm} replicate successfully today`);
    if (reply.kind !== 'answer') throw new Error(reply.kind);
    const today = all
      .filter(since(Date.parse('2026-11-20T00:00:00Z')))
      .filter((t) => t.vmDisplayName === vm && t.result === 'Success' && t.state === 'Completed');
    expect(reply.verdict?.answer).toBe(today.length > 0 ? 'yes' : 'no');
    expect(renderText(reply, { color: false, timeZone: 'UTC' }).split('\n')[0]).toMatch(/^(Yes|No): /);

    const long = await ask('replicas that took longer than 60 minutes this week', Infinity);
    if (long.kind !== 'answer') throw new Error(long.kind);
    const weekStart = Date.parse('2026-11-16T00:00:00Z');
    const took = (t: ReplicaTaskSession) => (t.endTime ?? NOW).getTime() - t.creationTime.getTime();
    const expected = all.filter(since(weekStart)).filter((t) => took(t) >= 3_600_000);
    expect(long.total).toBe(expected.length);
    const shown = long.sessions.map((s) => (s.endTime ?? NOW).getTime() - s.creationTime.getTime());
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    expect(long.note).toContain('EM cannot filter or sort by duration');
  }, 120_000);

  it('compares this week with last week: both counts and the VMs new to the list', async () => {
    const reply = await ask('failures this week vs last week');
    if (reply.kind !== 'compare') throw new Error(reply.kind);
    const weekStart = Date.parse('2026-11-16T00:00:00Z');
    const current = all.filter(since(weekStart)).filter((t) => t.result === 'Failed');
    const previous = all.filter(
      (t) =>
        t.creationTime.getTime() >= weekStart - 7 * DAY &&
        t.creationTime.getTime() < weekStart &&
        t.result === 'Failed',
    );
    expect([reply.current, reply.previous]).toEqual([current.length, previous.length]);
    const before = new Set(previous.map((t) => t.vmDisplayName));
    expect(reply.newNames).toEqual(
      [...new Set(current.map((t) => t.vmDisplayName).filter((v) => !before.has(v)))].sort((a, b) =>
        a.localeCompare(b),
      ),
    );
  }, 120_000);
});
