/**
 * The single-pass reader of XML query pages: a `QueryResult` page of task or job sessions (replica or backup) read
 * straight from the text into `ReplicaTaskSession` / `ReplicaJobSession` rows, with no tree in between and only
 * the strings a row keeps copied out of the page text (so a kept row never keeps the page alive).
 *
 * It gives exactly what the tree path gives (`parseQueryPage(type, parseEmBody(body).tree)`), and is tried first
 * only for speed: the tree path stays the reference.
 * - A page it does not fully understand (JSON, not well-formed, an Error document, anything unusual around the
 *   rows or in PagingInfo) gives null, and the caller reads the body by the tree path, which then decides and words
 *   any error.
 * - A row it does not fully understand (a field missing, a padded number, an xsi:nil where EM never sends one, an
 *   unknown result word, a repeated field, ...) is read by the tree path on its own: its text is read into a tree
 *   and decoded by `decodeRows` (the row check, then zod), so an odd row is kept or reported as unreadable with the
 *   same words as before, and never costs the page.
 * Rule: whatever is accepted here in place must be what the row check accepts, with the same result; when unsure,
 * leave the row (or the page) to the tree path.
 */
import type { EmPage } from '../core/ports.js';
import {
  JOB_STATES,
  type JobState,
  type KnownSessionResult,
  type ReplicaJobSession,
  type ReplicaTaskSession,
  SESSION_RESULTS,
  TASK_STATES,
  type TaskState,
  toRunningAwareResult,
  toSessionId,
} from '../core/sessions.js';
import {
  decodeRows,
  type EmEntityType,
  type EntityByType,
  isBackupServerRef,
  isJobSessionRef,
  stripSessionTimestamp,
  toOwnString,
  toPlainUtcDateAt,
  type UnreadableRow,
} from './em-schemas.js';
import { decodeXmlText, isTrimmed, readXml, toBodyText } from './parse-em-body.js';
import { END, EOF, START, TEXT, XML_REFUSED, XmlCursor } from './xml-cursor.js';

// the names the readers act on, by tree key; every other name is read past
const F_UID = 1;
const F_NAME = 2;
const F_VMDISPLAYNAME = 3;
const F_JOBSESSIONUID = 4;
const F_CREATIONTIMEUTC = 5;
const F_ENDTIMEUTC = 6;
const F_STATE = 7;
const F_RESULT = 8;
const F_REASON = 9;
const F_TOTALSIZE = 10;
const F_JOBUID = 11;
const F_JOBNAME = 12;
const F_JOBTYPE = 13;
const F_PROGRESS = 14;
const F_FAILUREMESSAGE = 15;
const F_ISRETRY = 16;
/** the row fields are 1..FIELDS-1 */
const FIELDS = 17;
const F_LINKS = 20;
const F_LINK = 21;
const F_REL = 22;
const F_TYPE = 23;
const F_NIL = 24;
const F_HREF = 25;
const F_QUERYRESULT = 30;
const F_ENTITIES = 31;
const F_PAGINGINFO = 32;
const F_PAGENUM = 33;
const F_PAGESIZE = 34;
const F_PAGESCOUNT = 35;
const F_REPLICATASKSESSION = 40;
const F_REPLICATASKSESSIONS = 41;
const F_BACKUPTASKSESSION = 42;
const F_BACKUPTASKSESSIONS = 43;
const F_REPLICAJOBSESSION = 44;
const F_REPLICAJOBSESSIONS = 45;
const F_BACKUPJOBSESSION = 46;
const F_BACKUPJOBSESSIONS = 47;

const IDS: ReadonlyMap<string, number> = new Map([
  ['uid', F_UID],
  ['name', F_NAME],
  ['vmdisplayname', F_VMDISPLAYNAME],
  ['jobsessionuid', F_JOBSESSIONUID],
  ['creationtimeutc', F_CREATIONTIMEUTC],
  ['endtimeutc', F_ENDTIMEUTC],
  ['state', F_STATE],
  ['result', F_RESULT],
  ['reason', F_REASON],
  ['totalsize', F_TOTALSIZE],
  ['jobuid', F_JOBUID],
  ['jobname', F_JOBNAME],
  ['jobtype', F_JOBTYPE],
  ['progress', F_PROGRESS],
  ['failuremessage', F_FAILUREMESSAGE],
  ['isretry', F_ISRETRY],
  ['links', F_LINKS],
  ['link', F_LINK],
  ['rel', F_REL],
  ['type', F_TYPE],
  ['nil', F_NIL],
  ['href', F_HREF],
  ['queryresult', F_QUERYRESULT],
  ['entities', F_ENTITIES],
  ['paginginfo', F_PAGINGINFO],
  ['pagenum', F_PAGENUM],
  ['pagesize', F_PAGESIZE],
  ['pagescount', F_PAGESCOUNT],
  ['replicatasksession', F_REPLICATASKSESSION],
  ['replicatasksessions', F_REPLICATASKSESSIONS],
  ['backuptasksession', F_BACKUPTASKSESSION],
  ['backuptasksessions', F_BACKUPTASKSESSIONS],
  ['replicajobsession', F_REPLICAJOBSESSION],
  ['replicajobsessions', F_REPLICAJOBSESSIONS],
  ['backupjobsession', F_BACKUPJOBSESSION],
  ['backupjobsessions', F_BACKUPJOBSESSIONS],
]);

/** The types read here: the id of the list element, of its members, and whether a member is a task session. */
const KINDS: Partial<Record<EmEntityType, { list: number; member: number; task: boolean }>> = {
  ReplicaTaskSession: { list: F_REPLICATASKSESSIONS, member: F_REPLICATASKSESSION, task: true },
  BackupTaskSession: { list: F_BACKUPTASKSESSIONS, member: F_BACKUPTASKSESSION, task: true },
  ReplicaJobSession: { list: F_REPLICAJOBSESSIONS, member: F_REPLICAJOBSESSION, task: false },
  BackupJobSession: { list: F_BACKUPJOBSESSIONS, member: F_BACKUPJOBSESSION, task: false },
};

/** Thrown when the page is not the usual shape: the tree path reads it instead. */
const UNUSUAL_PAGE: unique symbol = Symbol('unusual page');

function unusual(): never {
  throw UNUSUAL_PAGE;
}

/** A field's value: not there, xsi:nil, or a text from `from` to `to` (and whether it holds an entity). */
const ABSENT = -1;
const NIL = -2;

/** A page read here, as parseQueryPage gives it. */
export type ReadPage<T extends EmEntityType> = EmPage<EntityByType[T]> & { unreadable: UnreadableRow[] };

/**
 * A query page of `type` read in one pass, or null when the body should be read by the tree path (see the file
 * comment). Never throws for what EM sends: a body it refuses is one the tree path refuses, with its own words.
 */
export function readQueryPage<T extends EmEntityType>(
  type: T,
  body: Uint8Array | string,
): ReadPage<T> | null {
  const kind = KINDS[type];
  if (kind === undefined) return null;
  const text = toBodyText(body);
  let at = 0;
  while (at < text.length && isTrimmed(text.charCodeAt(at))) at += 1;
  if (text.charCodeAt(at) !== 0x3c) return null;
  try {
    const reader = new PageReader(text, type, kind.list, kind.member, kind.task);
    // cast: the rows built are the entity of `type` (task or job sessions, as KINDS says for it)
    return reader.read() as ReadPage<T>;
  } catch (error) {
    if (error === XML_REFUSED || error === UNUSUAL_PAGE) return null;
    throw error;
  }
}

/** One small cache of strings kept from a page: a value that repeats on many rows is copied out once. */
class Repeats {
  private readonly raws: string[] = [];
  private readonly values: Array<string | null> = [];
  private next = 0;

  constructor(private readonly size: number) {}

  /** The value kept for the raw text from `from` to `to` of `src` (no entity inside), if seen lately. */
  find(src: string, from: number, to: number): string | null | undefined {
    const length = to - from;
    if (length === 0) return undefined;
    // the latest first; values of one kind often share a long prefix (UIDs), so the last character is tried first
    const lastCode = src.charCodeAt(to - 1);
    for (let n = 0, k = this.next - 1; n < this.size; n += 1, k -= 1) {
      if (k < 0) k += this.size;
      const raw = this.raws[k];
      if (
        raw !== undefined &&
        raw.length === length &&
        raw.charCodeAt(length - 1) === lastCode &&
        src.startsWith(raw, from)
      ) {
        return this.values[k];
      }
    }
    return undefined;
  }

  add(raw: string, value: string | null): void {
    this.raws[this.next] = raw;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.size;
  }
}

class PageReader {
  private readonly c: XmlCursor;
  private readonly src: string;
  private readonly items: Array<EntityByType[EmEntityType]> = [];
  private readonly unreadable: UnreadableRow[] = [];
  // the row being read: per field, where its value is (ABSENT, NIL or a start) and ends, and whether it has "&"
  private readonly from = new Int32Array(FIELDS);
  private readonly to = new Int32Array(FIELDS);
  private readonly amp = new Uint8Array(FIELDS);
  /** the row is not one read here: the tree path reads it */
  private odd = false;
  /** the row has at least one attribute or child element that the tree keeps (else the tree makes it a string) */
  private keyed = false;
  // the first Up link of each kind a row has: where its name is (ABSENT: none yet; NIL: found, without a name)
  private jobLinkFrom = ABSENT;
  private jobLinkTo = 0;
  private jobLinkAmp = false;
  private serverLinkFrom = ABSENT;
  private serverLinkTo = 0;
  private serverLinkAmp = false;
  private linksSeen = false;
  // strings that repeat from row to row, copied out once
  private readonly jobSessionUids = new Repeats(4);
  private readonly jobNames = new Repeats(4);
  private readonly serverNames = new Repeats(4);
  private readonly jobTypes = new Repeats(2);

  constructor(
    src: string,
    private readonly type: EmEntityType,
    private readonly listId: number,
    private readonly memberId: number,
    private readonly task: boolean,
  ) {
    this.src = src;
    this.c = new XmlCursor(src, IDS);
  }

  read(): ReadPage<EmEntityType> {
    const c = this.c;
    const root = c.next() === START ? c.name : null;
    if (root === null || root.id !== F_QUERYRESULT || c.selfClosing) unusual();
    this.refuseAttributes(F_ENTITIES, F_PAGINGINFO);
    let entities = false;
    let paging: [number, number, number] | null = null;
    for (;;) {
      const kind = c.next();
      if (kind === END) break;
      if (kind !== START) unusual();
      const id = c.name.id;
      if (id === F_ENTITIES) {
        if (entities) unusual();
        entities = true;
        this.readEntities();
      } else if (id === F_PAGINGINFO) {
        if (paging !== null) unusual();
        paging = this.readPaging();
      } else {
        c.skip();
      }
    }
    if (c.next() !== EOF || !entities || paging === null) unusual();
    return {
      items: this.items,
      unreadable: this.unreadable,
      pageNum: paging[0],
      pagesCount: paging[2],
      pageSize: paging[1],
    };
  }

  /** An attribute of the current start tag that the tree would mix up with a child the reader needs. */
  private refuseAttributes(a: number, b: number): void {
    const c = this.c;
    for (let k = 0; k < c.attributeCount; k += 1) {
      const id = c.attributeName[k]?.id;
      if (id === a || id === b) unusual();
    }
  }

  private readEntities(): void {
    const c = this.c;
    this.refuseAttributes(this.listId, this.listId);
    if (c.selfClosing) return;
    let list = false;
    for (;;) {
      const kind = c.next();
      if (kind === END) return;
      if (kind !== START) unusual();
      if (c.name.id === this.listId) {
        if (list) unusual();
        list = true;
        this.readList();
      } else {
        c.skip();
      }
    }
  }

  private readList(): void {
    const c = this.c;
    this.refuseAttributes(this.listId, this.memberId);
    if (c.selfClosing) return;
    for (;;) {
      const kind = c.next();
      if (kind === END) return;
      if (kind !== START) unusual();
      const id = c.name.id;
      if (id === this.memberId) this.readRow();
      else if (id === this.listId) unusual();
      else c.skip();
    }
  }

  /** PagingInfo's three counts (from attributes or child elements). */
  private readPaging(): [number, number, number] {
    const c = this.c;
    const counts = [-1, -1, -1];
    const set = (id: number, from: number, to: number): void => {
      const slot = id - F_PAGENUM;
      if (slot < 0 || slot > 2) return;
      if (counts[slot] !== -1) unusual();
      const value = this.digitsAt(from, to);
      if (value < 0) unusual();
      counts[slot] = value;
    };
    for (let k = 0; k < c.attributeCount; k += 1) {
      set(c.attributeName[k]?.id ?? 0, c.attributeFrom[k] ?? 0, c.attributeTo[k] ?? 0);
    }
    if (!c.selfClosing) {
      for (;;) {
        const kind = c.next();
        if (kind === END) break;
        if (kind !== START) unusual();
        const id = c.name.id;
        if (id >= F_PAGENUM && id <= F_PAGESCOUNT) {
          const value = this.readSimple();
          if (value !== TEXT) unusual();
          set(id, this.simpleFrom, this.simpleTo);
        } else {
          c.skip();
        }
      }
    }
    const [pageNum = -1, pageSize = -1, pagesCount = -1] = counts;
    if (pageNum < 0 || pageSize < 0 || pagesCount < 0) unusual();
    return [pageNum, pageSize, pagesCount];
  }

  /** A whole number of 1 to 15 digits (always exact), or -1. */
  private digitsAt(from: number, to: number): number {
    if (to === from || to - from > 15) return -1;
    const src = this.src;
    let value = 0;
    for (let k = from; k < to; k += 1) {
      const digit = src.charCodeAt(k) - 48;
      if (digit < 0 || digit > 9) return -1;
      value = value * 10 + digit;
    }
    return value;
  }

  // the text of the element readSimple read
  private simpleFrom = 0;
  private simpleTo = 0;
  private simpleAmp = false;

  /**
   * After the START of an element that the tree would make a string (no attribute or child it keeps, one text):
   * TEXT with the text in simpleFrom..simpleTo ('' when empty), NIL for `xsi:nil="true"` alone, or -1 (and the
   * element read past) when the tree would make it anything else.
   */
  private readSimple(): number {
    const c = this.c;
    let nil = false;
    let odd = false;
    if (c.attributeCount > 0) {
      const name = c.attributeName[0];
      const from = c.attributeFrom[0] ?? 0;
      const to = c.attributeTo[0] ?? 0;
      if (
        c.attributeCount === 1 &&
        name?.id === F_NIL &&
        to - from === 4 &&
        this.src.startsWith('true', from)
      ) {
        nil = true;
      } else {
        odd = true;
      }
    }
    this.simpleFrom = c.position;
    this.simpleTo = c.position;
    this.simpleAmp = false;
    if (!c.selfClosing) {
      let texts = 0;
      for (;;) {
        const kind = c.next();
        if (kind === END) break;
        if (kind === TEXT) {
          texts += 1;
          this.simpleFrom = c.textFrom;
          this.simpleTo = c.textTo;
          this.simpleAmp = c.hasAmp(c.textFrom, c.textTo);
        } else {
          // CDATA, or a child element: not a plain string (or one the tree builds from pieces)
          odd = true;
          if (kind === START) c.skip();
        }
      }
      if (texts > 1 || (nil && texts > 0)) odd = true;
    }
    if (odd) return -1;
    return nil ? NIL : TEXT;
  }

  private resetRow(): void {
    this.from.fill(ABSENT);
    this.odd = false;
    this.keyed = false;
    this.jobLinkFrom = ABSENT;
    this.serverLinkFrom = ABSENT;
    this.linksSeen = false;
  }

  /** Sets a row field; a field given twice (attribute and element, or twice) is left to the tree path. */
  private setField(id: number, from: number, to: number, amp: boolean): void {
    if (this.from[id] !== ABSENT) this.odd = true;
    this.from[id] = from;
    this.to[id] = to;
    this.amp[id] = amp ? 1 : 0;
  }

  private readRow(): void {
    const c = this.c;
    const start = c.tagStart;
    const key = c.name.key;
    this.resetRow();
    for (let k = 0; k < c.attributeCount; k += 1) {
      this.keyed = true;
      const id = c.attributeName[k]?.id ?? 0;
      if (id > 0 && id < FIELDS) {
        const from = c.attributeFrom[k] ?? 0;
        const to = c.attributeTo[k] ?? 0;
        this.setField(id, from, to, c.hasAmp(from, to));
      } else if (id === F_LINKS) {
        this.odd = true;
      }
    }
    if (!c.selfClosing) {
      for (;;) {
        const kind = c.next();
        if (kind === END) break;
        // text next to the fields is the row's #text, which no row reads
        if (kind !== START) continue;
        const name = c.name;
        if (name.key === null) {
          c.skip();
          continue;
        }
        this.keyed = true;
        const id = name.id;
        if (id > 0 && id < FIELDS) {
          const value = this.readSimple();
          if (value === TEXT) this.setField(id, this.simpleFrom, this.simpleTo, this.simpleAmp);
          else if (value === NIL) this.setField(id, NIL, NIL, false);
          else this.odd = true;
        } else if (id === F_LINKS) {
          if (this.linksSeen) this.odd = true;
          this.linksSeen = true;
          this.readLinks();
        } else {
          c.skip();
        }
      }
    }
    if (!this.keyed) this.odd = true;
    if (!this.odd) {
      const row = this.task ? this.taskSession() : this.jobSession();
      if (row !== null) {
        this.items.push(row);
        return;
      }
    }
    this.readByTree(key, start, c.position);
  }

  /** A row the single pass leaves alone: its text read into a tree and decoded as the tree path does. */
  private readByTree(key: string | null, start: number, end: number): void {
    let member: unknown;
    try {
      const tree = readXml(this.src.slice(start, end));
      member = key === null ? undefined : tree[key];
    } catch {
      // the row is well-formed inside a well-formed page (checked as it was read); never expected here
      unusual();
    }
    const rows = decodeRows(this.type, [member]);
    for (const item of rows.items) this.items.push(item);
    for (const row of rows.unreadable) this.unreadable.push(row);
  }

  private readLinks(): void {
    const c = this.c;
    for (let k = 0; k < c.attributeCount; k += 1) {
      if (c.attributeName[k]?.id === F_LINK) this.odd = true;
    }
    if (c.selfClosing) return;
    for (;;) {
      const kind = c.next();
      if (kind === END) return;
      if (kind !== START) {
        this.odd = true;
        continue;
      }
      if (c.name.id === F_LINK) this.readLink();
      else {
        this.odd = true;
        c.skip();
      }
    }
  }

  private readLink(): void {
    const c = this.c;
    let relFrom = ABSENT;
    let relTo = 0;
    let typeFrom = ABSENT;
    let typeTo = 0;
    let nameFrom = ABSENT;
    let nameTo = 0;
    let nameAmp = false;
    let href = false;
    let odd = c.attributeCount === 0;
    for (let k = 0; k < c.attributeCount; k += 1) {
      const id = c.attributeName[k]?.id;
      const from = c.attributeFrom[k] ?? 0;
      const to = c.attributeTo[k] ?? 0;
      // rel and type are compared in place: one with an entity inside is left to the tree path
      if (id === F_REL) {
        if (relFrom !== ABSENT || c.hasAmp(from, to)) odd = true;
        relFrom = from;
        relTo = to;
      } else if (id === F_TYPE) {
        if (typeFrom !== ABSENT || c.hasAmp(from, to)) odd = true;
        typeFrom = from;
        typeTo = to;
      } else if (id === F_NAME) {
        if (nameFrom !== ABSENT) odd = true;
        nameFrom = from;
        nameTo = to;
        nameAmp = c.hasAmp(from, to);
      } else if (id === F_HREF) {
        if (href) odd = true;
        href = true;
      }
    }
    if (!c.selfClosing) {
      for (;;) {
        const kind = c.next();
        if (kind === END) break;
        odd = true;
        if (kind === START) c.skip();
      }
    }
    if (odd) {
      this.odd = true;
      return;
    }
    if (relFrom === ABSENT || typeFrom === ABSENT || !this.isUp(relFrom, relTo)) return;
    if (this.jobLinkFrom === ABSENT && this.task && this.isJobSessionRefAt(typeFrom, typeTo)) {
      this.jobLinkFrom = nameFrom === ABSENT ? NIL : nameFrom;
      this.jobLinkTo = nameTo;
      this.jobLinkAmp = nameAmp;
    } else if (this.serverLinkFrom === ABSENT && this.isBackupServerRefAt(typeFrom, typeTo)) {
      this.serverLinkFrom = nameFrom === ABSENT ? NIL : nameFrom;
      this.serverLinkTo = nameTo;
      this.serverLinkAmp = nameAmp;
    }
  }

  /** `rel === 'Up' || rel.toLowerCase() === 'up'`, in place. */
  private isUp(from: number, to: number): boolean {
    const src = this.src;
    if (to - from === 2) {
      const u = src.charCodeAt(from) | 0x20;
      const p = src.charCodeAt(from + 1) | 0x20;
      if (u === 0x75 && p === 0x70) return true;
    }
    return !isAsciiAt(src, from, to) && src.slice(from, to).toLowerCase() === 'up';
  }

  private isJobSessionRefAt(from: number, to: number): boolean {
    const src = this.src;
    if (isAsciiAt(src, from, to)) return endsWithLowerAt(src, from, to, 'jobsessionreference');
    return isJobSessionRef(src.slice(from, to));
  }

  private isBackupServerRefAt(from: number, to: number): boolean {
    const src = this.src;
    if (isAsciiAt(src, from, to)) {
      return to - from === 21 && endsWithLowerAt(src, from, to, 'backupserverreference');
    }
    return isBackupServerRef(src.slice(from, to));
  }

  /** The text of a field as a string of its own (entities decoded), not a slice of the page. */
  private own(from: number, to: number, amp: boolean): string {
    const raw = this.src.slice(from, to);
    return toOwnString(amp ? decodeXmlText(raw) : raw);
  }

  /** The field's text, decoded, or null (absent or nil); the caller has checked which it may be. */
  private text(id: number): string | null {
    const from = this.from[id] ?? ABSENT;
    if (from < 0) return null;
    return this.own(from, this.to[id] ?? 0, this.amp[id] === 1);
  }

  /** A field that must be text (no xsi:nil, present). */
  private isText(id: number): boolean {
    return (this.from[id] ?? ABSENT) >= 0;
  }

  /** A field read in place must have no entity in it (else the tree path decides). */
  private isPlain(id: number): boolean {
    return (this.from[id] ?? ABSENT) >= 0 && this.amp[id] === 0;
  }

  /** A UID field as the row check accepts it (`urn:veeam:<type>:<id>`), copied out; null when it would fail. */
  private uid(id: number, repeats: Repeats | null): string | null {
    if (!this.isPlain(id)) return null;
    const from = this.from[id] ?? 0;
    const to = this.to[id] ?? 0;
    // a UID met on an earlier row was checked there
    const seen = repeats === null ? undefined : repeats.find(this.src, from, to);
    if (seen !== undefined) return seen;
    if (!isUidAt(this.src, from, to)) return null;
    const value = this.own(from, to, false);
    if (repeats === null) return value;
    repeats.add(value, value);
    return value;
  }

  /** A required date, in the form read in place; null when it is anything else. */
  private date(id: number): Date | null {
    if (!this.isPlain(id)) return null;
    return toPlainUtcDateAt(this.src, this.from[id] ?? 0, this.to[id] ?? 0);
  }

  /** An end date: null when absent, nil or empty, or a .NET placeholder; undefined when the tree path decides. */
  private endDate(id: number): Date | null | undefined {
    const from = this.from[id] ?? ABSENT;
    if (from === ABSENT || from === NIL || from === this.to[id]) return null;
    const date = this.date(id);
    if (date === null) return undefined;
    return date.getUTCFullYear() > 1900 ? date : null;
  }

  /** One of `words` written exactly (the canonical spelling), or null. */
  private word<W extends string>(id: number, words: readonly W[]): W | null {
    if (!this.isPlain(id)) return null;
    const from = this.from[id] ?? 0;
    const length = (this.to[id] ?? 0) - from;
    for (const word of words) {
      if (word.length === length && this.src.startsWith(word, from)) return word;
    }
    return null;
  }

  /** Result: absent, nil or empty is None; a known word as written; anything else is left to the tree path. */
  private result(): KnownSessionResult | null {
    const from = this.from[F_RESULT] ?? ABSENT;
    if (from === ABSENT || from === NIL || from === this.to[F_RESULT]) return 'None';
    return this.word(F_RESULT, SESSION_RESULTS);
  }

  /** An optional count: absent or empty is null; 1 to 15 digits; undefined when the tree path decides. */
  private count(id: number): number | null | undefined {
    const from = this.from[id] ?? ABSENT;
    if (from === ABSENT) return null;
    if (!this.isPlain(id)) return undefined;
    const to = this.to[id] ?? 0;
    if (from === to) return null;
    const value = this.digitsAt(from, to);
    return value < 0 ? undefined : value;
  }

  /** The name of a row's first Up link of a kind: null when none or without a name. */
  private linkName(from: number, to: number, amp: boolean, repeats: Repeats, job: boolean): string | null {
    if (from < 0) return null;
    if (!amp) {
      const seen = repeats.find(this.src, from, to);
      if (seen !== undefined) return seen;
    }
    const raw = this.src.slice(from, to);
    const name = amp ? decodeXmlText(raw) : raw;
    let value: string | null;
    if (job) {
      const stripped = stripSessionTimestamp(name);
      value = stripped === '' ? null : toOwnString(stripped);
    } else {
      value = toOwnString(name);
    }
    // the cache lives only while the page is read: its raw text may be a slice of the page
    if (!amp) repeats.add(raw, value);
    return value;
  }

  /** The row as toTaskSession builds it, or null when the tree path should read it. */
  private taskSession(): ReplicaTaskSession | null {
    const uid = this.uid(F_UID, null);
    const jobSessionUid = this.uid(F_JOBSESSIONUID, this.jobSessionUids);
    const creationTime = this.date(F_CREATIONTIMEUTC);
    const endTime = this.endDate(F_ENDTIMEUTC);
    const state: TaskState | null = this.word(F_STATE, TASK_STATES);
    const read = this.result();
    const totalSize = this.count(F_TOTALSIZE);
    if (
      uid === null ||
      jobSessionUid === null ||
      !this.isText(F_NAME) ||
      creationTime === null ||
      endTime === undefined ||
      state === null ||
      read === null ||
      totalSize === undefined
    ) {
      return null;
    }
    const name = this.text(F_NAME) ?? '';
    const vm = this.text(F_VMDISPLAYNAME);
    return {
      uid,
      id: toSessionId(uid),
      name,
      vmDisplayName: vm ?? toOwnString(stripSessionTimestamp(name)),
      jobSessionUid,
      jobName: this.linkName(this.jobLinkFrom, this.jobLinkTo, this.jobLinkAmp, this.jobNames, true),
      backupServerName: this.linkName(
        this.serverLinkFrom,
        this.serverLinkTo,
        this.serverLinkAmp,
        this.serverNames,
        false,
      ),
      creationTime,
      endTime,
      state,
      reason: this.text(F_REASON) ?? '',
      totalSize: totalSize ?? 0,
      result: toRunningAwareResult(state, read),
    };
  }

  /** The row as toJobSession builds it, or null when the tree path should read it. */
  private jobSession(): ReplicaJobSession | null {
    const uid = this.uid(F_UID, null);
    const jobUid = this.uid(F_JOBUID, null);
    const creationTime = this.date(F_CREATIONTIMEUTC);
    const endTime = this.endDate(F_ENDTIMEUTC);
    const state: JobState | null = this.word(F_STATE, JOB_STATES);
    const read = this.result();
    const progress = this.count(F_PROGRESS);
    const isRetry = this.bool(F_ISRETRY);
    if (
      uid === null ||
      jobUid === null ||
      !this.isText(F_NAME) ||
      !this.isText(F_JOBNAME) ||
      !this.isText(F_JOBTYPE) ||
      creationTime === null ||
      endTime === undefined ||
      state === null ||
      read === null ||
      progress === undefined ||
      isRetry === undefined
    ) {
      return null;
    }
    const failure = this.text(F_FAILUREMESSAGE);
    return {
      uid,
      id: toSessionId(uid),
      name: this.text(F_NAME) ?? '',
      jobUid,
      jobName: this.text(F_JOBNAME) ?? '',
      jobType: this.repeatedText(F_JOBTYPE, this.jobTypes),
      backupServerName: this.linkName(
        this.serverLinkFrom,
        this.serverLinkTo,
        this.serverLinkAmp,
        this.serverNames,
        false,
      ),
      creationTime,
      endTime,
      state,
      progress: progress === null ? 0 : Math.min(progress, 100),
      isRetry: isRetry === true,
      failureMessage: failure ? failure : null,
      result: toRunningAwareResult(state, read),
    };
  }

  /** A required text field that repeats from row to row (copied out once). */
  private repeatedText(id: number, repeats: Repeats): string {
    const from = this.from[id] ?? 0;
    const to = this.to[id] ?? 0;
    if (this.amp[id] === 1) return this.own(from, to, true);
    const seen = repeats.find(this.src, from, to);
    if (seen !== undefined && seen !== null) return seen;
    const value = this.own(from, to, false);
    repeats.add(value, value);
    return value;
  }

  /** An optional boolean: absent or empty is null; `true` or `false` as written; undefined for the tree path. */
  private bool(id: number): boolean | null | undefined {
    const from = this.from[id] ?? ABSENT;
    if (from === ABSENT) return null;
    if (!this.isPlain(id)) return undefined;
    const to = this.to[id] ?? 0;
    if (from === to) return null;
    if (to - from === 4 && this.src.startsWith('true', from)) return true;
    if (to - from === 5 && this.src.startsWith('false', from)) return false;
    return undefined;
  }
}

function isAsciiAt(src: string, from: number, to: number): boolean {
  for (let k = from; k < to; k += 1) if (src.charCodeAt(k) > 0x7f) return false;
  return true;
}

/** Whether the ASCII text from `from` to `to` ends with `lower` when lower-cased (`lower` is lower-case ASCII). */
function endsWithLowerAt(src: string, from: number, to: number, lower: string): boolean {
  const start = to - lower.length;
  if (start < from) return false;
  for (let k = 0; k < lower.length; k += 1) {
    let code = src.charCodeAt(start + k);
    if (code >= 0x41 && code <= 0x5a) code |= 0x20;
    if (code !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/** em-schemas' UID (`/^urn:veeam:[A-Za-z_0-9-]+:[A-Za-z_0-9-]+$/`), matched in place: `\w` is `[A-Za-z0-9_]`. */
const UID_AT = /urn:veeam:[\w-]+:[\w-]+/y;

/** Whether the text from `from` to `to` is a UID: the sticky match must start at `from` and end at `to`. */
function isUidAt(src: string, from: number, to: number): boolean {
  UID_AT.lastIndex = from;
  return UID_AT.test(src) && UID_AT.lastIndex === to;
}
