import { describe, expect, it } from 'vitest';
import { toFilterString } from '../../../src/core/filter.js';
import { parseQuestion } from '../../../src/question/parse-question.js';
import { NOW, PHRASINGS, REFUSALS, ZONE } from './phrasings.js';

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
