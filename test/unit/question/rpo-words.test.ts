import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRpoQuestion } from '../../../src/question/rpo-words.js';

describe('parseRpoQuestion: backups', () => {
  it('reads the backup questions, and keeps replicas the default', () => {
    const cases: Array<[string, unknown]> = [
      ['is srv04 backed up?', { kind: 'protected', vm: 'srv04', of: 'backup' }],
      ['is srv04 protected for backups', { kind: 'protected', vm: 'srv04', of: 'backup' }],
      ['which VMs are outside RPO for backups', { kind: 'outside', of: 'backup' }],
      ['backups outside RPO', { kind: 'outside', of: 'backup' }],
      ['which backups are outside their rpo', { kind: 'outside', of: 'backup' }],
      ['oldest backups', { kind: 'oldest', limit: 10, of: 'backup' }],
      ['5 oldest backups', { kind: 'oldest', limit: 5, of: 'backup' }],
      ['how old is the backup of srv04', { kind: 'age', vm: 'srv04', of: 'backup' }],
      ["how old is srv04's backup", { kind: 'age', vm: 'srv04', of: 'backup' }],
      ['is apache02 protected', { kind: 'protected', vm: 'apache02' }],
      ['oldest replicas', { kind: 'oldest', limit: 10 }],
      ['backups failed last night', null],
    ];
    for (const [text, expected] of cases) expect([text, parseRpoQuestion(text)]).toEqual([text, expected]);
  });
});

describe('parseRpoQuestion', () => {
  it.each([
    ['is apache02 protected', { kind: 'protected', vm: 'apache02' }],
    ['Is "sql 02" protected?', { kind: 'protected', vm: 'sql 02' }],
    ['is vm dc01 within its RPO', { kind: 'protected', vm: 'dc01' }],
    ['which VMs are outside RPO', { kind: 'outside' }],
    ['what vms are outside their rpo?', { kind: 'outside' }],
    ['outside rpo', { kind: 'outside' }],
    ['oldest replicas', { kind: 'oldest', limit: 10 }],
    ['5 oldest replicas', { kind: 'oldest', limit: 5 }],
    ['how old is the replica of apache02', { kind: 'age', vm: 'apache02' }],
    ['How old is the latest replica of "web frontend"?', { kind: 'age', vm: 'web frontend' }],
  ])('reads "%s"', (text, expected) => {
    expect(parseRpoQuestion(text)).toEqual(expected);
  });

  it.each(['replicas failed today', 'failed replicas of apache02 this week', 'is it raining', 'help'])(
    'leaves "%s" to the session questions',
    (text) => {
      expect(parseRpoQuestion(text)).toBeNull();
    },
  );

  it('keeps any VM name whole (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9][a-z0-9 ._-]{0,20}[a-z0-9]$/).filter((s) => !/\s{2}/.test(s)),
        (vm) => {
          expect(parseRpoQuestion(`how old is the replica of ${vm}`)).toEqual({ kind: 'age', vm });
        },
      ),
    );
  });
});
