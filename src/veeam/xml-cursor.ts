/**
 * A pull reader over an XML document held as a string: the single-pass row readers (read-query-page.ts) walk a
 * page with it and build rows straight from the text, with no tree in between.
 *
 * It reads exactly what `readXml` of parse-em-body.ts reads and refuses exactly what it refuses (the same checks,
 * in the same order): when it meets anything `readXml` would refuse it throws `XML_REFUSED`, and the caller hands
 * the body to the tree path, which then words the error. Nothing is sliced out of the text here: a start tag's
 * attributes and a text are given as positions (trimmed as the tree trims them), so a caller copies out only the
 * values it keeps.
 */
import { endsName, isSpace, isTrimmed, toTreeKey } from './parse-em-body.js';

/** Thrown (a constant, no stack) when the document is not one `readXml` would read. */
export const XML_REFUSED: unique symbol = Symbol('xml refused');

/** What `next()` met. */
export const EOF = 0;
export const START = 1;
export const END = 2;
/** Text that is not blank (trimmed positions in `textFrom`..`textTo`). */
export const TEXT = 3;
/** A CDATA section that is not empty (its raw positions in `textFrom`..`textTo`). */
export const CDATA = 4;

/** An element or attribute name as written, its tree key (null: left out of the tree) and the caller's id for it. */
export interface XmlName {
  readonly raw: string;
  readonly key: string | null;
  /** `ids[key]` of the cursor's `ids` (0 when not there): one integer compare per name in the row readers */
  readonly id: number;
}

const SLASH = 0x2f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const QUESTION = 0x3f;
const BANG = 0x21;
const GT = 0x3e;

/** Slots of the cache of names met (a power of two). */
const CACHE_SIZE = 256;

function refuse(): never {
  throw XML_REFUSED;
}

export class XmlCursor {
  readonly src: string;
  private readonly n: number;
  private readonly ids: ReadonlyMap<string, number>;
  /** where reading goes on */
  private i = 0;
  /** the next "<" found while reading a start tag (-1: not known) */
  private knownLt = -1;
  /** the first "&" at or after the last place asked about (n: none left) */
  private nextAmp = -1;
  private readonly names: string[] = [];
  /** open elements */
  depth = 0;
  private rootSeen = false;
  private readonly elementTable = new Map<number, XmlName[]>();
  private readonly attributeTable = new Map<number, XmlName[]>();
  private readonly elementCache: Array<XmlName | undefined> = new Array(CACHE_SIZE).fill(undefined);
  private readonly attributeCache: Array<XmlName | undefined> = new Array(CACHE_SIZE).fill(undefined);

  // --- what the last next() met ---
  /** START: the element's name */
  name: XmlName = { raw: '', key: null, id: 0 };
  /** START: where its "<" is; END: where the end tag's ">" ends */
  tagStart = 0;
  /** START: `<a/>` (no END follows) */
  selfClosing = false;
  /** START: the attributes that have a tree key (xmlns ones are left out, as in the tree) */
  attributeCount = 0;
  readonly attributeName: XmlName[] = [];
  readonly attributeFrom: number[] = [];
  readonly attributeTo: number[] = [];
  /** TEXT and CDATA */
  textFrom = 0;
  textTo = 0;

  constructor(src: string, ids: ReadonlyMap<string, number>) {
    this.src = src;
    this.n = src.length;
    this.ids = ids;
  }

  /** Where reading goes on: after the last START's tag, END's tag, TEXT or CDATA. */
  get position(): number {
    return this.i;
  }

  /** Whether the source from `from` to `to` holds an "&" (then its value needs decodeXmlText). */
  hasAmp(from: number, to: number): boolean {
    if (this.nextAmp < from) {
      const at = this.src.indexOf('&', from);
      this.nextAmp = at === -1 ? this.n : at;
    }
    return this.nextAmp < to;
  }

  private nameAt(start: number, end: number, attribute: boolean): XmlName {
    const src = this.src;
    const length = end - start;
    const first = src.charCodeAt(start) & 0xff;
    const last = src.charCodeAt(end - 1) & 0xff;
    // the name met last at this slot, most often the one: no Map look-up
    const slot = ((length * 31 + first) * 31 + last) & (CACHE_SIZE - 1);
    const cache = attribute ? this.attributeCache : this.elementCache;
    const cached = cache[slot];
    if (cached !== undefined && cached.raw.length === length && src.startsWith(cached.raw, start))
      return cached;
    const table = attribute ? this.attributeTable : this.elementTable;
    const hash = (length << 16) | (first << 8) | last;
    let entries = table.get(hash);
    if (entries === undefined) {
      entries = [];
      table.set(hash, entries);
    }
    for (const entry of entries) {
      if (src.startsWith(entry.raw, start)) {
        cache[slot] = entry;
        return entry;
      }
    }
    const raw = src.slice(start, end);
    const key = toTreeKey(raw, attribute);
    const entry: XmlName = { raw, key, id: key === null ? 0 : (this.ids.get(key) ?? 0) };
    entries.push(entry);
    cache[slot] = entry;
    return entry;
  }

  /** Text from `start` to `end`: TEXT when not blank (positions trimmed), else -1. Refuses text outside the root. */
  private text(start: number, end: number): number {
    const src = this.src;
    while (start < end && isTrimmed(src.charCodeAt(start))) start += 1;
    while (end > start && isTrimmed(src.charCodeAt(end - 1))) end -= 1;
    if (start === end) return -1;
    if (this.depth === 0) refuse();
    this.textFrom = start;
    this.textTo = end;
    return TEXT;
  }

  /** The next START, END, TEXT, CDATA or EOF; comments and processing instructions are skipped. */
  next(): number {
    const src = this.src;
    const n = this.n;
    for (;;) {
      const i = this.i;
      if (i >= n) {
        if (this.depth > 0 || !this.rootSeen) refuse();
        return EOF;
      }
      const lt = this.knownLt >= i ? this.knownLt : src.indexOf('<', i);
      this.knownLt = -1;
      if (lt === -1) {
        this.i = n;
        if (this.text(i, n) === TEXT) return TEXT;
        continue;
      }
      if (lt > i && this.text(i, lt) === TEXT) {
        this.i = lt;
        this.knownLt = lt;
        return TEXT;
      }
      if (lt + 1 >= n) refuse();
      const next = src.charCodeAt(lt + 1);
      if (next === SLASH) {
        const gt = src.indexOf('>', lt + 2);
        if (gt === -1) refuse();
        const open = this.depth === 0 ? undefined : this.names[this.depth - 1];
        if (open === undefined) refuse();
        let matches = gt - (lt + 2) >= open.length && src.startsWith(open, lt + 2);
        for (let k = lt + 2 + open.length; matches && k < gt; k += 1) matches = isSpace(src.charCodeAt(k));
        if (!matches) refuse();
        this.depth -= 1;
        this.i = gt + 1;
        this.tagStart = gt + 1;
        return END;
      }
      if (next === QUESTION) {
        const end = src.indexOf('?>', lt + 2);
        if (end === -1) refuse();
        this.i = end + 2;
        continue;
      }
      if (next === BANG) {
        if (src.startsWith('<!--', lt)) {
          const end = src.indexOf('-->', lt + 4);
          if (end === -1) refuse();
          this.i = end + 3;
          continue;
        }
        if (src.startsWith('<![CDATA[', lt)) {
          const end = src.indexOf(']]>', lt + 9);
          if (end === -1 || this.depth === 0) refuse();
          this.i = end + 3;
          if (end === lt + 9) continue;
          this.textFrom = lt + 9;
          this.textTo = end;
          return CDATA;
        }
        refuse();
      }
      return this.startTag(lt);
    }
  }

  private startTag(lt: number): number {
    const src = this.src;
    const n = this.n;
    let j = lt + 1;
    while (j < n && !endsName(src.charCodeAt(j))) j += 1;
    if (j >= n || j === lt + 1) refuse();
    if (this.depth === 0 && this.rootSeen) refuse();
    const element = this.nameAt(lt + 1, j, false);
    // the next "<" after this one: an attribute value reaching past it holds a "<", which XML forbids
    let nextLt = src.indexOf('<', j);
    if (nextLt === -1) nextLt = n;
    let count = 0;
    let selfClosing = false;
    for (;;) {
      const before = j;
      while (j < n && isSpace(src.charCodeAt(j))) j += 1;
      if (j >= n) refuse();
      const code = src.charCodeAt(j);
      if (code === GT) {
        j += 1;
        break;
      }
      if (code === SLASH) {
        if (j + 1 >= n || src.charCodeAt(j + 1) !== GT) refuse();
        selfClosing = true;
        j += 2;
        break;
      }
      if (j === before) refuse();
      const nameStart = j;
      while (j < n && !endsName(src.charCodeAt(j))) j += 1;
      if (j === nameStart) refuse();
      const attribute = this.nameAt(nameStart, j, true);
      while (j < n && isSpace(src.charCodeAt(j))) j += 1;
      if (j >= n || src.charCodeAt(j) !== EQUALS) refuse();
      j += 1;
      while (j < n && isSpace(src.charCodeAt(j))) j += 1;
      if (j >= n) refuse();
      const quote = src.charCodeAt(j);
      if (quote !== QUOTE && quote !== APOSTROPHE) refuse();
      const end = src.indexOf(quote === QUOTE ? '"' : "'", j + 1);
      if (end === -1 || nextLt < end) refuse();
      let from = j + 1;
      let to = end;
      j = end + 1;
      if (attribute.key !== null) {
        while (from < to && isTrimmed(src.charCodeAt(from))) from += 1;
        while (to > from && isTrimmed(src.charCodeAt(to - 1))) to -= 1;
        this.attributeName[count] = attribute;
        this.attributeFrom[count] = from;
        this.attributeTo[count] = to;
        count += 1;
      }
    }
    this.name = element;
    this.tagStart = lt;
    this.selfClosing = selfClosing;
    this.attributeCount = count;
    this.rootSeen = true;
    if (!selfClosing) {
      this.names[this.depth] = element.raw;
      this.depth += 1;
    }
    if (nextLt >= j && nextLt < n) this.knownLt = nextLt;
    this.i = j;
    return START;
  }

  /** After a START: reads on past its END (everything inside still checked). */
  skip(): void {
    if (this.selfClosing) return;
    const depth = this.depth - 1;
    while (this.depth > depth) {
      if (this.next() === EOF) refuse();
    }
  }
}
