/**
 * Turns an Enterprise Manager response body (XML or JSON, v12 PascalCase or v13 camelCase, with or without a
 * UTF-8 BOM) into one plain tree with lower-case keys, so the schemas in em-schemas.ts see one shape.
 *
 * XML elements and attributes both become properties (as EM's own JSON does); `<Links><Link/></Links>` stays
 * nested (`links.link[]`) and list elements are always arrays, so a page with one row looks like a page with many.
 * Namespace prefixes go (`xsi:nil` -> `nil`) and `xmlns` attributes are dropped; every value stays a string (zod
 * decides what is a number, and 64-bit sizes stay intact); values are trimmed; an element with attributes and
 * text keeps the text as `#text`; an empty element is ''.
 *
 * The XML reader is hand-written rather than fast-xml-parser: EM pages are large (1,000 rows are about 1 MB) and
 * a reader that builds the final tree in one pass is several times faster, while checking more (every end tag
 * must match its start tag).
 */
import { isAscii } from 'node:buffer';
import { ReplibotError } from '../core/errors.js';
import { isObject } from '../core/is-record.js';
import { must } from '../core/must.js';

export type EmBodyFormat = 'xml' | 'json';

/** A parsed body: `tree` has lower-case keys only. */
export interface EmBody {
  format: EmBodyFormat;
  tree: unknown;
}

/** Element names that are list members: always arrays, even with one child (only below the root). */
const LIST_MEMBERS = new Set([
  'link',
  'ref',
  'replicatasksession',
  'replicajobsession',
  'backuptasksession',
  'backupjobsession',
  'logonsession',
  'supportedversion',
]);

/** An element or attribute name as written, its tree key (null: left out) and whether it is a list member. */
interface NameEntry {
  raw: string;
  key: string | null;
  list: boolean;
}

/** Where and why the XML reader stopped; `cut` means the body ended inside the document. */
class XmlError extends Error {
  constructor(
    readonly cut: boolean,
    message: string,
  ) {
    super(message);
  }
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const QUESTION = 0x3f;
const BANG = 0x21;

/** XML white space: space, tab, CR, LF. */
export function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** White space as String.prototype.trim sees it (values are trimmed as trim() would, by index). */
export function isTrimmed(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** The ASCII characters that end an element or attribute name: white space, `>`, `/`, `=` and `<`. */
const NAME_ENDS = new Uint8Array(128);
for (const code of [0x20, 0x0a, 0x0d, 0x09, GT, SLASH, EQUALS, LT]) NAME_ENDS[code] = 1;

/** A character that cannot be part of an element or attribute name (or ends one): one table look-up. */
export function endsName(code: number): boolean {
  return code < 128 && NAME_ENDS[code] === 1;
}

/** The five predefined entities and decimal or hex character references, matched in one pass. */
const ENTITY = /&(?:#(\d{1,8})|#[xX]([0-9A-Fa-f]{1,7})|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Replaces entity and character references in one left-to-right pass, so `&amp;lt;` becomes `&lt;` and not
 * `<`. A reference to a code point XML cannot carry (0, a surrogate, past U+10FFFF) and any other `&name;` stay
 * as they are: EM only ever sends the predefined five and character references.
 */
export function decodeXmlText(text: string): string {
  let amp = text.indexOf('&');
  if (amp === -1) return text;
  // the predefined five by hand (what EM sends in names); character references by the expression below
  if (text.indexOf('&#') !== -1) return decodeReferences(text);
  let out = '';
  let from = 0;
  while (amp !== -1) {
    const next = text.charCodeAt(amp + 1);
    let entity: string | null = null;
    let length = 0;
    if (next === 0x6c && text.startsWith('lt;', amp + 1)) {
      entity = '<';
      length = 4;
    } else if (next === 0x67 && text.startsWith('gt;', amp + 1)) {
      entity = '>';
      length = 4;
    } else if (next === 0x61 && text.startsWith('amp;', amp + 1)) {
      entity = '&';
      length = 5;
    } else if (next === 0x71 && text.startsWith('quot;', amp + 1)) {
      entity = '"';
      length = 6;
    } else if (next === 0x61 && text.startsWith('apos;', amp + 1)) {
      entity = "'";
      length = 6;
    }
    if (entity === null) {
      amp = text.indexOf('&', amp + 1);
      continue;
    }
    out += text.slice(from, amp) + entity;
    from = amp + length;
    amp = text.indexOf('&', from);
  }
  return from === 0 ? text : out + text.slice(from);
}

/** decodeXmlText with character references: one expression, matched left to right. */
function decodeReferences(text: string): string {
  return text.replace(
    ENTITY,
    (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
      if (name !== undefined) return must(NAMED[name], 'ENTITY matches only the names in NAMED');
      const code =
        dec !== undefined
          ? Number.parseInt(dec, 10)
          : Number.parseInt(must(hex, 'ENTITY captures dec, hex or name'), 16);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
      return String.fromCodePoint(code);
    },
  );
}

/**
 * An element or attribute name as written -> its tree key (null: left out): the namespace prefix goes, the rest is
 * lower-cased, `xmlns` attributes are dropped. Worked out once per distinct name: names repeat on every row.
 */
export function toTreeKey(raw: string, attribute: boolean): string | null {
  const parts = raw.split(':');
  if (attribute && parts[0] === 'xmlns') return null;
  const local = (parts.length === 2 ? (parts[1] ?? raw) : raw).toLowerCase();
  // a hostile "__proto__" name would otherwise replace the object's prototype
  return local === '__proto__' || local === '' ? null : local;
}

/**
 * Reads an XML document into the lower-case tree (see the file comment). Hand-written for EM's documents:
 * elements, attributes, text, CDATA, comments and processing instructions; a DOCTYPE is refused (EM never sends
 * one, and its entity definitions are how XML bombs work). Every end tag must match its start tag and the
 * document must close its root, so a body cut off anywhere is caught. Values are trimmed, as EM pads none.
 */
export function readXml(src: string): Record<string, unknown> {
  const n = src.length;
  const keyOf = toTreeKey;
  // names seen, by length and first and last character: a name is matched in place, without slicing it out
  const elementNames = new Map<number, NameEntry[]>();
  const attributeNames = new Map<number, NameEntry[]>();
  const nameAt = (start: number, end: number, attribute: boolean): NameEntry => {
    const table = attribute ? attributeNames : elementNames;
    const hash =
      ((end - start) << 16) | ((src.charCodeAt(start) & 0xff) << 8) | (src.charCodeAt(end - 1) & 0xff);
    let entries = table.get(hash);
    if (entries === undefined) {
      entries = [];
      table.set(hash, entries);
    }
    for (const entry of entries) {
      if (src.startsWith(entry.raw, start)) return entry;
    }
    const raw = src.slice(start, end);
    const key = keyOf(raw, attribute);
    const entry: NameEntry = { raw, key, list: key !== null && LIST_MEMBERS.has(key) };
    entries.push(entry);
    return entry;
  };

  const tree: Record<string, unknown> = {};
  // the open elements: raw name (to match the end tag), key, attributes/children, collected text
  const names: string[] = [];
  const nodeKeys: Array<string | null> = [];
  const nodeLists: boolean[] = [];
  const nodes: Array<Record<string, unknown> | null> = [];
  const texts: string[] = [];
  // the attribute keys of each open element (one array per depth, reused: no array per element)
  const attributeKeys: string[][] = [];
  const attributeCounts: number[] = [];
  let depth = 0;
  let rootSeen = false;

  const close = (value: unknown): void => {
    const key = nodeKeys[depth];
    if (key === undefined) throw new Error('internal error: close() runs inside an open element');
    if (key === null) return;
    if (depth === 0) {
      tree[key] = value;
      return;
    }
    let parent = nodes[depth - 1];
    if (parent === null || parent === undefined) {
      parent = {};
      nodes[depth - 1] = parent;
    }
    const previous = parent[key];
    if (previous === undefined || !Object.hasOwn(parent, key)) {
      parent[key] = nodeLists[depth] === true ? [value] : value;
      return;
    }
    // an attribute wins over a child element of the same name (as with fast-xml-parser before)
    if (isAttributeKey(depth - 1, key)) return;
    if (Array.isArray(previous)) {
      previous.push(value);
    } else {
      parent[key] = [previous, value];
    }
  };

  const isAttributeKey = (at: number, key: string): boolean => {
    const count = attributeCounts[at] ?? 0;
    const keys = attributeKeys[at];
    for (let k = 0; k < count; k += 1) if (keys?.[k] === key) return true;
    return false;
  };

  const finish = (): void => {
    const node = nodes[depth];
    const text = must(texts[depth], 'finish() runs inside an open element');
    if (node === null || node === undefined) {
      close(text);
    } else {
      if (text !== '') node['#text'] = text;
      close(node);
    }
  };

  // the first "&" at or after the last place asked about (n: none left): one scan of the document for all values
  let nextAmp = -1;
  /** The source from `start` to `end`, unescaped: a plain slice unless an "&" lies inside. */
  const unescapedAt = (start: number, end: number): string => {
    if (nextAmp < start) {
      nextAmp = src.indexOf('&', start);
      if (nextAmp === -1) nextAmp = n;
    }
    const raw = src.slice(start, end);
    return nextAmp < end ? decodeXmlText(raw) : raw;
  };

  /** The text from `start` to `end` of the source, trimmed and unescaped (sliced once, and only when not blank). */
  const addText = (start: number, end: number): void => {
    while (start < end && isTrimmed(src.charCodeAt(start))) start += 1;
    while (end > start && isTrimmed(src.charCodeAt(end - 1))) end -= 1;
    if (start === end) return;
    if (depth === 0) throw new XmlError(false, 'has text outside the root element');
    const text = unescapedAt(start, end);
    const before = texts[depth - 1];
    texts[depth - 1] = before === '' ? text : before + text;
  };
  /** CDATA: kept as written. */
  const addRawText = (raw: string): void => {
    if (raw !== '') texts[depth - 1] += raw;
  };

  let i = 0;
  // the next "<" found while reading a start tag (-1: not known): the loop starts there without a second scan
  let knownLt = -1;
  while (i < n) {
    const lt = knownLt >= i ? knownLt : src.indexOf('<', i);
    knownLt = -1;
    if (lt === -1) {
      addText(i, n);
      break;
    }
    if (lt > i) addText(i, lt);
    if (lt + 1 >= n) throw new XmlError(true, 'ends inside a tag');
    const next = src.charCodeAt(lt + 1);
    if (next === SLASH) {
      const gt = src.indexOf('>', lt + 2);
      if (gt === -1) throw new XmlError(true, 'ends inside an end tag');
      // the end tag is compared in place with the open element's name (white space may follow the name)
      const open = depth === 0 ? undefined : names[depth - 1];
      let matches = open !== undefined && gt - (lt + 2) >= open.length && src.startsWith(open, lt + 2);
      for (let k = lt + 2 + (open?.length ?? 0); matches && k < gt; k += 1)
        matches = isSpace(src.charCodeAt(k));
      if (!matches) {
        const name = src.slice(lt + 2, gt).trimEnd();
        if (open === undefined)
          throw new XmlError(false, `has an end tag </${name.slice(0, 40)}> with no start tag`);
        throw new XmlError(false, `closes <${open.slice(0, 40)}> with </${name.slice(0, 40)}>`);
      }
      depth -= 1;
      finish();
      i = gt + 1;
      continue;
    }
    if (next === QUESTION) {
      const end = src.indexOf('?>', lt + 2);
      if (end === -1) throw new XmlError(true, 'ends inside a processing instruction');
      i = end + 2;
      continue;
    }
    if (next === BANG) {
      if (src.startsWith('<!--', lt)) {
        const end = src.indexOf('-->', lt + 4);
        if (end === -1) throw new XmlError(true, 'ends inside a comment');
        i = end + 3;
        continue;
      }
      if (src.startsWith('<![CDATA[', lt)) {
        const end = src.indexOf(']]>', lt + 9);
        if (end === -1) throw new XmlError(true, 'ends inside a CDATA section');
        if (depth === 0) throw new XmlError(false, 'has a CDATA section outside the root element');
        addRawText(src.slice(lt + 9, end));
        i = end + 3;
        continue;
      }
      // too short to be anything complete: the body was cut inside `<!--`, `<![CDATA[` or `<!DOCTYPE`
      if (lt + 9 > n) throw new XmlError(true, 'ends inside a tag');
      throw new XmlError(false, 'has a DOCTYPE or other declaration, which EM never sends');
    }

    // a start tag
    let j = lt + 1;
    while (j < n && !endsName(src.charCodeAt(j))) j += 1;
    if (j >= n) throw new XmlError(true, 'ends inside a start tag');
    if (j === lt + 1) throw new XmlError(false, 'has a "<" that starts no tag');
    if (depth === 0 && rootSeen) throw new XmlError(false, 'has more than one root element');
    const element = nameAt(lt + 1, j, false);
    const name = element.raw;
    // the next "<" after this one: an attribute value reaching past it holds a "<", which XML forbids
    let nextLt = src.indexOf('<', j);
    if (nextLt === -1) nextLt = n;
    let node: Record<string, unknown> | null = null;
    let keysOfAttributes = attributeKeys[depth];
    if (keysOfAttributes === undefined) {
      keysOfAttributes = [];
      attributeKeys[depth] = keysOfAttributes;
    }
    let attributeCount = 0;
    let selfClosing = false;
    for (;;) {
      const before = j;
      while (j < n && isSpace(src.charCodeAt(j))) j += 1;
      if (j >= n) throw new XmlError(true, 'ends inside a start tag');
      const code = src.charCodeAt(j);
      if (code === GT) {
        j += 1;
        break;
      }
      if (code === SLASH) {
        if (j + 1 >= n) throw new XmlError(true, 'ends inside a start tag');
        if (src.charCodeAt(j + 1) !== GT)
          throw new XmlError(false, `has a stray "/" in <${name.slice(0, 40)}>`);
        selfClosing = true;
        j += 2;
        break;
      }
      if (j === before)
        throw new XmlError(false, `has no space between the attributes of <${name.slice(0, 40)}>`);
      const nameStart = j;
      while (j < n && !endsName(src.charCodeAt(j))) j += 1;
      if (j === nameStart) throw new XmlError(false, `has a malformed attribute in <${name.slice(0, 40)}>`);
      const attribute = nameAt(nameStart, j, true);
      while (j < n && isSpace(src.charCodeAt(j))) j += 1;
      if (j >= n) throw new XmlError(true, 'ends inside a start tag');
      if (src.charCodeAt(j) !== EQUALS) {
        throw new XmlError(false, `has an attribute without a value in <${name.slice(0, 40)}>`);
      }
      j += 1;
      while (j < n && isSpace(src.charCodeAt(j))) j += 1;
      if (j >= n) throw new XmlError(true, 'ends inside a start tag');
      const quote = src.charCodeAt(j);
      if (quote !== QUOTE && quote !== APOSTROPHE) {
        throw new XmlError(false, `has an unquoted attribute value in <${name.slice(0, 40)}>`);
      }
      const end = src.indexOf(quote === QUOTE ? '"' : "'", j + 1);
      if (end === -1) throw new XmlError(true, 'ends inside an attribute value');
      if (nextLt < end) throw new XmlError(false, `has a "<" inside an attribute of <${name.slice(0, 40)}>`);
      let from = j + 1;
      let to = end;
      j = end + 1;
      const key = attribute.key;
      if (key !== null) {
        while (from < to && isTrimmed(src.charCodeAt(from))) from += 1;
        while (to > from && isTrimmed(src.charCodeAt(to - 1))) to -= 1;
        node ??= {};
        node[key] = from === to ? '' : unescapedAt(from, to);
        keysOfAttributes[attributeCount] = key;
        attributeCount += 1;
      }
    }
    nodeKeys[depth] = element.key;
    nodeLists[depth] = element.list;
    nodes[depth] = node;
    attributeCounts[depth] = attributeCount;
    texts[depth] = '';
    rootSeen = true;
    if (selfClosing) {
      finish();
    } else {
      names[depth] = name;
      depth += 1;
    }
    if (nextLt >= j && nextLt < n) knownLt = nextLt;
    i = j;
  }
  if (depth > 0) throw new XmlError(true, `ends before </${names[depth - 1]?.slice(0, 40)}>`);
  if (!rootSeen) throw new XmlError(false, 'has no root element');
  return tree;
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/**
 * Bytes or text to a string without a leading BOM (TextDecoder drops it; a string may still carry one). An
 * ASCII body (EM's usual one) is read as Latin-1, which is the same text and several times faster.
 */
export function toBodyText(body: Uint8Array | string): string {
  const text =
    typeof body === 'string'
      ? body
      : isAscii(body)
        ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1')
        : decoder.decode(body);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parses an EM body. The format is sniffed from the first character rather than trusted from Content-Type,
 * because EM answers some errors in JSON to XML requests and proxies answer in HTML.
 * @throws ReplibotError `em_bad_response` when the body is neither well-formed XML nor JSON
 */
export function parseEmBody(body: Uint8Array | string, what = 'the response'): EmBody {
  const text = toBodyText(body);
  const start = text.search(/\S/);
  const first = start === -1 ? '' : text[start];
  if (first === '{' || first === '[') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw badBody(what, 'is not valid JSON (it may have been cut off)');
    }
    return { format: 'json', tree: lowerCaseKeys(value) };
  }
  if (first === '<') {
    if (/^\s*<(!doctype\s+html|html)[\s>]/i.test(text.slice(start))) {
      throw badBody(what, 'is an HTML page, not EM XML or JSON (a proxy or a different web server answered)');
    }
    let tree: unknown;
    try {
      tree = readXml(text);
    } catch (error) {
      if (!(error instanceof XmlError)) throw error;
      throw badBody(
        what,
        error.cut ? `is cut off (the XML ${error.message})` : `is not well-formed XML (it ${error.message})`,
      );
    }
    return { format: 'xml', tree };
  }
  throw badBody(what, first === '' ? 'is empty' : 'is neither XML nor JSON');
}

/** JSON from v12 is PascalCase, from v13 camelCase (`UID` -> `uid`): lower-casing every key gives one shape. */
export function lowerCaseKeys(value: unknown): unknown {
  return foldKeys(value, Object.create(null));
}

/**
 * `lowered` remembers each key's lower-case form: the same few keys repeat on every row. Keys are walked with
 * `for...in` (own ones only), which, unlike Object.keys, allocates nothing per object: folding costs a tenth of
 * what it did, next to JSON.parse itself.
 */
function foldKeys(value: unknown, lowered: Record<string, string | undefined>): unknown {
  if (!isObject(value)) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index += 1) out[index] = foldKeys(value[index], lowered);
    return out;
  }
  const source = value;
  const out: Record<string, unknown> = {};
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    let lower = lowered[key];
    if (lower === undefined) {
      lower = key.toLowerCase();
      lowered[key] = lower;
    }
    // a hostile "__proto__" key would otherwise replace the object's prototype
    if (lower !== '__proto__') out[lower] = foldKeys(source[key], lowered);
  }
  return out;
}

function badBody(what: string, problem: string): ReplibotError {
  return new ReplibotError('em_bad_response', `Enterprise Manager's answer to ${what} ${problem}.`, {
    hint: 'Check that VEEAM_URL points at the Enterprise Manager REST API (https://host:9398) and not at a proxy or another service.',
  });
}
