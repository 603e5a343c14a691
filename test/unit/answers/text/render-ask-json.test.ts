import { describe, expect, it } from 'vitest';
import { toShownType } from '../../../../src/answers/text/render-ask-json.js';
import { parseQuestion } from '../../../../src/question/parse-question.js';

const read = (question: string) => {
  const parsed = parseQuestion(question, { now: new Date('2026-11-20T12:00:00Z'), timeZone: 'UTC' });
  if (parsed.kind !== 'query') throw new Error(`not read: ${question}`);
  return parsed.intent;
};

describe('ask --format json names the EM type the answer read', () => {
  it('a backup question shows the backup session types', () => {
    const tasks = read('failed replicas last night');
    const jobs = read('failed job runs last night');
    expect(toShownType(tasks)).toBe('ReplicaTaskSession');
    expect(toShownType({ ...tasks, kind: 'backup' })).toBe('BackupTaskSession');
    expect(toShownType({ ...jobs, kind: 'backup' })).toBe(
      jobs.type === 'ReplicaJobSession' ? 'BackupJobSession' : jobs.type,
    );
    expect(toShownType({ ...jobs, kind: 'backup' })).not.toBe('ReplicaJobSession');
  });
});
