/** Tests: the process's database (every migration) with the alerts' store over it, and the handle to close it. */
import { openReplibotDatabase } from '../../src/app/database.js';
import { type AlertStore, createAlertStore } from '../../src/features/alerts/alert-store.js';
import type { SqliteDatabase } from '../../src/store/open-database.js';

export type TestStore = AlertStore & { db: SqliteDatabase; close(): void };

export function openStore(path = ':memory:'): TestStore {
  const db = openReplibotDatabase(path);
  return Object.assign(createAlertStore(db), {
    db,
    close: () => {
      if (db.open) db.close();
    },
  });
}
