/**
 * The value the code knows is there (an index inside the bounds just checked, a key set a line above, a
 * capture group of a regex that matched), or an internal error that names the broken invariant. Use it instead
 * of a non-null assertion so the reason is written down and a broken invariant fails loudly.
 */
export function must<T>(value: T | undefined, why: string): T {
  if (value === undefined) throw new Error(`internal error: ${why}`);
  return value;
}
