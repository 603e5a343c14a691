/**
 * The one SQLite connection of a process: the file (created with its folder when needed), WAL mode and the
 * pragmas, and the migration runner. Each feature owns its tables and numbered steps (alerts 1..49, digests
 * 50..99); the composition root hands every feature's steps to `openDatabase` once.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ReplibotError } from '../core/errors.js';

export type SqliteDatabase = Database.Database;

export interface Migration {
  version: number;
  name: string;
  /** SQL, run in one transaction with the bookkeeping row */
  up: string;
}

/** What a SQLite error means for the operator; null when the error is not SQLite's. */
export interface StoreProblem {
  /** SQLite's code, e.g. SQLITE_FULL */
  code: string;
  kind: 'full' | 'locked' | 'corrupt' | 'unwritable' | 'other';
  /** says what happened and what to do; names DATABASE_PATH, never a secret */
  message: string;
}

export function toStoreProblem(error: unknown): StoreProblem | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  if (code === 'SQLITE_FULL')
    return {
      code,
      kind: 'full',
      message:
        'The database cannot grow: the disk holding DATABASE_PATH is full (or the database reached its size limit). Free some space; replibot recovers by itself.',
    };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return {
      code,
      kind: 'locked',
      message:
        'The database at DATABASE_PATH is locked by another process. Is a second replibot using the same file? replibot retries by itself.',
    };
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
    return {
      code,
      kind: 'corrupt',
      message:
        'The file at DATABASE_PATH is not a replibot database or is damaged; restore it from a backup or move it aside.',
    };
  if (
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code === 'SQLITE_PERM' ||
    code.startsWith('SQLITE_IOERR')
  )
    return {
      code,
      kind: 'unwritable',
      message: 'The database at DATABASE_PATH cannot be written: its folder must be writable by replibot.',
    };
  return { code, kind: 'other', message: `The database at DATABASE_PATH failed (${code}).` };
}

/**
 * Opens (creating the folder and file when needed) and migrates the database. `':memory:'` gives a private
 * in-memory database for tests and the demo.
 */
export function openDatabase(path: string, migrations: readonly Migration[]): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; only a power loss can lose the last commit
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    const problem = toStoreProblem(error);
    throw new ReplibotError('store_error', `Cannot open the database at ${path}.`, {
      hint:
        problem?.kind === 'corrupt'
          ? problem.message
          : 'Check DATABASE_PATH: its folder must be writable by replibot.',
      cause: error,
    });
  }
  migrate(db, migrations);
  return db;
}

function migrate(db: SqliteDatabase, migrations: readonly Migration[]): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const versions = new Set<number>();
  for (const m of migrations) {
    if (versions.has(m.version))
      throw new ReplibotError('internal', `Migration ${m.version} is defined twice.`);
    versions.add(m.version);
  }
  const rows = db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>;
  const applied = new Set(rows.map((r) => r.version));
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    try {
      // IMMEDIATE, and asked again inside: two processes starting at once on one file apply each step once
      db.transaction(() => {
        if (isApplied.get(m.version) !== undefined) return;
        db.exec(m.up);
        // the wall clock is fine here: this is bookkeeping for humans, not domain time
        record.run(m.version, m.name, new Date().toISOString());
      }).immediate();
    } catch (error) {
      throw new ReplibotError('store_error', `Database migration ${m.version} (${m.name}) failed.`, {
        hint: 'The database was left as it was before this step; check the log and the DATABASE_PATH file.',
        cause: error,
      });
    }
  }
}
