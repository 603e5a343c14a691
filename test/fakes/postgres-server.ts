/**
 * Tests: a throwaway PostgreSQL (15 on these machines) started with initdb + pg_ctl in a temporary folder, on a free
 * port of 127.0.0.1, and removed again. PostgreSQL refuses to run as root: when the tests run as root (here and in
 * CI) the server runs as the `postgres` system user (or POSTGRES_TEST_USER) through `runuser`, and its folder is
 * handed to that user. `.ci/run` installs PostgreSQL when `initdb` is missing.
 *
 * One server per test file (`startPostgresServer()` in beforeAll): a fresh cluster takes about a second with fsync
 * off; `createDatabase()` gives each test or suite its own empty database on it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** superuser URL of the `postgres` database (user replibot_admin, password below) */
  readonly url: string;
  readonly port: number;
  readonly adminPassword: string;
  /** a new empty database, owned by `owner` (default the superuser); its URL for that owner */
  createDatabase(options?: { owner?: { name: string; password: string } }): Promise<string>;
  /** runs SQL as the superuser in the `postgres` database (or `database`) */
  query(sql: string, database?: string): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

const ADMIN = 'replibot_admin';

/** The folder of initdb and pg_ctl: PG_BINDIR, `pg_config --bindir`, or Debian's PostgreSQL 15 path. */
export function findPostgresBinaries(): string | null {
  const candidates = [process.env.PG_BINDIR];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // no pg_config on the PATH
  }
  candidates.push('/usr/lib/postgresql/15/bin');
  for (const dir of candidates)
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The user the server runs as: ourselves, or (as root) a system user that exists. */
function toRunAs(): { user: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const user = process.env.POSTGRES_TEST_USER ?? 'postgres';
  const id = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (id.status !== 0 || gid.status !== 0)
    throw new Error(
      `Running as root, PostgreSQL needs a non-root user to run as: create the user '${user}' (apt-get install postgresql does) or set POSTGRES_TEST_USER.`,
    );
  return { user, uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = findPostgresBinaries();
  if (bin === null)
    throw new Error(
      'PostgreSQL is not installed (no initdb): apt-get install -y postgresql, or set PG_BINDIR.',
    );
  const runAs = toRunAs();
  const dir = mkdtempSync(join(tmpdir(), 'replibot-pg-'));
  const data = join(dir, 'data');
  const adminPassword = `pw-${Math.random().toString(36).slice(2)}`;
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${adminPassword}\n`);
  if (runAs !== null) {
    chownSync(dir, runAs.uid, runAs.gid);
    chownSync(pwfile, runAs.uid, runAs.gid);
  }
  chmodSync(dir, 0o700);
  const run = (command: string, args: string[]): void => {
    const [file, argv] =
      runAs === null
        ? [join(bin, command), args]
        : ['runuser', ['-u', runAs.user, '--', join(bin, command), ...args]];
    const result = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0)
      throw new Error(`${command} failed (${result.status}): ${result.stderr || result.stdout}`);
  };
  const port = await freePort();
  try {
    run('initdb', [
      '-D',
      data,
      '-U',
      ADMIN,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
      'start',
    ]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const url = `postgres://${ADMIN}:${adminPassword}@127.0.0.1:${port}/postgres`;
  let databases = 0;
  const query = async (sql: string, database = 'postgres'): Promise<pg.QueryResult> => {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: ADMIN,
      password: adminPassword,
      database,
    });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    url,
    port,
    adminPassword,
    query,
    async createDatabase(options = {}) {
      databases += 1;
      const name = `replibot_test_${databases}`;
      const owner = options.owner;
      if (owner !== undefined) {
        const exists = await query(`SELECT 1 FROM pg_roles WHERE rolname = '${owner.name}'`);
        if (exists.rowCount === 0)
          await query(`CREATE ROLE ${owner.name} LOGIN PASSWORD '${owner.password}'`);
      }
      await query(`CREATE DATABASE ${name}${owner ? ` OWNER ${owner.name}` : ''}`);
      const user = owner ?? { name: ADMIN, password: adminPassword };
      return `postgres://${user.name}:${encodeURIComponent(user.password)}@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
