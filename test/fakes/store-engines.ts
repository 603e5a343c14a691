/**
 * Tests: the store suites run on both engines. `useStoreEngine(engine)` (call it inside a describe block) gives
 * fresh database targets: a SQLite file in a temporary folder, or a new database on a throwaway PostgreSQL that
 * the block starts and stops (test/fakes/postgres-server.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openReplibotDatabase } from '../../src/app/database.js';
import { type AlertStore, createAlertStore } from '../../src/features/alerts/alert-store.js';
import type { StoreDatabase } from '../../src/store/open-database.js';
import { type PostgresServer, startPostgresServer } from './postgres-server.js';

export type Engine = 'sqlite' | 'postgres';
export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

export interface StoreEngine {
  /** a new, empty database: a SQLite path or a postgres:// URL */
  target(): Promise<string>;
  /** opens a target (every migration applied); closed after the block */
  open(target: string): Promise<StoreDatabase>;
  /** the alerts' store over a new database, and its database */
  openStore(target?: string): Promise<AlertStore & { handle: StoreDatabase; close(): Promise<void> }>;
  readonly server: () => PostgresServer | null;
}

export function useStoreEngine(engine: Engine): StoreEngine {
  let server: PostgresServer | null = null;
  let dir: string | undefined;
  let files = 0;
  const opened: StoreDatabase[] = [];
  beforeAll(async () => {
    if (engine === 'postgres') server = await startPostgresServer();
    else dir = mkdtempSync(join(tmpdir(), 'replibot-engine-'));
  }, 60_000);
  afterAll(async () => {
    for (const db of opened.splice(0)) await db.close().catch(() => undefined);
    await server?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  const target = async (): Promise<string> => {
    if (server !== null) return server.createDatabase();
    if (dir === undefined) throw new Error('useStoreEngine: call it inside a describe block');
    files += 1;
    return join(dir, `store-${files}.db`);
  };
  const open = async (at: string): Promise<StoreDatabase> => {
    const db = await openReplibotDatabase(at);
    opened.push(db);
    return db;
  };
  return {
    target,
    open,
    async openStore(at) {
      const handle = await open(at ?? (await target()));
      return Object.assign(createAlertStore(handle.db), { handle, close: () => handle.close() });
    },
    server: () => server,
  };
}
