/**
 * The process's database: one connection with every feature's migrations (alerts 1..49, digests 50..99, backup
 * digests 250) and the store's own (the one-writer lease, 100+).
 */
import type { Config } from '../config.js';
import { ACTION_MIGRATIONS } from '../features/actions/migrations.js';
import { ALERT_MIGRATIONS } from '../features/alerts/migrations.js';
import { DIGEST_MIGRATIONS } from '../features/digests/migrations.js';
import { RPO_MIGRATIONS } from '../features/rpo/migrations.js';
import { SLACK_EVENT_MIGRATIONS } from '../slack/stored-event-ids.js';
import { LEASE_MIGRATIONS } from '../store/lease.js';
import { openDatabase, type StoreDatabase } from '../store/open-database.js';
import { openPostgresDatabase, type PostgresOptions, toSafeUrl } from '../store/open-postgres.js';

export const MIGRATIONS = [
  ...ALERT_MIGRATIONS,
  ...DIGEST_MIGRATIONS,
  ...LEASE_MIGRATIONS,
  ...SLACK_EVENT_MIGRATIONS,
  ...RPO_MIGRATIONS,
  ...ACTION_MIGRATIONS,
];

/** A SQLite path (or ':memory:'), or a postgres:// URL. */
export function openReplibotDatabase(target: string, options: PostgresOptions = {}): Promise<StoreDatabase> {
  return /^postgres(ql)?:\/\//.test(target)
    ? openPostgresDatabase(target, MIGRATIONS, options)
    : openDatabase(target, MIGRATIONS);
}

/**
 * Where the database lives: DATABASE_PATH whenever it is set or a real EM is asked; only the demo (no VEEAM_URL,
 * no DATABASE_PATH) keeps it in memory, since a fresh simulator each run would meet stale UIDs in a file.
 */
export function toDatabasePath(
  config: Pick<Config, 'veeam' | 'databasePath' | 'databasePathGiven'> & Partial<Pick<Config, 'databaseUrl'>>,
): string {
  if (config.databaseUrl !== undefined) return config.databaseUrl;
  return config.veeam !== undefined || config.databasePathGiven ? config.databasePath : ':memory:';
}

/** What start says about it, so nobody expects the demo's subscriptions, mutes and digests to survive a restart. */
export function describeDatabase(
  config: Pick<Config, 'veeam' | 'databasePath' | 'databasePathGiven'> & Partial<Pick<Config, 'databaseUrl'>>,
): string {
  if (config.databaseUrl !== undefined)
    return `subscriptions, mutes, digest schedules and alert state are kept in PostgreSQL at ${toSafeUrl(config.databaseUrl)} (shared by every instance on it)`;
  const path = toDatabasePath(config);
  return path === ':memory:'
    ? 'subscriptions, mutes and digest schedules are kept in memory and lost when replibot stops (set DATABASE_PATH to keep them in a file)'
    : `subscriptions, mutes, digest schedules and alert state are kept in ${path}`;
}
