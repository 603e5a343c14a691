/**
 * The words the question grammar knows. Kept in one place so that the reader, the "did you mean" suggestions
 * and the rule "a bare name may not be a grammar word" all agree.
 */
import type { SessionResult } from '../core/sessions.js';

/**
 * A lookup table without a prototype, so that typed words such as "__proto__" or "constructor" find nothing
 * instead of Object.prototype's members.
 */
export function wordTable<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  // cast: Object.create(null) is typed any; it is an empty record (no prototype, so no inherited keys)
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

/** Result words and the EM results they stand for (several words mean "Warning or Failed"). */
export const RESULT_WORDS: Readonly<Record<string, readonly SessionResult[]>> = wordTable({
  failed: ['Failed'],
  fail: ['Failed'],
  fails: ['Failed'],
  failing: ['Failed'],
  failure: ['Failed'],
  failures: ['Failed'],
  error: ['Failed'],
  errors: ['Failed'],
  errored: ['Failed'],
  broken: ['Failed'],
  warning: ['Warning'],
  warnings: ['Warning'],
  warn: ['Warning'],
  warned: ['Warning'],
  succeeded: ['Success'],
  success: ['Success'],
  successes: ['Success'],
  successful: ['Success'],
  successfully: ['Success'],
  succeed: ['Success'],
  succeeds: ['Success'],
  good: ['Success'],
  ok: ['Success'],
  okay: ['Success'],
  unsuccessful: ['Warning', 'Failed'],
  problem: ['Warning', 'Failed'],
  problems: ['Warning', 'Failed'],
  issue: ['Warning', 'Failed'],
  issues: ['Warning', 'Failed'],
});

/** Words that can follow "not" to mean "Warning or Failed". */
export const NEGATABLE_SUCCESS = new Set([
  'successful',
  'succeeded',
  'success',
  'ok',
  'okay',
  'successfully',
]);

/** A state as the asker means it; mapped to the task or job enum once the level is known. */
export type StateWord = 'running' | 'pending' | 'finished';

export const STATE_WORDS: Readonly<Record<string, StateWord>> = wordTable({
  running: 'running',
  active: 'running',
  ongoing: 'running',
  working: 'running',
  pending: 'pending',
  queued: 'pending',
  waiting: 'pending',
  starting: 'pending',
  finished: 'finished',
  completed: 'finished',
  complete: 'finished',
  done: 'finished',
  ended: 'finished',
});

/**
 * Words an admin uses for a session someone stopped or cancelled. EM's task-session states (Pending,
 * InProgress, Completed) and job-run states cannot tell such a run from one that ended normally, so these are
 * refused with a message instead of being read as "finished".
 */
export const STOPPED_WORDS = new Set(['stopped', 'cancelled', 'canceled', 'aborted']);

/** Parts of a day as local clock hours [start, end); the night runs past midnight to 06:00 the next day. */
export type DayPart = 'morning' | 'afternoon' | 'evening' | 'night';

export const DAY_PART_WORDS: Readonly<Record<string, DayPart>> = wordTable({
  morning: 'morning',
  afternoon: 'afternoon',
  evening: 'evening',
  night: 'night',
});

export const DAY_PART_HOURS: Readonly<Record<DayPart, readonly [number, number]>> = {
  morning: [6, 12],
  afternoon: [12, 18],
  evening: [18, 24],
  night: [18, 30],
};

/** Words that carry no meaning for the query and are skipped. Everything else must be understood. */
export const FILLER_WORDS = new Set([
  'replica',
  'replicas',
  'replication',
  'replications',
  'replicated',
  // "is apache02 replicating", "did it replicate"
  'replicating',
  'replicate',
  'task',
  'tasks',
  'session',
  'sessions',
  'vm',
  'vms',
  'machines',
  'show',
  'list',
  'give',
  'get',
  'find',
  'tell',
  'me',
  'us',
  'my',
  'our',
  'which',
  'what',
  // "what's running": the question word carries no meaning of its own
  "what's",
  'what’s',
  'whats',
  'were',
  'was',
  'are',
  'is',
  'did',
  'do',
  'does',
  'have',
  'has',
  'had',
  'been',
  'there',
  'please',
  'pls',
  'thanks',
  'the',
  'a',
  'an',
  'all',
  'any',
  // "did anything fail?", "has something failed?": the question is the result word
  'anything',
  'something',
  // "how did everything do", "failures for every vm": no name filter at all
  'everything',
  'every',
  'each',
  'everyone',
  'everybody',
  'whole',
  'entire',
  'with',
  'that',
  'those',
  'these',
  'status',
  'results',
  'result',
  'so',
  'far',
  'within',
  'over',
  'during',
  'in',
  'for',
  'of',
  'on',
  'and',
  'or',
  'also',
  'plus',
  '&',
  'up',
  'run',
  'runs',
  'state',
  'ones',
  'one',
  // "how many failed today": the answer lists them with a count anyway
  'how',
  'many',
  'count',
  'number',
]);

/** Words that end an unquoted multi-word job name (the start of another part of the question). */
export const CLAUSE_WORDS = new Set([
  'now',
  'currently',
  'for',
  'of',
  'on',
  'in',
  'vm',
  'vms',
  'server',
  'backup',
  'job',
  'jobs',
  'and',
  'or',
  'since',
  'between',
  'from',
  'today',
  'yesterday',
  'last',
  'past',
  'this',
  'latest',
  'newest',
  'oldest',
  'earliest',
  'biggest',
  'largest',
  'smallest',
  'most',
  'top',
  'not',
  'please',
  'thanks',
  'with',
  'sorted',
  'by',
  'limit',
]);

export type TimeUnit = 'minute' | 'hour' | 'day' | 'week' | 'month';

export const UNIT_WORDS: Readonly<Record<string, TimeUnit>> = wordTable({
  minute: 'minute',
  minutes: 'minute',
  min: 'minute',
  mins: 'minute',
  hour: 'hour',
  hours: 'hour',
  hr: 'hour',
  hrs: 'hour',
  day: 'day',
  days: 'day',
  week: 'week',
  weeks: 'week',
  wk: 'week',
  wks: 'week',
  month: 'month',
  months: 'month',
});

/** Short forms such as `24h`, `7d`, `30m`, `2w`. */
export const SHORT_UNITS: Readonly<Record<string, TimeUnit>> = wordTable({
  m: 'minute',
  min: 'minute',
  mins: 'minute',
  h: 'hour',
  hr: 'hour',
  hrs: 'hour',
  d: 'day',
  w: 'week',
  wk: 'week',
});

/** Day of the week as `Date#getDay()` numbers it (0 = Sunday). */
export const WEEKDAY_WORDS: Readonly<Record<string, number>> = wordTable({
  sunday: 0,
  sun: 0,
  monday: 1,
  mon: 1,
  tuesday: 2,
  tue: 2,
  tues: 2,
  wednesday: 3,
  wed: 3,
  thursday: 4,
  thu: 4,
  thur: 4,
  thurs: 4,
  friday: 5,
  fri: 5,
  saturday: 6,
  sat: 6,
});

/** Month numbers 1..12. */
export const MONTH_WORDS: Readonly<Record<string, number>> = wordTable({
  january: 1,
  jan: 1,
  february: 2,
  feb: 2,
  march: 3,
  mar: 3,
  april: 4,
  apr: 4,
  may: 5,
  june: 6,
  jun: 6,
  july: 7,
  jul: 7,
  august: 8,
  aug: 8,
  september: 9,
  sep: 9,
  sept: 9,
  october: 10,
  oct: 10,
  november: 11,
  nov: 11,
  december: 12,
  dec: 12,
});

export const NUMBER_WORDS: Readonly<Record<string, number>> = wordTable({
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  fifty: 50,
  hundred: 100,
});

/** Singular nouns after "latest"/"oldest"/"biggest" that mean "just one" ("the latest failure"). */
export const SINGULAR_NOUNS = new Set([
  'replica',
  'session',
  'run',
  'failure',
  'error',
  'warning',
  'success',
  'one',
  'task',
  'problem',
  'issue',
]);

const OTHER_KEYWORDS = [
  'today',
  'yesterday',
  'tonight',
  'tomorrow',
  'overnight',
  'next',
  'midday',
  'go',
  'going',
  'doing',
  'done',
  'gone',
  'look',
  'looking',
  "how's",
  'since',
  'between',
  'from',
  'to',
  'until',
  'till',
  'last',
  'past',
  'previous',
  'this',
  'ago',
  'at',
  'noon',
  'midnight',
  'am',
  'pm',
  'latest',
  'newest',
  'recent',
  'most',
  'oldest',
  'earliest',
  'first',
  'biggest',
  'largest',
  'smallest',
  'top',
  'limit',
  'sorted',
  'by',
  'size',
  'chronological',
  'chronologically',
  'not',
  'job',
  'jobs',
  'server',
  'servers',
  'backup',
  'vbr',
  'progress',
  'help',
  'weekend',
  'fortnight',
  'before',
  // kinds of answer: "when did ... last", "per job", "success rate", "longer than", "vs"
  'when',
  'per',
  'rate',
  'than',
  'longer',
  'took',
  'twice',
  'once',
  'times',
  'vs',
  'versus',
  'compared',
  'against',
  'without',
  'never',
  "haven't",
  "hasn't",
  "didn't",
  'good',
];

/**
 * "Now" words: with running or pending sessions they mean "whenever they started" (no time bound); "right"
 * only counts before "now".
 */
export const NOW_WORDS = new Set(['now', 'currently', 'presently']);

/**
 * Orders by how long a session took. EM cannot sort by duration, so these are refused with a pointer to the
 * daily digest, never read as a size order.
 */
export const DURATION_WORDS = new Set([
  'longest',
  'slowest',
  'shortest',
  'fastest',
  'quickest',
  'long-running',
  'longest-running',
]);

/** Every word the grammar gives a meaning to. A bare (unquoted) name may not be one of these. */
export const KNOWN_WORDS: ReadonlySet<string> = new Set([
  ...Object.keys(RESULT_WORDS),
  ...Object.keys(STATE_WORDS),
  ...STOPPED_WORDS,
  ...Object.keys(DAY_PART_WORDS),
  ...FILLER_WORDS,
  ...Object.keys(UNIT_WORDS),
  ...Object.keys(WEEKDAY_WORDS),
  ...Object.keys(MONTH_WORDS),
  ...Object.keys(NUMBER_WORDS),
  ...OTHER_KEYWORDS,
  ...NOW_WORDS,
  ...DURATION_WORDS,
]);

/**
 * Ordinary English words that are never offered back as a VM, job or server name in a suggestion ("did
 * anything fail" must not become "did fail for anything"). Not a dictionary: the words admins put around a
 * question. A VM really named like one of these can still be asked for in quotes.
 */
export const ORDINARY_WORDS: ReadonlySet<string> = new Set(
  `
    now then soon later earlier before after ago tomorrow tonight overnight
    morning afternoon evening night nights midnight noon weekend weekday year
    years yet still already again always never ever often recently lately
    currently next previous current time times date when while until till
    how what which who whom whose why where whether if it its it's i
    you your we they them their he she his her this that these those
    there here a an the some any all each every none no yes not
    anything everything something nothing anyone everyone someone nobody anybody
    everybody somebody other others another more most less least much many
    few both either neither only just also too very really so such
    is are was were be been being am do does did done doing don't
    didn't doesn't have has had can could will would shall should may
    might must go goes going went gone get got show list give tell
    find see look looking check know want need like happen happened
    happening work worked working run ran runs succeed fare fared perform
    performed make made stop start started end try tried please thanks
    thank hello hi hey
    in on at for of to from by with without about into over under
    up down out off and or but as than because me my us our
    good bad fine well wrong right new old big small long slow fast
    stuck late early last first same different whole full empty ok okay
    backup backups copy copies restore restores snapshot snapshots job jobs
    server servers host hosts machine machines vm vms veeam replica replicas
    weather status report summary error errors thing things stuff
  `
    .trim()
    .split(/\s+/),
);
