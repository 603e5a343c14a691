import { must } from '../core/must.js';

/** A small seeded PRNG (mulberry32): the simulator's data and fault decisions are reproducible from a seed. */
export interface Random {
  /** uniform in [0, 1) */
  next(): number;
  /** integer in [min, max] */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

export function createRandom(seed: number): Random {
  let state = hash32(seed >>> 0, 0x9e3779b9);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => must(items[Math.floor(next() * items.length)], 'pick needs a non-empty list'),
    chance: (probability) => next() < probability,
  };
}

/** A 32-bit integer hash of two integers (murmur3 finaliser); used to derive ids without storing them. */
export function hash32(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x85ebca6b, 0xcc9e2d51) + b) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
