import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRpoQuestion } from '../../../src/question/rpo-words.js';

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
