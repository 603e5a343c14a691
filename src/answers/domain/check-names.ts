/**
 * "Did you mean srv02.tech.local?": when an answer is empty and the question named VMs, jobs or backup servers,
 * each name is looked up in EM on its own, so a typo reads as "EM has no backup server named srv02" instead of a
 * silent all-clear ("No failed replicas on server srv02").
 */
import { and, cmp, eq, type Filter } from '../../core/filter.js';
import { must } from '../../core/must.js';
import type { EmApi, EmQuery } from '../../core/ports.js';
import type { SessionType } from '../../core/sessions.js';
import { textDistance } from '../../core/text-distance.js';

/** The filter fields that carry a name the user typed. */
const NAME_FIELDS = ['VmDisplayName', 'JobName', 'BackupServerName'] as const;
export type NameField = (typeof NAME_FIELDS)[number];

export interface NamedValue {
  field: NameField;
  name: string;
}

export interface UnknownName extends NamedValue {
  /** names of that field EM saw recently that look like what was typed, best first */
  suggestions: string[];
  /**
   * The same name (`exact`) or look-alikes in the other two fields, from the same recent sessions: a backup
   * server typed without the word "server" is read as a VM, and is found here. Exact matches come first.
   */
  otherFields?: OtherFieldName[];
}

export interface OtherFieldName extends NamedValue {
  /** the typed name itself, case aside */
  exact: boolean;
}

export interface NameCheck {
  /** names EM has no session for at all */
  unknown: UnknownName[];
  /** names EM knows (so "nothing matched" is a real all-clear for them) */
  known: NamedValue[];
}

/** How far back suggestions look, and how many sessions they read at most. */
const SUGGESTION_DAYS = 7;
const SUGGESTION_SCAN_LIMIT = 5000;
const MAX_SUGGESTIONS = 3;
const MAX_OTHER_FIELD_SUGGESTIONS = 2;

/** Every `field == "name"` the filter requires, in order, without repeats (`!=` names nothing). */
export function toNamedValues(filter: Filter | null): NamedValue[] {
  const found: NamedValue[] = [];
  const walk = (node: Filter) => {
    if (node.kind === 'cmp') {
      const field = NAME_FIELDS.find((f) => f === node.field);
      if (field !== undefined && node.op === '==' && typeof node.value === 'string') {
        const value = node.value;
        if (!found.some((n) => n.field === field && n.name.toLowerCase() === value.toLowerCase()))
          found.push({ field, name: value });
      }
      return;
    }
    for (const item of node.items) walk(item);
  };
  if (filter !== null) walk(filter);
  return found;
}

/** Job runs have no VM name: a VM is always looked up among task sessions. */
function typeFor(field: NameField, intentType: SessionType): SessionType {
  return field === 'VmDisplayName' ? 'ReplicaTaskSession' : intentType;
}

async function first(em: EmApi, type: SessionType, query: EmQuery): Promise<boolean> {
  const rows = type === 'ReplicaTaskSession' ? em.queryTaskSessions(query) : em.queryJobSessions(query);
  for await (const _ of rows) return true;
  return false;
}

/**
 * Checks each named value against EM's whole history (one `Field=="name"` query with limit 1 per name, no time
 * bound), then, only when some are unknown, reads the sessions of the last days once to suggest look-alikes.
 */
export async function checkNames(
  em: EmApi,
  names: readonly NamedValue[],
  intentType: SessionType,
  now: Date,
): Promise<NameCheck> {
  const missing = await findUnseenNames(em, names, intentType);
  const known = names.filter((n) => !missing.includes(n));
  if (missing.length === 0) return { unknown: [], known };

  const seen = await recentNames(em, missing, intentType, now);
  const unknown = missing.map((n) => ({
    ...n,
    suggestions: suggestNames(n.name, [...must(seen.get(n.field), 'every checked field has a set in seen')]),
    otherFields: findInOtherFields(n, seen),
  }));
  return { unknown, known };
}

/**
 * The names EM has no session for in its whole history (about 30 days): one `Field=="name"` query with limit 1
 * per name, no look-alikes. What a list of saved names (subscriptions) marks as "not seen for a while".
 */
export async function findUnseenNames(
  em: EmApi,
  names: readonly NamedValue[],
  intentType: SessionType = 'ReplicaTaskSession',
): Promise<NamedValue[]> {
  const exists = await Promise.all(
    names.map(async (n) => {
      const query = { filter: eq(n.field, n.name), limit: 1, pageSize: 1 };
      if (await first(em, typeFor(n.field, intentType), query)) return true;
      // a job whose runs have no task rows of its own (an immediate copy parent, whose workers copy) is a job EM knows
      return (
        n.field === 'JobName' && intentType === 'ReplicaTaskSession' && first(em, 'ReplicaJobSession', query)
      );
    }),
  );
  return names.filter((_, i) => !exists[i]);
}

/** The VM, job and server names of the sessions of the last days (task sessions carry all three). */
async function recentNames(
  em: EmApi,
  missing: readonly NamedValue[],
  intentType: SessionType,
  now: Date,
): Promise<Map<NameField, Set<string>>> {
  const seen = new Map<NameField, Set<string>>(NAME_FIELDS.map((f) => [f, new Set<string>()]));
  const needsTasks = missing.some((n) => n.field === 'VmDisplayName') || intentType === 'ReplicaTaskSession';
  const query: EmQuery = {
    filter: and(
      cmp('CreationTime', '>=', new Date(now.getTime() - SUGGESTION_DAYS * 86_400_000)),
      cmp('CreationTime', '<=', now),
    ),
    sort: { field: 'CreationTime', direction: 'desc' },
    limit: SUGGESTION_SCAN_LIMIT,
  };
  if (needsTasks) {
    for await (const s of em.queryTaskSessions(query)) {
      if (s.vmDisplayName)
        must(seen.get('VmDisplayName'), 'seen holds a set for every name field').add(s.vmDisplayName);
      if (s.jobName) must(seen.get('JobName'), 'seen holds a set for every name field').add(s.jobName);
      if (s.backupServerName)
        must(seen.get('BackupServerName'), 'seen holds a set for every name field').add(s.backupServerName);
    }
  } else {
    for await (const s of em.queryJobSessions(query)) {
      if (s.jobName) must(seen.get('JobName'), 'seen holds a set for every name field').add(s.jobName);
      if (s.backupServerName)
        must(seen.get('BackupServerName'), 'seen holds a set for every name field').add(s.backupServerName);
    }
  }
  return seen;
}

/** The typed name as it is in another field, else the best look-alikes across those fields; exact ones first. */
function findInOtherFields(typed: NamedValue, seen: ReadonlyMap<NameField, Set<string>>): OtherFieldName[] {
  const want = typed.name.toLowerCase();
  const exact: OtherFieldName[] = [];
  const alike: Array<{ value: OtherFieldName; score: number }> = [];
  for (const field of NAME_FIELDS) {
    if (field === typed.field) continue;
    const names = [...must(seen.get(field), 'seen holds a set for every name field')];
    const same = names.find((name) => name.toLowerCase() === want);
    if (same !== undefined) exact.push({ field, name: same, exact: true });
    else
      for (const { name, score } of rankNames(typed.name, names))
        alike.push({ value: { field, name, exact: false }, score });
  }
  if (exact.length > 0) return exact;
  return alike
    .sort((a, b) => a.score - b.score || a.value.name.length - b.value.name.length)
    .slice(0, MAX_OTHER_FIELD_SUGGESTIONS)
    .map((a) => a.value);
}

/**
 * Names that look like what was typed, best first: the same letters and digits ("sql02" for "sql 02"), then
 * names starting with it ("srv02" for "srv02.tech.local"), names containing it, and names a few typos away.
 */
export function suggestNames(typed: string, candidates: readonly string[], max = MAX_SUGGESTIONS): string[] {
  return rankNames(typed, candidates)
    .slice(0, max)
    .map((s) => s.name);
}

/** Every look-alike of `typed` with its score (0 best), best first; see `suggestNames`. */
function rankNames(typed: string, candidates: readonly string[]): Array<{ name: string; score: number }> {
  const want = typed.toLowerCase().trim();
  const wantBare = bare(want);
  if (want === '') return [];
  const scored: Array<{ name: string; score: number }> = [];
  for (const name of new Set(candidates)) {
    const lower = name.toLowerCase();
    if (lower === want) continue;
    const nameBare = bare(lower);
    let score: number | null = null;
    if (wantBare !== '' && nameBare === wantBare) score = 0;
    else if (want.length >= 2 && lower.startsWith(want)) score = 1;
    else if (want.length >= 3 && lower.includes(want)) score = 2;
    else {
      // a short name allows one typo, a longer one a typo every four letters
      const allowed = Math.max(1, Math.floor(want.length / 4));
      const distance = textDistance(want, lower, allowed);
      if (distance <= allowed) score = 2 + distance;
    }
    if (score !== null) scored.push({ name, score });
  }
  return scored.sort(
    (a, b) => a.score - b.score || a.name.length - b.name.length || a.name.localeCompare(b.name),
  );
}

function bare(text: string): string {
  return text.replace(/[^\p{L}\p{N}]+/gu, '');
}

const NOUN: Record<NameField, string> = {
  VmDisplayName: 'VM',
  JobName: 'job',
  BackupServerName: 'backup server',
};

/** How each field's value is named to a person: "VM", "job", "backup server". */
export const NAME_NOUNS: Readonly<Record<NameField, string>> = NOUN;

/** What a user types to name a value of that field: `on server srv02.tech.local`, `in job "SQL Replica"`. */
function toNameClause(value: NamedValue): string {
  if (value.field === 'BackupServerName') return `on server ${value.name}`;
  if (value.field === 'JobName') return `in job "${value.name}"`;
  return `for vm ${value.name}`;
}

/**
 * The question with the name read in the wrong field re-asked in the right one: "failures on srv02.tech.local"
 * becomes "failures on server srv02.tech.local". Null when the typed name is not found in the question.
 */
export function toReaskedQuestion(question: string, typed: string, value: NamedValue): string | null {
  const at = question.toLowerCase().indexOf(typed.toLowerCase());
  if (at === -1 || typed === '') return null;
  const quoted = question[at - 1] === '"' && question[at + typed.length] === '"' ? 1 : 0;
  const nameStart = at - quoted;
  // "on srv02" / "for vm srv02": the clause brings its own preposition and noun, so the typed ones go
  const before = /(?:^|\s)((?:on|for|of|in|from|at)\s+)?((?:vms?|job|(?:backup\s+)?server)\s+)?$/i.exec(
    question.slice(0, nameStart),
  );
  const start = nameStart - (before?.[0].trimStart().length ?? 0);
  return `${question.slice(0, start)}${toNameClause(value)}${question.slice(at + typed.length + quoted)}`;
}

/**
 * "Enterprise Manager has no backup server named srv02 in its 30 days of history. Did you mean srv02.tech.local?"
 * `show` turns each name from the user or EM into safe text for the surface (escaped for Slack, control
 * characters out for a terminal). With `question`, a name that exists in another field is offered as the
 * question to ask instead ("… but it has a backup server of that name: ask `failed replicas on server srv02`").
 */
export function toUnknownNameText(
  unknown: UnknownName,
  show: (name: string) => string,
  question?: string,
): string {
  const noun = NOUN[unknown.field];
  const other = unknown.otherFields ?? [];
  const exact = other.find((o) => o.exact);
  if (exact !== undefined) {
    const reasked = question === undefined ? null : toReaskedQuestion(question, unknown.name, exact);
    const ask = reasked === null ? `name it \`${show(toNameClause(exact))}\`` : `ask \`${show(reasked)}\``;
    return `Enterprise Manager has no ${noun} named ${show(unknown.name)}, but it has a ${NOUN[exact.field]} of that name: ${ask}.`;
  }
  const sentence = `Enterprise Manager has no ${noun} named ${show(unknown.name)} in its 30 days of history.`;
  const options = [
    ...unknown.suggestions.map(show),
    ...other.map((o) => `${NOUN[o.field]} ${show(o.name)} (\`${show(toNameClause(o))}\`)`),
  ];
  if (options.length === 0) return `${sentence} Check the spelling.`;
  return `${sentence} Did you mean ${joinOr(options)}?`;
}

/**
 * The job and server a digest (or any filter by name) is limited to that EM has no session for, with look-alikes.
 * An empty list when both exist or none is set.
 */
export async function checkFilterNames(
  em: EmApi,
  filters: { jobName: string | null; serverName: string | null },
  now: Date,
): Promise<UnknownName[]> {
  const names: NamedValue[] = [];
  if (filters.jobName !== null) names.push({ field: 'JobName', name: filters.jobName });
  if (filters.serverName !== null) names.push({ field: 'BackupServerName', name: filters.serverName });
  if (names.length === 0) return [];
  return (await checkNames(em, names, 'ReplicaTaskSession', now)).unknown;
}

/**
 * "Enterprise Manager has no backup server named srv02; did you mean srv02.tech.local? This digest will stay empty
 * until the name matches." `show` as in `toUnknownNameText`.
 */
export function toUnknownFilterText(unknown: UnknownName, show: (name: string) => string): string {
  const head = `Enterprise Manager has no ${NOUN[unknown.field]} named ${show(unknown.name)}`;
  // a digest is limited by job or server only, so a VM of that name is no way out
  const other = (unknown.otherFields ?? []).filter((o) => o.field !== 'VmDisplayName');
  const exact = other.find((o) => o.exact);
  const options = [
    ...unknown.suggestions.map(show),
    ...other.filter((o) => !o.exact).map((o) => `${NOUN[o.field]} ${show(o.name)}`),
  ];
  const hint =
    exact !== undefined
      ? `, but it has a ${NOUN[exact.field]} of that name`
      : options.length > 0
        ? `; did you mean ${joinOr(options)}?`
        : '; check the spelling.';
  return `${head}${hint}${exact !== undefined ? '.' : ''} This digest will stay empty until the name matches.`;
}

/** "a", "a or b", "a, b or c" */
export function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/**
 * A saved route (subscription or mute) naming something EM does not know, which would stay silent:
 * "EM has no backup server named srv02 in the last 30 days; did you mean srv02.tech.local?
 * `/replicas subscribe server srv02.tech.local`". `retype` is the command with the typed name replaced by that one, in its field (or
 * null when the command cannot name that field: a mute names no server). `show` as in `toUnknownNameText`.
 */
export function toUnknownRouteText(
  unknown: UnknownName,
  show: (name: string) => string,
  retype: (value: NamedValue, typed: UnknownName) => string | null,
): string {
  const head = `EM has no ${NOUN[unknown.field]} named ${show(unknown.name)} in the last 30 days`;
  const others = (unknown.otherFields ?? []).filter((o) => retype(o, unknown) !== null);
  const exact = others.find((o) => o.exact);
  if (exact !== undefined) {
    return `${head}, but it has a ${NOUN[exact.field]} of that name: \`${show(must(retype(exact, unknown), 'an exact match in another field retypes to that field'))}\``;
  }
  const best: NamedValue | undefined =
    unknown.suggestions[0] !== undefined ? { field: unknown.field, name: unknown.suggestions[0] } : others[0];
  const options = [
    ...unknown.suggestions.map(show),
    ...others.map((o) => `${NOUN[o.field]} ${show(o.name)}`),
  ];
  if (best === undefined || options.length === 0) return `${head}; check the spelling.`;
  const command = retype(best, unknown);
  return `${head}; did you mean ${joinOr(options)}?${command === null ? '' : ` \`${show(command)}\``}`;
}
