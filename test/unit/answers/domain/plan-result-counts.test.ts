import { describe, expect, it } from 'vitest';
import {
  planResultCounts,
  toPossibleResults,
  toResultFilter,
} from '../../../../src/answers/domain/plan-result-counts.js';
import { and, anyOf, cmp, eq, or, toFilterString } from '../../../../src/core/filter.js';

const since = cmp('CreationTime', '>=', new Date('2026-11-01T00:00:00Z'));

describe('toPossibleResults', () => {
  it('allows every result when the filter says nothing about results or states', () => {
    expect(toPossibleResults(null)).toEqual(['Success', 'Warning', 'Failed', 'None', 'Unknown']);
    expect(toPossibleResults(and(since, eq('VmDisplayName', 'apache02')))).toEqual([
      'Success',
      'Warning',
      'Failed',
      'None',
      'Unknown',
    ]);
  });

  it('keeps only the results a Result condition allows, with running for Success', () => {
    expect(toPossibleResults(and(eq('Result', 'Failed'), since))).toEqual(['Failed']);
    expect(toPossibleResults(and(anyOf('Result', ['Warning', 'Failed']), since))).toEqual([
      'Warning',
      'Failed',
    ]);
    // EM v10 says Success for a task still running, which replibot reads as running
    expect(toPossibleResults(eq('Result', 'Success'))).toEqual(['Success', 'None']);
  });

  it('rules out Success for sessions still running', () => {
    expect(toPossibleResults(and(anyOf('State', ['InProgress', 'Pending']), since))).toEqual([
      'Warning',
      'Failed',
      'None',
      'Unknown',
    ]);
    expect(toPossibleResults(and(eq('Result', 'Success'), eq('State', 'InProgress')))).toEqual(['None']);
  });

  it('reads a condition mixing results and states as no restriction', () => {
    expect(toPossibleResults(and(or(eq('Result', 'Failed'), eq('State', 'InProgress')), since))).toHaveLength(
      5,
    );
  });
});

describe('planResultCounts', () => {
  it('needs no bucket when the filter fixes the result', () => {
    const plan = planResultCounts('ReplicaTaskSession', and(eq('Result', 'Failed'), since));
    expect(plan.only).toBe('Failed');
  });

  it('counts each result that can occur, with filters that split the rows as replibot reads them', () => {
    const plan = planResultCounts('ReplicaTaskSession', since);
    expect(plan.only).toBeNull();
    expect(plan.buckets.map((b) => [b.result, toFilterString('ReplicaTaskSession', b.filter)])).toEqual([
      ['Success', 'Result==Success;State==Completed'],
      ['Warning', 'Result==Warning'],
      ['Failed', 'Result==Failed'],
      ['None', 'Result==None,(Result==Success;State!=Completed)'],
      ['Unknown', 'Result!=None;Result!=Success;Result!=Warning;Result!=Failed'],
    ]);
  });

  it('uses the ended state of a job run for a job session', () => {
    expect(toFilterString('ReplicaJobSession', toResultFilter('ReplicaJobSession', 'Success'))).toBe(
      'Result==Success;State==Stopped',
    );
  });
});
