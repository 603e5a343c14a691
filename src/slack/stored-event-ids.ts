/**
 * The memory of handled Slack events in the store, so that every instance on one database shares it and a restart
 * keeps it: Slack delivers an event again (a retry) to any instance, and only the first insert of its `event_id`
 * answers it. Rows older than the window are pruned now and then. When the store cannot answer, the in-process
 * memory decides (an answer given twice is better than none).
 */

import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/error-message.js';
import type { Logger } from '../logger.js';
import type { Migration, StoreDb } from '../store/open-database.js';
import { createRecentIds, type RecentIds } from './recent-ids.js';

/** Version 101, with the store's own steps (the lease is 100). */
export const SLACK_EVENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 101,
    name: 'handled slack events',
    async up(db) {
      await db.schema
        .createTable('slack_events')
        .addColumn('event_id', 'text', (c) => c.primaryKey())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('slack_events_seen_at').on('slack_events').column('seen_at').execute();
    },
  },
];

type SlackEventTables = { slack_events: { event_id: string; seen_at: number } };

/** prune once per this many new events */
const PRUNE_EVERY = 200;

export function createStoredEventIds(
  store: StoreDb,
  options: { ttlMs: number; clock: Clock; logger: Logger; max?: number },
): RecentIds {
  const db = store.withTables<SlackEventTables>();
  const memory = createRecentIds({ max: options.max ?? 10_000, ttlMs: options.ttlMs, clock: options.clock });
  let inserted = 0;
  return {
    async remember(id) {
      const now = options.clock.now().getTime();
      try {
        if (inserted % PRUNE_EVERY === 0)
          await db
            .deleteFrom('slack_events')
            .where('seen_at', '<', now - options.ttlMs)
            .execute();
        const result = await db
          .insertInto('slack_events')
          .values({ event_id: id, seen_at: now })
          .onConflict((c) => c.column('event_id').doNothing())
          .executeTakeFirst();
        const first = Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
        if (first) inserted += 1;
        memory.remember(id);
        return first;
      } catch (error) {
        options.logger.warn(
          { err: errorMessage(error) },
          'the store cannot tell whether a Slack event was handled; this instance decides alone',
        );
        return memory.remember(id);
      }
    },
  };
}
