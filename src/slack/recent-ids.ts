/**
 * A bounded memory of ids seen lately (Slack `event_id`s), to answer an event once although Slack delivers it
 * again (`X-Slack-Retry-Num` in HTTP mode, `retry_attempt` in Socket Mode). At most `max` ids, each for `ttlMs`;
 * the oldest id goes first when it is full. It lives in the process, so a restart forgets: docs/slack.md says
 * which later work moves it to the store.
 */
import type { Clock } from '../core/clock.js';

export interface RecentIds {
  /** true the first time `id` is seen within the window, false for a repeat */
  remember(id: string): boolean | Promise<boolean>;
}

/** The in-process memory (one instance, or the fallback when the store cannot answer). */
export interface MemoryRecentIds extends RecentIds {
  remember(id: string): boolean;
  readonly size: number;
}

export function createRecentIds(options: { max: number; ttlMs: number; clock: Clock }): MemoryRecentIds {
  // a Map keeps insertion order: the first key is always the oldest
  const seen = new Map<string, number>();
  const prune = (now: number) => {
    for (const [id, at] of seen) {
      if (now - at < options.ttlMs && seen.size <= options.max) break;
      seen.delete(id);
    }
  };
  return {
    remember(id) {
      const now = options.clock.now().getTime();
      prune(now);
      const at = seen.get(id);
      if (at !== undefined && now - at < options.ttlMs) return false;
      seen.delete(id);
      seen.set(id, now);
      if (seen.size > options.max) prune(now);
      return true;
    },
    get size() {
      return seen.size;
    },
  };
}
