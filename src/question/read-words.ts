/**
 * Reads the tokens of a question into its parts (results, states, targets, time, order), without deciding yet
 * what the query is. Everything that is not understood is collected, never dropped.
 */
import type { SessionResult, SessionType } from '../core/sessions.js';
import type { NameCatalogue, NameKind, NameMatch } from './name-catalogue.js';
import type { Correction } from './query-intent.js';
import { futureProblem, readTimeAt, type TimeContext, type TimeWindowRead } from './read-time.js';
import type { Token } from './tokenize-question.js';
import {
  CLAUSE_WORDS,
  DURATION_WORDS,
  FILLER_WORDS,
  KNOWN_WORDS,
  NEGATABLE_SUCCESS,
  NOW_WORDS,
  NUMBER_WORDS,
  RESULT_WORDS,
  SINGULAR_NOUNS,
  STATE_WORDS,
  STOPPED_WORDS,
  type StateWord,
  UNIT_WORDS,
  wordTable,
} from './vocabulary.js';

export type OrderKey = 'newest' | 'oldest' | 'largest' | 'smallest';

export interface QuestionParts {
  results: Set<SessionResult>;
  states: Set<StateWord>;
  /** true when an "or" joined a result word and a state word ("failed or running") */
  statusOr: boolean;
  /** the asker asked for job runs rather than VM-level task sessions */
  jobLevel: boolean;
  vms: string[];
  jobs: string[];
  servers: string[];
  time: TimeWindowRead | null;
  /** the words that gave the time, for conflict messages */
  timeText: string | null;
  order: OrderKey | null;
  limit: number | null;
  session: { type: SessionType; uid: string } | null;
  /** words not understood, as typed */
  unknown: string[];
  /** token indexes of the words not understood */
  unknownAt: number[];
  /** "when did apache02 last ...": the question asks for a time */
  when: boolean;
  /** "have not replicated successfully", "without a successful replica": no success in the window */
  notSucceeded: boolean;
  /** "per job", "by VM", "which VMs ... the most": rows by that kind of name */
  rankBy: NameKind | null;
  /** "the most", "top 5 failing jobs": a ranking, most first */
  rankMost: boolean;
  /** "more than twice", "more than 3 times", "at least 2 failures": rows above that count */
  moreThan: number | null;
  /** "success rate": the share of successful sessions per row */
  rate: boolean;
  /** "longest", "slowest", "shortest", "fastest": sorted by how long a session took (computed) */
  duration: 'longest' | 'shortest' | null;
  /** "took longer than 30 minutes": sessions that ran at least this long */
  longerThanMs: number | null;
  /** "this week vs last week": the time compared against */
  compareTime: TimeWindowRead | null;
  /** the plural kind named without a name ("which VMs", "jobs"), for rankings and last-success lists */
  kindNamed: NameKind | null;
  /** names EM knows read in place of what was typed ("apache2" as apache02) */
  corrections: Correction[];
  /** "every VM", "all jobs": the kind named with no names (each of them, no filter) */
  every: 'vm' | 'job' | 'server' | null;
  /** specific problems ("There is no date Feb 30") */
  problems: string[];
  /** unquoted names that ran into more words ("for SQL Server 01"): a hint to quote them */
  unquotedRuns: string[];
  /** where each of unquotedRuns stands: token indexes [from, to) */
  unquotedRunSpans: Array<[number, number]>;
  /** words to put in place of the token at `at` in a suggestion ("stopped" -> "finished", "failed") */
  replacements: Array<{ at: number; words: string[] }>;
  /** "now", "right now", "currently", "at the moment" as typed: fine with running/pending, a problem otherwise */
  nowText: string | null;
  /**
   * VM names read after a preposition ("for Domain Controllers"): tokens [from, to) from the preposition to the
   * end of the name (a run of unquoted words counts as one name), to offer them as a job for job-level questions
   */
  vmPhrases: Array<{ from: number; to: number; names: string[] }>;
}

/** "how did apache02 do", "how is job X doing": the helper verb after "how" ... */
const HOW_HELPERS = new Set(['did', 'does', 'do', 'is', 'are', 'was', 'were', 'has', 'have']);
/** ... and the verb that closes the subject */
const HOW_VERBS = new Set(['do', 'doing', 'done', 'go', 'going', 'gone', 'look', 'looking']);

/** Words that order the answer (with a count after them, they also cut it). */
const ORDER_WORDS = wordTable<OrderKey>({
  last: 'newest',
  latest: 'newest',
  newest: 'newest',
  recent: 'newest',
  oldest: 'oldest',
  earliest: 'oldest',
  first: 'oldest',
  biggest: 'largest',
  largest: 'largest',
  smallest: 'smallest',
});

const KIND_WORDS: Record<NameKind, string> = { vm: 'VM', job: 'job', server: 'backup server' };
/** how to say the kind in a question: "vm web01", "job web01", "server web01" */
const KIND_PREFIX: Record<NameKind, string> = { vm: 'vm', job: 'job', server: 'server' };

/** "not", "haven't" ... before "replicated successfully" */
const NOT_WORDS = new Set(['not', "haven't", 'havent', "hasn't", 'hasnt', "didn't", 'didnt', 'never']);
const SUCCESS_WORDS = new Set(['successful', 'successfully', 'succeeded', 'success', 'good']);
/** words between "not" and "successfully": "have not been replicated successfully", "hasn't had a successful" */
const NOT_SUCCESS_FILLER = new Set([
  'replicated',
  'replicate',
  'been',
  'had',
  'a',
  'any',
  'run',
  'ran',
  'finished',
  'completed',
]);
/** words around a duration that carry no meaning of their own: "took longer than", "that took" */
const DURATION_FILLER = new Set(['took', 'taking', 'take', 'takes', 'lasted', 'ran']);

/** "all", "every", "each", "any" before a kind of thing: every one of them, no name filter */
const ALL_WORDS = new Set(['all', 'every', 'each', 'any']);
const EVERY_KIND = wordTable<'vm' | 'job' | 'server'>({
  vm: 'vm',
  vms: 'vm',
  machines: 'vm',
  job: 'job',
  jobs: 'job',
  server: 'server',
  servers: 'server',
});

/** Answers are capped so one question cannot ask for the whole history in one message. */
const MAX_LIMIT = 1000;

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const GUID_RE = new RegExp(`^\\{?(${GUID})\\}?$`, 'i');
const URN_RE = new RegExp(`^urn:veeam:([a-z]+):(${GUID})$`, 'i');
/** the session id types, lower case as read -> as EM spells them */
const SESSION_URN_TYPES: ReadonlyMap<string, SessionType> = new Map<string, SessionType>([
  ['replicatasksession', 'ReplicaTaskSession'],
  ['replicajobsession', 'ReplicaJobSession'],
  ['backuptasksession', 'BackupTaskSession'],
  ['backupjobsession', 'BackupJobSession'],
]);

/** Tokens -> the parts of a question (results, states, names, time, order), before they become a query. */
export function readQuestionParts(
  tokens: readonly Token[],
  ctx: TimeContext,
  names?: NameCatalogue,
): QuestionParts {
  const parts: QuestionParts = {
    results: new Set(),
    states: new Set(),
    statusOr: false,
    jobLevel: false,
    vms: [],
    jobs: [],
    servers: [],
    time: null,
    timeText: null,
    order: null,
    limit: null,
    session: null,
    unknown: [],
    unknownAt: [],
    every: null,
    corrections: [],
    when: false,
    notSucceeded: false,
    rankBy: null,
    rankMost: false,
    moreThan: null,
    rate: false,
    duration: null,
    longerThanMs: null,
    compareTime: null,
    kindNamed: null,
    problems: [],
    unquotedRuns: [],
    unquotedRunSpans: [],
    replacements: [],
    nowText: null,
    vmPhrases: [],
  };
  // time expressions are looked up again and again while names are read; each position is read once
  const timeReads = new Map<number, ReturnType<typeof readTimeAt>>();
  const timeAt = (i: number): ReturnType<typeof readTimeAt> => {
    const known = timeReads.get(i);
    if (known !== undefined) return known;
    const read = readTimeAt(tokens, i, ctx);
    timeReads.set(i, read);
    return read;
  };
  const w = (i: number): string | undefined => {
    const token = tokens[i];
    return token?.kind === 'word' ? token.lower : undefined;
  };
  const text = (from: number, to: number): string =>
    tokens
      .slice(from, to)
      .map((t) => t.text)
      .join(' ');
  /** the last status kind seen and whether "or" came after it, to read "failed or running" as an OR */
  let lastStatus: 'result' | 'state' | null = null;
  let orPending = false;
  /** the verb that closes "how did <subject> do": skipped when reached */
  let howVerbAt = -1;

  const isNameAt = (i: number): boolean => {
    const token = tokens[i];
    if (token === undefined || token.kind === 'comma') return false;
    if (token.kind === 'quoted') return true;
    if (KNOWN_WORDS.has(token.lower)) return false;
    if (GUID_RE.test(token.lower) || URN_RE.test(token.lower)) return false;
    return timeAt(i) === null;
  };

  /** the name EM knows that starts at i (longest first), or null; grammar words and times only when quoted */
  const knownAt = (i: number): NameMatch | null => {
    const token = tokens[i];
    if (names === undefined || token === undefined || token.kind === 'comma') return null;
    if (token.kind === 'quoted') return names.match([token.lower]);
    if (!isNameAt(i)) return null;
    const words: string[] = [];
    for (let k = i; k < i + 6 && tokens[k]?.kind === 'word'; k++) words.push(tokens[k]?.lower ?? '');
    return names.match(words);
  };
  /** an unquoted name EM does not know, read as the one name of that kind close to it ("apache2": apache02) */
  const nearName = (at: number, kind: NameKind): string | null => {
    const token = tokens[at];
    if (names === undefined || token?.kind !== 'word' || names.match([token.lower]) !== null) return null;
    const near = names.near(token.text);
    const only = near[0];
    if (only === undefined || near.some((n) => n.name.toLowerCase() !== only.name.toLowerCase())) return null;
    const spelled = near.find((n) => n.kind === kind)?.name;
    if (spelled === undefined) return null;
    parts.corrections.push({ typed: token.text, read: spelled, kind });
    return spelled;
  };
  const listOf = (kind: NameKind): string[] =>
    kind === 'vm' ? parts.vms : kind === 'job' ? parts.jobs : parts.servers;

  /**
   * Names EM knows, read as what they are: "apache02 failures", "for SQL Server 01", "in SQL Replica", a list
   * joined by commas, "and", "or". A name of two kinds (a VM and a job both named web01) is a problem that asks
   * which. Null when no known name starts at i.
   */
  const readKnownNames = (i: number): number | null => {
    let m = knownAt(i);
    if (m === null) return null;
    let j = i;
    while (m !== null) {
      const kind = m.kinds[0];
      const typed = text(j, j + m.length);
      if (m.kinds.length > 1 || kind === undefined) {
        const kinds = m.kinds.map((k) => KIND_WORDS[k]);
        parts.problems.push(
          `EM knows "${typed}" as ${kinds.map((k) => `a ${k}`).join(' and as ')}; say which: ${m.kinds.map((k) => `${KIND_PREFIX[k]} "${typed}"`).join(' or ')}.`,
        );
        if (m.length === 1)
          parts.replacements.push({ at: j, words: m.kinds.map((k) => `${KIND_PREFIX[k]} ${typed}`) });
      } else {
        listOf(kind).push(m.names[kind] ?? typed);
      }
      j += m.length;
      let k = j;
      if (tokens[k]?.kind === 'comma') k++;
      if (w(k) === 'and' || w(k) === 'or') k++;
      m = k > j ? knownAt(k) : null;
      if (m !== null) j = k;
    }
    return j;
  };

  /** one name or a list joined by commas, "and", "or": "apache02, ubuntu88 and web01" */
  const readNames = (i: number, kind: NameKind = 'vm'): { names: string[]; next: number } => {
    const names: string[] = [];
    let j = i;
    for (let token = tokens[j]; token !== undefined && isNameAt(j); token = tokens[j]) {
      // a name EM knows, as EM spells it, with its spaces ("for SQL Server 01"); else a near miss of one
      const known = knownAt(j);
      const spelled = known?.names[kind];
      if (known !== null && spelled !== undefined) {
        names.push(spelled);
        j += known.length;
      } else {
        names.push(nearName(j, kind) ?? token.text);
        j++;
      }
      let k = j;
      if (tokens[k]?.kind === 'comma') k++;
      if (w(k) === 'and' || w(k) === 'or') k++;
      if (k > j && isNameAt(k)) j = k;
      else break;
    }
    // "for SQL Server 01": an unquoted name followed by more unknown words probably has spaces in it
    if (names.length > 0 && tokens[j - 1]?.kind === 'word' && tokens[j]?.kind === 'word' && isNameAt(j)) {
      let k = j;
      while (tokens[k]?.kind === 'word' && isNameAt(k)) k++;
      parts.unquotedRuns.push(text(j - 1, k));
      parts.unquotedRunSpans.push([j - 1, k]);
    }
    return { names, next: j };
  };

  /** a job name: quoted, or unquoted words up to the next part of the question ("job SQL Replica failed") */
  const readJobName = (i: number): { name: string; next: number } | null => {
    const token = tokens[i];
    if (token === undefined || token.kind === 'comma') return null;
    const known = knownAt(i);
    const job = known?.names.job;
    if (known !== null && job !== undefined) return { name: job, next: i + known.length };
    if (token.kind === 'quoted') return { name: token.text, next: i + 1 };
    let j = i;
    const endsJobName = (at: number): boolean => {
      const x = w(at);
      return (
        x === undefined ||
        at === howVerbAt ||
        CLAUSE_WORDS.has(x) ||
        RESULT_WORDS[x] !== undefined ||
        STATE_WORDS[x] !== undefined ||
        GUID_RE.test(x) ||
        URN_RE.test(x) ||
        timeAt(at) !== null
      );
    };
    while (!endsJobName(j)) {
      j++;
      // "job SQL Replica's failures": the possessive ends the name
      if (tokens[j - 1]?.possessive === true) break;
    }
    return j === i ? null : { name: text(i, j), next: j };
  };

  const readJobNames = (i: number): { names: string[]; next: number } | null => {
    const first = readJobName(i);
    if (first === null) return null;
    const names = [first.name];
    let j = first.next;
    for (;;) {
      let k = j;
      if (tokens[k]?.kind === 'comma') k++;
      if (w(k) === 'and' || w(k) === 'or') k++;
      if (k === j) break;
      if (w(k) === 'job') k++;
      // after "and", only a quoted name or "job X" continues the list (so "and failed" does not become a job)
      if (tokens[k]?.kind !== 'quoted' && w(k - 1) !== 'job') break;
      const more = readJobName(k);
      if (more === null) break;
      names.push(more.name);
      j = more.next;
    }
    return { names, next: j };
  };

  /** the subject of "how did <subject> do": a job, a server or VMs; where reading goes on, or null if none */
  const readSubject = (j: number): number | null => {
    if (w(j) === 'job') {
      const names = readJobNames(j + 1);
      if (names === null) return null;
      parts.jobs.push(...names.names);
      return names.next;
    }
    const serverAt = serverNameAt(j);
    if (serverAt === -1 && w(j) !== 'vm') {
      const known = readKnownNames(j);
      if (known !== null) return known;
    }
    const names = readNames(
      serverAt !== -1 ? serverAt : w(j) === 'vm' ? j + 1 : j,
      serverAt !== -1 ? 'server' : 'vm',
    );
    if (names.names.length === 0) return null;
    (serverAt !== -1 ? parts.servers : parts.vms).push(...names.names);
    return names.next;
  };

  /** set by "vs", "versus", "compared to": the next time is the one compared against */
  let comparing = false;
  const setTime = (read: TimeWindowRead, from: number, to: number): void => {
    const typed = text(from, to);
    if (parts.time !== null && comparing && parts.compareTime === null) {
      comparing = false;
      if (read.from.getTime() > ctx.now.getTime()) {
        parts.problems.push(futureProblem(typed));
        return;
      }
      parts.compareTime = read;
      return;
    }
    if (parts.time !== null) {
      parts.problems.push(`I read two times, "${parts.timeText}" and "${typed}"; ask for one time range.`);
      return;
    }
    if (read.from.getTime() > ctx.now.getTime()) {
      parts.problems.push(futureProblem(typed));
      return;
    }
    parts.time = read;
    parts.timeText = typed;
  };

  const setOrder = (order: OrderKey, limit: number | null, typed: string): void => {
    if (parts.order !== null && parts.order !== order) {
      parts.problems.push(`I read two orders ("${parts.order} first" and "${typed}"); ask for one.`);
      return;
    }
    parts.order = order;
    if (limit !== null) setLimit(limit, typed);
  };

  const setLimit = (limit: number, typed: string): void => {
    if (limit < 1 || limit > MAX_LIMIT) {
      parts.problems.push(`"${typed}": I can list from 1 to ${MAX_LIMIT} sessions at a time.`);
      return;
    }
    if (parts.limit !== null && parts.limit !== limit) {
      parts.problems.push(`I read two counts (${parts.limit} and ${limit}); ask for one.`);
      return;
    }
    parts.limit = limit;
  };

  const count = (i: number): number | null => {
    const x = w(i);
    if (x === undefined) return null;
    if (/^\d{1,9}$/.test(x)) return Number(x);
    return NUMBER_WORDS[x] ?? null;
  };
  /** where the name starts after "server", "backup server" or "vbr server" at i; -1 when none is there */
  const serverNameAt = (i: number): number => {
    if (w(i) === 'server') return i + 1;
    if ((w(i) === 'backup' || w(i) === 'vbr') && w(i + 1) === 'server') return i + 2;
    return -1;
  };
  /** looks past adjectives ("failed", "replication") for a singular noun */
  const isSingularAt = (i: number): boolean => {
    for (let k = i; k < i + 4; k++) {
      const x = w(k);
      if (x === undefined) return false;
      if (SINGULAR_NOUNS.has(x)) return true;
      if (RESULT_WORDS[x] === undefined && STATE_WORDS[x] === undefined && x !== 'replication' && x !== 'job')
        return false;
    }
    return false;
  };
  const isUnitAt = (i: number): boolean => UNIT_WORDS[w(i) ?? ''] !== undefined;

  const setDuration = (word: string): void => {
    parts.duration =
      word === 'shortest' || word === 'fastest' || word === 'quickest' ? 'shortest' : 'longest';
  };

  /** "when", "per job", "the most", "more than twice", "success rate", "longer than 30 minutes", "vs" ... */
  const readAskWords = (at: number): number | null => {
    const x = w(at);
    if (x === undefined) return null;
    if (x === 'when') {
      parts.when = true;
      return at + 1;
    }
    // "have not replicated successfully", "hasn't had a successful replica", "without a successful replica"
    if (NOT_WORDS.has(x) || x === 'without' || (x === 'no' && SUCCESS_WORDS.has(w(at + 1) ?? ''))) {
      for (let k = at + 1; k <= at + 4; k++) {
        const y = w(k);
        if (y === undefined) break;
        if (SUCCESS_WORDS.has(y)) {
          // "not successful" alone stays "warning or failed"; "not replicated successfully" is no success
          if (x === 'not' && k === at + 1) return null;
          parts.notSucceeded = true;
          return k + 1;
        }
        if (!NOT_SUCCESS_FILLER.has(y)) break;
      }
      if (x === 'no' || x === 'without') return null;
    }
    if ((x === 'per' || x === 'by' || x === 'each') && EVERY_KIND[w(at + 1) ?? ''] !== undefined) {
      parts.rankBy = EVERY_KIND[w(at + 1) ?? ''] ?? null;
      return at + 2;
    }
    if (x === 'most' && w(at + 1) !== 'recent') {
      parts.rankMost = true;
      // "the most failures"
      return at + 1;
    }
    if ((x === 'more' || x === 'over') && w(at + 1) === 'than') {
      const n = count(at + 2);
      const times = w(at + 2) === 'once' ? 1 : w(at + 2) === 'twice' ? 2 : w(at + 2) === 'thrice' ? 3 : n;
      if (times !== null) {
        // "more than 30 minutes" is a duration
        const unit = UNIT_WORDS[w(at + 3) ?? ''];
        if (unit === 'minute' || unit === 'hour') {
          parts.longerThanMs = times * (unit === 'hour' ? 3_600_000 : 60_000);
          return at + 4;
        }
        parts.moreThan = times;
        return w(at + 3) === 'times' || RESULT_WORDS[w(at + 3) ?? ''] !== undefined ? at + 4 : at + 3;
      }
    }
    if (x === 'at' && w(at + 1) === 'least') {
      const n = w(at + 2) === 'once' ? 1 : w(at + 2) === 'twice' ? 2 : count(at + 2);
      if (n !== null) {
        parts.moreThan = n - 1;
        return w(at + 3) === 'times' || RESULT_WORDS[w(at + 3) ?? ''] !== undefined ? at + 4 : at + 3;
      }
    }
    // "took longer than 30 minutes", "longer than 1 hour", "running for more than 2 hours"
    if (x === 'longer' && w(at + 1) === 'than') {
      const n = count(at + 2);
      const unit = UNIT_WORDS[w(at + 3) ?? ''];
      const short = /^(\d{1,4})(m|min|h|hr)$/.exec(w(at + 2) ?? '');
      if (n !== null && (unit === 'minute' || unit === 'hour')) {
        parts.longerThanMs = n * (unit === 'hour' ? 3_600_000 : 60_000);
        return at + 4;
      }
      if (short !== null) {
        parts.longerThanMs = Number(short[1]) * (short[2]?.startsWith('h') ? 3_600_000 : 60_000);
        return at + 3;
      }
    }
    if (DURATION_FILLER.has(x)) return at + 1;
    if (x === 'rate' || (x === 'success' && w(at + 1) === 'rate')) {
      parts.rate = true;
      return x === 'rate' ? at + 1 : at + 2;
    }
    if (x === 'vs' || x === 'vs.' || x === 'versus' || x === 'against') {
      comparing = true;
      return at + 1;
    }
    if (x === 'compared' && (w(at + 1) === 'to' || w(at + 1) === 'with')) {
      comparing = true;
      return at + 2;
    }
    return null;
  };

  const setNow = (typed: string): void => {
    parts.nowText = parts.nowText === null ? typed : parts.nowText;
  };

  const addResults = (results: readonly SessionResult[]): void => {
    if (lastStatus === 'state' && orPending) parts.statusOr = true;
    for (const r of results) parts.results.add(r);
    lastStatus = 'result';
    orPending = false;
  };
  const addState = (state: StateWord): void => {
    if (lastStatus === 'result' && orPending) parts.statusOr = true;
    parts.states.add(state);
    lastStatus = 'state';
    orPending = false;
  };

  let i = 0;
  for (let token = tokens[i]; token !== undefined; token = tokens[i]) {
    const lower = token.lower;
    if (token.kind === 'comma') {
      i++;
      continue;
    }

    if (token.kind === 'word') {
      // a session id: a GUID or urn:veeam:<Type>:<guid>
      const urn = URN_RE.exec(lower);
      const guid = GUID_RE.exec(lower);
      if (urn !== null || guid !== null) {
        const type = urn?.[1] ?? 'replicatasksession';
        const id = (urn?.[2] ?? guid?.[1] ?? '').toLowerCase();
        // the id keeps its own type (a backup id stays a backup id); `sessionType` is its level, in the replica
        // words the rest of the question is read in (read-kind.ts gives a backup id's question the backup kind)
        const typed = SESSION_URN_TYPES.get(type) ?? null;
        const sessionType: SessionType | null =
          typed === null ? null : typed.endsWith('JobSession') ? 'ReplicaJobSession' : 'ReplicaTaskSession';
        if (typed === null || sessionType === null) {
          parts.problems.push(
            `"${token.text}" is not a replication or backup session id; I can look up urn:veeam:ReplicaTaskSession:…, urn:veeam:ReplicaJobSession:…, urn:veeam:BackupTaskSession:… and urn:veeam:BackupJobSession:… ids.`,
          );
        } else if (parts.session !== null) {
          parts.problems.push('I can look up one session id at a time.');
        } else {
          parts.session = { type: sessionType, uid: `urn:veeam:${typed}:${id}` };
        }
        i++;
        continue;
      }

      // status words
      if (lower === 'in' && w(i + 1) === 'progress') {
        addState('running');
        i += 2;
        continue;
      }
      if (lower === 'not' && NEGATABLE_SUCCESS.has(w(i + 1) ?? '')) {
        addResults(['Warning', 'Failed']);
        i += 2;
        continue;
      }
      if ((lower === "didn't" || lower === 'didnt') && (w(i + 1) === 'succeed' || w(i + 1) === 'work')) {
        addResults(['Warning', 'Failed']);
        i += 2;
        continue;
      }
      if (lower === 'did' && w(i + 1) === 'not' && (w(i + 2) === 'succeed' || w(i + 2) === 'work')) {
        addResults(['Warning', 'Failed']);
        i += 3;
        continue;
      }
      // "success rate": a rate of all results, not the successes alone
      if ((lower === 'success' || lower === 'failure') && w(i + 1) === 'rate') {
        parts.rate = true;
        i += 2;
        continue;
      }
      const resultWord = RESULT_WORDS[lower];
      if (resultWord !== undefined) {
        addResults(resultWord);
        i++;
        continue;
      }
      const stateWord = STATE_WORDS[lower];
      if (stateWord !== undefined) {
        addState(stateWord);
        i++;
        continue;
      }
      if (STOPPED_WORDS.has(lower)) {
        parts.problems.push(
          `I cannot tell "${token.text}" sessions apart: Enterprise Manager records a session someone stopped or cancelled with the same state as one that ran to its end. Ask for "finished" sessions (all that ended) or "failed" ones.`,
        );
        parts.replacements.push({ at: i, words: ['finished', 'failed'] });
        i++;
        continue;
      }
      if (i === howVerbAt) {
        i++;
        continue;
      }
      // "what's running right now", "currently running", "pending at the moment"
      if (lower === 'right' && NOW_WORDS.has(w(i + 1) ?? '')) {
        setNow(text(i, i + 2));
        i += 2;
        continue;
      }
      if (NOW_WORDS.has(lower)) {
        setNow(token.text);
        i++;
        continue;
      }
      if (lower === 'at' && w(i + 1) === 'the' && w(i + 2) === 'moment') {
        setNow(text(i, i + 3));
        i += 3;
        continue;
      }
      if (DURATION_WORDS.has(lower)) {
        setDuration(lower);
        // "longest running replicas": how long they ran, not those still running
        i += w(i + 1) === 'running' ? 2 : 1;
        continue;
      }
      // questions about a kind of answer: when, rankings, rates, durations, comparisons
      const asked = readAskWords(i);
      if (asked !== null) {
        i = asked;
        continue;
      }
      // "how did apache02 do this week", "how is job 'SQL Replica' doing": everything about that subject
      if ((lower === 'how' && HOW_HELPERS.has(w(i + 1) ?? '')) || lower === "how's") {
        const from = lower === 'how' ? i + 2 : i + 1;
        let verb = from;
        while (verb < tokens.length && verb < from + 12 && !HOW_VERBS.has(w(verb) ?? '')) verb++;
        if (verb < tokens.length && HOW_VERBS.has(w(verb) ?? '')) {
          howVerbAt = verb;
          const subject = readSubject(w(from) === 'the' ? from + 1 : from);
          i = subject ?? from;
          continue;
        }
      }
      if (lower === 'or' && lastStatus !== null) {
        orPending = true;
        i++;
        continue;
      }

      // ordering and size, before time: "last 5" is a count, "last 5 days" a time
      const n0 = count(i);
      if (n0 !== null && !isUnitAt(i + 1)) {
        const n1 = w(i + 1);
        if (n1 === 'most' && w(i + 2) === 'recent') {
          setOrder('newest', n0, text(i, i + 3));
          i += 3;
          continue;
        }
        if (n1 === 'latest' || n1 === 'newest' || n1 === 'last' || n1 === 'recent') {
          setOrder('newest', n0, text(i, i + 2));
          i += 2;
          continue;
        }
        if (n1 === 'oldest' || n1 === 'earliest' || n1 === 'first') {
          setOrder('oldest', n0, text(i, i + 2));
          i += 2;
          continue;
        }
        if (n1 === 'biggest' || n1 === 'largest') {
          setOrder('largest', n0, text(i, i + 2));
          i += 2;
          continue;
        }
        if (n1 === 'smallest') {
          setOrder('smallest', n0, text(i, i + 2));
          i += 2;
          continue;
        }
        if (DURATION_WORDS.has(n1 ?? '')) {
          setLimit(n0, token.text);
          setDuration(n1 ?? '');
          i += 2;
          continue;
        }
      }
      let orderAt = i;
      if (lower === 'most' && w(i + 1) === 'recent') orderAt = i + 1;
      const countAfter = count(i + 1);
      if (lower === 'top' && countAfter !== null && !isUnitAt(i + 2)) {
        setLimit(countAfter, text(i, i + 2));
        i += 2;
        continue;
      }
      if (lower === 'limit' && countAfter !== null) {
        setLimit(countAfter, text(i, i + 2));
        i += 2;
        continue;
      }
      const key = ORDER_WORDS[w(orderAt) ?? ''];
      const isTime = timeAt(i);
      if (
        key !== undefined &&
        isTime === null &&
        !(w(orderAt) === 'first' && orderAt === i && count(i + 1) === null)
      ) {
        const after = orderAt + 1;
        const n = count(after);
        if (n !== null && !isUnitAt(after + 1)) {
          setOrder(key, n, text(i, after + 1));
          i = after + 1;
          continue;
        }
        // "oldest first", "newest first"
        if (w(after) === 'first') {
          setOrder(key, null, text(i, after + 1));
          i = after + 1;
          continue;
        }
        // "the latest failed replica" is one session; "latest failures" are sorted
        setOrder(key, isSingularAt(after) ? 1 : null, text(i, after));
        i = after;
        continue;
      }
      if (
        (lower === 'sorted' || lower === 'order' || lower === 'ordered') &&
        w(i + 1) === 'by' &&
        w(i + 2) === 'size'
      ) {
        setOrder('largest', null, text(i, i + 3));
        i += 3;
        continue;
      }
      if (lower === 'by' && w(i + 1) === 'size') {
        setOrder('largest', null, text(i, i + 2));
        i += 2;
        continue;
      }
      if (lower === 'chronological' || lower === 'chronologically') {
        setOrder('oldest', null, token.text);
        i++;
        continue;
      }
      if (lower === 'in' && w(i + 1) === 'chronological' && w(i + 2) === 'order') {
        setOrder('oldest', null, text(i, i + 3));
        i += 3;
        continue;
      }

      // time
      if (isTime !== null) {
        if (isTime.kind === 'error') parts.problems.push(isTime.error);
        else setTime(isTime.window, i, isTime.next);
        i = isTime.next;
        continue;
      }

      if (lower === 'vms' || lower === 'machines' || lower === 'servers')
        parts.kindNamed ??= EVERY_KIND[lower] ?? null;
      if (lower === 'jobs') parts.kindNamed ??= 'job';
      // "every VM", "all jobs", "each server": no name filter (and not the job level: "failures of all jobs")
      if (ALL_WORDS.has(lower) && EVERY_KIND[w(i + 1) ?? ''] !== undefined) {
        parts.every = EVERY_KIND[w(i + 1) ?? ''] ?? null;
        i += 2;
        continue;
      }
      // job level: "replication jobs", "job runs", "job sessions"
      if (lower === 'jobs') {
        parts.jobLevel = true;
        i++;
        // "jobs 'SQL Replica' and 'Exchange'"
        const names = tokens[i]?.kind === 'quoted' ? readJobNames(i) : null;
        if (names !== null) {
          parts.jobs.push(...names.names);
          i = names.next;
        }
        continue;
      }
      if (lower === 'job') {
        const after = w(i + 1);
        if (
          after === 'runs' ||
          after === 'run' ||
          after === 'sessions' ||
          after === 'session' ||
          after === 'level'
        ) {
          parts.jobLevel = true;
          i += 2;
          continue;
        }
        const names = readJobNames(i + 1);
        if (names === null) {
          // "which replication job failed": the job itself is the subject
          parts.jobLevel = true;
          i++;
          continue;
        }
        parts.jobs.push(...names.names);
        i = names.next;
        continue;
      }

      // targets after a preposition: "for apache02", "on server srv02", "in job 'SQL Replica'"
      if (['for', 'of', 'on', 'in', 'from', 'about', 'at'].includes(lower)) {
        let j = i + 1;
        if (w(j) === 'the') j++;
        if (w(j) === 'job') {
          const names = readJobNames(j + 1);
          if (names !== null) {
            parts.jobs.push(...names.names);
            i = names.next;
            continue;
          }
        }
        const serverAt = serverNameAt(j);
        if (serverAt !== -1) {
          const names = readNames(serverAt, 'server');
          if (names.names.length > 0) {
            parts.servers.push(...names.names);
            i = names.next;
            continue;
          }
        }
        // a name EM knows, read as what it is: "for SQL Server 01", "in SQL Replica", "on vbr01"
        if (serverAt === -1 && w(j) !== 'vm' && w(j) !== 'vms') {
          const known = readKnownNames(j);
          if (known !== null) {
            i = known;
            continue;
          }
        }
        if (w(j) === 'vm' || w(j) === 'vms') j++;
        // "in" and "from" name jobs and servers, not VMs: "in 'SQL Replica'" is too likely a job to guess
        if (lower !== 'from' && lower !== 'at' && lower !== 'in') {
          const runsBefore = parts.unquotedRunSpans.length;
          const names = readNames(j);
          if (names.names.length > 0) {
            parts.vms.push(...names.names);
            // an explicit "for vm X" is a VM; "for Domain Controllers" may be a job
            if (w(j - 1) !== 'vm' && w(j - 1) !== 'vms') {
              const run = parts.unquotedRunSpans[runsBefore];
              const listed =
                run === undefined ? names.names : [...names.names.slice(0, -1), text(run[0], run[1])];
              parts.vmPhrases.push({ from: i, to: run?.[1] ?? names.next, names: listed });
            }
            i = names.next;
            continue;
          }
        }
      }
      if (lower === 'vm' || lower === 'vms') {
        const names = readNames(i + 1);
        if (names.names.length > 0) {
          parts.vms.push(...names.names);
          i = names.next;
          continue;
        }
      }
      if (serverNameAt(i) !== -1) {
        const names = readNames(serverNameAt(i), 'server');
        if (names.names.length > 0) {
          parts.servers.push(...names.names);
          i = names.next;
          continue;
        }
      }
      if (FILLER_WORDS.has(lower)) {
        i++;
        continue;
      }
    }

    // a bare name EM knows: "apache02 failures 2d", "is apache02 replicating", "SQL Replica failures"
    const known = readKnownNames(i);
    if (known !== null) {
      i = known;
      continue;
    }
    // "apache02's failures": a possessive marks a name, read as a VM
    if (token.possessive === true && isNameAt(i)) {
      parts.vms.push(token.text);
      i++;
      continue;
    }
    // a bare list with commas is a list of VMs: "apache02, ubuntu88 failed today"
    if (isNameAt(i) && tokens[i + 1]?.kind === 'comma') {
      const names = readNames(i);
      if (names.names.length > 1) {
        parts.vms.push(...names.names);
        i = names.next;
        continue;
      }
    }
    parts.unknown.push(token.kind === 'quoted' ? `"${token.text}"` : token.text);
    parts.unknownAt.push(i);
    i++;
  }
  return parts;
}
