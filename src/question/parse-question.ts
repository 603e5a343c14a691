/**
 * Plain-words questions to Enterprise Manager queries: "replicas failed today for apache02" ->
 * `Result==Failed;VmDisplayName=="apache02";CreationTime>="2026-11-22T23:00:00.000Z"`, read in the asker's
 * IANA time zone and sent in UTC. Pure: `now` comes in with the options.
 *
 * Never a guess: a word the grammar does not know is reported back with suggestions, not dropped.
 */
import { ReplibotError } from '../core/errors.js';
import { and, anyOf, cmp, eq, type Filter } from '../core/filter.js';
import type { SortOrder } from '../core/ports.js';
import {
  JOB_STATES,
  type JobState,
  SESSION_RESULTS,
  type SessionType,
  type TaskState,
} from '../core/sessions.js';
import { textDistance } from '../core/text-distance.js';
import { describeAnswerKind, toAnswerKind } from './answer-kind.js';
import { correctWord } from './correct-words.js';
import { type DescribeInput, describeExplanation, describePhrase } from './describe-query.js';
import { EXAMPLE_QUESTIONS, HELP_WORDS } from './help.js';
import { formatIn, isKnownTimeZone, minusUnits, toLocalDay } from './local-calendar.js';
import type { KnownName, NameCatalogue } from './name-catalogue.js';
import type { Correction, ParsedQuestion, QueryIntent } from './query-intent.js';
import type { TimeContext } from './read-time.js';
import { type OrderKey, type QuestionParts, readQuestionParts } from './read-words.js';
import { readZone } from './read-zone.js';
import { type Token, tokenAt, tokenizeQuestion, toPlainQuestion, truncate } from './tokenize-question.js';
import { KNOWN_WORDS, ORDINARY_WORDS, type StateWord } from './vocabulary.js';

export interface ParseOptions {
  /** the moment the question is asked */
  now: Date;
  /** the asker's IANA time zone ("Europe/Berlin"); "today" and dates are read there */
  timeZone: string;
  /**
   * Where the text was typed. 'slack': Slack markup is undone first (`<@U123>` mentions and `<!channel>` dropped,
   * `<http://srv02|srv02>` links back to their label, `&amp;` `&lt;` `&gt;` back to characters). 'plain' (the
   * default; terminal, `replibot ask`): read as typed, so a VM really named `<!channel>` can be asked about.
   */
  source?: 'slack' | 'plain';
  /**
   * The names EM knows (VMs, jobs, backup servers): a bare known name is read as what it is, names with spaces
   * need no quotes, a near miss of one name is read as it (and said). Without it, names are read by grammar.
   */
  names?: NameCatalogue;
}

/** Longer input is refused (a not-understood result) before any reading. */
export const MAX_QUESTION_LENGTH = 1000;

/** EM collections keep this much session history. */
export const RETENTION_DAYS = 30;

const DAY_MS = 86_400_000;
const DEFAULT_WINDOW_MS = DAY_MS;

/**
 * The window a question with no time words got, for a "no time was named, so this is ..." note: "the last 24
 * hours", or "the last 30 days" for a count ("last 5 failures"). Null when the window was named (or there is
 * none: running and pending sessions are shown whenever they started).
 */
export function describeDefaultWindow(intent: QueryIntent, now: Date): string | null {
  if (!intent.defaultWindow || intent.window === null) return null;
  return now.getTime() - intent.window.from.getTime() > 2 * DAY_MS
    ? `the last ${RETENTION_DAYS} days`
    : 'the last 24 hours';
}

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
  ...HELP_WORDS,
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
 * Slack message text can be passed as it is with `source: 'slack'`: mentions are dropped, auto-linked host names
 * and `&amp;`-style entities are undone. Other text is read as typed.
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

function parse(raw: string, asked: ParseOptions, suggest: boolean): ParsedQuestion {
  let options = asked;
  if (raw.length > MAX_QUESTION_LENGTH) {
    return notUnderstood(
      `That question is ${raw.length.toLocaleString('en-US')} characters long; I read questions of up to ${MAX_QUESTION_LENGTH.toLocaleString('en-US')} characters. Ask something shorter.`,
      GENERIC_SUGGESTIONS.slice(0, 3),
    );
  }
  const text = toPlainQuestion(raw, options.source === 'slack' ? 'slack' : 'plain');
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
  let tokens = tokenized.tokens;
  // "failed today in UTC", "since 08:00 Berlin time": the whole question is read in that zone
  const zoneRead = readZone(tokens);
  if (zoneRead.kind === 'error') return notUnderstood(zoneRead.error, GENERIC_SUGGESTIONS);
  if (zoneRead.kind === 'zone') {
    tokens = zoneRead.tokens;
    options = { ...options, timeZone: zoneRead.zone };
  }
  const ctx: TimeContext = {
    now: options.now,
    timeZone: options.timeZone,
    today: toLocalDay(options.now, options.timeZone),
  };
  let parts = readQuestionParts(tokens, ctx, options.names);
  const found: Correction[] = [];
  // one typo in a grammar word ("faild", "warnigns") or in a name EM knows ("apache2"): read as that word or
  // name when it is the only close one and the question then reads in full; the answer says so
  if (parts.unknownAt.length > 0 && parts.unquotedRuns.length === 0) {
    const fixed = [...tokens];
    for (const at of parts.unknownAt) {
      const token = tokens[at];
      if (token === undefined) break;
      const word = token.kind === 'word' ? correctWord(token.text) : null;
      const near = distinctNames(options.names?.near(token.text) ?? []);
      const name = near.length === 1 ? near[0] : undefined;
      if (word !== null && near.length === 0) {
        fixed[at] = { kind: 'word', text: word, lower: word };
        found.push({ typed: token.text, read: word, kind: 'word' });
      } else if (word === null && name !== undefined) {
        fixed[at] = { kind: 'quoted', text: name.name, lower: name.name.toLowerCase() };
        found.push({ typed: token.text, read: name.name, kind: name.kind });
      } else break;
    }
    if (found.length === parts.unknownAt.length) {
      const again = readQuestionParts(fixed, ctx, options.names);
      if (again.unknownAt.length === 0 && again.unquotedRuns.length === 0 && again.problems.length === 0) {
        parts = again;
        tokens = fixed;
      } else found.length = 0;
    } else found.length = 0;
  }
  const corrections: Correction[] = [...parts.corrections, ...found];

  const type: SessionType =
    parts.session?.type ?? (parts.jobLevel ? 'ReplicaJobSession' : 'ReplicaTaskSession');
  /** unquoted runs the job-name advice below already covers, so they are not explained twice */
  const explained = new Set<number>();
  if (type === 'ReplicaJobSession') {
    if (parts.vms.length > 0 && parts.session === null && parts.vmPhrases.length > 0) {
      // "failed job runs for Domain Controllers": words after "for" in a job-level question are most likely a job
      const names = parts.vmPhrases.flatMap((p) => p.names);
      const quoted = names.map((n) => `"${truncate(n, 40)}"`);
      const list =
        quoted.length === 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
      parts.problems.push(
        `Job runs have no VM name, so I cannot filter them for ${list}. If ${quoted.length === 1 ? 'that is a job' : 'those are jobs'}, say so: in job ${quoted.join(', ')}. For VM-level results, ask about replicas for ${quoted[0]}.`,
      );
      parts.unquotedRunSpans.forEach(([from], at) => {
        if (parts.vmPhrases.some((p) => from > p.from && from < p.to)) explained.add(at);
      });
    } else if (parts.vms.length > 0) {
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

  if (parts.nowText !== null && parts.time !== null) {
    parts.problems.push(
      `I read two times, "${truncate(parts.nowText, 40)}" and "${parts.timeText}"; ask for one time range.`,
    );
  } else if (parts.nowText !== null && !asksOnlyLiveSessions(parts)) {
    parts.problems.push(
      `"${truncate(parts.nowText, 40)}" goes with sessions still going on, as in "what is running now"; for others, name a time such as "today" or "last hour".`,
    );
  }

  if (parts.unknown.length > 0 || parts.problems.length > 0 || parts.unquotedRuns.length > 0) {
    const error = explainProblems(parts, tokens, explained);
    const suggestions = suggest ? suggestFixes(tokens, parts, options) : [];
    return notUnderstood(error, suggestions);
  }
  return { kind: 'query', intent: toIntent(parts, type, options, corrections, tokens[0]?.lower) };
}

/** One entry per name (a VM and a job both named web01 are one name here). */
function distinctNames(names: readonly KnownName[]): KnownName[] {
  const seen = new Set<string>();
  return names.filter((n) => {
    const key = n.name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `; I read "faild" as "failed"`: said after the explanation, so a wrong guess shows at once */
function describeCorrections(corrections: readonly Correction[]): string {
  if (corrections.length === 0) return '';
  const said = corrections.map((c) =>
    c.kind === 'word' ? `"${truncate(c.typed, 40)}" as "${c.read}"` : `${truncate(c.typed, 40)} as ${c.read}`,
  );
  return `; I read ${said.join(', ')}`;
}

function toIntent(
  parts: QuestionParts,
  type: SessionType,
  options: ParseOptions,
  corrections: Correction[],
  firstWord: string | undefined,
): QueryIntent {
  const answer = toAnswerKind(parts, firstWord, options.now);
  if (answer.kind === 'last-success') {
    // the newest success of each name over EM's 30 days; the window named is how old it may be
    parts.results = new Set(['Success']);
    parts.time = null;
    parts.limit = null;
    parts.order = null;
  }
  if (answer.kind === 'ranking' || answer.kind === 'duration') {
    // "top 5" cuts the rows of the answer, not the sessions read from EM
    parts.limit = null;
    parts.order = null;
  }
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
  } else if (asksOnlyLiveSessions(parts)) {
    // a stuck job or a long initial seed may have started days ago: exactly what "running" should show
    window = null;
    timeExplanation = ', whenever they started';
    timePhrase = null;
  } else if (parts.limit !== null || answer.kind === 'last-success') {
    // "last 5 failures for apache02" means the 5 newest EM has, not the 5 newest of today
    const from = minusUnits(options.now, RETENTION_DAYS, 'day', options.timeZone);
    window = { from, to: null };
    defaultWindow = true;
    timeExplanation = `in the last ${RETENTION_DAYS} days (EM keeps ${RETENTION_DAYS} days), since ${formatIn(from, options.timeZone, 'EEE d MMM yyyy HH:mm')} (${options.timeZone})`;
    timePhrase = `in the last ${RETENTION_DAYS} days`;
  } else {
    const from = new Date(options.now.getTime() - DEFAULT_WINDOW_MS);
    window = { from, to: null };
    defaultWindow = true;
    // the UI adds its own "no time was named" note (defaultWindow), so this names the window only
    timeExplanation = `in the last 24 hours (since ${formatIn(from, options.timeZone, 'EEE d MMM yyyy HH:mm')}, ${options.timeZone})`;
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
    explanation:
      describeAnswerKind(answer) + describeExplanation(describe) + describeCorrections(corrections),
    phrase: describePhrase(describe),
    window,
    defaultWindow: answer.kind === 'last-success' ? false : defaultWindow,
    // calendar days, so "last 30 days" across a DST change is not flagged for its extra hour
    beyondRetention:
      window !== null &&
      window.from.getTime() < minusUnits(options.now, RETENTION_DAYS, 'day', options.timeZone).getTime(),
    sessionId: parts.session?.uid ?? null,
    timeZone: options.timeZone,
    corrections,
    answer,
  };
}

/**
 * True when every state asked for is one that is still going on (running, pending) and no result is asked
 * for beside it with "or" ("failed or running" still needs a window for its failures).
 */
function asksOnlyLiveSessions(parts: QuestionParts): boolean {
  if (parts.states.size === 0 || parts.session !== null) return false;
  if (parts.statusOr && parts.results.size > 0) return false;
  return [...parts.states].every((s) => s === 'running' || s === 'pending');
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

function explainProblems(
  parts: QuestionParts,
  tokens: readonly Token[],
  explained: ReadonlySet<number>,
): string {
  const sentences: string[] = [...parts.problems];
  for (const [at, run] of parts.unquotedRuns.entries()) {
    if (explained.has(at)) continue;
    sentences.push(`If "${truncate(run, 60)}" is one name, put it in quotes: "${truncate(run, 60)}".`);
  }
  const unknown = parts.unknownAt.filter((at) => !inRun(parts, at));
  if (unknown.length > 0) {
    sentences.push(`I did not understand ${quoteList(unknown.map((at) => shown(tokenAt(tokens, at))))}.`);
    // the same names the suggestions would offer, and only those: never "for evening" or "for asdkjh"
    const names = namesToMove(
      unknown.filter(
        (at) => tokenAt(tokens, at).kind !== 'word' || nearestWord(tokenAt(tokens, at).text) === null,
      ),
      tokens,
      parts,
    );
    const name = names?.find((n) => n.at.every((at) => tokenAt(tokens, at).kind === 'word'));
    if (name?.text.startsWith('"')) {
      const n = truncate(name.text, 42);
      sentences.push(`If ${n} is one name, say which: for ${n} (a VM), job ${n} or on server ${n}.`);
    } else if (name !== undefined) {
      const n = truncate(name.text, 40);
      sentences.push(`If "${n}" is a name, say which: "for ${n}" (a VM), "job ${n}" or "on server ${n}".`);
    }
  }
  return sentences.join(' ');
}

function shown(token: Token): string {
  return token.kind === 'quoted' ? `"${token.text}"` : token.text;
}

function inRun(parts: QuestionParts, at: number): boolean {
  return parts.unquotedRunSpans.some(([from, to]) => at >= from && at < to);
}

/** Something besides the unknown words was understood: a status, a time, a target, an order ... */
function hasContent(parts: QuestionParts): boolean {
  return (
    parts.results.size > 0 ||
    parts.states.size > 0 ||
    parts.time !== null ||
    parts.vms.length + parts.jobs.length + parts.servers.length > 0 ||
    parts.order !== null ||
    parts.limit !== null ||
    parts.jobLevel ||
    parts.session !== null
  );
}

/** Host-name shaped: a digit, a dot, a dash or an underscore in it (apache02, srv02.corp.local, dc-01). */
function looksLikeHostName(word: string): boolean {
  return /^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u.test(word) && /[\p{N}._-]/u.test(word);
}

/**
 * Whether an unknown word may be offered back as a name. Never an ordinary English word ("evening",
 * "anything"); a plain word only when the rest of the question was understood ("exchange failed"), so that
 * gibberish is not turned into a list of VMs.
 */
function isPlausibleName(at: number, tokens: readonly Token[], parts: QuestionParts): boolean {
  const token = tokenAt(tokens, at);
  if (token.kind === 'quoted') return true;
  if (token.kind !== 'word' || token.text.length > 63) return false;
  if (KNOWN_WORDS.has(token.lower) || ORDINARY_WORDS.has(token.lower)) return false;
  if (!/^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u.test(token.text)) return false;
  return looksLikeHostName(token.text) || hasContent(parts);
}

/** The closest grammar word for a typo ("faild" -> "failed"), or null. */
function nearestWord(word: string): string | null {
  const lower = word.toLowerCase();
  if (lower.length < 4 || lower.length > 20 || !/^[a-z]+$/.test(lower)) return null;
  // an ordinary word ("evening", "anything") is what it says, not a misspelt grammar word
  if (ORDINARY_WORDS.has(lower)) return null;
  const allowed = lower.length <= 5 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = allowed + 1;
  for (const known of KNOWN_WORDS) {
    if (known.length < 4 || Math.abs(known.length - lower.length) > allowed) continue;
    const d = textDistance(lower, known, bestDistance);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

function toText(tokens: readonly Token[]): string {
  return tokens
    .map((t) => (t.kind === 'quoted' ? `"${t.text.replaceAll('"', '""')}"` : t.text))
    .join(' ')
    .replaceAll(' ,', ',');
}

/** Question words that only make sense in the asker's own word order; dropped from a reordered suggestion. */
const LEADING_FILLER = new Set([
  'how',
  'did',
  'do',
  'does',
  'what',
  "what's",
  'what’s',
  'whats',
  'which',
  'is',
  'are',
  'was',
  'were',
  'has',
  'have',
  'had',
  'there',
  'any',
  'anything',
  'something',
  'show',
  'list',
  'give',
  'get',
  'find',
  'tell',
  'me',
  'us',
  'please',
]);

/** Prepositions that go with a name moved to the end ("failed in apache02" -> "failed for apache02"). */
const NAME_PREPOSITIONS = new Set(['in', 'on', 'at', 'from', 'of', 'for']);

/**
 * Repairs of the asker's own question, each kept only when it reads as a query; then general examples.
 * A repair only quotes a name with spaces, fixes a typo, offers a replacement the problem named, or moves
 * name-shaped unknown words behind "for"; ordinary words and gibberish are never turned into names.
 */
function suggestFixes(tokens: readonly Token[], parts: QuestionParts, options: ParseOptions): string[] {
  const candidates: string[] = [];
  // 1. a name with spaces in quotes: "for SQL Srv 01" -> for "SQL Srv 01"; typos fixed
  const covered = new Set<number>();
  const spanStart = new Map<number, number>();
  for (const [from, to] of parts.unquotedRunSpans) {
    spanStart.set(from, to);
    for (let at = from; at < to; at++) covered.add(at);
  }
  const fixed: Array<Token | null> = tokens.map((t, at) => {
    const end = spanStart.get(at);
    if (end !== undefined) {
      const name = tokens
        .slice(at, end)
        .map((x) => x.text)
        .join(' ');
      return { kind: 'quoted', text: name, lower: name.toLowerCase() };
    }
    return covered.has(at) ? null : { ...t };
  });
  const asTokens = (list: Array<Token | null>): Token[] => list.filter((t): t is Token => t !== null);

  // 0. a job-level question's "for Domain Controllers" as a job: in job "Domain Controllers"
  if (parts.jobLevel && parts.session === null && parts.vmPhrases.length > 0) {
    const asJob: Array<Token | null> = tokens.map((t) => ({ ...t }));
    for (const phrase of [...parts.vmPhrases].reverse()) {
      const names = phrase.names.flatMap((name, n): Token[] => [
        ...(n > 0 ? [{ kind: 'comma', text: ',', lower: ',' } as const] : []),
        { kind: 'quoted', text: name, lower: name.toLowerCase() },
      ]);
      asJob.splice(
        phrase.from,
        phrase.to - phrase.from,
        { kind: 'word', text: 'in', lower: 'in' },
        { kind: 'word', text: 'job', lower: 'job' },
        ...names,
      );
    }
    candidates.push(toText(asTokens(asJob)));
  }
  const rest: number[] = [];
  for (const at of parts.unknownAt) {
    if (covered.has(at)) continue;
    const token = tokenAt(tokens, at);
    const near = token.kind === 'word' ? nearestWord(token.text) : null;
    if (near !== null) fixed[at] = { kind: 'word', text: near, lower: near };
    else rest.push(at);
  }
  if (rest.length === 0 && (parts.unknownAt.length > 0 || parts.unquotedRunSpans.length > 0))
    candidates.push(toText(asTokens(fixed)));

  // 1b. a near miss of several names EM knows: each of them ("apache0" -> apache01, apache02)
  for (const at of rest) {
    const token = tokens[at];
    const near = token === undefined ? [] : distinctNames(options.names?.near(token.text) ?? []);
    for (const name of near.slice(0, 3)) {
      const replaced = [...fixed];
      replaced[at] = /[\s,"]/.test(name.name)
        ? { kind: 'quoted', text: name.name, lower: name.name.toLowerCase() }
        : { kind: 'word', text: name.name, lower: name.name.toLowerCase() };
      candidates.push(toText(asTokens(replaced)));
    }
  }

  // 2. the remaining unknown words as names behind "for": "apache02 failed today" -> "failed today for apache02"
  // only when the question names nothing itself: with "vm apache02" or "job Exchange ... Replica" typed, moving
  // another word behind "for" would split the user's name ("DAG" out of a job name) or add a command word as a VM
  // ("mute vm apache02 1h" -> "vm apache02 1h for mute"), which parses but is not what was meant
  const namesSomething = parts.vms.length > 0 || parts.jobs.length > 0 || parts.servers.length > 0;
  const names = rest.length > 0 && !namesSomething ? namesToMove(rest, tokens, parts) : null;
  if (names !== null) {
    const moved = new Set(names.flatMap((n) => n.at));
    const kept = fixed.map((t, at) => {
      if (t === null || moved.has(at)) return null;
      // a preposition left dangling before a moved name goes with it ("failed in apache02")
      if (NAME_PREPOSITIONS.has(t.lower) && moved.has(at + 1)) return null;
      return t;
    });
    const keptTokens = asTokens(kept);
    for (
      let first = keptTokens[0];
      first?.kind === 'word' && LEADING_FILLER.has(first.lower);
      first = keptTokens[0]
    )
      keptTokens.shift();
    candidates.push(`${toText(keptTokens)} for ${names.map((n) => n.text).join(', ')}`.trim());
  }

  // 3. replacements the problem itself offered ("stopped" -> "finished", "failed")
  const fallbacks: string[] = [];
  const typed = new Set(tokens.map((t) => t.lower));
  for (const { at, words } of parts.replacements) {
    // "failed stopped" -> "failed finished", not "failed failed"
    for (const word of words.filter((w) => !typed.has(w))) {
      const replaced = [...fixed];
      replaced[at] = { kind: 'word', text: word, lower: word };
      candidates.push(toText(asTokens(replaced)));
      // sizes are per VM: "biggest replicas" even when job runs were asked for
      fallbacks.push(`${word} ${parts.jobLevel && word !== 'biggest' ? 'replication jobs' : 'replicas'}`);
    }
  }

  const plain: ParseOptions = { ...options, source: 'plain' };
  const out: string[] = [];
  for (const candidate of candidates) {
    if (out.includes(candidate) || candidate.length > MAX_QUESTION_LENGTH) continue;
    if (parse(candidate, plain, false).kind === 'query') out.push(candidate);
    if (out.length === 2) break;
  }
  for (const example of [...fallbacks, ...GENERIC_SUGGESTIONS, ...EXAMPLE_QUESTIONS]) {
    if (out.length >= 3) break;
    if (!out.includes(example)) out.push(example);
  }
  return out;
}

/**
 * The unknown words as names, grouped where they stand together ("sql 02" -> one quoted name); null when any
 * of them does not look like a name, so that no suggestion turns ordinary words or gibberish into VMs.
 */
function namesToMove(
  unknownAt: readonly number[],
  tokens: readonly Token[],
  parts: QuestionParts,
): Array<{ at: number[]; text: string }> | null {
  // words side by side are one name with a space ("sql 02"), unless each is a host name ("dc01 dc02")
  const hostLike = (at: number): boolean =>
    tokenAt(tokens, at).kind === 'word' &&
    looksLikeHostName(tokenAt(tokens, at).text) &&
    /\p{L}/u.test(tokenAt(tokens, at).text);
  const groups: number[][] = [];
  for (const at of unknownAt) {
    const last = groups.at(-1);
    if (
      last !== undefined &&
      last.at(-1) === at - 1 &&
      tokenAt(tokens, at).kind === 'word' &&
      tokenAt(tokens, at - 1).kind === 'word'
    )
      last.push(at);
    else groups.push([at]);
  }
  for (let g = groups.length - 1; g >= 0; g--) {
    const group = groups[g] ?? [];
    if (group.length > 1 && group.every(hostLike)) groups.splice(g, 1, ...group.map((at) => [at]));
  }
  if (groups.length > 3) return null;
  const names: Array<{ at: number[]; text: string }> = [];
  for (const group of groups) {
    if (!group.every((at) => isPlausibleName(at, tokens, parts))) return null;
    const words = group.map((at) => tokenAt(tokens, at));
    const single = words.length === 1 ? (words[0] ?? null) : null;
    if (single !== null) {
      // beside other names, a plain word is more likely English than a VM
      if (groups.length > 1 && single.kind === 'word' && !looksLikeHostName(single.text)) return null;
      names.push({
        at: group,
        text:
          single.kind === 'quoted' || /[\s,"]/.test(single.text)
            ? `"${single.text.replaceAll('"', '""')}"`
            : single.text,
      });
      continue;
    }
    // "failures sql 02": one name with a space, if it has a host-name part
    if (words.length > 3 || !words.some((t) => looksLikeHostName(t.text))) return null;
    const text = words.map((t) => t.text).join(' ');
    names.push({ at: group, text: `"${text.replaceAll('"', '""')}"` });
  }
  return names;
}
