/**
 * The value the code knows is there (an index inside the bounds just checked, a key set a line above, a row
 * just written), or an internal error that names the broken invariant. Use it instead of a non-null assertion
 * so the reason is written down and a broken invariant fails loudly.
 */
export function must<T>(value: T | null | undefined, why: string): T {
  if (value === undefined || value === null) throw new Error(`internal error: ${why}`);
  return value;
}
