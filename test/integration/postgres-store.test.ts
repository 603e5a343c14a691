/** PostgreSQL as the store: the same migrations, and one check at start that names what is wrong, never the password. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDatabase, MIGRATIONS, openReplibotDatabase } from '../../src/app/database.js';
import { loadConfig } from '../../src/config.js';
import { createAlertStore } from '../../src/features/alerts/alert-store.js';
import { toSafeUrl } from '../../src/store/open-postgres.js';
import { type PostgresServer, startPostgresServer } from '../fakes/postgres-server.js';
import { waitFor } from '../fakes/wait-for.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const SECRET = 's3cret-Pa55';

/** The error openReplibotDatabase throws, as one text (message, hint, cause) the test can search. */
async function openError(url: string): Promise<string> {
  try {
    const db = await openReplibotDatabase(url, { connectTimeoutMs: 3000 });
    await db.close();
  } catch (error) {
    const e = error as Error & { hint?: string };
    return `${e.message} ${e.hint ?? ''}`;
  }
  throw new Error('the database opened');
}

describe('openReplibotDatabase on PostgreSQL', () => {
  it('applies every migration once, also when two instances start at once, and keeps them on a reopen', async () => {
    const url = await server.createDatabase();
    const [a, b] = await Promise.all([openReplibotDatabase(url), openReplibotDatabase(url)]);
    await a.close();
    await b.close();
    const again = await openReplibotDatabase(url);
    expect(again.dialect).toBe('postgres');
    const store = createAlertStore(again.db);
    await store.state.set('k', 'v');
    expect(await store.state.get('k')).toBe('v');
    await again.close();
    const name = new URL(url).pathname.slice(1);
    const rows = await server.query('SELECT version FROM schema_migrations ORDER BY version', name);
    expect(rows.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version).sort((x, y) => x - y));
  });

  it('names a refused connection, a failed login and a missing database, never the password', async () => {
    const url = await server.createDatabase({ owner: { name: 'replibot_owner', password: SECRET } });
    const refused = await openError(url.replace(`:${server.port}/`, ':1/'));
    expect(refused).toContain('refused the connection');
    expect(refused).toContain('127.0.0.1:1');
    const login = await openError(url.replace(SECRET, 'wrong-password'));
    expect(login).toContain('refused the login of user replibot_owner (wrong password)');
    expect(login).not.toContain('wrong-password');
    const missing = await openError(url.replace(/\/[^/]+$/, '/no_such_db'));
    expect(missing).toContain('The database no_such_db does not exist');
    for (const text of [refused, login, missing]) expect(text).not.toContain(SECRET);
  });

  it('names a user that may not create the tables', async () => {
    const owned = await server.createDatabase();
    const name = new URL(owned).pathname.slice(1);
    await server.query(`CREATE ROLE replibot_reader LOGIN PASSWORD '${SECRET}'`);
    const url = `postgres://replibot_reader:${SECRET}@127.0.0.1:${server.port}/${name}`;
    const text = await openError(url);
    expect(text).toContain('User replibot_reader may not create or change');
    expect(text).toContain('GRANT CREATE, USAGE ON SCHEMA public TO replibot_reader');
    expect(text).not.toContain(SECRET);
  });
});

describe('a connection that PostgreSQL cuts', () => {
  it('is reported, not a crash, also while a transaction holds it between two statements', async () => {
    const url = await server.createDatabase();
    const reported: string[] = [];
    const db = await openReplibotDatabase(url, { onIdleError: (message) => reported.push(message) });
    const name = new URL(url).pathname.slice(1);
    // checked out and idle inside a transaction: pg emits 'error' on the client itself then, which no pool listener
    // hears (an unheard 'error' event ends the process)
    const outcome = db.db
      .transaction()
      .execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
        const pid = rows[0]?.pid;
        await server.query(`SELECT pg_terminate_backend(${Number(pid)})`, name);
        await waitFor(
          () => reported.length > 0,
          'the cut reported while the transaction holds the connection',
        );
        await sql`SELECT 1`.execute(trx);
      })
      .then(
        () => 'committed',
        (error: unknown) => `failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    expect(await outcome).toMatch(/^failed: /);
    expect(reported.join('\n')).toContain('PostgreSQL at 127.0.0.1');
    // the pool replaced the broken connection: the store still answers
    const store = createAlertStore(db.db);
    await store.state.set('after', 'cut');
    expect(await store.state.get('after')).toBe('cut');
    await db.close();
  });
});

describe('DATABASE_URL', () => {
  it('is read from DATABASE_URL_FILE, checked for its shape, and shown without its password', () => {
    const url = `postgres://bot:${SECRET}@db.example:5432/replibot`;
    const config = loadConfig({ DATABASE_URL_FILE: '/run/secrets/db' }, () => `${url}\n`);
    expect(config.databaseUrl).toBe(url);
    expect(describeDatabase(config)).toContain('postgres://bot:***@db.example:5432/replibot');
    expect(describeDatabase(config)).not.toContain(SECRET);
    expect(toSafeUrl(url)).not.toContain(SECRET);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x:y@h/d' })).toThrow(/must start with postgres:\/\//);
    expect(() => loadConfig({ DATABASE_URL: `not a url ${SECRET}` })).toThrow(/DATABASE_URL is not a URL/);
    try {
      loadConfig({ DATABASE_URL: `not a url ${SECRET}` });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(SECRET);
    }
    expect(() => loadConfig({ DATABASE_URL: url, DATABASE_URL_FILE: '/x' }, () => url)).toThrow(/not both/);
  });
});
