import { describe, expect, it } from 'vitest';
import { createNameCatalogue, parseNameLines } from '../../../src/question/name-catalogue.js';
import { parseQuestion } from '../../../src/question/parse-question.js';

const AT = { now: new Date('2026-11-23T10:05:00.000Z'), timeZone: 'Europe/Berlin' };
const names = createNameCatalogue([
  { kind: 'vm', name: 'apache02' },
  { kind: 'vm', name: 'apache-2' },
  { kind: 'vm', name: 'web01' },
  { kind: 'job', name: 'web01' },
  { kind: 'job', name: 'SQL Replica' },
]);

describe('names EM knows', () => {
  it('offers each close name when several are close, and corrects none', () => {
    const parsed = parseQuestion('apache2 failures today', { ...AT, names });
    if (parsed.kind !== 'not-understood') throw new Error(JSON.stringify(parsed));
    expect(parsed.error).toContain('"apache2"');
    expect(parsed.suggestions.slice(0, 2).sort()).toEqual([
      'apache-2 failures today',
      'apache02 failures today',
    ]);
  });

  it('asks which when a name is a VM and a job, and reads it once the kind is said', () => {
    const parsed = parseQuestion('web01 failures today', { ...AT, names });
    if (parsed.kind !== 'not-understood') throw new Error(JSON.stringify(parsed));
    expect(parsed.error).toContain('EM knows "web01" as a VM and as a job');
    for (const suggestion of parsed.suggestions.slice(0, 2))
      expect(parseQuestion(suggestion, { ...AT, names }).kind).toBe('query');
  });

  it('never corrects a quoted name', () => {
    const parsed = parseQuestion('failures for vm "apache2" today', { ...AT, names });
    if (parsed.kind !== 'query') throw new Error(JSON.stringify(parsed));
    expect(parsed.intent.corrections).toEqual([]);
    expect(JSON.stringify(parsed.intent.filter)).toContain('"apache2"');
  });

  it('reads name lines with tabs, comments and blank lines, and names the first bad line', () => {
    expect(parseNameLines('# x\n\nvm\tapache02\nJOB\tSQL Replica\n')).toEqual({
      ok: true,
      names: [
        { kind: 'vm', name: 'apache02' },
        { kind: 'job', name: 'SQL Replica' },
      ],
    });
    expect(parseNameLines('vm\tok\nhost\tx\n')).toMatchObject({ ok: false, line: 2 });
    expect(parseNameLines('vm\t \n')).toMatchObject({ ok: false, line: 1 });
  });
});
