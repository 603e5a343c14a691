/** Words and numbers shared by every digest renderer (text, Block Kit, chart), so they all say the same thing. */

import { tz } from '@date-fns/tz';
import { format } from 'date-fns';
import type { SessionKind } from '../../../core/backup-sessions.js';
import type { DigestWindow } from './digest-window.js';
import type { Digest, DigestFilters } from './summarize-digest.js';

/** `97.5%`; `n/a` when nothing finished. */
export function formatRate(rate: number | null): string {
  if (rate === null) return 'n/a';
  const pct = Math.round(rate * 1000) / 10;
  return `${Number.isInteger(pct) ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/** `+3`, `-2`, `±0`. */
export function formatSigned(value: number, unit = ''): string {
  if (value === 0) return `±0${unit}`;
  const abs = Number.isInteger(value) ? String(Math.abs(value)) : Math.abs(value).toFixed(1);
  return `${value > 0 ? '+' : '-'}${abs}${unit}`;
}

/** `Mon 31 Mar 08:00` in the digest's time zone. */
export function formatWhen(date: Date, timeZone: string): string {
  return format(date, 'EEE d MMM HH:mm', { in: tz(timeZone) });
}

/** `Mon 31 Mar` in the digest's time zone. */
export function formatDay(date: Date, timeZone: string): string {
  return format(date, 'EEE d MMM', { in: tz(timeZone) });
}

/** `Daily replication digest · Mon 31 Mar` / `Weekly replication digest · week to Mon 31 Mar`. */
export function toDigestTitle(window: DigestWindow, kind: SessionKind = 'replication'): string {
  // the window ends at the scheduled minute; the day it reports on is the one that minute falls in
  const day = formatDay(window.end, window.timeZone);
  const what = kind === 'backup' ? 'backup' : 'replication';
  return window.period === 'day' ? `Daily ${what} digest · ${day}` : `Weekly ${what} digest · week to ${day}`;
}

/** `Sun 30 Mar 08:00 – Mon 31 Mar 08:00 (Europe/Berlin)`. */
export function toPeriodLabel(window: DigestWindow): string {
  return `${formatWhen(window.start, window.timeZone)} – ${formatWhen(window.end, window.timeZone)} (${window.timeZone})`;
}

/** `job "Web tier" · server vbr01 · failures only`, or '' without filters. */
export function toFilterLabel(filters: DigestFilters): string {
  const parts: string[] = [];
  if (filters.jobName !== null) parts.push(`job "${filters.jobName}"`);
  if (filters.serverName !== null) parts.push(`server ${filters.serverName}`);
  if (filters.failedOnly) parts.push('failures only');
  return parts.join(' · ');
}

/**
 * The words for what a digest counts: a "VM replication" is one VM in one run of a job (EM's replica task
 * session); a "job run" is a whole run of a job (EM's job session), as alerts and `details` show it.
 */
export const VM_REPLICATION = { one: 'VM replication', many: 'VM replications' } as const;

/** Our own digest phrases in a backup digest's words (applied to replibot's wording only, never to EM's names). */
const BACKUP_WORDS: Array<[RegExp, string]> = [
  [/Failing replication after replication/g, 'Failing backup after backup'],
  [/VM replications/g, 'VM backups'],
  [/VM replication/g, 'VM backup'],
  [/failed replications/g, 'failed backups'],
  [/replicated fine later/g, 'backed up fine later'],
  [/Stopped replicating/g, 'Stopped backing up'],
  [/stopped replicating/g, 'stopped backing up'],
  [/last replicated/g, 'last backed up'],
  [/replicated the/g, 'backed up the'],
];

/** The digest's words for its kind: `words('Stopped replicating')` is "Stopped backing up" in a backup digest. */
export function toDigestWords(kind: SessionKind | undefined): (phrase: string) => string {
  if (kind !== 'backup') return (phrase) => phrase;
  return (phrase) => BACKUP_WORDS.reduce((text, [from, to]) => text.replace(from, to), phrase);
}

const replications = (n: number): string => `${n} ${n === 1 ? VM_REPLICATION.one : VM_REPLICATION.many}`;

/** One sentence for notifications and the text fallback: the gist before any detail. */
export function toDigestHeadline(digest: Digest): string {
  const t = digest.current.totals;
  const w = toDigestWords(digest.filters.kind);
  if (t.runs === 0) return w('No VM replications in this period.');
  const parts = [w(replications(t.runs)), `${formatRate(digest.current.successRate)} ok`];
  if (t.failed > 0) parts.push(`${t.failed} failed`);
  if (t.warning > 0) parts.push(`${t.warning} with warnings`);
  if (t.running > 0) parts.push(`${t.running} still running`);
  if (digest.stopped.length > 0) parts.push(`${digest.stopped.length} ${w('stopped replicating')}`);
  return `${parts.join(', ')}.`;
}

/**
 * The digest's one summary line: every total with its change against the period before, and what it covered.
 * `104 VM replications (+6 vs 104 the day before) · 85% ok (-8.2 pts) · 84 succeeded, 7 with warnings, 16
 * failed (+9), 3 still running · 23 VMs in 8 jobs`
 */
export function toDigestSummaryLine(digest: Digest): string {
  const t = digest.current.totals;
  const p = digest.previous.totals;
  const period = digest.window.period;
  const w = toDigestWords(digest.filters.kind);
  if (t.runs === 0)
    return w(`No VM replications in this period (${replications(p.runs)} the ${period} before).`);
  const rate =
    `${formatRate(digest.current.successRate)} ok` +
    (digest.change.successRatePoints === null
      ? ''
      : ` (${formatSigned(digest.change.successRatePoints, ' pts')})`);
  const results = [
    `${t.success} succeeded`,
    `${t.warning} with ${t.warning === 1 ? 'a warning' : 'warnings'}`,
    `${t.failed} failed (${formatSigned(digest.change.failed)})`,
    ...(t.running > 0 ? [`${t.running} still running`] : []),
  ];
  const covered = `${digest.vmCount} ${digest.vmCount === 1 ? 'VM' : 'VMs'} in ${digest.jobCount} ${digest.jobCount === 1 ? 'job' : 'jobs'}`;
  return [
    w(`${replications(t.runs)} (${formatSigned(digest.change.runs)} vs ${p.runs} the ${period} before)`),
    rate,
    results.join(', '),
    covered,
  ].join(' · ');
}
