/**
 * One writer per database: a lease row in the store. The holder renews it (heartbeat); anyone may take it once it
 * has expired. Every takeover increments the fencing token, so work claimed under an older token can tell it is
 * stale (`isHeld(token)` is false) and refuse to send. One implementation for both engines (Kysely): on SQLite
 * each step is one IMMEDIATE transaction (two processes on one file take turns through busy_timeout); on
 * PostgreSQL the takeover reads the row `FOR UPDATE` and a fence check asked inside a transaction reads it
 * `FOR SHARE`, so a takeover waits until the old holder's transaction ended (and the old holder, asking after the
 * takeover, sees the new token).
 *
 * Why a lease row rather than `pg_try_advisory_lock`: the same code and the same fencing token on both engines,
 * the token is stored data that every fenced write can compare against (an advisory lock has no token and is
 * tied to one connection, so a pool would need a dedicated session and a cut connection would lose it silently),
 * and `/healthz` can show who holds it.
 *
 * Time comes from the Clock: `expiresAt = now + periodMs`. The processes sharing a database must have clocks
 * that agree to well within a lease period (NTP).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { type Migration, type StoreDb, toDialect } from './open-database.js';

/** Versions 100+ belong to the store itself (alerts 1..49, digests 50..99). */
export const LEASE_MIGRATIONS: readonly Migration[] = [
  {
    version: 100,
    name: 'lease',
    async up(db) {
      await db.schema
        .createTable('lease')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('token', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
];

export type LeaseTables = {
  lease: { name: string; holder: string; token: number; expires_at: number; heartbeat_at: number };
};

export interface LeaseState {
  /** the owner id of the holder (who holds it now, or held it last when released or expired) */
  holder: string;
  /** the fencing token: increases on every takeover */
  token: number;
  expiresAt: Date;
  heartbeatAt: Date;
  /** false once expired or released */
  live: boolean;
}

export interface Lease {
  readonly ownerId: string;
  readonly periodMs: number;
  /** takes the lease when free, expired or already ours; the state (with our token) when held, else null */
  tryAcquire(): Promise<LeaseState | null>;
  /** extends our lease; false when it is no longer ours (expired and taken, or released) */
  renew(): Promise<boolean>;
  /** gives the lease up at once, so a standby takes over without waiting for the expiry */
  release(): Promise<void>;
  current(): Promise<LeaseState | null>;
  /**
   * True while we hold the lease with this token and it has not expired. `within`: the transaction to ask in,
   * so the answer holds until it commits (PostgreSQL locks the row FOR SHARE; SQLite's write lock is held).
   */
  isHeld(token: number, within?: StoreDb): Promise<boolean>;
}

/**
 * What leader-only services ask before each write or send: true only while this process holds the lease with
 * the token it started them with. `within`: the open transaction of the write it guards (see `Lease.isHeld`).
 */
export type Fence = (within?: StoreDb) => Promise<boolean>;

export interface LeaseOptions {
  ownerId: string;
  periodMs: number;
  clock: Clock;
  /** one row per name; default 'replibot' */
  name?: string;
}

type LeaseRow = LeaseTables['lease'];

const toState = (row: LeaseRow, nowMs: number): LeaseState => ({
  holder: row.holder,
  token: row.token,
  expiresAt: new Date(row.expires_at),
  heartbeatAt: new Date(row.heartbeat_at),
  live: row.expires_at > nowMs,
});

export function createLease(store: StoreDb, options: LeaseOptions): Lease {
  const { ownerId, periodMs, clock } = options;
  const name = options.name ?? 'replibot';
  const db = store.withTables<LeaseTables>();
  const postgres = toDialect(store) === 'postgres';
  /** the token we acquired with; renew and release act only on it */
  let ours: number | null = null;

  const read = async (
    executor: Kysely<LeaseTables>,
    lock: 'update' | 'share' | null,
  ): Promise<LeaseRow | undefined> => {
    let query = executor.selectFrom('lease').selectAll().where('name', '=', name);
    if (postgres && lock === 'update') query = query.forUpdate();
    if (postgres && lock === 'share') query = query.forShare();
    return query.executeTakeFirst();
  };

  const extend = (executor: Kysely<LeaseTables>, token: number, nowMs: number) =>
    executor
      .updateTable('lease')
      .set({ expires_at: nowMs + periodMs, heartbeat_at: nowMs })
      .where('name', '=', name)
      .where('holder', '=', ownerId)
      .where('token', '=', token)
      .where('expires_at', '>', nowMs)
      .executeTakeFirst();

  return {
    ownerId,
    periodMs,
    async tryAcquire() {
      const nowMs = clock.now().getTime();
      const expiresAt = nowMs + periodMs;
      return db.transaction().execute(async (trx) => {
        const row = await read(trx, 'update');
        if (row === undefined) {
          // two first starters at once: the primary key lets one in, the other finds the row next beat
          const inserted = await trx
            .insertInto('lease')
            .values({ name, holder: ownerId, token: 1, expires_at: expiresAt, heartbeat_at: nowMs })
            .onConflict((c) => c.column('name').doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return null;
        } else if (row.holder === ownerId && row.token === ours && row.expires_at > nowMs) {
          await extend(trx, row.token, nowMs);
        } else if (row.expires_at <= nowMs) {
          // a takeover (also our own, after our lease lapsed): work claimed with the old token is now stale
          await trx
            .updateTable('lease')
            .set({ holder: ownerId, token: row.token + 1, expires_at: expiresAt, heartbeat_at: nowMs })
            .where('name', '=', name)
            .where('token', '=', row.token)
            .execute();
        } else {
          return null;
        }
        const now = await read(trx, null);
        if (now === undefined || now.holder !== ownerId) return null;
        ours = now.token;
        return toState(now, nowMs);
      });
    },
    async renew() {
      if (ours === null) return false;
      const changed = Number((await extend(db, ours, clock.now().getTime())).numUpdatedRows) === 1;
      if (!changed) ours = null;
      return changed;
    },
    async release() {
      if (ours === null) return;
      const token = ours;
      ours = null;
      await db
        .updateTable('lease')
        .set({ expires_at: clock.now().getTime() })
        .where('name', '=', name)
        .where('holder', '=', ownerId)
        .where('token', '=', token)
        .execute();
    },
    async current() {
      const row = await read(db, null);
      return row === undefined ? null : toState(row, clock.now().getTime());
    },
    async isHeld(token, within) {
      const row = await read(within === undefined ? db : within.withTables<LeaseTables>(), 'share');
      return (
        row !== undefined &&
        row.holder === ownerId &&
        row.token === token &&
        row.expires_at > clock.now().getTime()
      );
    },
  };
}

/** A fresh owner id per process: host and pid for people reading logs, random so two starts never share one. */
export function toOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}
