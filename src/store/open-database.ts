/**
 * The process's one database, as a Kysely instance: SQLite (one better-sqlite3 connection: the file, created with
 * its folder when needed, WAL mode and the pragmas) and the migration runner. Each feature owns its tables and
 * numbered steps (alerts 1..49, digests 50..99, ...); the composition root hands every feature's steps to
 * `openDatabase` once. Repositories get the untyped `StoreDb` and type it with their own tables
 * (`db.withTables<AlertTables>()`), so no feature needs to know another's tables.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresAdapter, sql } from 'kysely';
import { ReplibotError } from '../core/errors.js';
import { ReplibotSqliteDialect } from './sqlite-dialect.js';

export type SqliteDatabase = Database.Database;

export type StoreDialect = 'sqlite' | 'postgres';

/** The database with no tables known: each repository adds its own (`withTables`). */
export type NoTables = Record<never, never>;
export type StoreDb = Kysely<NoTables>;

export interface Migration {
  version: number;
  name: string;
  /**
   * The step, run in one transaction with its bookkeeping row, on either engine: write it with Kysely's schema
   * builder (`db.schema`), and `dialect` for the few types that differ (`toIdType`). `Kysely<any>`: a step runs
   * against the schema as it was at that step, not against today's table types (Kysely's advice for migrations).
   */
  // biome-ignore lint/suspicious/noExplicitAny: see above
  up(db: Kysely<any>, dialect: StoreDialect): Promise<void>;
}

/** The opened database: the Kysely instance, which engine it is, and how to close it. */
export interface StoreDatabase {
  readonly db: StoreDb;
  readonly dialect: StoreDialect;
  /** the raw SQLite connection (SQLite only): pragmas, backups and tests */
  readonly sqlite: SqliteDatabase | null;
  close(): Promise<void>;
}

/** Which engine a Kysely instance talks to (a repository's few dialect-specific clauses ask this). */
export function toDialect(db: Pick<StoreDb, 'getExecutor'>): StoreDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** The type of an auto-numbered `id` column: SQLite's rowid alias, PostgreSQL's identity. */
export function toIdType(dialect: StoreDialect): 'integer' | 'bigserial' {
  return dialect === 'postgres' ? 'bigserial' : 'integer';
}

/** What a SQLite error means for the operator; null when the error is not SQLite's. */
export interface StoreProblem {
  /** SQLite's code, e.g. SQLITE_FULL */
  code: string;
  kind: 'full' | 'locked' | 'corrupt' | 'unwritable' | 'other';
  /** says what happened and what to do; names DATABASE_PATH, never a secret */
  message: string;
}

/** PostgreSQL's (and the network's) failures that mean the store, not EM, failed. */
function toPostgresStoreProblem(error: unknown): StoreProblem | null {
  // cast: any thrown value: every field is read as unknown and checked before use
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  // PostgreSQL's SQLSTATEs (connection exceptions, a terminated backend) and pg-pool's own words; a bare
  // ECONNREFUSED is not enough: it may be EM's
  if (
    code.startsWith('08') ||
    code.startsWith('57P') ||
    /^Connection terminated|timeout exceeded when trying to connect/i.test(message)
  )
    return {
      code: code || 'PG_CONNECTION',
      kind: 'unwritable',
      message:
        'The PostgreSQL database (DATABASE_URL) cannot be reached or closed the connection; replibot reconnects by itself.',
    };
  if (code === '53100')
    return {
      code,
      kind: 'full',
      message:
        'The PostgreSQL server (DATABASE_URL) is out of disk space. Free some space; replibot recovers by itself.',
    };
  if (code === '40001' || code === '40P01' || code === '55P03')
    return {
      code,
      kind: 'locked',
      message: 'Another replibot holds a lock in the PostgreSQL database; replibot retries by itself.',
    };
  if (code === '42501')
    return {
      code,
      kind: 'unwritable',
      message: "The PostgreSQL user in DATABASE_URL may not write replibot's tables (permission denied).",
    };
  return null;
}

export function toStoreProblem(error: unknown): StoreProblem | null {
  // cast: any thrown value: the field is read as unknown and checked before use
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return toPostgresStoreProblem(error);
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
 * Opens (creating the folder and file when needed) and migrates the SQLite database. `':memory:'` gives a private
 * in-memory database for tests and the demo.
 */
export async function openDatabase(path: string, migrations: readonly Migration[]): Promise<StoreDatabase> {
  let raw: SqliteDatabase;
  try {
    if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
    raw = new Database(path);
    raw.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; only a power loss can lose the last commit
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma('busy_timeout = 5000');
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
  const db = new Kysely<NoTables>({ dialect: new ReplibotSqliteDialect(raw) });
  const database: StoreDatabase = {
    db,
    dialect: 'sqlite',
    sqlite: raw,
    close: () => db.destroy(),
  };
  try {
    await migrate(database, migrations);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

type MigrationTables = {
  schema_migrations: { version: number; name: string; applied_at: string };
};

/** One key for PostgreSQL's advisory lock: two processes starting at once apply each step once. */
const MIGRATION_LOCK = 72_405_120;

export async function migrate(database: StoreDatabase, migrations: readonly Migration[]): Promise<void> {
  const versions = new Set<number>();
  for (const m of migrations) {
    if (versions.has(m.version))
      throw new ReplibotError('internal', `Migration ${m.version} is defined twice.`);
    versions.add(m.version);
  }
  const db = database.db.withTables<MigrationTables>();
  const { dialect } = database;
  // the bookkeeping table, and then each step, in a transaction that holds the migration lock (SQLite: BEGIN
  // IMMEDIATE; PostgreSQL: an advisory lock), and asked again inside
  const locked = async <T>(fn: (trx: typeof db) => Promise<T>): Promise<T> =>
    db.transaction().execute(async (trx) => {
      if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
      return fn(trx);
    });
  await locked((trx) =>
    trx.schema
      .createTable('schema_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'text', (c) => c.notNull())
      .execute(),
  );
  const rows = await db.selectFrom('schema_migrations').select('version').execute();
  const applied = new Set(rows.map((r) => r.version));
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    try {
      await locked(async (trx) => {
        const done = await trx
          .selectFrom('schema_migrations')
          .select('version')
          .where('version', '=', m.version)
          .executeTakeFirst();
        if (done !== undefined) return;
        await m.up(trx, dialect);
        // the wall clock is fine here: this is bookkeeping for humans, not domain time
        await trx
          .insertInto('schema_migrations')
          .values({ version: m.version, name: m.name, applied_at: new Date().toISOString() })
          .execute();
      });
    } catch (error) {
      throw new ReplibotError('store_error', `Database migration ${m.version} (${m.name}) failed.`, {
        hint: 'The database was left as it was before this step; check the log and the database.',
        cause: error,
      });
    }
  }
}
