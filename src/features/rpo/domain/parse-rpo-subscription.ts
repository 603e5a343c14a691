/**
 * `/replicas subscribe rpo [<duration>] [backups] [job <name>] [vm <name>] [server <name>]`, pure. Replicas
 * unless it says `backups` (also `subscribe backups rpo 24h ...`).
 */
import type { SessionKind } from '../../../core/backup-sessions.js';

import { formatDuration } from '../../../core/format.js';
import {
  type ParseResult,
  parseDuration,
  parseSubscriptionFilter,
} from '../../alerts/domain/subscription-filter.js';

export interface RpoSubscriptionRequest {
  rpoMs: number | null;
  job: string | null;
  vm: string | null;
  server: string | null;
  /** absent: replication */
  kind?: SessionKind;
}

const LEADING_KIND = /^(backups?|replicas?|replications?)\s+(?=rpo(\s|$))/i;

/** True when the words after `subscribe` ask for the RPO watch. */
export function isRpoSubscribe(args: string): boolean {
  return /^rpo(\s|$)/i.test(args.trim().replace(LEADING_KIND, ''));
}

export function parseRpoSubscription(args: string): ParseResult<RpoSubscriptionRequest> {
  const trimmed = args.trim();
  // `subscribe backups rpo 24h` reads as `subscribe rpo 24h backups`
  const leading = LEADING_KIND.exec(trimmed)?.[1] ?? '';
  let rest = `${trimmed
    .replace(LEADING_KIND, '')
    .replace(/^rpo\b/i, '')
    .trim()}`;
  let rpoMs: number | null = null;
  const first = /^(\S+)(\s+|$)/.exec(rest);
  if (first?.[1] && !/^(job|vm|server|backups?|replicas?|replications?)$/i.test(first[1])) {
    rpoMs = parseDuration(first[1]);
    if (rpoMs === null) {
      return {
        ok: false,
        error: `"${first[1]}" is not a duration. Try: /replicas subscribe rpo 4h job "SQL Replica" (m, h or d; without one, RPO_DEFAULT).`,
      };
    }
    rest = rest.slice(first[0].length);
  }
  if (/^(failed|failures|warnings?)\b/i.test(rest.trim())) {
    return {
      ok: false,
      error: 'An RPO subscription has no failed/warnings level: it is about age. Leave that word out.',
    };
  }
  const filter = parseSubscriptionFilter(`${leading} ${rest}`.trim());
  if (!filter.ok) return filter;
  return {
    ok: true,
    value: {
      rpoMs,
      job: filter.value.job,
      vm: filter.value.vm,
      server: filter.value.server,
      ...(filter.value.kind === 'backup' ? { kind: 'backup' as const } : {}),
    },
  };
}

/** "VMs older than 4h (job SQL Replica)" */
export function describeRpoSubscription(sub: RpoSubscriptionRequest, defaultMs: number): string {
  const scope = [
    sub.job === null ? '' : `job ${sub.job}`,
    sub.vm === null ? '' : `VM ${sub.vm}`,
    sub.server === null ? '' : `server ${sub.server}`,
  ].filter(Boolean);
  const rpo = sub.rpoMs === null ? `${formatDuration(defaultMs)} (the default)` : formatDuration(sub.rpoMs);
  if (sub.kind === 'backup')
    return `RPO alerts: backups older than ${rpo}${scope.length === 0 ? ' for every backed-up VM' : ` for ${scope.join(', ')}`}`;
  return `RPO alerts: replicas older than ${rpo}${scope.length === 0 ? ' for every replicated VM' : ` for ${scope.join(', ')}`}`;
}
