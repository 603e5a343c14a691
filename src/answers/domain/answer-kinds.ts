/**
 * The answers beyond a list of sessions: yes or no, the last success per name, rankings and counts by name,
 * sessions by duration and comparisons of two times. EM cannot group, count by name or sort by duration, so
 * these read every page of the question's query (bounded by MAX_SESSIONS_SCANNED, and say so when cut).
 */
import { and, cmp, type Filter } from '../../core/filter.js';
import type { EmApi, EmQuery } from '../../core/ports.js';
import type { SessionType } from '../../core/sessions.js';
import { formatIn } from '../../question/local-calendar.js';
import type { NameCatalogue, NameKind } from '../../question/name-catalogue.js';
import type {
  CompareAnswer,
  DurationAnswer,
  LastSuccessAnswer,
  QueryIntent,
  RankingAnswer,
} from '../../question/query-intent.js';
import { toNamedValues } from './check-names.js';
import type { CompareReply, NameRow, ResultCounts, RowsReply, SessionRow, Verdict } from './reply.js';
import { toJobRow, toTaskRow } from './session-row.js';

/** Sessions read at most for one computed answer (rankings, durations, last success, comparisons). */
export const MAX_SESSIONS_SCANNED = 100_000;

function emptyCounts(): ResultCounts {
  return { None: 0, Success: 0, Warning: 0, Failed: 0, Unknown: 0 };
}

/** Every row of a query, up to the bound; `truncated` when there were more. */
export async function scanRows(
  em: EmApi,
  type: SessionType,
  filter: Filter | null,
  max = MAX_SESSIONS_SCANNED,
): Promise<{ rows: SessionRow[]; truncated: boolean }> {
  const query: EmQuery = { filter, sort: { field: 'CreationTime', direction: 'desc' }, limit: max + 1 };
  const rows: SessionRow[] = [];
  const source = type === 'ReplicaTaskSession' ? em.queryTaskSessions(query) : em.queryJobSessions(query);
  for await (const session of source) {
    // the two queries yield different session types; each is mapped by its own row function
    rows.push('vmDisplayName' in session ? toTaskRow(session) : toJobRow(session));
    if (rows.length > max) return { rows: rows.slice(0, max), truncated: true };
  }
  return { rows, truncated: false };
}

export function nameOf(row: SessionRow, kind: NameKind): string | null {
  if (kind === 'vm') return row.vmDisplayName;
  if (kind === 'job') return row.jobName;
  return row.backupServerName;
}

/** the filter up to `now`, as every answer reads it */
function upToNow(intent: QueryIntent, now: Date): Filter {
  return and(intent.filter, cmp('CreationTime', '<=', now));
}

function toNameRows(rows: readonly SessionRow[], kind: NameKind): NameRow[] {
  const byName = new Map<string, NameRow>();
  for (const row of rows) {
    const name = nameOf(row, kind);
    if (name === null) continue;
    const key = name.toLowerCase();
    const entry = byName.get(key) ?? { name, kind, counts: emptyCounts(), total: 0, rate: null };
    entry.counts[row.result] += 1;
    entry.total += 1;
    byName.set(key, entry);
  }
  for (const entry of byName.values()) {
    const ended = entry.total - entry.counts.None;
    entry.rate = ended === 0 ? null : entry.counts.Success / ended;
  }
  return [...byName.values()];
}

export async function answerRanking(
  intent: QueryIntent,
  answer: RankingAnswer,
  now: Date,
  em: EmApi,
): Promise<Omit<RowsReply, 'question'>> {
  const { rows, truncated } = await scanRows(em, intent.type, upToNow(intent, now));
  let named = toNameRows(rows, answer.by);
  if (answer.moreThan !== null) {
    const over = answer.moreThan;
    named = named.filter((r) => r.total > over);
  }
  named.sort((a, b) =>
    answer.measure === 'rate'
      ? (a.rate ?? 2) - (b.rate ?? 2) || b.total - a.total || a.name.localeCompare(b.name)
      : b.total - a.total || a.name.localeCompare(b.name),
  );
  const totalRows = named.length;
  if (answer.top !== null) named = named.slice(0, answer.top);
  return {
    kind: 'rows',
    intent,
    rows: named,
    totalRows,
    scanned: rows.length,
    truncated,
    now,
    note: `Counted over every page: ${rows.length.toLocaleString('en-US')} sessions read${truncated ? ` (stopped at ${MAX_SESSIONS_SCANNED.toLocaleString('en-US')}; the counts are a lower bound)` : ''}.`,
  };
}

/** The filter without its conditions on Result (top level). */
function withoutResult(filter: Filter | null): Filter | null {
  if (filter === null) return null;
  const onResult = (f: Filter): boolean =>
    f.kind === 'cmp' ? f.field === 'Result' : f.kind === 'or' && f.items.every(onResult);
  if (onResult(filter)) return null;
  if (filter.kind === 'and') return and(...filter.items.filter((f) => !onResult(f)));
  return filter;
}

/** The names of one kind (VM, job, server) in the sessions of the question's kind and window, any result. */
async function namesOfKind(em: EmApi, intent: QueryIntent, kind: NameKind, now: Date): Promise<string[]> {
  // the question's own filter (its window, the job names of a job type) without its Result==Success
  const { rows } = await scanRows(
    em,
    intent.type,
    and(withoutResult(intent.filter), cmp('CreationTime', '<=', now)),
  );
  const found = new Map<string, string>();
  for (const row of rows) {
    const name = nameOf(row, kind);
    if (name !== null && !found.has(name.toLowerCase())) found.set(name.toLowerCase(), name);
  }
  return [...found.values()];
}

export async function answerLastSuccess(
  intent: QueryIntent,
  answer: LastSuccessAnswer,
  now: Date,
  em: EmApi,
  names: NameCatalogue | undefined,
): Promise<Omit<RowsReply, 'question'>> {
  const { rows, truncated } = await scanRows(em, intent.type, upToNow(intent, now));
  const kind: NameKind =
    answer.every ??
    (() => {
      const field = toNamedValues(intent.filter)[0]?.field;
      return field === 'JobName' ? 'job' : field === 'BackupServerName' ? 'server' : 'vm';
    })();
  const last = new Map<string, { name: string; at: Date }>();
  for (const row of rows) {
    const name = nameOf(row, kind);
    if (name === null) continue;
    const key = name.toLowerCase();
    const seen = last.get(key);
    if (seen === undefined || seen.at.getTime() < row.creationTime.getTime())
      last.set(key, { name, at: row.creationTime });
  }
  const wanted: string[] =
    answer.every === null
      ? toNamedValues(intent.filter).map((n) => n.name)
      : [
          ...(intent.kind === 'backup'
            ? // the catalogue holds the names of replication; "every VM" of a backup question is every VM EM
              // backed up (any result) in the window, or one that never succeeded would be left out
              await namesOfKind(em, intent, answer.every, now)
            : (names?.namesOf(answer.every) ?? [])),
          ...[...last.values()].map((l) => l.name),
        ];
  const seenKeys = new Set<string>();
  let out: NameRow[] = [];
  for (const name of wanted) {
    const key = name.toLowerCase();
    if (seenKeys.has(key)) continue;
    seenKeys.add(key);
    const found = last.get(key);
    out.push({
      name: found?.name ?? name,
      kind,
      counts: emptyCounts(),
      total: 0,
      rate: null,
      lastSuccess: found?.at ?? null,
    });
  }
  if (answer.olderThanMs !== null) {
    const limit = now.getTime() - answer.olderThanMs;
    out = out.filter((r) => r.lastSuccess == null || r.lastSuccess.getTime() < limit);
  }
  // oldest first; "never in EM's 30 days" before all
  out.sort(
    (a, b) =>
      (a.lastSuccess?.getTime() ?? Number.NEGATIVE_INFINITY) -
        (b.lastSuccess?.getTime() ?? Number.NEGATIVE_INFINITY) || a.name.localeCompare(b.name),
  );
  return {
    kind: 'rows',
    intent,
    rows: out,
    totalRows: out.length,
    scanned: rows.length,
    truncated,
    now,
    note:
      answer.every !== null && names === undefined
        ? "Names EM knows could not be read, so only names with a success in EM's 30 days are listed."
        : null,
  };
}

/** Sessions sorted by how long they took (a running session: until now), from every page. */
export async function answerDurations(
  intent: QueryIntent,
  answer: DurationAnswer,
  now: Date,
  em: EmApi,
): Promise<{ rows: SessionRow[]; total: number; truncated: boolean; scanned: number; note: string }> {
  const { rows, truncated } = await scanRows(em, intent.type, upToNow(intent, now));
  const took = (row: SessionRow): number => (row.endTime ?? now).getTime() - row.creationTime.getTime();
  let kept = rows;
  if (answer.longerThanMs !== null) {
    const min = answer.longerThanMs;
    kept = kept.filter((r) => took(r) >= min);
  }
  kept = [...kept].sort((a, b) => (answer.order === 'longest' ? took(b) - took(a) : took(a) - took(b)));
  const total = kept.length;
  if (answer.top !== null) kept = kept.slice(0, answer.top);
  return {
    rows: kept,
    total,
    truncated,
    scanned: rows.length,
    note: `EM cannot filter or sort by duration, so replibot read every page (${rows.length.toLocaleString('en-US')} sessions) and sorted them itself${truncated ? `; it stopped at ${MAX_SESSIONS_SCANNED.toLocaleString('en-US')}` : ''}.`,
  };
}

/** The filter without its CreationTime bounds (top level), for the other window of a comparison. */
function withoutTime(filter: Filter | null): Filter | null {
  if (filter === null) return null;
  if (filter.kind === 'cmp') return filter.field === 'CreationTime' ? null : filter;
  if (filter.kind === 'and')
    return and(...filter.items.map(withoutTime).filter((f): f is Filter => f !== null));
  return filter;
}

export async function answerCompare(
  intent: QueryIntent,
  answer: CompareAnswer,
  now: Date,
  em: EmApi,
): Promise<Omit<CompareReply, 'question'>> {
  const base = withoutTime(intent.filter);
  const previousFilter = and(
    base,
    cmp('CreationTime', '>=', answer.previous.from),
    cmp('CreationTime', '<', answer.previous.to ?? now),
  );
  const [current, previous] = await Promise.all([
    scanRows(em, intent.type, upToNow(intent, now)),
    scanRows(em, intent.type, previousFilter),
  ]);
  const kind: NameKind = intent.type === 'ReplicaTaskSession' ? 'vm' : 'job';
  const before = new Set(previous.rows.map((r) => nameOf(r, kind)?.toLowerCase()));
  const newNames = [
    ...new Set(
      current.rows
        .map((r) => nameOf(r, kind))
        .filter((n): n is string => n !== null && !before.has(n.toLowerCase())),
    ),
  ].sort((a, b) => a.localeCompare(b));
  return {
    kind: 'compare',
    intent,
    current: current.rows.length,
    previous: previous.rows.length,
    newNames,
    nameKind: kind,
    truncated: current.truncated || previous.truncated,
    now,
  };
}

/** "Yes: 3 successful replicas for apache02 today, the last at 14:32" or "No: ... instead ..." */
export async function toVerdict(
  intent: QueryIntent,
  found: { total: number; sessions: SessionRow[] },
  now: Date,
  em: EmApi,
): Promise<Verdict> {
  const at = (d: Date): string => formatIn(d, intent.timeZone, 'd MMM HH:mm');
  if (found.total > 0) {
    const newest = found.sessions[0];
    return {
      answer: 'yes',
      line: `Yes: ${found.total.toLocaleString('en-US')} ${found.total === 1 ? singular(intent.phrase) : intent.phrase}${newest ? `, the last at ${at(newest.creationTime)}` : ''}.`,
    };
  }
  // what happened instead: the same question without its result or state
  const instead = withoutStatus(intent.filter);
  const { rows } = await scanRows(em, intent.type, and(instead, cmp('CreationTime', '<=', now)), 10_000);
  if (rows.length === 0) return { answer: 'no', line: `No: no ${intent.phrase}, and nothing else ran then.` };
  const counts = emptyCounts();
  for (const r of rows) counts[r.result] += 1;
  const said = (
    [
      ['Failed', 'failed'],
      ['Warning', 'with warnings'],
      ['Success', 'succeeded'],
      ['None', 'running'],
      ['Unknown', 'with another result'],
    ] as const
  )
    .filter(([r]) => counts[r] > 0)
    .map(([r, word]) => `${counts[r]} ${word}`);
  const newest = rows[0];
  return {
    answer: 'no',
    line: `No: no ${intent.phrase}. Instead: ${said.join(', ')}${newest ? `, the last at ${at(newest.creationTime)}` : ''}.`,
  };
}

const PLURAL_NOUNS: Readonly<Record<string, string>> = {
  replicas: 'replica',
  replications: 'replication',
  sessions: 'session',
  runs: 'run',
  backups: 'backup',
  jobs: 'job',
  copies: 'copy',
};

/** "successful replicas for apache02 today" -> "successful replica for apache02 today", for a count of one */
export function singular(phrase: string): string {
  const words = phrase.split(' ');
  const at = words.findIndex((w) => PLURAL_NOUNS[w] !== undefined);
  if (at < 0) return phrase;
  words[at] = PLURAL_NOUNS[words[at] ?? ''] ?? words[at] ?? '';
  return words.join(' ');
}

function withoutStatus(filter: Filter | null): Filter | null {
  if (filter === null) return null;
  const mentions = (f: Filter): boolean =>
    f.kind === 'cmp' ? f.field === 'Result' || f.field === 'State' : f.items.some(mentions);
  if (filter.kind === 'and') return and(...filter.items.filter((f) => !mentions(f)));
  return mentions(filter) ? null : filter;
}

export type { CompareAnswer, DurationAnswer, LastSuccessAnswer, RankingAnswer };
