/**
 * collectDigest (counts, streamed periods, per-replica history) against today's path, summarizeDigest over every
 * row of the window, on the same simulator data: every figure the same, for daily and weekly digests, with and
 * without filters, in two zones, each over a DST change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, cmp, eq } from '../../src/core/filter.js';
import type { ReplicaTaskSession } from '../../src/core/sessions.js';
import { collectDigest } from '../../src/features/digests/collect-digest.js';
import { type DigestPeriod, toDigestWindow } from '../../src/features/digests/domain/digest-window.js';
import {
  type Digest,
  type DigestFilters,
  NO_DIGEST_FILTERS,
  summarizeDigest,
} from '../../src/features/digests/domain/summarize-digest.js';
import { silentLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';

const NOW = new Date('2025-04-01T06:00:00Z');
const HOUR = 3_600_000;
let sim: RunningSimulator;

const client = (): EmClient =>
  createEmClient({
    url: sim.url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format: 'xml',
    timeoutMs: 30_000,
    pageSize: 250,
    logger: silentLogger,
  });

/** Today's path: one filtered query over the whole window, every row summarised at once. */
async function summarizeEveryRow(
  em: EmClient,
  period: DigestPeriod,
  end: Date,
  timeZone: string,
  filters: DigestFilters,
): Promise<Digest> {
  const window = toDigestWindow(period, end, timeZone);
  const sessions: ReplicaTaskSession[] = [];
  for await (const session of em.queryTaskSessions({
    filter: and(
      cmp('CreationTime', '>=', window.fetchStart),
      cmp('CreationTime', '<', window.end),
      filters.jobName === null ? null : eq('JobName', filters.jobName),
      filters.serverName === null ? null : eq('BackupServerName', filters.serverName),
    ),
    sort: { field: 'CreationTime', direction: 'asc' },
  }))
    sessions.push(session);
  return summarizeDigest(sessions, window, filters);
}

const at = (ms: number) => new Date(ms);

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    seed: 17,
    now: () => NOW,
    data: { taskSessions: 6000, days: 60, running: 2 },
    quirks: { runningResultSuccess: true },
  });
  // replicas that stopped: daily runs that end a week and a half ago (weekly) or the day before (daily)
  for (let t = Date.parse('2025-02-01T03:00:00Z'); t < Date.parse('2025-03-24T00:00:00Z'); t += 24 * HOUR)
    sim.addTaskSession({
      vm: 'gone01',
      job: 'Web Tier DR',
      result: 'Success',
      creationTime: at(t),
      endTime: at(t + 600_000),
    });
  for (let t = Date.parse('2025-02-01T04:00:00Z'); t < Date.parse('2025-03-31T05:00:00Z'); t += 24 * HOUR)
    sim.addTaskSession({
      vm: 'gone02',
      job: 'SQL Replica',
      result: 'Success',
      creationTime: at(t),
      endTime: at(t + 900_000),
    });
  // a streak that reaches back past both periods to one success, one broken by warnings, and one that failed in
  // all the history a digest reads (30 days)
  sim.addTaskSession({
    vm: 'broken01',
    job: 'Broken Job',
    result: 'Success',
    creationTime: new Date('2025-03-10T01:00:00Z'),
    endTime: new Date('2025-03-10T01:30:00Z'),
  });
  for (let t = Date.parse('2025-03-10T07:00:00Z'); t < NOW.getTime() - HOUR; t += 6 * HOUR) {
    sim.addTaskSession({
      vm: 'broken01',
      job: 'Broken Job',
      result: 'Failed',
      reason: `Processing broken01 Error: target datastore full (${t})`,
      creationTime: at(t),
      endTime: at(t + 1_200_000),
    });
    sim.addTaskSession({
      vm: 'broken02',
      job: 'Broken Job',
      result: t % (12 * HOUR) === 0 ? 'Failed' : 'Warning',
      reason: 'Processing broken02 Error: snapshot failed',
      creationTime: at(t + 60_000),
      endTime: at(t + 61_000),
    });
  }
  for (let t = Date.parse('2025-01-30T02:00:00Z'); t < NOW.getTime() - HOUR; t += 12 * HOUR)
    sim.addTaskSession({
      vm: 'never01',
      job: 'Broken Job',
      result: 'Failed',
      reason: 'Processing never01 Error: VM not found',
      creationTime: at(t),
      endTime: at(t + 300_000),
    });
  // a run stuck in progress since yesterday (EM says Success for it, which is not a success yet)
  sim.addTaskSession({
    vm: 'stuck01',
    job: 'Broken Job',
    state: 'InProgress',
    creationTime: new Date('2025-03-31T20:00:00Z'),
  });
});

afterAll(async () => {
  await sim.close();
});

const FILTERS: Array<[string, DigestFilters]> = [
  ['no filter', NO_DIGEST_FILTERS],
  ['a job typed in another case', { ...NO_DIGEST_FILTERS, jobName: 'web tier dr' }],
  ['a server', { ...NO_DIGEST_FILTERS, serverName: 'srv02.tech.local' }],
  ['failed only', { ...NO_DIGEST_FILTERS, failedOnly: true }],
];
// each digest's week holds a DST change: Berlin on 30 March, New York on 9 March
const ENDS: Array<[string, Date]> = [
  ['Europe/Berlin', NOW],
  ['America/New_York', new Date('2025-03-12T12:00:00Z')],
];

describe('collectDigest', () => {
  for (const [timeZone, end] of ENDS) {
    for (const period of ['day', 'week'] as const) {
      for (const [label, filters] of FILTERS) {
        it(`gives every figure of today's path for a ${period} in ${timeZone}, ${label}`, async () => {
          const em = client();
          try {
            const expected = await summarizeEveryRow(em, period, end, timeZone, filters);
            const actual = await collectDigest(em, { period, end, timeZone, filters });
            expect(actual).toEqual(expected);
          } finally {
            await em.close();
          }
        });
      }
    }
  }

  it('finds the stories the comparison relies on (stopped, streaks bounded and not, running)', async () => {
    const em = client();
    try {
      const week = await collectDigest(em, { period: 'week', end: NOW, timeZone: 'Europe/Berlin' });
      expect(week.stopped.map((s) => s.vmName)).toContain('gone01');
      const broken = week.streaks.find((s) => s.vmName === 'broken01');
      // every 6 hours since 10 March 07:00 (the success at 01:00 bounds it), a week before the previous period
      expect(broken).toMatchObject({ atLeast: false, since: new Date('2025-03-10T07:00:00Z') });
      expect(week.streaks.find((s) => s.vmName === 'never01')).toMatchObject({ atLeast: true });
      expect(week.streaks.some((s) => s.vmName === 'broken02')).toBe(false);
      expect(week.current.totals.running).toBeGreaterThan(0);
      const day = await collectDigest(em, { period: 'day', end: NOW, timeZone: 'Europe/Berlin' });
      expect(day.stopped.map((s) => s.vmName)).toContain('gone02');
    } finally {
      await em.close();
    }
  });

  it('receives less than a copy of the window', async () => {
    const copy = client();
    const counted = client();
    try {
      await summarizeEveryRow(copy, 'week', NOW, 'Europe/Berlin', NO_DIGEST_FILTERS);
      await collectDigest(counted, { period: 'week', end: NOW, timeZone: 'Europe/Berlin' });
      expect(counted.stats.bytesReceived).toBeLessThan(copy.stats.bytesReceived * 0.6);
    } finally {
      await copy.close();
      await counted.close();
    }
  });
});
