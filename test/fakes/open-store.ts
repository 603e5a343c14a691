/** Tests: the process's database (every migration) with the alerts' store over it, and the handle to close it. */
import { openReplibotDatabase } from '../../src/app/database.js';
import { type AlertStore, createAlertStore } from '../../src/features/alerts/alert-store.js';
import type { SqliteDatabase, StoreDatabase, StoreDb } from '../../src/store/open-database.js';

export type TestStore = AlertStore & {
  /** the database (Kysely), for other repositories over the same database */
  database: StoreDb;
  /** the raw SQLite connection: pragmas and hand-made rows in SQLite-only tests */
  sqlite: SqliteDatabase;
  handle: StoreDatabase;
  close(): Promise<void>;
};

export async function openStore(path = ':memory:'): Promise<TestStore> {
  const handle = await openReplibotDatabase(path);
  const sqlite = handle.sqlite;
  if (sqlite === null) throw new Error('openStore opens SQLite');
  return Object.assign(createAlertStore(handle.db), {
    database: handle.db,
    sqlite,
    handle,
    close: () => handle.close(),
  });
}
