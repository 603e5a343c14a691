/**
 * The one router behind every front door (slash command, mention, DM, App Home, terminal, `replibot ask`):
 * a question and the asker in, a reply model out. Its totals by result come from EM's counts and its rows from
 * the one EM page it shows; only an answer that shows every row (`ask --format json`) reads every row.
 */

import { toReplibotError } from '../../core/errors.js';
import { and, cmp, type Filter } from '../../core/filter.js';
import type { EmApi, EmPage, EmQuery } from '../../core/ports.js';
import { toSessionId } from '../../core/sessions.js';
import { isHelpRequest } from '../../question/help.js';
import type { NameCatalogue } from '../../question/name-catalogue.js';
import type { ParsedQuestion, QueryIntent } from '../../question/query-intent.js';
import {
  answerCompare,
  answerDurations,
  answerLastSuccess,
  answerRanking,
  type DurationAnswer,
  toVerdict,
} from './answer-kinds.js';
import { toIntentEm, withJobTypeNames, withParentJobNames, withWorkerJobTypes } from './backup-answers.js';
import { checkNames, toNamedValues } from './check-names.js';
import type { KnownCounts } from './count-results.js';
import { countResults } from './count-results.js';
import type { NameSource } from './name-source.js';
import { planResultCounts } from './plan-result-counts.js';
import type { HelpContent, JobRunReply, Reply, ResultCounts, SessionListReply, SessionRow } from './reply.js';
import { toJobRow, toTaskRow } from './session-row.js';

/**
 * Where a question was typed: Slack text carries markup (`<@U1>`, `<!channel>`, `&amp;`) the parser undoes;
 * plain text (terminal, `replibot ask`) is read as it is, so a VM really named `<!channel>` can be asked about.
 */
export type QuestionSource = 'slack' | 'plain';

/** `parseQuestion` from src/question/, injected so the router does not care how questions are read. */
export type QuestionParser = (
  text: string,
  context: { now: Date; timeZone: string; source?: QuestionSource; names?: NameCatalogue },
) => ParsedQuestion;

export interface AnswerDeps {
  em: EmApi;
  parseQuestion: QuestionParser;
  help: () => HelpContent;
  /** a short id for an error reply ("R-4F2A9C"); the adapter makes it, the core has no randomness */
  newReferenceId: () => string;
  /** the names EM knows, so a bare "apache02" is read as the VM; without it names are read by grammar */
  names?: NameSource;
}

export interface Asker {
  /** Slack user id, or null in the terminal */
  userId: string | null;
  timeZone: string;
  /** how the question's text is to be read; default 'plain' */
  source?: QuestionSource;
}

export type { KnownCounts };

export interface AnswerOptions {
  now: Date;
  /** first session shown (0-based) */
  offset?: number;
  /** sessions shown; Infinity for all of them (`ask --format json`) */
  pageSize: number;
  /** commands the surface adds to help */
  commands?: Array<{ usage: string; description: string }>;
  /**
   * The totals the first page of this answer counted ("Show more", `more`): a later page then fetches only its
   * rows, and reads the same totals as the page before it.
   */
  known?: KnownCounts;
}

/**
 * Sessions replibot reads for one answer at most. EM keeps about 30 days; a busy site has a few thousand task
 * sessions in that time, so this only stops a runaway query, and the answer then says its counts are partial.
 */
const MAX_SESSIONS_SCANNED = 100_000;

/** The largest page fetched as one EM page (EM pages stop at 10,000 rows); a larger one reads every row. */
const MAX_PAGE_SHOWN = 1000;

function emptyCounts(): ResultCounts {
  return { None: 0, Success: 0, Warning: 0, Failed: 0, Unknown: 0 };
}

export async function answerQuestion(
  question: string,
  asker: Asker,
  options: AnswerOptions,
  deps: AnswerDeps,
): Promise<Reply> {
  let parsed: ParsedQuestion;
  let names: NameCatalogue | undefined;
  try {
    const context = {
      now: options.now,
      timeZone: asker.timeZone,
      ...(asker.source ? { source: asker.source } : {}),
    };
    parsed = deps.parseQuestion(question, context);
    // the names EM knows are read only for a question that needs them: one the grammar alone cannot read, one
    // that names a VM, job or server (EM's spelling, near misses), or a list of every VM; "failed today" costs
    // no catalogue at all
    if (deps.names !== undefined && !isHelpRequest(question) && needsNames(parsed)) {
      names = await deps.names.catalogue(options.now);
      if (names !== undefined) parsed = deps.parseQuestion(question, { ...context, names });
    }
  } catch (error) {
    return toErrorReply(error, deps);
  }
  switch (parsed.kind) {
    case 'help':
      return { kind: 'help', help: deps.help(), commands: options.commands ?? [] };
    case 'not-understood':
      return { kind: 'not-understood', question, error: parsed.error, suggestions: parsed.suggestions };
    case 'query':
      try {
        // backup questions (read-kind.ts) read EM's backup sessions; replication is the default
        const em = toIntentEm(deps.em, parsed.intent);
        const intent = await withParentJobNames(await withJobTypeNames(parsed.intent, em), em);
        if (intent.sessionId !== null && intent.type === 'ReplicaJobSession') {
          return await answerJobRun(intent.sessionId, { ...options, timeZone: asker.timeZone }, { em });
        }
        const kind = intent.answer;
        const now = options.now;
        switch (kind.kind) {
          case 'ranking':
            return { question, ...(await answerRanking(intent, kind, now, em)) };
          case 'last-success':
            return { question, ...(await answerLastSuccess(intent, kind, now, em, names)) };
          case 'compare':
            return { question, ...(await answerCompare(intent, kind, now, em)) };
          case 'duration': {
            const byDuration = await answerByDuration(question, intent, kind, options, em);
            return { ...byDuration, sessions: await withWorkerJobTypes(byDuration.sessions, intent, em) };
          }
          case 'list':
          case 'yes-no':
            break;
        }
        const read = await answerIntent(question, intent, options, em);
        // an immediate-copy worker's rows named under their parent copy job (backup-answers.ts)
        const reply = { ...read, sessions: await withWorkerJobTypes(read.sessions, intent, em) };
        if (kind.kind === 'yes-no') {
          const verdict = await toVerdict(intent, reply, now, em);
          return { ...reply, verdict };
        }
        return reply.total === 0 ? await withNameCheck(reply, em) : reply;
      } catch (error) {
        return toErrorReply(error, deps);
      }
  }
}

/** Runs an already parsed intent (the App Home and digests use this with an intent they built). */
async function answerIntent(
  question: string,
  intent: QueryIntent,
  options: AnswerOptions,
  em: EmApi,
): Promise<SessionListReply> {
  const offset = Math.max(0, Math.trunc(options.offset ?? 0));
  const pageSize = options.pageSize;
  const reply = (
    found: Omit<SessionListReply, 'kind' | 'question' | 'intent' | 'offset' | 'pageSize' | 'now'>,
  ) =>
    // cast: the spread adds exactly the omitted fields back; TypeScript cannot see that Omit + those keys is the whole type
    ({ kind: 'answer', question, intent, offset, pageSize, now: options.now, ...found }) as SessionListReply;

  if (intent.sessionId !== null) {
    // A session named by id: one lookup, no query.
    const session =
      intent.type === 'ReplicaTaskSession'
        ? toTaskRow(await em.getTaskSession(toSessionId(intent.sessionId)))
        : toJobRow(await em.getJobSession(toSessionId(intent.sessionId)));
    const counts = emptyCounts();
    counts[session.result] += 1;
    return reply({
      total: 1,
      counts,
      sessions: offset === 0 && pageSize > 0 ? [session] : [],
      truncated: false,
      unreadableRows: 0,
    });
  }
  // Every page reads up to the moment of the first answer: sessions that start while someone reads page 1
  // would otherwise push rows down, and page 2 would repeat some and skip none of them.
  const filter = and(intent.filter, cmp('CreationTime', '<=', options.now));
  if (!Number.isFinite(pageSize) || pageSize > MAX_PAGE_SHOWN)
    return reply(await readEveryRow(intent, filter, offset, pageSize, em));
  return reply(
    await readOnePage(intent, filter, offset, Math.max(1, Math.trunc(pageSize)), options.known, em),
  );
}

type FoundSessions = Pick<SessionListReply, 'total' | 'counts' | 'sessions' | 'truncated' | 'unreadableRows'>;

/**
 * `ask --format json` and `--format text` show every row: they are read page by page as EM sends them, and the
 * counts come from the rows themselves.
 */
async function readEveryRow(
  intent: QueryIntent,
  filter: Filter,
  offset: number,
  pageSize: number,
  em: EmApi,
): Promise<FoundSessions> {
  const counts = emptyCounts();
  const page: SessionRow[] = [];
  let total = 0;
  let truncated = false;
  let unreadableRows = 0;
  const query: EmQuery = {
    filter,
    sort: intent.sort,
    limit: intent.limit,
    onUnreadableRow: () => {
      unreadableRows += 1;
    },
  };
  const rows: AsyncIterable<SessionRow> =
    intent.type === 'ReplicaTaskSession'
      ? mapRows(em.queryTaskSessions(query), toTaskRow)
      : mapRows(em.queryJobSessions(query), toJobRow);
  for await (const row of rows) {
    if (total >= MAX_SESSIONS_SCANNED) {
      truncated = true;
      break;
    }
    counts[row.result] += 1;
    if (total >= offset && page.length < pageSize) page.push(row);
    total += 1;
  }
  return { total, counts, sessions: page, truncated, unreadableRows };
}

/**
 * One page of an answer: its rows fetched as one EM page (two when the offset falls inside an EM page), its
 * totals by result from count queries (`planResultCounts`), or from the rows when the first page holds them all,
 * or as the first answer counted them (`known`, carried by "Show more" and `more`).
 */
async function readOnePage(
  intent: QueryIntent,
  filter: Filter,
  offset: number,
  pageSize: number,
  known: KnownCounts | undefined,
  em: EmApi,
): Promise<FoundSessions> {
  const limit = intent.limit;
  const plan = planResultCounts(intent.type, intent.filter);
  let unreadableRows = 0;
  const query: EmQuery = {
    filter,
    sort: intent.sort,
    onUnreadableRow: () => {
      unreadableRows += 1;
    },
  };
  if (limit !== null && plan.only === null && known === undefined) {
    // "the last 50 replicas": the totals are those of the 50 rows, which only the rows can give (at most 1,000)
    return readEveryRow(intent, filter, offset, pageSize, em);
  }
  const end = limit === null ? offset + pageSize : Math.min(offset + pageSize, limit);
  const firstPage = Math.floor(offset / pageSize) + 1;
  const pageNumbers = offset % pageSize === 0 ? [firstPage] : [firstPage, firstPage + 1];
  const fetchPage = (page: number): Promise<EmPage<SessionRow>> =>
    intent.type === 'ReplicaTaskSession'
      ? em
          .queryTaskSessionPage({ ...query, pageSize }, page)
          .then((p) => ({ ...p, items: p.items.map(toTaskRow) }))
      : em
          .queryJobSessionPage({ ...query, pageSize }, page)
          .then((p) => ({ ...p, items: p.items.map(toJobRow) }));
  const toRows = (pages: Array<EmPage<SessionRow>>): SessionRow[] => {
    const seen = new Set<string>();
    const rows: SessionRow[] = [];
    for (const page of pages)
      for (const row of page.items) {
        if (seen.has(row.uid)) continue;
        seen.add(row.uid);
        rows.push(row);
      }
    const from = offset - (firstPage - 1) * pageSize;
    return end <= offset ? [] : rows.slice(from, from + (end - offset));
  };

  if (known !== undefined) {
    const pages = end > offset ? await Promise.all(pageNumbers.map(fetchPage)) : [];
    return { ...known, sessions: toRows(pages), truncated: false, unreadableRows };
  }
  if (offset === 0) {
    const fromRows = (page: EmPage<SessionRow>): FoundSessions => {
      const all = limit === null ? page.items : page.items.slice(0, limit);
      const counts = emptyCounts();
      for (const row of all) counts[row.result] += 1;
      return { total: all.length, counts, sessions: toRows([page]), truncated: false, unreadableRows };
    };
    // "the last 5": the page holds every row there is to count
    if (limit !== null && limit <= pageSize) return fromRows(await fetchPage(1));
    // The first page and the counts side by side: one round trip to EM instead of two (the page, then the
    // counts). When the page turns out to hold every row, its rows are the counts (what the reader sees) and
    // the counts, then not needed, may even have failed.
    const counting = countResults(em, intent.type, filter, plan, limit).then(
      (counted) => ({ counted }),
      (error: unknown) => ({ error }),
    );
    const page = await fetchPage(1);
    if (page.pagesCount <= 1) return fromRows(page);
    const counts = await counting;
    if ('error' in counts) throw counts.error;
    return { ...counts.counted, sessions: toRows([page]), truncated: false, unreadableRows };
  }
  const [counted, pages] = await Promise.all([
    countResults(em, intent.type, filter, plan, limit),
    end > offset ? Promise.all(pageNumbers.map(fetchPage)) : Promise.resolve([]),
  ]);
  return { ...counted, sessions: toRows(pages), truncated: false, unreadableRows };
}

function needsNames(parsed: ParsedQuestion): boolean {
  if (parsed.kind === 'not-understood') return true;
  if (parsed.kind !== 'query') return false;
  const { intent } = parsed;
  if (intent.sessionId !== null) return false;
  if (intent.answer.kind === 'last-success' && intent.answer.every !== null) return true;
  return toNamedValues(intent.filter).length > 0;
}

/** Sessions by how long they took: every row read, sorted here, then paged like any list. */
async function answerByDuration(
  question: string,
  intent: QueryIntent,
  answer: DurationAnswer,
  options: AnswerOptions,
  em: EmApi,
): Promise<SessionListReply> {
  const found = await answerDurations(intent, answer, options.now, em);
  const offset = Math.max(0, Math.trunc(options.offset ?? 0));
  const counts = emptyCounts();
  const all = found.rows;
  for (const row of all) counts[row.result] += 1;
  const pageSize = Number.isFinite(options.pageSize) ? Math.max(1, Math.trunc(options.pageSize)) : all.length;
  return {
    kind: 'answer',
    question,
    intent,
    total: all.length,
    counts,
    sessions: all.slice(offset, offset + pageSize),
    offset,
    pageSize: options.pageSize,
    now: options.now,
    truncated: found.truncated,
    note: found.note,
    scanned: found.scanned,
  };
}

/**
 * An empty answer to a question naming VMs, jobs or servers: which of those names EM has never seen, so the
 * reply can say "no backup server named srv02, did you mean srv02.tech.local?" instead of an all-clear.
 */
async function withNameCheck(reply: SessionListReply, em: EmApi): Promise<SessionListReply> {
  const names = toNamedValues(reply.intent.filter);
  if (names.length === 0 || reply.intent.sessionId !== null) return reply;
  const check = await checkNames(em, names, reply.intent.type, reply.now);
  if (check.unknown.length === 0) return reply;
  return { ...reply, unknownNames: check.unknown, knownNames: check.known };
}

/** One job run and its task sessions ("Details" on a session). */
export async function answerJobRun(
  jobSessionId: string,
  options: AnswerOptions & { timeZone: string },
  deps: Pick<AnswerDeps, 'em'>,
): Promise<JobRunReply> {
  const id = toSessionId(jobSessionId);
  const [job, tasks] = await Promise.all([deps.em.getJobSession(id), deps.em.getJobSessionTasks(id)]);
  const rows = tasks.map(toTaskRow).sort((a, b) => compareTasks(a, b));
  const counts = emptyCounts();
  for (const row of rows) counts[row.result] += 1;
  const offset = Math.max(0, Math.trunc(options.offset ?? 0));
  return {
    kind: 'job-run',
    job: {
      ...toJobRow(job),
      progress: job.progress,
      isRetry: job.isRetry,
      failureMessage: job.failureMessage,
    },
    counts,
    total: rows.length,
    tasks: rows.slice(offset, offset + options.pageSize),
    offset,
    pageSize: options.pageSize,
    timeZone: options.timeZone,
    now: options.now,
  };
}

const SEVERITY = { Failed: 0, Unknown: 1, Warning: 2, None: 3, Success: 4 } as const;

/** In a job run the problems come first, then VMs by name, so the reason for a red run is on top. */
function compareTasks(a: SessionRow, b: SessionRow): number {
  return (
    SEVERITY[a.result] - SEVERITY[b.result] || (a.vmDisplayName ?? '').localeCompare(b.vmDisplayName ?? '')
  );
}

/** Any failure, as a reply with a reference id; the adapter logs `reply.error` with the same id. */
export function toErrorReply(error: unknown, deps: Pick<AnswerDeps, 'newReferenceId'>): Reply {
  return { kind: 'error', error: toReplibotError(error), referenceId: deps.newReferenceId() };
}

async function* mapRows<T>(
  sessions: AsyncIterable<T>,
  toRow: (session: T) => SessionRow,
): AsyncIterable<SessionRow> {
  for await (const session of sessions) yield toRow(session);
}
