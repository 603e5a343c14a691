import type { WebClient } from '@slack/web-api';
import { errorMessage } from '../core/error-message.js';
import type { Logger } from '../logger.js';

/** The asker's IANA zone from `users.info`, cached for an hour; DEFAULT_TIMEZONE when Slack cannot tell. */
export interface TimeZoneLookup {
  timeZoneOf(userId: string, client: WebClient): Promise<string>;
}

export function createTimeZoneLookup(options: {
  defaultTimeZone: string;
  logger: Logger;
  now?: () => number;
  ttlMs?: number;
}): TimeZoneLookup {
  const cache = new Map<string, { zone: string; until: number }>();
  const now = options.now ?? Date.now;
  const ttl = options.ttlMs ?? 3600_000;
  return {
    async timeZoneOf(userId, client) {
      const hit = cache.get(userId);
      if (hit && hit.until > now()) return hit.zone;
      let zone = options.defaultTimeZone;
      try {
        const result = await client.users.info({ user: userId });
        const tz = result.user?.tz;
        if (typeof tz === 'string' && isZone(tz)) zone = tz;
      } catch (error) {
        // users:read missing or Slack down: answer in the default zone rather than not at all.
        options.logger.warn(
          { userId, err: errorMessage(error) },
          'users.info failed; using DEFAULT_TIMEZONE',
        );
        return zone;
      }
      cache.set(userId, { zone, until: now() + ttl });
      // cast: the cache holds over 10 000 keys, so the first key exists
      if (cache.size > 10_000) cache.delete(cache.keys().next().value as string);
      return zone;
    },
  };
}

function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
