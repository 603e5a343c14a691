import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateData } from '../../../src/simulator/generate-data.js';
import {
  compileEmFilter,
  type EmFilterNode,
  parseEmFilter,
  toCanonicalField,
} from '../../../src/simulator/parse-em-filter.js';
import { viewTask } from '../../../src/simulator/sim-model.js';
import { createSimStore, type QueryRequest, type SimStore } from '../../../src/simulator/sim-store.js';
import { buildTaskCountIndex, isCountable } from '../../../src/simulator/task-counts.js';

const NOW = Date.parse('2026-06-17T12:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const LAG = 5 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();
/** never true, and it names Reason: a filter ORed with it is not countable, so the store scans every task */
const NEVER = parseEmFilter('Reason=="~";Result==Failed;Result==Success');
const scanned = (filter: EmFilterNode | null): EmFilterNode =>
  filter === null
    ? { kind: 'or', items: [parseEmFilter('Result>=None'), NEVER] }
    : { kind: 'or', items: [filter, NEVER] };

/** Generated history over several blocks of 1,024, runs going at NOW, and control-API tasks that are outliers. */
function buildStore(): SimStore {
  const store = createSimStore(generateData(11, NOW, { taskSessions: 6000, days: 3, running: 3 }), {
    seed: 11,
    withFraction: false,
    lagMs: LAG,
  });
  for (let i = 0; i < 6; i++)
    store.addTaskSession(
      { vm: `running${i}`, job: 'Control Running', creationTime: new Date(NOW - i * 7 * HOUR) },
      NOW,
    );
  const late = [];
  for (let i = 0; i < 6; i++)
    late.push(
      store.addTaskSession(
        { vm: `late${i}`, job: 'Control Late', creationTime: new Date(NOW - (i + 1) * 9 * HOUR) },
        NOW,
      ),
    );
  late.forEach((task, i) => {
    store.finishTaskSession(
      store.taskId(task),
      { result: i % 2 === 0 ? 'Failed' : 'Warning' },
      NOW + i * MINUTE,
    );
  });
  // added long after its creation (visible only from NOW + LAG), finished at once
  store.addTaskSession(
    { vm: 'old', job: 'Control Late', result: 'Success', creationTime: new Date(NOW - 2 * DAY) },
    NOW,
  );
  store.addTaskSession(
    { vm: 'future', job: 'Control Late', result: 'Failed', creationTime: new Date(NOW + HOUR) },
    NOW,
  );
  return store;
}

const RESULT_PARTS = [
  '',
  ';Result==Failed',
  ';(Result==Success;State==Completed)',
  ';(Result==None,(Result==Success;State!=Completed))',
  ';Result!=None;Result!=Success;Result!=Warning;Result!=Failed',
  ';State==InProgress',
  ';(Result==Warning,Result==Failed)',
  ';State!=Completed',
  ';Result>=Warning',
];
const MOMENTS = [NOW - 2 * HOUR, NOW, NOW + 3 * MINUTE, NOW + 30 * MINUTE, NOW + 2 * DAY];

const queryCase = fc.record({
  lower: fc.option(
    fc.record({ op: fc.constantFrom('>=', '>'), offset: fc.integer({ min: -4 * DAY, max: HOUR }) }),
    { nil: undefined },
  ),
  upper: fc.option(
    fc.record({ op: fc.constantFrom('<=', '<'), offset: fc.integer({ min: -3 * DAY, max: 2 * HOUR }) }),
    { nil: undefined },
  ),
  result: fc.constantFrom(...RESULT_PARTS),
  sort: fc.constantFrom(null, 'asc' as const, 'desc' as const),
  page: fc.integer({ min: 1, max: 4 }),
  pageSize: fc.constantFrom(1, 7, 500, 5000),
  now: fc.constantFrom(...MOMENTS),
});
type Case = typeof queryCase extends fc.Arbitrary<infer T> ? T : never;

function toRequest(c: Case): QueryRequest {
  const parts = [
    c.lower === undefined ? '' : `CreationTime${c.lower.op}"${iso(NOW + c.lower.offset)}"`,
    c.upper === undefined ? '' : `CreationTime${c.upper.op}"${iso(NOW + c.upper.offset)}"`,
  ].filter((p) => p !== '');
  const text = [...parts, c.result.replace(/^;/, '')].filter((p) => p !== '').join(';');
  return {
    filter: text === '' ? null : parseEmFilter(text),
    sort: c.sort === null ? null : { field: 'CreationTime', direction: c.sort },
    page: c.page,
    pageSize: c.pageSize,
    now: c.now,
  };
}

describe('counting task sessions from block counts', () => {
  let store: SimStore;
  beforeAll(() => {
    store = buildStore();
  });

  it('gives exactly the rows and totals of a full scan for State, Result and CreationTime filters', () => {
    fc.assert(
      fc.property(queryCase, (c) => {
        const request = toRequest(c);
        const counted = store.queryTasks(request);
        const scan = store.queryTasks({ ...request, filter: scanned(request.filter) });
        expect(counted.total).toBe(scan.total);
        expect(counted.rows.map((row) => row.record.serial)).toEqual(
          scan.rows.map((row) => row.record.serial),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('stays exact as sessions are added and finished (the index is rebuilt for each version)', () => {
    const running: string[] = [];
    fc.assert(
      fc.property(queryCase, fc.integer({ min: -3 * DAY, max: HOUR }), fc.boolean(), (c, offset, finish) => {
        if (finish && running.length > 0) {
          store.finishTaskSession(running.shift() ?? '', { result: 'Failed' }, c.now);
        } else {
          const task = store.addTaskSession(
            { vm: `added${running.length}`, job: 'Control Added', creationTime: new Date(NOW + offset) },
            c.now,
          );
          running.push(store.taskId(task));
        }
        const request = toRequest(c);
        const counted = store.queryTasks(request);
        const scan = store.queryTasks({ ...request, filter: scanned(request.filter) });
        expect(counted.total).toBe(scan.total);
        expect(counted.rows.map((row) => row.record.serial)).toEqual(
          scan.rows.map((row) => row.record.serial),
        );
      }),
      { numRuns: 150 },
    );
  });
});

describe('buildTaskCountIndex', () => {
  const data = generateData(3, NOW, { taskSessions: 5000, days: 2, running: 2 });
  // an outlier: EM shows its finish only two days after it started
  const outlier = data.tasks[1500];
  if (outlier) outlier.finishVisibleFrom = outlier.creation + 2 * DAY;
  const index = buildTaskCountIndex(data.tasks);
  const getters = {
    CreationTime: (v: ReturnType<typeof viewTask>) => v.creation,
    State: (v: ReturnType<typeof viewTask>) => ['Pending', 'InProgress', 'Completed'].indexOf(v.state),
    Result: (v: ReturnType<typeof viewTask>) => ['None', 'Success', 'Warning', 'Failed'].indexOf(v.result),
  };

  it('counts any part of a range as a scan does, and seeks past whole blocks only', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RESULT_PARTS.map((p) => p.replace(/^;/, '')).filter((p) => p !== '')),
        fc.constantFrom(...MOMENTS, (outlier?.creation ?? NOW) + DAY),
        fc.integer({ min: 0, max: data.tasks.length }),
        fc.integer({ min: 0, max: data.tasks.length }),
        fc.integer({ min: 0, max: 3000 }),
        fc.boolean(),
        (text, now, a, b, skip, desc) => {
          const predicate = compileEmFilter('ReplicaTaskSession', parseEmFilter(text), getters);
          const [start, end] = a <= b ? [a, b] : [b, a];
          const naive = (from: number, to: number) =>
            data.tasks.slice(from, to).filter((t) => t.visibleFrom <= now && predicate(viewTask(t, now)))
              .length;
          const range = index.prepare(start, end, now, predicate);
          expect(range.count(start, end)).toBe(naive(start, end));
          const mid = Math.floor((start + end) / 2);
          expect(range.count(start, mid) + range.count(mid, end)).toBe(naive(start, end));
          const { at, skipped } = range.seek(skip, desc);
          expect(skipped).toBeLessThanOrEqual(skip);
          expect(skipped).toBe(desc ? naive(at, end) : naive(start, at));
          expect(at).toBeGreaterThanOrEqual(start);
          expect(at).toBeLessThanOrEqual(end);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes only State, Result and top-level CreationTime comparisons as countable', () => {
    const canonical = (field: string) => toCanonicalField('ReplicaTaskSession', field);
    const countable = (text: string) => isCountable(parseEmFilter(text), canonical);
    expect(countable('creationtime>="2026-01-01";RESULT==Failed')).toBe(true);
    expect(countable('(Result==Warning,Result==Failed);State==Completed')).toBe(true);
    expect(countable('CreationTime>="2026-01-01",Result==Failed')).toBe(false);
    expect(countable('Result==Failed;VmDisplayName==a')).toBe(false);
    expect(countable('EndTime>="2026-01-01"')).toBe(false);
    expect(isCountable(null, canonical)).toBe(true);
  });
});
