import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { and, anyOf, cmp, eq, or, quoteFilterValue, toFilterString } from '../../../src/core/filter.js';

describe('toFilterString', () => {
  it('writes the filter of the docs example', () => {
    const filter = and(
      eq('Result', 'Failed'),
      eq('VmDisplayName', 'apache02'),
      cmp('CreationTime', '>=', new Date('2026-11-22T23:00:00Z')),
    );
    expect(toFilterString('ReplicaTaskSession', filter)).toBe(
      'Result==Failed;VmDisplayName=="apache02";CreationTime>="2026-11-22T23:00:00.000Z"',
    );
  });

  it('parenthesises an OR inside an AND', () => {
    const filter = and(cmp('CreationTime', '>=', new Date(0)), anyOf('Result', ['Warning', 'Failed']));
    expect(toFilterString('ReplicaTaskSession', filter)).toBe(
      'CreationTime>="1970-01-01T00:00:00.000Z";(Result==Warning,Result==Failed)',
    );
  });

  it('doubles quotes inside names', () => {
    expect(toFilterString('ReplicaTaskSession', eq('JobName', 'SQL "prod" & co'))).toBe(
      'JobName=="SQL ""prod"" & co"',
    );
  });

  it('refuses fields that the type does not have and enum values that do not exist', () => {
    expect(() => toFilterString('ReplicaJobSession', eq('VmDisplayName', 'x'))).toThrow(/not a filter field/);
    expect(() => toFilterString('ReplicaTaskSession', eq('Result', 'Failed;State==Completed'))).toThrow(
      /one of/,
    );
    expect(() => toFilterString('ReplicaTaskSession', eq('State', 'Working'))).toThrow(/one of/);
  });

  it('keeps any user text inside one quoted literal', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 50 }), (vm, job) => {
        const text = toFilterString('ReplicaTaskSession', or(eq('VmDisplayName', vm), eq('JobName', job)));
        const literal = (s: string) => quoteFilterValue(s);
        expect(text).toBe(`VmDisplayName==${literal(vm)},JobName==${literal(job)}`);
        // outside the literals only structure remains
        const stripped = text.replace(/"(?:[^"]|"")*"/g, '""');
        expect(stripped).toBe('VmDisplayName=="",JobName==""');
      }),
    );
  });
});
