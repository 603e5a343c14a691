import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDistance, suggestNames, toNamedValues } from '../../../../src/core/answer/check-names.js';
import { and, anyOf, cmp, eq } from '../../../../src/core/filter.js';

describe('toNamedValues', () => {
  it('finds every VM, job and server the filter requires, once each, and ignores other fields', () => {
    const filter = and(
      anyOf('Result', ['Failed', 'Warning']),
      anyOf('VmDisplayName', ['apache02', 'APACHE02', 'sql 02']),
      eq('JobName', 'SQL Replica'),
      cmp('BackupServerName', '!=', 'srv05.tech.local'),
      eq('BackupServerName', 'srv02'),
      cmp('CreationTime', '>=', new Date('2026-11-23T00:00:00Z')),
    );
    expect(toNamedValues(filter)).toEqual([
      { field: 'VmDisplayName', name: 'apache02' },
      { field: 'VmDisplayName', name: 'sql 02' },
      { field: 'JobName', name: 'SQL Replica' },
      { field: 'BackupServerName', name: 'srv02' },
    ]);
    expect(toNamedValues(null)).toEqual([]);
  });
});

describe('suggestNames', () => {
  const servers = ['srv02.tech.local', 'srv05.tech.local', 'enterprise06.tech.local', 'vbr-dr01.tech.local'];
  const vms = ['sql 02', 'sql01', 'sqlreport03', 'apache02', 'apache03', 'nginx01', '<!channel>'];

  it('suggests the full name of a server typed by its short name', () => {
    expect(suggestNames('srv02', servers)).toEqual(['srv02.tech.local']);
    expect(suggestNames('SRV02', servers)).toEqual(['srv02.tech.local']);
  });

  it('puts a name that differs only by spaces or case first, then near misses', () => {
    expect(suggestNames('sql02', vms)).toEqual(['sql 02', 'sql01']);
    expect(suggestNames('apache', vms)).toEqual(['apache02', 'apache03']);
    expect(suggestNames('ngnix01', vms)).toEqual([]);
    expect(suggestNames('nginx02', vms)).toEqual(['nginx01']);
  });

  it('suggests nothing for a name like no other, and never the typed name itself', () => {
    expect(suggestNames('nosuchvm', vms)).toEqual([]);
    expect(suggestNames('apache02', ['apache02', 'APACHE02'])).toEqual([]);
    expect(suggestNames('', vms)).toEqual([]);
  });
});

describe('editDistance', () => {
  it('is the Levenshtein distance when it is within the bound, and bound + 1 beyond it', () => {
    expect(editDistance('kitten', 'sitting', 3)).toBe(3);
    expect(editDistance('kitten', 'sitting', 2)).toBe(3);
    expect(editDistance('', 'abc', 5)).toBe(3);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b, 24);
        expect(d).toBe(editDistance(b, a, 24));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d === 0).toBe(a === b);
      }),
    );
  });
});
