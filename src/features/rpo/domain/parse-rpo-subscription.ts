/** `/replicas subscribe rpo [<duration>] [job <name>] [vm <name>] [server <name>]`, pure. */

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
}

/** True when the words after `subscribe` ask for the RPO watch. */
export function isRpoSubscribe(args: string): boolean {
  return /^rpo(\s|$)/i.test(args.trim());
}

export function parseRpoSubscription(args: string): ParseResult<RpoSubscriptionRequest> {
  let rest = args
    .trim()
    .replace(/^rpo\b/i, '')
    .trim();
  let rpoMs: number | null = null;
  const first = /^(\S+)(\s+|$)/.exec(rest);
  if (first?.[1] && !/^(job|vm|server)$/i.test(first[1])) {
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
  const filter = parseSubscriptionFilter(rest);
  if (!filter.ok) return filter;
  return {
    ok: true,
    value: { rpoMs, job: filter.value.job, vm: filter.value.vm, server: filter.value.server },
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
  return `RPO alerts: replicas older than ${rpo}${scope.length === 0 ? ' for every replicated VM' : ` for ${scope.join(', ')}`}`;
}
