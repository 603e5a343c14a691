import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';

const NOW = new Date('2026-06-17T12:00:00Z');
const BASIC = `Basic ${Buffer.from('replibot:replibot').toString('base64')}`;
/** an OR branch that can never match: it stops the simulator from using an index, so the answer comes from a scan */
const NO_INDEX = '(Result==Failed;Result==Success)';

interface Row {
  UID: string;
  VmDisplayName: string;
  CreationTimeUTC: string;
  EndTimeUTC: string | null;
  Result: string;
}

describe('simulator with 1,000,000 task sessions', () => {
  let sim: RunningSimulator;
  let token: string;

  beforeAll(async () => {
    // generated once for the whole file: the expensive part
    sim = await startSimulator({ seed: 1, now: () => NOW, data: { taskSessions: 1_000_000 } });
    const res = await fetch(`${sim.url}/api/sessionMngr/?v=latest`, {
      method: 'POST',
      headers: { authorization: BASIC },
    });
    token = res.headers.get('x-restsvcsessionid')!;
  }, 120_000);
  afterAll(() => sim?.close());

  const query = async (params: Record<string, string>) => {
    const res = await fetch(
      `${sim.url}/api/query?${new URLSearchParams({ type: 'ReplicaTaskSession', format: 'Entities', ...params })}`,
      {
        headers: { 'x-restsvcsessionid': token, accept: 'application/json' },
      },
    );
    expect(res.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the raw EM JSON shape
    const body = (await res.json()) as any;
    return {
      rows: body.Entities.ReplicaTaskSessions.ReplicaTaskSessions as Row[],
      pagesCount: body.PagingInfo.PagesCount as number,
    };
  };
  const total = async (filter: string) => (await query({ filter, pageSize: '1' })).pagesCount;

  it('holds exactly one million task sessions', () => {
    expect(sim.counts().taskSessions).toBe(1_000_000);
  });

  it('answers a time-bounded filtered page with the same rows a full scan finds', async () => {
    const since = new Date(NOW.getTime() - 86_400_000).toISOString();
    const filter = `CreationTime>="${since}";(Result==Warning,Result==Failed)`;
    const page = await query({ filter, sortDesc: 'CreationTime', pageSize: '100' });
    expect(page.rows.length).toBe(100);
    for (const row of page.rows) {
      expect(Date.parse(row.CreationTimeUTC)).toBeGreaterThanOrEqual(Date.parse(since));
      expect(['Warning', 'Failed']).toContain(row.Result);
    }
    const times = page.rows.map((row) => Date.parse(row.CreationTimeUTC));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const indexed = await total(filter);
    expect(indexed).toBeGreaterThan(100);
    expect(await total(`(${filter}),${NO_INDEX}`)).toBe(indexed);
    const scanned = await query({
      filter: `(${filter}),${NO_INDEX}`,
      sortDesc: 'CreationTime',
      pageSize: '100',
    });
    expect(scanned.rows.map((row) => row.UID)).toEqual(page.rows.map((row) => row.UID));
  });

  it('answers the alert poll filter, bounded only by EndTime, with the same rows a full scan finds', async () => {
    const since = new Date(NOW.getTime() - 30 * 60_000).toISOString();
    const filter = `State==Completed;EndTime>="${since}";(Result==Warning,Result==Failed)`;
    const indexed = await query({ filter, sortAsc: 'CreationTime', pageSize: '5000' });
    expect(indexed.rows.length).toBeGreaterThan(0);
    for (const row of indexed.rows) {
      expect(Date.parse(row.EndTimeUTC!)).toBeGreaterThanOrEqual(Date.parse(since));
      expect(['Warning', 'Failed']).toContain(row.Result);
    }
    const scanned = await query({
      filter: `(${filter}),${NO_INDEX}`,
      sortAsc: 'CreationTime',
      pageSize: '5000',
    });
    expect(scanned.rows.map((row) => row.UID)).toEqual(indexed.rows.map((row) => row.UID));
  });

  it('answers a VM filter from its index with the same rows a full scan finds', async () => {
    const filter = 'VmDisplayName=="apache02"';
    const indexed = await query({ filter, sortAsc: 'CreationTime', pageSize: '5000' });
    expect(indexed.rows.length).toBeGreaterThan(0);
    expect(indexed.rows.every((row) => row.VmDisplayName === 'apache02')).toBe(true);
    const scanned = await query({
      filter: `${filter},${NO_INDEX}`,
      sortAsc: 'CreationTime',
      pageSize: '5000',
    });
    expect(scanned.rows.map((row) => row.UID)).toEqual(indexed.rows.map((row) => row.UID));
  });
});
