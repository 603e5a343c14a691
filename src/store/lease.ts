/**
 * One writer per database: a lease row in the store. The holder renews it (heartbeat); anyone may take it once it
 * has expired. Every takeover increments the fencing token, so work claimed under an older token can tell it is
 * stale (`isHeld(token)` is false) and refuse to send. This file is the SQLite lease; a PostgreSQL one (multi-host
 * HA) implements the same `Lease` interface.
 *
 * Time comes from the Clock: `expiresAt = now + periodMs`. Two processes on one SQLite file share the file's
 * locks, so each step runs in an IMMEDIATE transaction (one writer at a time; busy_timeout waits for the other).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../core/clock.js';
import { must } from '../core/must.js';
import type { Migration, SqliteDatabase } from './open-database.js';

/** Versions 100+ belong to the store itself (alerts 1..49, digests 50..99). */
export const LEASE_MIGRATIONS: readonly Migration[] = [
  {
    version: 100,
    name: 'lease',
    up: `CREATE TABLE lease (
      name TEXT PRIMARY KEY,
      holder TEXT NOT NULL,
      token INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      heartbeat_at INTEGER NOT NULL
    )`,
  },
];

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
  tryAcquire(): LeaseState | null;
  /** extends our lease; false when it is no longer ours (expired and taken, or released) */
  renew(): boolean;
  /** gives the lease up at once, so a standby takes over without waiting for the expiry */
  release(): void;
  current(): LeaseState | null;
  /** true while we hold the lease with this token and it has not expired */
  isHeld(token: number): boolean;
}

export interface SqliteLeaseOptions {
  ownerId: string;
  periodMs: number;
  clock: Clock;
  /** one row per name; default 'replibot' */
  name?: string;
}

interface LeaseRow {
  holder: string;
  token: number;
  expires_at: number;
  heartbeat_at: number;
}

export function createSqliteLease(db: SqliteDatabase, options: SqliteLeaseOptions): Lease {
  const { ownerId, periodMs, clock } = options;
  const name = options.name ?? 'replibot';
  const select = db.prepare('SELECT holder, token, expires_at, heartbeat_at FROM lease WHERE name = ?');
  const insert = db.prepare(
    'INSERT INTO lease (name, holder, token, expires_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)',
  );
  const take = db.prepare(
    'UPDATE lease SET holder = ?, token = ?, expires_at = ?, heartbeat_at = ? WHERE name = ?',
  );
  const extend = db.prepare(
    'UPDATE lease SET expires_at = ?, heartbeat_at = ? WHERE name = ? AND holder = ? AND token = ? AND expires_at > ?',
  );
  const giveUp = db.prepare('UPDATE lease SET expires_at = ? WHERE name = ? AND holder = ? AND token = ?');
  /** the token we acquired with; renew and release act only on it */
  let ours: number | null = null;

  const read = (): LeaseRow | undefined => select.get(name) as LeaseRow | undefined;
  const toState = (row: LeaseRow, nowMs: number): LeaseState => ({
    holder: row.holder,
    token: row.token,
    expiresAt: new Date(row.expires_at),
    heartbeatAt: new Date(row.heartbeat_at),
    live: row.expires_at > nowMs,
  });

  const acquire = db.transaction((nowMs: number): LeaseState | null => {
    const row = read();
    const expiresAt = nowMs + periodMs;
    if (row === undefined) {
      insert.run(name, ownerId, 1, expiresAt, nowMs);
    } else if (row.holder === ownerId && row.token === ours && row.expires_at > nowMs) {
      extend.run(expiresAt, nowMs, name, ownerId, row.token, nowMs);
    } else if (row.expires_at <= nowMs) {
      // a takeover (also our own, after our lease lapsed): work claimed with the old token is now stale
      take.run(ownerId, row.token + 1, expiresAt, nowMs, name);
    } else {
      return null;
    }
    const now = must(read(), 'the lease row was written just above');
    ours = now.token;
    return toState(now, nowMs);
  });

  return {
    ownerId,
    periodMs,
    tryAcquire() {
      const nowMs = clock.now().getTime();
      return acquire.immediate(nowMs);
    },
    renew() {
      if (ours === null) return false;
      const nowMs = clock.now().getTime();
      const changed = extend.run(nowMs + periodMs, nowMs, name, ownerId, ours, nowMs).changes === 1;
      if (!changed) ours = null;
      return changed;
    },
    release() {
      if (ours === null) return;
      giveUp.run(clock.now().getTime(), name, ownerId, ours);
      ours = null;
    },
    current() {
      const row = read();
      return row === undefined ? null : toState(row, clock.now().getTime());
    },
    isHeld(token) {
      const row = read();
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
