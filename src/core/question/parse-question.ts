/**
 * Plain-words questions to Enterprise Manager queries: "replicas failed today for apache02" ->
 * `Result==Failed;VmDisplayName=="apache02";CreationTime>="2026-11-22T23:00:00.000Z"`, read in the asker's
 * IANA time zone and sent in UTC. Pure: `now` comes in with the options.
 *
 * Never a guess: a word the grammar does not know is reported back with suggestions, not dropped.
 */
import { ReplibotError } from '../errors.js';
import { and, anyOf, cmp, eq, type Filter } from '../filter.js';
import type { ParsedQuestion, QueryIntent, SortOrder } from '../ports.js';
import { JOB_STATES, type JobState, SESSION_RESULTS, type SessionType, type TaskState } from '../sessions.js';
import { type DescribeInput, describeExplanation, describePhrase } from './describe-query.js';
import { EXAMPLE_QUESTIONS } from './help.js';
import { formatIn, isKnownTimeZone, minusUnits, toLocalDay } from './local-calendar.js';
import { type OrderKey, type QuestionParts, readQuestion } from './read-question.js';
import type { TimeContext } from './read-time.js';
import { type Token, tokenizeQuestion, toPlainQuestion, truncate } from './tokenize-question.js';
import { KNOWN_WORDS, type StateWord } from './vocabulary.js';

export interface ParseOptions {
  /** the moment the question is asked */
  now: Date;
  /** the asker's IANA time zone ("Europe/Berlin"); "today" and dates are read there */
  timeZone: string;
}

/** Longer input is refused (a not-understood result) before any reading. */
export const MAX_QUESTION_LENGTH = 1000;

/** EM collections keep this much session history. */
export const RETENTION_DAYS = 30;

const DAY_MS = 86_400_000;
const DEFAULT_WINDOW_MS = DAY_MS;

const TASK_STATE: Record<StateWord, TaskState> = {
  running: 'InProgress',
  pending: 'Pending',
  finished: 'Completed',
};
const JOB_STATE: Record<StateWord, JobState> = {
  running: 'Working',
  pending: 'Starting',
  finished: 'Stopped',
};

const HELP_PHRASES = new Set([
  'help',
  '?',
  'usage',
  'commands',
  'examples',
  'menu',
  'hi',
  'hello',
  'hey',
  'what can you do',
  'what can i ask',
  'what do you know',
  'how does this work',
  'how do i use this',
  'how do i use you',
]);

const GENERIC_SUGGESTIONS = [
  'failed replicas today',
  'problems for apache02 in the last 7 days',
  'running replication jobs',
];

/**
 * Reads a question. Returns a query, `help`, or `not-understood` with what was not understood and two or three
 * suggestions; never throws for any text. Throws a ReplibotError only for bad options (an unknown time zone or
 * an invalid `now`), which are the caller's bug, not the asker's.
 *
 * Slack message text can be passed as it is: mentions are dropped, auto-linked host names and `&amp;`-style
 * entities are undone.
 */
export function parseQuestion(text: string, options: ParseOptions): ParsedQuestion {
  if (!(options.now instanceof Date) || Number.isNaN(options.now.getTime())) {
    throw new ReplibotError('internal', 'parseQuestion needs a valid `now` date.');
  }
  if (typeof options.timeZone !== 'string' || !isKnownTimeZone(options.timeZone)) {
    throw new ReplibotError('config_invalid', `"${String(options.timeZone)}" is not an IANA time zone.`, {
      hint: 'Use a zone name such as Europe/Berlin, America/New_York or UTC.',
    });
  }
  return parse(typeof text === 'string' ? text : '', options, true);
}

function notUnderstood(error: string, suggestions: string[]): ParsedQuestion {
  return { kind: 'not-understood', error, suggestions };
}

function parse(raw: string, options: ParseOptions, suggest: boolean): ParsedQuestion {
  if (raw.length > MAX_QUESTION_LENGTH) {
    return notUnderstood(
      `That question is ${raw.length.toLocaleString('en-US')} characters long; I read questions of up to ${MAX_QUESTION_LENGTH.toLocaleString('en-US')} characters. Ask something shorter.`,
      GENERIC_SUGGESTIONS.slice(0, 3),
    );
  }
  const text = toPlainQuestion(raw);
  const bare = text
    .toLowerCase()
    .replace(/[?!.]+$/, '')
    .trim();
  if (text === '' || bare === '') {
    if (text.includes('?')) return { kind: 'help' };
    return notUnderstood(
      'Ask me about replication sessions, for example "failed replicas today".',
      GENERIC_SUGGESTIONS,
    );
  }
  if (HELP_PHRASES.has(bare) || /^help\b/.test(bare)) return { kind: 'help' };

  const tokenized = tokenizeQuestion(text);
  if (!tokenized.ok) {
    return notUnderstood(
      `${tokenized.error} Close the quotes around the name, like job "SQL Replica".`,
      GENERIC_SUGGESTIONS,
    );
  }
  const tokens = tokenized.tokens;
  const ctx: TimeContext = {
    now: options.now,
    timeZone: options.timeZone,
    today: toLocalDay(options.now, options.timeZone),
  };
  const parts = readQuestion(tokens, ctx);

  const type: SessionType =
    parts.session?.type ?? (parts.jobLevel ? 'ReplicaJobSession' : 'ReplicaTaskSession');
  if (type === 'ReplicaJobSession') {
    if (parts.vms.length > 0) {
      parts.problems.push(
        `Job runs have no VM name, so I cannot filter them for ${parts.vms.join(', ')}; ask "failed replicas for ${parts.vms[0]}" for VM-level results.`,
      );
    }
    if (parts.order === 'largest' || parts.order === 'smallest') {
      parts.problems.push(
        'Sizes are known per VM, not per job run; ask "biggest replicas" for VM-level results.',
      );
    }
  }

  if (parts.unknown.length > 0 || parts.problems.length > 0 || parts.unquotedRuns.length > 0) {
    const error = explainProblems(parts);
    const suggestions = suggest ? suggestFixes(tokens, parts, options) : [];
    return notUnderstood(error, suggestions);
  }
  return { kind: 'query', intent: toIntent(parts, type, options) };
}

function toIntent(parts: QuestionParts, type: SessionType, options: ParseOptions): QueryIntent {
  const order: OrderKey = parts.order ?? 'newest';
  const sort: SortOrder = {
    field: order === 'largest' || order === 'smallest' ? 'TotalSize' : 'CreationTime',
    direction: order === 'oldest' || order === 'smallest' ? 'asc' : 'desc',
  };

  let window: QueryIntent['window'];
  let defaultWindow = false;
  let timeExplanation: string | null;
  let timePhrase: string | null;
  if (parts.time !== null) {
    window = { from: parts.time.from, to: parts.time.to };
    const detail = parts.time.detail === null ? '' : `${parts.time.detail}, `;
    timeExplanation = `${parts.time.explanation} (${detail}${options.timeZone})`;
    timePhrase = parts.time.phrase;
  } else if (parts.session !== null) {
    window = null;
    timeExplanation = null;
    timePhrase = null;
  } else {
    const from = new Date(options.now.getTime() - DEFAULT_WINDOW_MS);
    window = { from, to: null };
    defaultWindow = true;
    timeExplanation = `in the last 24 hours (since ${formatIn(from, options.timeZone, 'EEE d MMM yyyy HH:mm')}, ${options.timeZone}; no time was given)`;
    timePhrase = 'in the last 24 hours';
  }

  const items: Filter[] = [];
  if (parts.session !== null) items.push(eq('UID', parts.session.uid));
  const results = SESSION_RESULTS.filter((r) => parts.results.has(r));
  const states: string[] =
    type === 'ReplicaTaskSession'
      ? [...new Set([...parts.states].map((s) => TASK_STATE[s]))]
      : JOB_STATES.filter((s) => [...parts.states].some((w) => JOB_STATE[w] === s));
  const resultFilter = results.length > 0 ? anyOf('Result', results) : null;
  const stateFilter = states.length > 0 ? anyOf('State', states) : null;
  if (parts.statusOr && resultFilter !== null && stateFilter !== null) {
    items.push(orFlat(resultFilter, stateFilter));
  } else {
    if (resultFilter !== null) items.push(resultFilter);
    if (stateFilter !== null) items.push(stateFilter);
  }
  if (parts.vms.length > 0) items.push(anyOf('VmDisplayName', unique(parts.vms)));
  if (parts.jobs.length > 0) items.push(anyOf('JobName', unique(parts.jobs)));
  if (parts.servers.length > 0) items.push(anyOf('BackupServerName', unique(parts.servers)));
  if (window !== null) {
    items.push(cmp('CreationTime', '>=', window.from));
    if (window.to !== null) items.push(cmp('CreationTime', '<', window.to));
  }

  const describe: DescribeInput = {
    parts,
    type,
    order,
    limit: parts.limit,
    timeExplanation,
    timePhrase,
  };
  return {
    type,
    filter: items.length === 0 ? null : and(...items),
    sort,
    limit: parts.limit,
    explanation: describeExplanation(describe),
    phrase: describePhrase(describe),
    window,
    defaultWindow,
    // calendar days, so "last 30 days" across a DST change is not flagged for its extra hour
    beyondRetention:
      window !== null &&
      window.from.getTime() < minusUnits(options.now, RETENTION_DAYS, 'day', options.timeZone).getTime(),
    sessionId: parts.session?.uid ?? null,
    timeZone: options.timeZone,
  };
}

/** "failed or running" is one group: (Result==Failed,State==InProgress) */
function orFlat(a: Filter, b: Filter): Filter {
  return { kind: 'or', items: [a, b].flatMap((f) => (f.kind === 'or' ? f.items : [f])) };
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

function quoteList(words: readonly string[]): string {
  const quoted = words.slice(0, 5).map((w) => (w.startsWith('"') ? truncate(w, 42) : `"${truncate(w, 40)}"`));
  const more = words.length > 5 ? ` and ${words.length - 5} more` : '';
  if (quoted.length === 1) return `${quoted[0]}${more}`;
  return `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}${more}`;
}

function explainProblems(parts: QuestionParts): string {
  const sentences: string[] = [...parts.problems];
  for (const run of parts.unquotedRuns) {
    sentences.push(`If "${truncate(run, 60)}" is one name, put it in quotes: "${truncate(run, 60)}".`);
  }
  const runWords = new Set(parts.unquotedRuns.flatMap((run) => run.split(' ')));
  const unknown = parts.unknown.filter((w) => !runWords.has(w));
  if (unknown.length > 0) {
    sentences.push(`I did not understand ${quoteList(unknown)}.`);
    const names = unknown.filter(
      (w) =>
        !KNOWN_WORDS.has(w.toLowerCase()) &&
        nearestWord(w) === null &&
        /^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u.test(w),
    );
    if (names.length > 0) {
      const n = truncate(names[0]!, 40);
      sentences.push(`If "${n}" is a name, say which: "for ${n}" (a VM), "job ${n}" or "on server ${n}".`);
    }
  }
  return sentences.join(' ');
}

/** The closest grammar word for a typo ("faild" -> "failed"), or null. */
function nearestWord(word: string): string | null {
  const lower = word.toLowerCase();
  if (lower.length < 4 || lower.length > 20 || !/^[a-z]+$/.test(lower)) return null;
  const allowed = lower.length <= 5 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = allowed + 1;
  for (const known of KNOWN_WORDS) {
    if (known.length < 4 || Math.abs(known.length - lower.length) > allowed) continue;
    const d = editDistance(lower, known, bestDistance);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance where swapping two neighbouring letters counts as one edit; stops early above cap. */
function editDistance(a: string, b: string, cap: number): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (beforePrevious[j - 2] ?? value) + 1);
      }
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > cap) return rowMin;
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length]!;
}

function toText(tokens: readonly Token[]): string {
  return tokens
    .map((t) => (t.kind === 'quoted' ? `"${t.text.replaceAll('"', '""')}"` : t.text))
    .join(' ')
    .replaceAll(' ,', ',');
}

/** Repairs of the asker's own question, kept only when they read as a query; then general examples. */
function suggestFixes(tokens: readonly Token[], parts: QuestionParts, options: ParseOptions): string[] {
  const candidates: string[] = [];
  // a name with spaces first: "for SQL Srv 01" -> "for \"SQL Srv 01\""
  const plain = toText(tokens);
  for (const run of parts.unquotedRuns) {
    if (plain.includes(run)) candidates.push(plain.replace(run, `"${run.replaceAll('"', '""')}"`));
  }
  const fixed: Token[] = tokens.map((t) => ({ ...t }));
  const names: string[] = [];
  const nameAt = new Set<number>();
  for (const at of parts.unknownAt) {
    const token = tokens[at]!;
    const near = token.kind === 'word' ? nearestWord(token.text) : null;
    if (near !== null) {
      fixed[at] = { kind: 'word', text: near, lower: near };
    } else if (token.kind === 'quoted' || !KNOWN_WORDS.has(token.lower)) {
      nameAt.add(at);
      names.push(
        token.kind === 'quoted' || /[\s,"]/.test(token.text)
          ? `"${token.text.replaceAll('"', '""')}"`
          : token.text,
      );
    }
  }
  if (nameAt.size < parts.unknownAt.length) candidates.push(toText(fixed));
  if (names.length > 0) {
    // "apache02 failed" -> "failed for apache02": the unknown words become VM names at the end
    // a preposition left dangling before a moved name goes with it ("failed in apache02")
    const dangling = (at: number): boolean =>
      nameAt.has(at + 1) && ['in', 'on', 'at', 'from', 'of', 'for'].includes(tokens[at]!.lower);
    const rest = toText(fixed.filter((_, at) => !nameAt.has(at) && !dangling(at)));
    candidates.push(`${rest} for ${names.join(', ')}`.trim());
  }
  const out: string[] = [];
  for (const candidate of candidates) {
    if (out.includes(candidate) || candidate.length > MAX_QUESTION_LENGTH) continue;
    if (parse(candidate, options, false).kind === 'query') out.push(candidate);
    if (out.length === 2) break;
  }
  for (const example of [...GENERIC_SUGGESTIONS, ...EXAMPLE_QUESTIONS]) {
    if (out.length >= 3) break;
    if (!out.includes(example)) out.push(example);
  }
  return out;
}
