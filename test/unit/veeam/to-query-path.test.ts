import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplibotError } from '../../../src/core/errors.js';
import { and, cmp, eq, or, toFilterString } from '../../../src/core/filter.js';
import { MAX_PAGE_SIZE, toPageSize, toQueryPath } from '../../../src/veeam/to-query-path.js';
import { hostileText } from '../../fakes/hostile-text.js';

const paramsOf = (path: string) => new URL(path, 'https://em.example.local:9398').searchParams;

describe('toQueryPath', () => {
  it('writes the query of the EM docs example with every parameter encoded', () => {
    const path = toQueryPath(
      'ReplicaTaskSession',
      {
        filter: and(eq('Result', 'Success'), eq('VmDisplayName', 'apache02')),
        sort: { field: 'CreationTime', direction: 'desc' },
      },
      1,
      15,
    );
    expect(path).toBe(
      '/api/query?type=ReplicaTaskSession&format=Entities&filter=Result%3D%3DSuccess%3BVmDisplayName%3D%3D%22apache02%22&sortDesc=CreationTime&pageSize=15&page=1',
    );
  });

  it('sends sortAsc for ascending order and no filter when there is none', () => {
    const params = paramsOf(
      toQueryPath('ReplicaJobSession', { sort: { field: 'CreationTime', direction: 'asc' } }, 3, 200),
    );
    expect([...params.keys()]).toEqual(['type', 'format', 'sortAsc', 'pageSize', 'page']);
    expect(params.get('page')).toBe('3');
  });

  it('keeps any name inside the filter parameter (property)', () => {
    const hostile = hostileText({ maxLength: 30 });
    fc.assert(
      fc.property(hostile, hostile, (vm, job) => {
        const filter = or(
          eq('VmDisplayName', vm),
          and(eq('JobName', job), cmp('CreationTime', '>=', new Date(0))),
        );
        const params = paramsOf(toQueryPath('ReplicaTaskSession', { filter }, 1, 100));
        expect([...params.keys()]).toEqual(['type', 'format', 'filter', 'pageSize', 'page']);
        expect(params.get('filter')).toBe(toFilterString('ReplicaTaskSession', filter));
        expect(params.get('type')).toBe('ReplicaTaskSession');
      }),
    );
  });

  it('refuses a sort field the type does not have', () => {
    expect(() =>
      toQueryPath('ReplicaJobSession', { sort: { field: 'VmDisplayName', direction: 'asc' } }, 1, 10),
    ).toThrow(ReplibotError);
  });
});

describe('toPageSize', () => {
  it('uses the configured size, bounded, and never more than the limit', () => {
    expect(toPageSize(undefined, 500, null)).toBe(500);
    expect(toPageSize(50, 500, null)).toBe(50);
    expect(toPageSize(undefined, 500, 5)).toBe(5);
    expect(toPageSize(1_000_000, 500, null)).toBe(MAX_PAGE_SIZE);
    expect(toPageSize(0, 500, null)).toBe(1);
  });
});
