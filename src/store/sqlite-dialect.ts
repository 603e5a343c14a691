/**
 * Kysely over the process's one better-sqlite3 connection. Kysely's own SqliteDialect would do, but for two
 * things the store needs: transactions BEGIN IMMEDIATE (a transaction that reads and then writes, such as the
 * lease takeover, takes the file's write lock first, so two processes on one file wait for each other through
 * busy_timeout instead of failing with SQLITE_BUSY_SNAPSHOT), and prepared statements are kept (the poller's hot
 * path runs the same few statements thousands of times).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

/** how many distinct statements stay prepared (the store has about a hundred) */
const STATEMENT_CACHE = 500;

class SqliteConnection implements DatabaseConnection {
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
  }

  #prepare(text: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.#db.prepare(text);
      if (this.#statements.size >= STATEMENT_CACHE) this.#statements.clear();
      this.#statements.set(text, statement);
    }
    return statement;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(compiled.sql);
    // R is the row type Kysely derived from the query it compiled; better-sqlite3 only knows unknown[]
    if (statement.reader) return { rows: statement.all(...compiled.parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(...compiled.parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  // biome-ignore lint/correctness/useYield: the store never streams; Kysely's interface asks for the method
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('The SQLite store does not stream queries.');
  }
}

/** Kysely's one-connection mutex: a transaction holds the connection until it ends. */
class ConnectionMutex {
  #held: Promise<void> | null = null;
  #release: (() => void) | null = null;

  async lock(): Promise<void> {
    while (this.#held !== null) await this.#held;
    this.#held = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  unlock(): void {
    const release = this.#release;
    this.#held = null;
    this.#release = null;
    release?.();
  }
}

/**
 * Which transaction the current async flow runs inside. A query sent through the database (not the transaction)
 * from inside a transaction would wait for the one connection forever; the driver names that mistake instead.
 */
const inTransaction = new AsyncLocalStorage<symbol>();

class SqliteDriver implements Driver {
  readonly #mutex = new ConnectionMutex();
  /** the transaction holding the connection, if any */
  #transaction: symbol | null = null;
  readonly #db: BetterSqlite3.Database;
  readonly #connection: SqliteConnection;

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
    this.#connection = new SqliteConnection(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const flow = inTransaction.getStore();
    if (flow !== undefined && flow === this.#transaction)
      throw new Error(
        'A query went through the database from inside one of its transactions (it would wait forever for the one SQLite connection): use the transaction (`tx`) inside `transaction(...)`.',
      );
    await this.#mutex.lock();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const id = Symbol('transaction');
    // before the first await: marks the flow that called us (Kysely's transaction, and its callback)
    inTransaction.enterWith(id);
    this.#transaction = id;
    await connection.executeQuery(CompiledQuery.raw('BEGIN IMMEDIATE'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // a failed COMMIT or an error SQLite already rolled back (SQLITE_FULL) leaves no transaction to end
    if (this.#db.inTransaction) await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async releaseConnection(): Promise<void> {
    this.#transaction = null;
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

export class ReplibotSqliteDialect implements Dialect {
  readonly #db: BetterSqlite3.Database;

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
  }

  createDriver(): Driver {
    return new SqliteDriver(this.#db);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
