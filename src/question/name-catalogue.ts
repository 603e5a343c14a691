/**
 * The names EM knows (VMs, jobs, backup servers), for the reader: a bare known name is read as what it is
 * ("apache02 failures 2d"), unquoted names with spaces are found ("for SQL Server 01"), and a near miss is
 * corrected when only one name is close ("apache2" -> apache02). Case-insensitive; the name is sent to EM as EM
 * spells it. Pure: built from a list of names (EM's sessions, or `replibot parse --names <file>`).
 */
import { textDistance } from '../core/text-distance.js';

export type NameKind = 'vm' | 'job' | 'server';

export const NAME_KINDS: readonly NameKind[] = ['vm', 'job', 'server'];

export interface KnownName {
  kind: NameKind;
  /** as EM spells it */
  name: string;
}

/** One name as typed, found in the catalogue: its spelling in EM for each kind it is. */
export interface NameMatch {
  /** the kinds this name is (more than one: the reader asks which) */
  kinds: NameKind[];
  /** EM's spelling, the same for every kind up to case; per kind when the cases differ */
  names: Partial<Record<NameKind, string>>;
  /** how many tokens the name took */
  length: number;
}

export interface NameCatalogue {
  readonly size: number;
  /** the name of `words` (lower-cased words or quoted names) starting at 0, longest first; null when none */
  match(words: readonly string[]): NameMatch | null;
  /** the names within one or two edits of `typed` (not equal to it), each with its kind */
  near(typed: string): KnownName[];
  /** every name of a kind, as EM spells it (the EM name source: of replication only; backup questions ask EM) */
  namesOf(kind: NameKind): readonly string[];
}

/** Names longer than this many words are not looked for word by word (they can still be quoted). */
const MAX_NAME_WORDS = 6;

/** How many edits a name of this length may be off by to be corrected: 1 up to 6 letters, else 2 */
export function allowedNameTypos(length: number): number {
  if (length < 4) return 0;
  return length <= 6 ? 1 : 2;
}

/** The words of a name as the tokenizer splits them ("SQL Server 01" -> sql, server, 01). */
export function nameWords(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((w) => w !== '');
}

/** The numbers in a name, leading zeros aside: "apache02" and "apache2" both "2"; "srv1-b2" "1,2". */
function numbersOf(name: string): string {
  return (name.match(/\d+/g) ?? []).map((n) => String(Number(n))).join(',');
}

export function createNameCatalogue(names: Iterable<KnownName>): NameCatalogue {
  /** the whole lower-cased name -> its spellings by kind */
  const exact = new Map<string, Partial<Record<NameKind, string>>>();
  /** first word -> the word counts of the names starting with it, longest first */
  const byFirstWord = new Map<string, number[]>();
  const byKind: Record<NameKind, string[]> = { vm: [], job: [], server: [] };
  /** names by length, for near misses */
  const byLength = new Map<number, KnownName[]>();
  let size = 0;
  for (const { kind, name } of names) {
    const trimmed = name.trim();
    if (trimmed === '') continue;
    const lower = trimmed.toLowerCase();
    const spellings = exact.get(lower) ?? {};
    if (spellings[kind] !== undefined) continue;
    spellings[kind] = trimmed;
    exact.set(lower, spellings);
    byKind[kind].push(trimmed);
    size++;
    const words = nameWords(trimmed);
    const first = words[0];
    if (first !== undefined && words.length <= MAX_NAME_WORDS) {
      const counts = byFirstWord.get(first) ?? [];
      if (!counts.includes(words.length)) {
        counts.push(words.length);
        counts.sort((a, b) => b - a);
      }
      byFirstWord.set(first, counts);
    }
    const sameLength = byLength.get(lower.length) ?? [];
    sameLength.push({ kind, name: trimmed });
    byLength.set(lower.length, sameLength);
  }

  const toMatch = (spellings: Partial<Record<NameKind, string>>, length: number): NameMatch => ({
    kinds: NAME_KINDS.filter((k) => spellings[k] !== undefined),
    names: spellings,
    length,
  });

  return {
    size,
    match(words) {
      const first = words[0];
      if (first === undefined) return null;
      // a quoted name (or one word) as a whole
      const whole = exact.get(first);
      const counts = byFirstWord.get(nameWords(first)[0] ?? first) ?? [];
      for (const count of counts) {
        if (count <= 1 || count > words.length) continue;
        const spellings = exact.get(words.slice(0, count).join(' '));
        if (spellings !== undefined) return toMatch(spellings, count);
      }
      return whole === undefined ? null : toMatch(whole, 1);
    },
    near(typed) {
      const lower = typed.toLowerCase();
      const allowed = allowedNameTypos(lower.length);
      if (allowed === 0 || exact.has(lower)) return [];
      const found: KnownName[] = [];
      const numbers = numbersOf(lower);
      for (let length = lower.length - allowed; length <= lower.length + allowed; length++) {
        for (const known of byLength.get(length) ?? []) {
          if (textDistance(lower, known.name.toLowerCase(), allowed) > allowed) continue;
          // numbers tell hosts apart: apache2 may be apache02, but exchange-mbx2 is not exchange-mbx1
          if (numbersOf(known.name) !== numbers) continue;
          found.push(known);
        }
      }
      return found;
    },
    namesOf(kind) {
      return byKind[kind];
    },
  };
}

/**
 * `kind<TAB>name` lines (kind `vm`, `job` or `server`; `#` comments and blank lines skipped), as `replibot
 * parse --names <file>` reads them. Returns the names, or the first bad line.
 */
export function parseNameLines(
  text: string,
): { ok: true; names: KnownName[] } | { ok: false; line: number; error: string } {
  const names: KnownName[] = [];
  const lines = text.split(/\r?\n/);
  for (const [at, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const tab = raw.indexOf('\t');
    const kind = tab === -1 ? '' : raw.slice(0, tab).trim().toLowerCase();
    const name = tab === -1 ? '' : raw.slice(tab + 1).trim();
    if (kind !== 'vm' && kind !== 'job' && kind !== 'server') {
      return { ok: false, line: at + 1, error: 'expected kind<TAB>name, kind one of vm, job, server' };
    }
    if (name === '') return { ok: false, line: at + 1, error: 'the name is empty' };
    names.push({ kind, name });
  }
  return { ok: true, names };
}
