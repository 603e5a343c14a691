import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateData } from '../../../src/simulator/generate-data.js';
import { type EmFilterNode, parseEmFilter } from '../../../src/simulator/parse-em-filter.js';
import { createSimStore, type QueryRequest, type SimStore } from '../../../src/simulator/sim-store.js';

const NOW = Date.parse('2026-06-17T12:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const LAG = 5 * MINUTE;
/** an OR branch that never matches: with it at the top the store cannot use an index and scans every session */
const NEVER = parseEmFilter('Result==Failed;Result==Success');

const iso = (ms: number) => new Date(ms).toISOString();
const fullScan = (filter: EmFilterNode): EmFilterNode => ({ kind: 'or', items: [filter, NEVER] });

/**
 * A store with generated history (runs in progress at NOW included) plus control-API sessions of every shape
 * the EndTime index must cope with: still running, finished later through finishTaskSession, finished days
 * after they started, ended "before" they started, and late tasks joining old job runs.
 */
function buildStore(): SimStore {
  const store = createSimStore(generateData(7, NOW, { taskSessions: 4000, days: 3, running: 3 }), {
    seed: 7,
    withFraction: false,
    lagMs: LAG,
  });
  const at = (offset: number) => NOW + offset;
  for (let i = 0; i < 8; i++) {
    store.addTaskSession(
      { vm: `running${i}`, job: 'Control Running', creationTime: new Date(at(-i * HOUR)) },
      NOW,
    );
  }
  const finishLater = [];
  for (let i = 0; i < 8; i++) {
    finishLater.push(
      store.addTaskSession(
        { vm: `short${i}`, job: 'Control Short', creationTime: new Date(at(-i * 7 * MINUTE)) },
        NOW,
      ),
    );
  }
  const longRunning = [];
  for (let i = 0; i < 4; i++) {
    longRunning.push(
      store.addTaskSession(
        { vm: `long${i}`, job: 'Control Long', creationTime: new Date(at(-(i + 1) * DAY)) },
        NOW,
      ),
    );
  }
  store.addTaskSession(
    {
      vm: 'backwards',
      job: 'Control Backwards',
      result: 'Failed',
      creationTime: new Date(at(-HOUR)),
      endTime: new Date(at(-3 * HOUR)),
    },
    NOW,
  );
  // finished the moment they were created: EndTime == CreationTime
  store.addTaskSession({ vm: 'instant', job: 'Control Instant', result: 'Success' }, NOW - 10 * MINUTE);
  const clamped = store.addTaskSession({ vm: 'clamped', job: 'Control Instant' }, NOW - 20 * MINUTE);
  store.finishTaskSession(store.taskId(clamped), { result: 'Failed', endTime: new Date(at(-DAY)) }, NOW);
  store.addTaskSession(
    { vm: 'finished-long', job: 'Control Long', result: 'Warning', creationTime: new Date(at(-2 * DAY)) },
    NOW,
  );
  // two outliers created at the same moment, the later-added one finished first
  const twins = [0, 1].map((i) =>
    store.addTaskSession(
      { vm: `twin${i}`, job: 'Control Twins', creationTime: new Date(at(-DAY - HOUR)) },
      NOW,
    ),
  );
  store.finishTaskSession(store.taskId(twins[1]!), { result: 'Failed' }, NOW);
  store.finishTaskSession(store.taskId(twins[0]!), { result: 'Failed' }, NOW);
  // a task joining a generated run of two days ago makes that job session an outlier too
  const oldRun = store.queryJobSessions({
    filter: parseEmFilter(`CreationTime<="${iso(at(-2 * DAY))}"`),
    sort: { field: 'CreationTime', direction: 'desc' },
    page: 1,
    pageSize: 1,
    now: NOW,
  }).rows[0]!.record;
  const joined = store.addTaskSession(
    {
      vm: 'joiner',
      job: 'ignored',
      jobSessionUid: store.jobSessionId(oldRun),
      creationTime: new Date(at(-HOUR)),
    },
    NOW,
  );
  finishLater.forEach((task, i) => {
    store.finishTaskSession(
      store.taskId(task),
      { result: i % 2 === 0 ? 'Failed' : 'Success', reason: 'control' },
      NOW + (i + 1) * MINUTE,
    );
  });
  longRunning.forEach((task, i) => {
    store.finishTaskSession(store.taskId(task), { result: 'Failed' }, NOW + i * MINUTE);
  });
  store.finishTaskSession(store.taskId(joined), { result: 'Failed' }, NOW + 2 * MINUTE);
  return store;
}

const END_OPS = ['>=', '>', '==', '<=', '<'] as const;
const MOMENTS = [NOW, NOW + 3 * MINUTE, NOW + 30 * MINUTE];

const endTimeFilter = fc.record({
  op: fc.constantFrom(...END_OPS),
  offset: fc.oneof(
    fc.integer({ min: -3 * DAY, max: HOUR }),
    fc.integer({ min: -40 * MINUTE, max: 20 * MINUTE }),
  ),
  extra: fc.constantFrom(
    '',
    ';State==Completed',
    ';State==Completed;(Result==Warning,Result==Failed)',
    ';Result==Failed',
    ';State==InProgress',
    ';VmDisplayName=="long1"',
    ';JobName=="Control Short"',
    ';JobName=="SQL Replica"',
    `;CreationTime>="${iso(NOW - DAY)}"`,
    `;CreationTime<"${iso(NOW - 30 * MINUTE)}"`,
  ),
  upper: fc.option(fc.integer({ min: -2 * DAY, max: HOUR }), { nil: undefined }),
  sort: fc.constantFrom('CreationTime', 'EndTime', 'Name', 'Result'),
  direction: fc.constantFrom('asc' as const, 'desc' as const),
  page: fc.integer({ min: 1, max: 3 }),
  pageSize: fc.constantFrom(1, 7, 50, 5000),
  now: fc.constantFrom(...MOMENTS),
});

type Case = typeof endTimeFilter extends fc.Arbitrary<infer T> ? T : never;

function toRequest(c: Case): { text: string; request: QueryRequest } {
  let text = `EndTime${c.op}"${iso(NOW + c.offset)}"${c.extra}`;
  if (c.upper !== undefined) text += `;EndTime<="${iso(NOW + c.upper)}"`;
  return {
    text,
    request: {
      filter: parseEmFilter(text),
      sort: { field: c.sort, direction: c.direction },
      page: c.page,
      pageSize: c.pageSize,
      now: c.now,
    },
  };
}

describe('EndTime-bounded queries', () => {
  let store: SimStore;
  beforeAll(() => {
    store = buildStore();
  });

  it('answers task-session EndTime filters with exactly the rows and totals of a full scan', () => {
    fc.assert(
      fc.property(endTimeFilter, (c) => {
        const { request } = toRequest(c);
        const indexed = store.queryTasks(request);
        const scanned = store.queryTasks({ ...request, filter: fullScan(request.filter!) });
        expect(indexed.total).toBe(scanned.total);
        expect(indexed.rows.map((row) => row.record.serial)).toEqual(
          scanned.rows.map((row) => row.record.serial),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('answers job-session EndTime filters with exactly the rows and totals of a full scan', () => {
    fc.assert(
      fc.property(endTimeFilter, (c) => {
        const { request } = toRequest({
          ...c,
          extra: c.extra.includes('Vm') || c.extra.includes('State') ? '' : c.extra,
        });
        const indexed = store.queryJobSessions(request);
        const scanned = store.queryJobSessions({ ...request, filter: fullScan(request.filter!) });
        expect(indexed.total).toBe(scanned.total);
        expect(indexed.rows.map((row) => row.record.serial)).toEqual(
          scanned.rows.map((row) => row.record.serial),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('matches full scans at the edges of the index bound: longest runs, instant runs, outliers', () => {
    const request = (text: string): QueryRequest => ({
      filter: parseEmFilter(text),
      sort: null,
      page: 1,
      pageSize: 5000,
      now: NOW + HOUR,
    });
    const everything = request(`CreationTime>="${iso(0)}"`);
    const duration = (row: { end: number | null; creation: number }) => row.end! - row.creation;
    const edges = <T extends { end: number | null; creation: number }>(rows: T[]): number[] => {
      const ended = rows.filter((row) => row.end !== null).sort((a, b) => duration(b) - duration(a));
      const longest = ended.filter((row) => duration(row) <= HOUR).slice(0, 10);
      const outliers = ended.filter((row) => duration(row) > HOUR || duration(row) < 0);
      return [
        ...longest.map((row) => row.end!),
        ...ended.slice(-10).map((row) => row.end!),
        // the exact moments an outlier's creation meets either end of the narrowed range
        ...outliers.map((row) => row.creation),
        ...outliers.flatMap((row) => longest.slice(0, 3).map((l) => row.creation + duration(l))),
      ];
    };
    const taskEdges = edges(store.queryTasks(everything).rows);
    const sessionEdges = edges(store.queryJobSessions(everything).rows);
    expect(taskEdges.length).toBeGreaterThan(30);
    expect(sessionEdges.length).toBeGreaterThan(20);
    for (const op of END_OPS) {
      for (const edge of taskEdges) {
        const filter = request(`EndTime${op}"${iso(edge)}"`);
        const indexed = store.queryTasks(filter).rows.map((r) => r.record.serial);
        const scanned = store.queryTasks({ ...filter, filter: fullScan(filter.filter!) });
        expect(indexed).toEqual(scanned.rows.map((r) => r.record.serial));
      }
      for (const edge of sessionEdges) {
        const filter = request(`EndTime${op}"${iso(edge)}"`);
        const indexed = store.queryJobSessions(filter).rows.map((r) => r.record.serial);
        const scanned = store.queryJobSessions({ ...filter, filter: fullScan(filter.filter!) });
        expect(indexed).toEqual(scanned.rows.map((r) => r.record.serial));
      }
    }
  });

  it('finds the alert poll window rows a full scan finds, including tasks finished days after they started', () => {
    const from = NOW - 30 * MINUTE;
    const filter = parseEmFilter(`State==Completed;EndTime>="${iso(from)}";(Result==Warning,Result==Failed)`);
    const request: QueryRequest = { filter, sort: null, page: 1, pageSize: 5000, now: NOW + 10 * MINUTE };
    const indexed = store.queryTasks(request);
    const scanned = store.queryTasks({ ...request, filter: fullScan(filter) });
    expect(indexed.rows.map((row) => row.record.serial)).toEqual(
      scanned.rows.map((row) => row.record.serial),
    );
    const vms = indexed.rows.map((row) => row.record.vm.name);
    // finished through the control API, visible once the collection lag has passed
    expect(vms).toEqual(expect.arrayContaining(['long0', 'long1', 'long2', 'long3', 'joiner', 'short0']));
    // short1 finished at NOW + 2 min with Success; running tasks have no EndTime and never match
    expect(vms.some((vm) => vm.startsWith('running') || vm === 'short1')).toBe(false);
    for (const row of indexed.rows) {
      expect(row.end).not.toBeNull();
      expect(row.end!).toBeGreaterThanOrEqual(from);
    }
  });

  it('hides a finish until the collection lag has passed, as the full scan does', () => {
    const filter = parseEmFilter(`EndTime>="${iso(NOW - HOUR)}";VmDisplayName=="long3"`);
    const before: QueryRequest = { filter, sort: null, page: 1, pageSize: 10, now: NOW + 3 * MINUTE };
    expect(store.queryTasks(before).total).toBe(0);
    expect(store.queryTasks({ ...before, filter: fullScan(filter) }).total).toBe(0);
    const after = { ...before, now: NOW + 3 * MINUTE + LAG };
    expect(store.queryTasks(after).rows.map((row) => row.record.vm.name)).toEqual(['long3']);
    expect(store.queryTasks({ ...after, filter: fullScan(filter) }).total).toBe(1);
  });

  it('keeps matching a generated run that finishes as the clock moves on', () => {
    const filter = parseEmFilter(`State==Completed;EndTime>"${iso(NOW)}"`);
    const at = (now: number): QueryRequest => ({ filter, sort: null, page: 1, pageSize: 5000, now });
    expect(store.queryTasks(at(NOW)).total).toBe(0);
    const later = store.queryTasks(at(NOW + HOUR));
    expect(later.total).toBeGreaterThan(0);
    expect(later.rows.map((row) => row.record.serial)).toEqual(
      store.queryTasks({ ...at(NOW + HOUR), filter: fullScan(filter) }).rows.map((row) => row.record.serial),
    );
  });
});
