/**
 * PostgreSQL as the shared store: Kysely's PostgresDialect over a pg Pool, the same migrations as SQLite, and one
 * check at start that names what is wrong (a bad URL, a refused connection, an unknown host, a failed login, a
 * missing database, a missing permission). The password never appears in a message or a log: every URL we show
 * goes through `toSafeUrl`, and pg's own errors do not carry it.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { ReplibotError } from '../core/errors.js';
import { type Migration, migrate, type NoTables, type StoreDatabase } from './open-database.js';

/** int8 (bigint, bigserial, COUNT(*)): epoch milliseconds and ids stay far below 2^53, so a JS number is exact */
const INT8_OID = 20;

export interface PostgresOptions {
  /** connections in the pool; default 10 */
  maxConnections?: number;
  /** how long to wait for a connection; default 10 s */
  connectTimeoutMs?: number;
  /** told about connections that break, idle or checked out (a restarted server, a cut connection); the pool replaces them */
  onIdleError?: (message: string) => void;
}

/** A URL as it may be shown: the password replaced by `***`. */
export function toSafeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

/** Reads DATABASE_URL's parts, or says what is wrong with it (never echoing the password). */
export function parsePostgresUrl(url: string): {
  host: string;
  port: number;
  user: string;
  database: string;
} {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ReplibotError('config_invalid', 'DATABASE_URL is not a URL.', {
      hint: 'Give it as postgres://user:password@host:5432/database (percent-encode special characters in the password).',
    });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new ReplibotError(
      'config_invalid',
      `DATABASE_URL must start with postgres:// (it starts with ${parsed.protocol}//).`,
      {
        hint: 'Give it as postgres://user:password@host:5432/database; for SQLite, unset it and use DATABASE_PATH.',
      },
    );
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (parsed.hostname === '' || parsed.username === '' || database === '')
    throw new ReplibotError(
      'config_invalid',
      `DATABASE_URL ${toSafeUrl(url)} needs a host, a user and a database name.`,
      {
        hint: 'Give it as postgres://user:password@host:5432/database.',
      },
    );
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    database,
  };
}

/** What a PostgreSQL (or network) error means for the operator, naming host, user and database, never the password. */
export function toPostgresProblem(
  error: unknown,
  where: { host: string; port: number; user: string; database: string },
): { message: string; hint: string } {
  // cast: any thrown value: every field is read as unknown and checked before use
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const at = `${where.host}:${where.port}`;
  if (code === 'ECONNREFUSED')
    return {
      message: `PostgreSQL at ${at} refused the connection.`,
      hint: 'Is PostgreSQL running and listening on that host and port (listen_addresses, the port in DATABASE_URL, a firewall)?',
    };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return {
      message: `The PostgreSQL host ${where.host} in DATABASE_URL is not known (DNS).`,
      hint: 'Check the host name in DATABASE_URL.',
    };
  if (code === 'ETIMEDOUT' || /timeout/i.test(String(e?.message ?? '')))
    return {
      message: `PostgreSQL at ${at} did not answer in time.`,
      hint: 'Check the host and port in DATABASE_URL and that the network lets replibot reach it.',
    };
  if (code === '28P01' || code === '28000')
    return {
      message: `PostgreSQL at ${at} refused the login of user ${where.user} (${code === '28P01' ? 'wrong password' : 'not allowed'}).`,
      hint: 'Check the user and password in DATABASE_URL (or the file DATABASE_URL_FILE names), and pg_hba.conf.',
    };
  if (code === '3D000')
    return {
      message: `The database ${where.database} does not exist on PostgreSQL at ${at}.`,
      hint: `Create it: CREATE DATABASE ${where.database} OWNER ${where.user};`,
    };
  if (code === '42501')
    return {
      message: `User ${where.user} may not create or change replibot's tables in database ${where.database} (permission denied).`,
      hint: `Make the user the database's owner (ALTER DATABASE ${where.database} OWNER TO ${where.user}) or grant it: GRANT CREATE, USAGE ON SCHEMA public TO ${where.user};`,
    };
  if (code === '53300')
    return {
      message: `PostgreSQL at ${at} has no connection left (too many clients).`,
      hint: 'Raise max_connections or lower the replibot instances; each keeps a pool of up to 10 connections.',
    };
  return {
    message: `PostgreSQL at ${at} failed${code ? ` (${code})` : ''}: ${String(e?.message ?? error)}`,
    hint: 'Check DATABASE_URL and the PostgreSQL server log.',
  };
}

/**
 * Opens the pool, checks the connection once (naming what is wrong) and applies the migrations. The pool
 * replaces broken connections by itself; queries that were running on one fail and are retried by their caller
 * (the poller's next poll, the outbox's next pass).
 */
export async function openPostgresDatabase(
  url: string,
  migrations: readonly Migration[],
  options: PostgresOptions = {},
): Promise<StoreDatabase> {
  const where = parsePostgresUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    // the pool's own parsers, so nothing global changes for other pg users in the process
    types: {
      // cast: pg's getTypeParser is overloaded; this function answers every overload (INT8 as number, the rest as pg does)
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // A connection that breaks (a restart, pg_terminate_backend) must not crash the process, whether it is idle or
  // checked out between two statements (inside a transaction, say): pg emits 'error' on the client then, and the
  // pool re-emits it for idle clients only. The client's own listener reports it once; the pool's must exist but
  // stays quiet. The statement that uses a broken connection fails, its caller retries, the pool replaces it.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onIdleError?.(toPostgresProblem(error, where).message));
  });
  const fail = async (error: unknown, during: string): Promise<never> => {
    await pool.end().catch(() => undefined);
    if (error instanceof ReplibotError) throw error;
    const problem = toPostgresProblem(error, where);
    throw new ReplibotError('store_error', `${during}: ${problem.message}`, {
      hint: problem.hint,
      cause: error,
    });
  };
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    return fail(error, `Cannot connect to ${toSafeUrl(url)}`);
  }
  const db = new Kysely<NoTables>({ dialect: new PostgresDialect({ pool }) });
  const database: StoreDatabase = {
    db,
    dialect: 'postgres',
    sqlite: null,
    close: () => db.destroy(),
  };
  try {
    await migrate(database, migrations);
  } catch (error) {
    const cause = error instanceof ReplibotError && error.cause !== undefined ? error.cause : error;
    const problem = toPostgresProblem(cause, where);
    await db.destroy().catch(() => undefined);
    throw new ReplibotError(
      'store_error',
      `${error instanceof Error ? error.message : 'Database migration failed.'} ${problem.message}`,
      { hint: problem.hint, cause },
    );
  }
  return database;
}
