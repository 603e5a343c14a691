/**
 * The process's database: one connection with every feature's migrations (alerts 1..49, digests 50..99) and the
 * store's own (the one-writer lease, 100+).
 */
import { ALERT_MIGRATIONS } from '../features/alerts/migrations.js';
import { DIGEST_MIGRATIONS } from '../features/digests/migrations.js';
import { LEASE_MIGRATIONS } from '../store/lease.js';
import { openDatabase, type SqliteDatabase } from '../store/open-database.js';

export const MIGRATIONS = [...ALERT_MIGRATIONS, ...DIGEST_MIGRATIONS, ...LEASE_MIGRATIONS];

export function openReplibotDatabase(path: string): SqliteDatabase {
  return openDatabase(path, MIGRATIONS);
}
