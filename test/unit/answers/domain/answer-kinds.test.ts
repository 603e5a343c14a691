import { describe, expect, it } from 'vitest';
import { singular } from '../../../../src/answers/domain/answer-kinds.js';

describe('a yes/no verdict with one run', () => {
  it('says "1 successful replica", not "1 successful replicas"', () => {
    expect(singular('successful replicas for apache02 today')).toBe('successful replica for apache02 today');
    expect(singular('successful VM backups of job "Nightly" today')).toBe(
      'successful VM backup of job "Nightly" today',
    );
    expect(singular('failed job runs yesterday')).toBe('failed job run yesterday');
  });
  it('leaves a phrase with no known plural as it is, and changes only the first plural', () => {
    expect(singular('anything odd')).toBe('anything odd');
    expect(singular('replicas of jobs')).toBe('replica of jobs');
  });
});
