import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { and, cmp, type Filter, type FilterField, or, toFilterString } from '../../../src/core/filter.js';
import {
  compileEmFilter,
  EmFilterError,
  type EmFilterNode,
  parseEmDate,
  parseEmFilter,
} from '../../../src/simulator/parse-em-filter.js';
import { hostileText } from '../../fakes/hostile-text.js';

describe('parseEmFilter', () => {
  it('reads the docs example with AND and a bare value', () => {
    expect(parseEmFilter('Result==Success;VmDisplayName==apache02')).toEqual({
      kind: 'and',
      items: [
        { kind: 'cmp', field: 'Result', op: '==', value: 'Success', quoted: false },
        { kind: 'cmp', field: 'VmDisplayName', op: '==', value: 'apache02', quoted: false },
      ],
    });
  });

  it('binds AND tighter than OR and keeps parenthesised groups', () => {
    const node = parseEmFilter('a==1;b==2,c==3;(d==4,e==5)');
    expect(node).toMatchObject({
      kind: 'or',
      items: [
        { kind: 'and', items: [{ field: 'a' }, { field: 'b' }] },
        { kind: 'and', items: [{ field: 'c' }, { kind: 'or', items: [{ field: 'd' }, { field: 'e' }] }] },
      ],
    });
  });

  it('reads doubled quotes inside a quoted value and keeps its spaces', () => {
    expect(parseEmFilter('Name=="""Backup"" x";Reason==" y "')).toEqual({
      kind: 'and',
      items: [
        { kind: 'cmp', field: 'Name', op: '==', value: '"Backup" x', quoted: true },
        { kind: 'cmp', field: 'Reason', op: '==', value: ' y ', quoted: true },
      ],
    });
  });

  it('ignores spaces outside quotes, as EM does', () => {
    expect(parseEmFilter(' Result >= Warning ; JobName == "SQL Replica" ')).toEqual(
      parseEmFilter('Result>=Warning;JobName=="SQL Replica"'),
    );
    expect(parseEmFilter('JobName==SQL Replica')).toMatchObject({ value: 'SQLReplica' });
  });

  it.each([
    ['', /Expected a field name/],
    ['Result', /Expected an operator/],
    ['Result=Failed', /Expected an operator/],
    ['Result==', /Expected a value/],
    ['Name=="open', /not closed/],
    ['Name=="a"b', /Unexpected 'b'/],
    ['(Result==Failed', /Expected '\)'/],
    ['Result==Failed)', /Unexpected '\)'/],
    ['Result==Fa"iled', /quote the value/],
    ['a==1;;b==2', /Expected a field name/],
    ['a==1,', /Expected a field name/],
  ])('refuses %j', (text, message) => {
    expect(() => parseEmFilter(text)).toThrow(EmFilterError);
    expect(() => parseEmFilter(text)).toThrow(message);
  });
});

describe('parseEmDate', () => {
  it.each([
    ['2025-08-15T06:00:00Z', '2025-08-15T06:00:00.000Z'],
    ['2026-06-14T21:07:25', '2026-06-14T21:07:25.000Z'],
    ['2025-08-14T12:31:30.389954Z', '2025-08-14T12:31:30.389Z'],
    ['2025-08-14T14:31:30+02:00', '2025-08-14T12:31:30.000Z'],
    ['2025-08-14', '2025-08-14T00:00:00.000Z'],
  ])('reads %s as UTC', (text, iso) => {
    expect(new Date(parseEmDate(text)!).toISOString()).toBe(iso);
  });

  it('refuses text that is not a date', () => {
    expect(parseEmDate('yesterday')).toBeNull();
    expect(parseEmDate('2025-13-45T99:00:00Z')).toBeNull();
  });
});

describe('compileEmFilter', () => {
  interface Row {
    result: number;
    vm: string;
    created: number;
  }
  const getters = {
    Result: (row: Row) => row.result,
    VmDisplayName: (row: Row) => row.vm,
    CreationTime: (row: Row) => row.created,
  };
  const compile = (text: string) => compileEmFilter('ReplicaTaskSession', parseEmFilter(text), getters);

  it('compares enum values by index: Success < Warning < Failed', () => {
    const atLeastWarning = compile('Result>=warning');
    expect([1, 2, 3].map((result) => atLeastWarning({ result, vm: '', created: 0 }))).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('compares text case-insensitively', () => {
    expect(compile('vmdisplayname=="APACHE02"')({ result: 1, vm: 'apache02', created: 0 })).toBe(true);
  });

  it('refuses unknown fields and values of the wrong kind', () => {
    expect(() => compile('Colour==red')).toThrow(/Unknown filter parameter 'Colour'/);
    expect(() => compile('Result==Maybe')).toThrow(/expected one of/);
    expect(() => compile('CreationTime>tomorrow')).toThrow(/Invalid DateTime/);
    expect(() => compileEmFilter('ReplicaJobSession', parseEmFilter('IsRetry==perhaps'), {})).toThrow(
      /true or false/,
    );
  });
});

// --- round trip with the typed builder the EM client uses --------------------------------------------------------

const hostileValue = hostileText({ maxLength: 12 });

const comparison = fc.oneof(
  fc.record({
    field: fc.constantFrom<FilterField>('VmDisplayName', 'JobName', 'Reason', 'BackupServerName'),
    op: fc.constantFrom('==' as const, '!=' as const, '<' as const, '>=' as const),
    value: hostileValue,
  }),
  fc.record({
    field: fc.constant<FilterField>('Result'),
    op: fc.constantFrom('==' as const, '>=' as const),
    value: fc.constantFrom('Success', 'Warning', 'Failed'),
  }),
  fc.record({
    field: fc.constant<FilterField>('CreationTime'),
    op: fc.constantFrom('>' as const, '<=' as const),
    value: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
  }),
);

const filterTree: fc.Arbitrary<Filter> = fc.letrec<{ node: Filter }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison.map(({ field, op, value }) => cmp(field, op, value)),
    fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((items) => and(...items)),
    fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((items) => or(...items)),
  ),
})).node;

/** What parseEmFilter must give back for a builder filter. */
function expected(node: Filter): unknown {
  if (node.kind === 'cmp') {
    const value = node.value instanceof Date ? node.value.toISOString() : String(node.value);
    return { kind: 'cmp', field: node.field, op: node.op, value };
  }
  if (node.items.length === 1) return expected(node.items[0]!);
  return { kind: node.kind, items: node.items.map(expected) };
}

function strip(node: EmFilterNode): unknown {
  if (node.kind === 'cmp') return { kind: 'cmp', field: node.field, op: node.op, value: node.value };
  return { kind: node.kind, items: node.items.map(strip) };
}

describe('parseEmFilter with toFilterString', () => {
  it('reads back any value with quotes, ; , ( ) & = exactly as the client wrote it', () => {
    fc.assert(
      fc.property(hostileValue, (value) => {
        const text = toFilterString('ReplicaTaskSession', cmp('VmDisplayName', '==', value));
        expect(parseEmFilter(text)).toEqual({
          kind: 'cmp',
          field: 'VmDisplayName',
          op: '==',
          value,
          quoted: true,
        });
      }),
      { numRuns: 500 },
    );
  });

  it('reads back the structure of any AND/OR tree the client builds', () => {
    fc.assert(
      fc.property(filterTree, (tree) => {
        expect(strip(parseEmFilter(toFilterString('ReplicaTaskSession', tree)))).toEqual(expected(tree));
      }),
      { numRuns: 300 },
    );
  });
});
