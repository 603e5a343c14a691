import { describe, expect, it } from 'vitest';
import { toFilterString } from '../../../src/core/filter.js';
import { createNameCatalogue, parseNameLines } from '../../../src/question/name-catalogue.js';
import { parseQuestion } from '../../../src/question/parse-question.js';
import { parseKindQuestion } from '../../../src/question/read-kind.js';
import { NOW, PHRASINGS, REFUSALS, ZONE } from './phrasings.js';
import { ADMIN_PHRASINGS, CATALOGUE_LINES } from './phrasings-admin.js';

const lines = parseNameLines(CATALOGUE_LINES.join('\n'));
if (!lines.ok) throw new Error('CATALOGUE_LINES');
const CATALOGUE = createNameCatalogue(lines.names);

/** grows to 150 as the reader learns names, yes/no, rankings and durations */
const MIN_ADMIN_PHRASINGS = 150;

describe('parseQuestion phrasings', () => {
  it('has at least 150 phrasings, each asked once per zone and moment', () => {
    expect(PHRASINGS.length).toBeGreaterThanOrEqual(150);
    const keys = PHRASINGS.map((p) => `${p.q}|${p.tz ?? ZONE}|${p.now ?? NOW}|${p.source ?? 'plain'}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(PHRASINGS.map((p) => [`${p.q} (${p.tz ?? ZONE}${p.now ? ` at ${p.now}` : ''})`, p] as const))(
    'reads %s',
    (_name, p) => {
      const parsed = parseQuestion(p.q, {
        now: new Date(p.now ?? NOW),
        timeZone: p.tz ?? ZONE,
        source: p.source ?? 'plain',
      });
      if (parsed.kind !== 'query') throw new Error(`not a query: ${JSON.stringify(parsed)}`);
      const { intent } = parsed;
      expect(intent.type).toBe(p.type ?? 'ReplicaTaskSession');
      expect(intent.filter === null ? null : toFilterString(intent.type, intent.filter)).toBe(p.filter);
      expect(`${intent.sort.field} ${intent.sort.direction}`).toBe(p.sort ?? 'CreationTime desc');
      expect(intent.limit).toBe(p.limit ?? null);
      expect(intent.timeZone).toBe(p.tz ?? ZONE);
    },
  );
});

describe('parseQuestion admin phrasings', () => {
  it('has at least 150 more phrasings, each asked once per zone and moment', () => {
    expect(ADMIN_PHRASINGS.length).toBeGreaterThanOrEqual(MIN_ADMIN_PHRASINGS);
    const keys = ADMIN_PHRASINGS.map((p) => `${p.q}|${p.tz ?? ZONE}|${p.now ?? NOW}|${p.names ?? false}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(ADMIN_PHRASINGS.map((p) => [`${p.q} (${p.tz ?? ZONE}${p.now ? ` at ${p.now}` : ''})`, p] as const))(
    'reads %s',
    (_name, p) => {
      const parsed = (p.kind === 'backup' ? parseKindQuestion : parseQuestion)(p.q, {
        now: new Date(p.now ?? NOW),
        timeZone: p.tz ?? ZONE,
        source: p.source ?? 'plain',
        ...(p.names ? { names: CATALOGUE } : {}),
      });
      if (parsed.kind !== 'query') throw new Error(`not a query: ${JSON.stringify(parsed)}`);
      const { intent } = parsed;
      expect(intent.kind).toBe(p.kind);
      expect(intent.type).toBe(p.type ?? 'ReplicaTaskSession');
      expect(intent.filter === null ? null : toFilterString(intent.type, intent.filter)).toBe(p.filter);
      expect(`${intent.sort.field} ${intent.sort.direction}`).toBe(p.sort ?? 'CreationTime desc');
      expect(intent.limit).toBe(p.limit ?? null);
      expect(intent.answer.kind).toBe(p.answer ?? 'list');
      expect(intent.corrections.map((c) => `${c.typed}>${c.read}`)).toEqual(p.corrections ?? []);
    },
  );
});

describe('parseQuestion refusals', () => {
  it.each(REFUSALS.map((r) => [r.q, r] as const))('refuses %s with what to ask instead', (_name, r) => {
    const parsed = parseQuestion(r.q, { now: new Date(r.now ?? NOW), timeZone: ZONE });
    if (parsed.kind !== 'not-understood') throw new Error(`understood: ${JSON.stringify(parsed)}`);
    for (const part of r.error) expect(parsed.error).toContain(part);
    if (r.suggestions !== undefined) {
      expect(parsed.suggestions.slice(0, r.suggestions.length)).toEqual(r.suggestions);
    }
  });
});
