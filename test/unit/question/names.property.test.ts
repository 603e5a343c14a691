/**
 * The fuzzy parts of reading names EM knows, as properties: a correction never turns a known name into another
 * known name, and any name, however hostile, reaches the EM filter as one quoted literal of exactly that name.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eq, type Filter, toFilterString } from '../../../src/core/filter.js';
import { createNameCatalogue, type KnownName, type NameKind } from '../../../src/question/name-catalogue.js';
import { parseQuestion } from '../../../src/question/parse-question.js';

const AT = { now: new Date('2026-11-23T10:05:00.000Z'), timeZone: 'Europe/Berlin' };
const FIELD: Record<NameKind, 'VmDisplayName' | 'JobName' | 'BackupServerName'> = {
  vm: 'VmDisplayName',
  job: 'JobName',
  server: 'BackupServerName',
};

/** host-like names: letters then digits, with dashes and dots ("apache02", "srv-b1.corp") */
const hostName = fc
  .tuple(
    fc.stringMatching(/^[a-z]{3,8}$/),
    fc.stringMatching(/^[0-9]{1,3}$/),
    fc.constantFrom('', '-a', '.corp', '-db'),
  )
  .map(([letters, digits, tail]) => `${letters}${digits}${tail}`);
const kind = fc.constantFrom<NameKind>('vm', 'job', 'server');

function namesIn(filter: Filter | null): Array<{ field: string; value: string }> {
  if (filter === null) return [];
  if (filter.kind === 'cmp')
    return typeof filter.value === 'string' ? [{ field: filter.field, value: filter.value }] : [];
  return filter.items.flatMap(namesIn);
}

describe('reading names EM knows', () => {
  it('never reads a known name as another known name', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(hostName, kind), { minLength: 1, maxLength: 40, selector: ([n]) => n }),
        fc.nat(),
        fc.boolean(),
        (entries, pick, upper) => {
          const names: KnownName[] = entries.map(([name, k]) => ({ kind: k, name }));
          const catalogue = createNameCatalogue(names);
          const chosen = names[pick % names.length];
          if (chosen === undefined) return;
          const typed = upper ? chosen.name.toUpperCase() : chosen.name;
          const parsed = parseQuestion(`${typed} failures today`, { ...AT, names: catalogue });
          if (parsed.kind !== 'query') throw new Error(JSON.stringify(parsed));
          expect(parsed.intent.corrections).toEqual([]);
          expect(
            namesIn(parsed.intent.filter).filter((n) => n.field !== 'Result' && n.field !== 'CreationTime'),
          ).toEqual([{ field: FIELD[chosen.kind], value: chosen.name }]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('corrects a near miss only to a name whose numbers are the typed ones', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(hostName, { minLength: 1, maxLength: 40 }),
        fc.string({ unit: fc.constantFrom('a', 'e', 'x', '0', '1', '2'), minLength: 1, maxLength: 2 }),
        fc.nat(),
        (known, noise, pick) => {
          const catalogue = createNameCatalogue(known.map((name) => ({ kind: 'vm' as const, name })));
          const base = known[pick % known.length] ?? '';
          const typed = `${base}${noise}`;
          const parsed = parseQuestion(`failures for ${typed} today`, { ...AT, names: catalogue });
          if (parsed.kind !== 'query') return;
          for (const c of parsed.intent.corrections) {
            expect(known).toContain(c.read);
            expect(known.map((k) => k.toLowerCase())).not.toContain(c.typed.toLowerCase());
            const digits = (s: string) => (s.match(/\d+/g) ?? []).map(Number).join(',');
            expect(digits(c.read)).toBe(digits(c.typed));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sends a hostile name to EM as one quoted literal of exactly that name', () => {
    const hostile = fc
      .string({
        unit: fc.constantFrom(
          'a',
          'Z',
          '1',
          ' ',
          '"',
          "'",
          ';',
          ',',
          '(',
          ')',
          '=',
          '!',
          '<',
          '>',
          '\\',
          '*',
          '&',
          '%',
        ),
        minLength: 1,
        maxLength: 24,
      })
      .map((s) => s.trim())
      .filter((s) => s !== '' && /[a-z0-9]/i.test(s));
    fc.assert(
      fc.property(hostile, kind, (name, k) => {
        const catalogue = createNameCatalogue([{ kind: k, name }]);
        const quoted = `"${name.replaceAll('"', '""')}"`;
        const parsed = parseQuestion(`failures for ${quoted} today`, { ...AT, names: catalogue });
        if (parsed.kind !== 'query') return;
        const filter = toFilterString(parsed.intent.type, parsed.intent.filter ?? eq('Result', 'Failed'));
        const values = namesIn(parsed.intent.filter).filter(
          (n) => n.field === FIELD[k] || n.field === 'VmDisplayName',
        );
        expect(values.map((v) => v.value)).toEqual([name]);
        // the whole name sits in the filter as the one literal filter.ts makes of it
        const field = values[0]?.field ?? 'VmDisplayName';
        expect(filter).toContain(toFilterString('ReplicaTaskSession', eq(field as 'VmDisplayName', name)));
      }),
      { numRuns: 300 },
    );
  });
});
