/**
 * The guards for `unknown` input (parsed JSON, a caught error, a Slack payload) whose keys the code reads,
 * instead of an `as Record<string, unknown>` cast. Reading a key that is not there gives `undefined`, which the
 * caller checks like any other value.
 */

/** A JSON-like object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Any non-null object, arrays included (their named keys read as `undefined`): `typeof value === 'object'`. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
