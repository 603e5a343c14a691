/**
 * The EM query filter language, parsed for real: comparisons `field op value` with `== != < <= > >=`, `;` for
 * AND, `,` for OR (AND binds tighter), parentheses, values quoted with `"` (a literal `"` doubled) or bare.
 * Whitespace outside quotes is ignored, as EM ignores unquoted spaces. Field names are case-insensitive; enum
 * values compare by their index (Success < Warning < Failed); DateTimes are UTC, quoted or not, `Z` optional.
 */
import { type EmQueryType, FILTER_FIELDS } from '../core/filter.js';
import { must } from '../core/must.js';

export type EmOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type EmFilterNode =
  | { kind: 'cmp'; field: string; op: EmOperator; value: string; quoted: boolean }
  | { kind: 'and' | 'or'; items: EmFilterNode[] };

/** A filter EM would refuse: the message says what is wrong and where. */
export class EmFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmFilterError';
  }
}

const STOP = new Set([';', ',', '(', ')']);

export function parseEmFilter(text: string): EmFilterNode {
  let pos = 0;
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text.charAt(pos))) pos++;
  };
  const where = () => (pos >= text.length ? 'at the end of the filter' : `at position ${pos + 1}`);

  const parseComparison = (): EmFilterNode => {
    skipSpace();
    const fieldStart = pos;
    while (pos < text.length && /[A-Za-z0-9_]/.test(text.charAt(pos))) pos++;
    const field = text.slice(fieldStart, pos);
    if (field === '') throw new EmFilterError(`Expected a field name ${where()}.`);
    skipSpace();
    const two = text.slice(pos, pos + 2);
    let op: EmOperator;
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
      op = two;
      pos += 2;
    } else if (text[pos] === '<' || text[pos] === '>') {
      op = text[pos] as EmOperator;
      pos += 1;
    } else {
      throw new EmFilterError(`Expected an operator (==, !=, <, <=, >, >=) after ${field} ${where()}.`);
    }
    skipSpace();
    if (text[pos] === '"') {
      pos++;
      let value = '';
      for (;;) {
        if (pos >= text.length) throw new EmFilterError(`The quoted value for ${field} is not closed.`);
        const ch = text.charAt(pos);
        if (ch === '"') {
          if (text[pos + 1] === '"') {
            value += '"';
            pos += 2;
            continue;
          }
          pos++;
          break;
        }
        value += ch;
        pos++;
      }
      return { kind: 'cmp', field, op, value, quoted: true };
    }
    let value = '';
    while (pos < text.length && !STOP.has(text.charAt(pos))) {
      const ch = text.charAt(pos);
      if (ch === '"' || ch === '=' || ch === '<' || ch === '>' || ch === '!') {
        throw new EmFilterError(`Unexpected '${ch}' in the value for ${field} ${where()}; quote the value.`);
      }
      if (!/\s/.test(ch)) value += ch;
      pos++;
    }
    if (value === '') throw new EmFilterError(`Expected a value for ${field} ${where()}.`);
    return { kind: 'cmp', field, op, value, quoted: false };
  };

  const parseFactor = (): EmFilterNode => {
    skipSpace();
    if (text[pos] === '(') {
      pos++;
      const inner = parseOr();
      skipSpace();
      if (text[pos] !== ')') throw new EmFilterError(`Expected ')' ${where()}.`);
      pos++;
      return inner;
    }
    return parseComparison();
  };

  const parseAnd = (): EmFilterNode => {
    const items = [parseFactor()];
    for (;;) {
      skipSpace();
      if (text[pos] !== ';') break;
      pos++;
      items.push(parseFactor());
    }
    const [only] = items;
    return items.length === 1 && only ? only : { kind: 'and', items };
  };

  function parseOr(): EmFilterNode {
    const items = [parseAnd()];
    for (;;) {
      skipSpace();
      if (text[pos] !== ',') break;
      pos++;
      items.push(parseAnd());
    }
    const [only] = items;
    return items.length === 1 && only ? only : { kind: 'or', items };
  }

  const root = parseOr();
  skipSpace();
  if (pos < text.length) throw new EmFilterError(`Unexpected '${text[pos]}' ${where()}.`);
  return root;
}

// --- compiling against a session type ---------------------------------------------------------------------------

/** What a getter returns: strings lower-cased (EM compares text case-insensitively), dates in ms, enums as index. */
export type FieldValue = string | number | null;
export type FieldGetters<T> = Record<string, (row: T) => FieldValue>;
export type RowPredicate<T> = (row: T) => boolean;

/** A comparison whose value has been checked and converted for its field. */
export interface TypedComparison {
  field: string;
  op: EmOperator;
  value: string | number;
}

/** The canonical field name (`creationtime` -> `CreationTime`), or null when the type has no such field. */
export function toCanonicalField(type: EmQueryType, name: string): string | null {
  const lower = name.toLowerCase();
  for (const field of Object.keys(FILTER_FIELDS[type])) {
    if (field.toLowerCase() === lower) return field;
  }
  return null;
}

const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export function parseEmDate(text: string): number | null {
  const m = DATE_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const ms = frac === '' ? '' : `.${frac.slice(1, 4).padEnd(3, '0')}`;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${zone.toUpperCase()}`;
  const value = Date.parse(iso);
  return Number.isNaN(value) ? null : value;
}

function toTypedComparison(type: EmQueryType, field: string, op: EmOperator, raw: string): TypedComparison {
  const canonical = toCanonicalField(type, field);
  if (canonical === null) {
    throw new EmFilterError(`Unknown filter parameter '${field}' for type ${type}.`);
  }
  const kind = must(FILTER_FIELDS[type][canonical], 'toCanonicalField returns only listed fields');
  if (kind === 'date') {
    const value = parseEmDate(raw);
    if (value === null) {
      throw new EmFilterError(
        `Invalid DateTime '${raw}' for ${canonical}; use UTC such as "2025-08-14T12:31:30.389Z".`,
      );
    }
    return { field: canonical, op, value };
  }
  if (kind === 'number') {
    if (!/^-?\d+$/.test(raw.trim())) throw new EmFilterError(`Invalid number '${raw}' for ${canonical}.`);
    return { field: canonical, op, value: Number(raw.trim()) };
  }
  if (kind === 'boolean') {
    const lower = raw.trim().toLowerCase();
    if (lower !== 'true' && lower !== 'false') {
      throw new EmFilterError(`Invalid value '${raw}' for ${canonical}; use true or false.`);
    }
    return { field: canonical, op, value: lower === 'true' ? 1 : 0 };
  }
  if (typeof kind === 'object') {
    const index = kind.enum.findIndex((name) => name.toLowerCase() === raw.trim().toLowerCase());
    if (index === -1) {
      throw new EmFilterError(
        `Invalid value '${raw}' for ${canonical}; expected one of ${kind.enum.join(', ')}.`,
      );
    }
    return { field: canonical, op, value: index };
  }
  return { field: canonical, op, value: raw.toLowerCase() };
}

function compare(left: FieldValue, op: EmOperator, right: string | number): boolean {
  // SQL semantics: a missing value (EndTime of a running session) matches no comparison
  if (left === null) return false;
  switch (op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}

/** Turns a parsed filter into a predicate over rows; throws EmFilterError for unknown fields or bad values. */
export function compileEmFilter<T>(
  type: EmQueryType,
  node: EmFilterNode,
  getters: FieldGetters<T>,
): RowPredicate<T> {
  if (node.kind === 'cmp') {
    const typed = toTypedComparison(type, node.field, node.op, node.value);
    const get = getters[typed.field];
    if (!get) throw new EmFilterError(`Filtering by ${typed.field} is not supported for type ${type}.`);
    const { op, value } = typed;
    return (row) => compare(get(row), op, value);
  }
  const parts = node.items.map((item) => compileEmFilter(type, item, getters));
  if (node.kind === 'and') return (row) => parts.every((part) => part(row));
  return (row) => parts.some((part) => part(row));
}

/** The comparisons that every matching row must satisfy (the top-level AND), used to pick an index. */
export function toRequiredComparisons(type: EmQueryType, node: EmFilterNode | null): TypedComparison[] {
  if (node === null) return [];
  if (node.kind === 'cmp') return [toTypedComparison(type, node.field, node.op, node.value)];
  if (node.kind === 'and') return node.items.flatMap((item) => toRequiredComparisons(type, item));
  return [];
}
