/**
 * Subscriptions and mutes as people type them in Slack, and how they match a task session.
 * `/replicas subscribe [backups] [failed|warnings] [job <name>] [vm <name>] [server <name>]`
 * `/replicas mute [vm|job] <name> <duration>`
 */
import type { SessionKind } from '../../../core/backup-sessions.js';
import { must } from '../../../core/must.js';
import type { ReplicaTaskSession } from '../../../core/sessions.js';
import type { Mute, MuteScope, SubscriptionFilter } from './alert-notice.js';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

const KEYWORDS = new Set(['job', 'vm', 'server']);

/** The words that name a kind of session: `/replicas subscribe backups job "Nightly"`. */
const KIND_WORDS: Record<string, SessionKind> = {
  backup: 'backup',
  backups: 'backup',
  replication: 'replication',
  replications: 'replication',
  replica: 'replication',
  replicas: 'replication',
};

/** The kind a subscription hears about (replication when it names none). */
export function toSubscriptionKind(filter: SubscriptionFilter): SessionKind {
  return filter.kind ?? 'replication';
}

/** Splits on spaces, keeping "quoted names" (straight or Slack's curly quotes) as one token. */
function splitArgs(text: string): string[] {
  const tokens: string[] = [];
  const re = /"([^"]*)"|“([^”]*)”|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(re)) tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
  return tokens;
}

/** Reads the words after `/replicas subscribe`. */
export function parseSubscriptionFilter(args: string): ParseResult<SubscriptionFilter> {
  const tokens = splitArgs(args.trim());
  const filter: SubscriptionFilter = { level: 'failed', job: null, vm: null, server: null };
  let levelSeen = false;
  let kindSeen = false;
  let i = 0;
  while (i < tokens.length) {
    const word = must(tokens[i], 'i < tokens.length').toLowerCase();
    const kind = KIND_WORDS[word];
    if (kind !== undefined && !kindSeen) {
      // replication is the default and stays unwritten, so a replication subscription reads as it always did
      if (kind === 'backup') filter.kind = 'backup';
      kindSeen = true;
      i += 1;
      continue;
    }
    if (
      (word === 'failed' || word === 'failures' || word === 'warnings' || word === 'warning') &&
      !levelSeen
    ) {
      filter.level = word.startsWith('warning') ? 'warnings' : 'failed';
      levelSeen = true;
      i += 1;
      continue;
    }
    if (KEYWORDS.has(word)) {
      const parts: string[] = [];
      i += 1;
      while (i < tokens.length && !KEYWORDS.has(must(tokens[i], 'i < tokens.length').toLowerCase()))
        parts.push(must(tokens[i++], 'i < tokens.length'));
      const name = parts.join(' ').trim();
      if (name === '')
        return { ok: false, error: `Give a name after "${word}", for example: ${word} apache02` };
      // cast: KEYWORDS.has(word) above, and KEYWORDS holds exactly these three words
      const key = word as 'job' | 'vm' | 'server';
      if (filter[key] !== null) return { ok: false, error: `"${word}" is given twice; give it once.` };
      filter[key] = name;
      continue;
    }
    return {
      ok: false,
      error: `I did not understand "${tokens[i]}". Use: subscribe [backups] [failed|warnings] [job <name>] [vm <name>] [server <name>]`,
    };
  }
  return { ok: true, value: filter };
}

/** Case-insensitive name match; `*` in the pattern matches any run of characters. */
export function matchesName(pattern: string | null, value: string | null): boolean {
  if (pattern === null) return true;
  if (value === null) return false;
  if (!pattern.includes('*')) return pattern.toLowerCase() === value.toLowerCase();
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'is',
  );
  return re.test(value);
}

/** True when a completed task session is something this subscription wants to hear about. */
export function matchesSubscription(filter: SubscriptionFilter, session: ReplicaTaskSession): boolean {
  if (session.result === 'Failed' || session.result === 'Unknown') {
    // a failure is always wanted; so is a result replibot cannot read (it may be one: better told than missed)
  } else if (session.result === 'Warning') {
    if (filter.level !== 'warnings') return false;
  } else return false;
  return (
    matchesName(filter.job, session.jobName) &&
    matchesName(filter.vm, session.vmDisplayName) &&
    matchesName(filter.server, session.backupServerName)
  );
}

/** The kind a mute silences (replication when it names none). */
export function toMuteKind(mute: Pick<Mute, 'kind'>): SessionKind {
  return mute.kind ?? 'replication';
}

/** True when a mute silences that VM or job in the channel; `kind` given: only mutes of that kind count. */
export function isMuted(
  mutes: readonly Mute[],
  channelId: string,
  jobName: string,
  vmName: string,
  kind?: SessionKind,
): boolean {
  return mutes.some(
    (m) =>
      m.channelId === channelId &&
      (kind === undefined || toMuteKind(m) === kind) &&
      (m.scope === 'vm' ? matchesName(m.name, vmName) : matchesName(m.name, jobName)),
  );
}

/** A one-line description: "failures of job SQL Prod on any VM" */
export function describeSubscription(filter: SubscriptionFilter): string {
  const level = filter.level === 'warnings' ? 'failures and warnings' : 'failures';
  const what = filter.kind === 'backup' ? `backup ${level}` : level;
  const parts = [
    filter.job === null ? 'every job' : `job ${filter.job}`,
    filter.vm === null ? null : `VM ${filter.vm}`,
    filter.server === null ? null : `server ${filter.server}`,
  ].filter((p): p is string => p !== null);
  return `${what} of ${parts.join(', ')}`;
}

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

const MAX_MUTE_MS = 30 * 86_400_000;

/** "4h", "90m", "1h30m", "2 days" -> milliseconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const compact = text.trim().toLowerCase().replace(/\s+/g, '');
  if (compact === '') return null;
  const re = /(\d+(?:\.\d+)?)([a-z]+)/g;
  let total = 0;
  let consumed = 0;
  for (const m of compact.matchAll(re)) {
    if (m.index !== consumed) return null;
    const unit = UNIT_MS[must(m[2], 'the regex only matches the units in UNIT_MS')];
    if (unit === undefined) return null;
    total += Number(m[1]) * unit;
    consumed += m[0].length;
  }
  if (consumed !== compact.length || total <= 0) return null;
  return Math.round(total);
}

export interface MuteRequest {
  scope: MuteScope;
  name: string;
  durationMs: number;
  /** absent: replication (the default) */
  kind?: SessionKind;
}

/**
 * Reads the words after `/replicas mute`: `[backups] [vm|job] <name> <duration>`; a bare name is a VM, and a
 * mute without a kind word mutes replication only (`backups` mutes the backup alerts and backup RPO alerts).
 */
export function parseMuteRequest(args: string): ParseResult<MuteRequest> {
  const usage =
    'Use: mute [backups] [vm|job] <name> <duration>, for example: mute vm apache02 4h or mute backups vm srv04 1d';
  let tokens = splitArgs(args.trim());
  const kindWord = tokens[0] === undefined ? undefined : KIND_WORDS[tokens[0].toLowerCase()];
  // "mute backups 4h" mutes a VM named backups: a kind word needs a name and a duration after it
  const kind = kindWord !== undefined && tokens.length >= 3 ? kindWord : undefined;
  if (kind !== undefined) tokens = tokens.slice(1);
  const withKind = (value: Omit<MuteRequest, 'kind'>): MuteRequest =>
    kind === 'backup' ? { ...value, kind } : value;
  if (tokens.length < 2) return { ok: false, error: usage };
  let scope: MuteScope = 'vm';
  let rest = tokens;
  const first = must(tokens[0], 'tokens is not empty (checked above)').toLowerCase();
  if ((first === 'vm' || first === 'job') && tokens.length >= 3) {
    scope = first;
    rest = tokens.slice(1);
  }
  const durationMs = parseDuration(must(rest[rest.length - 1], 'rest is not empty (checked above)'));
  if (durationMs === null)
    return { ok: false, error: `"${rest[rest.length - 1]}" is not a duration. ${usage}` };
  if (durationMs > MAX_MUTE_MS) return { ok: false, error: 'A mute lasts at most 30 days.' };
  const name = rest.slice(0, -1).join(' ').trim();
  if (name === '') return { ok: false, error: usage };
  return { ok: true, value: withKind({ scope, name, durationMs }) };
}
