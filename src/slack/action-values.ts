import { must } from '../core/must.js';

/**
 * What the `value` of replibot's buttons carries, and strict parsers for it (the `action_id`s are constants in
 * the listener that owns them). A "Next page" value holds the question, the offset, the asker's zone and the
 * fixed `now` of the first answer, so page 2 reads "today" the same way as page 1 did even if it is clicked
 * after midnight.
 *
 * A value comes back from Slack exactly as we wrote it, so anything else was not written by us and is refused:
 * numbers must be canonical decimals (`1`, never `01`, ` 1`, `1.0`, `1e0`, `0x1` or `-1`), and a JSON cursor
 * must encode back to the very same text.
 */

/** Slack's limit on a button value is 2000 characters; stay below it with room for JSON quoting. */
const MAX_ACTION_VALUE = 1900;

export interface AnswerCursor {
  question: string;
  offset: number;
  timeZone: string;
  now: Date;
  /** true on an ephemeral slash-command answer, where "Post to channel" is offered */
  ephemeral: boolean;
  /** the first answer's totals, so the next page fetches only its rows; absent on buttons from before */
  known?: { total: number; counts: Record<CountedResult, number> } | undefined;
}

const COUNTED = ['None', 'Success', 'Warning', 'Failed', 'Unknown'] as const;
type CountedResult = (typeof COUNTED)[number];

export interface JobRunCursor {
  jobSessionId: string;
  offset: number;
  timeZone: string;
}

/** The button value, or null when the question is too long to carry (the button is then left out). */
export function encodeAnswerCursor(cursor: AnswerCursor): string | null {
  const { known } = cursor;
  const value = JSON.stringify({
    q: cursor.question,
    o: cursor.offset,
    z: cursor.timeZone,
    n: cursor.now.toISOString(),
    e: cursor.ephemeral ? 1 : 0,
    ...(known ? { c: [known.total, ...COUNTED.map((r) => known.counts[r])] } : {}),
  });
  if (value.length <= MAX_ACTION_VALUE) return value;
  // a question near the limit keeps its button; the next page then counts again
  if (cursor.known) return encodeAnswerCursor({ ...cursor, known: undefined });
  return null;
}

/** A JSON object from a button value, or null for anything else (`null`, an array, a number, bad JSON). */
function parseValueObject(value: string): Record<string, unknown> | null {
  if (value.length > MAX_ACTION_VALUE + 100) return null;
  try {
    const raw: unknown = JSON.parse(value);
    return typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? (raw as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const isOffset = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

export function decodeAnswerCursor(value: string): AnswerCursor | null {
  const raw = parseValueObject(value);
  if (raw === null || typeof raw.q !== 'string' || typeof raw.z !== 'string' || typeof raw.n !== 'string')
    return null;
  const now = new Date(raw.n);
  if (Number.isNaN(now.getTime()) || !isOffset(raw.o) || (raw.e !== 0 && raw.e !== 1)) return null;
  // totals that do not read as whole numbers are ignored (the next page counts again), not trusted
  const known = decodeKnown(raw.c);
  const cursor: AnswerCursor = {
    question: raw.q,
    offset: raw.o,
    timeZone: raw.z,
    now,
    ephemeral: raw.e === 1,
    ...(known ? { known } : {}),
  };
  // canonical: the value is exactly what replibot writes (key order, number forms), whatever `c` holds
  const canonical = JSON.stringify({
    q: raw.q,
    o: raw.o,
    z: raw.z,
    n: now.toISOString(),
    e: raw.e,
    ...(raw.c === undefined ? {} : { c: raw.c }),
  });
  return canonical === value ? cursor : null;
}

/** `[total, None, Success, Warning, Failed, Unknown]`, whole numbers; anything else is read as absent. */
function decodeKnown(value: unknown): AnswerCursor['known'] | undefined {
  if (!Array.isArray(value) || value.length !== COUNTED.length + 1) return undefined;
  if (!value.every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  // cast: every item was checked to be a whole number just above
  const [total, ...rest] = value as number[];
  // cast below: fromEntries over COUNTED has every CountedResult key
  const counts = Object.fromEntries(
    COUNTED.map((r, i) => [r, must(rest[i], 'the length is checked above')]),
  ) as Record<CountedResult, number>;
  return { total: must(total, 'the length is checked above'), counts };
}

export function encodeJobRunCursor(cursor: JobRunCursor): string {
  return JSON.stringify({ j: cursor.jobSessionId, o: cursor.offset, z: cursor.timeZone });
}

export function decodeJobRunCursor(value: string): JobRunCursor | null {
  const raw = parseValueObject(value);
  if (
    raw === null ||
    typeof raw.j !== 'string' ||
    !/^[\w:.-]{1,200}$/.test(raw.j) ||
    typeof raw.z !== 'string'
  )
    return null;
  if (!isOffset(raw.o)) return null;
  const cursor = { jobSessionId: raw.j, offset: raw.o, timeZone: raw.z };
  return encodeJobRunCursor(cursor) === value ? cursor : null;
}

/** A canonical positive decimal id (`1`, `42`): no sign, no leading zero, no space, no exponent, no hex. */
export function parseActionId(text: string): number | null {
  if (!/^[1-9][0-9]{0,14}$/.test(text)) return null;
  return Number(text);
}

/** `<alertId>:<hours>` on a Mute button, both canonical positive decimals. */
export function parseMuteValue(value: string): { alertId: number; hours: number } | null {
  const [first, second, ...more] = value.split(':');
  if (first === undefined || second === undefined || more.length > 0) return null;
  const alertId = parseActionId(first);
  const hours = parseActionId(second);
  return alertId === null || hours === null ? null : { alertId, hours };
}
