import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textDistance } from '../../../src/core/text-distance.js';

describe('textDistance', () => {
  it('is the Levenshtein distance when it is within the bound, and bound + 1 beyond it', () => {
    expect(textDistance('kitten', 'sitting', 3)).toBe(3);
    expect(textDistance('kitten', 'sitting', 2)).toBe(3);
    expect(textDistance('', 'abc', 5)).toBe(3);
    expect(textDistance('apache02', 'nosuchvm', 2)).toBe(3);
  });

  it('counts a swap of two neighbouring letters as one edit', () => {
    expect(textDistance('falied', 'failed', 2)).toBe(1);
    expect(textDistance('apahce02', 'apache02', 2)).toBe(1);
    expect(textDistance('ab', 'ba', 0)).toBe(1);
  });

  it('is symmetric, at least the length difference, at most the longer length, and 0 only for equal text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = textDistance(a, b, 24);
        expect(d).toBe(textDistance(b, a, 24));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d === 0).toBe(a === b);
      }),
    );
  });

  it('gives the same answer with a bound as without, up to the bound', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), fc.nat(6), (a, b, max) => {
        expect(textDistance(a, b, max)).toBe(Math.min(textDistance(a, b, 24), max + 1));
      }),
    );
  });
});
