/**
 * What `GET /readyz` checks (src/app/probes.ts): the database is open with every migration applied, the front
 * door (Slack or the terminal chat) is started, and Enterprise Manager answered at least once. Until EM has
 * answered, each readiness check asks it (`GET /api/`, no logon) at most every few seconds, so a standby that
 * never polls becomes ready too, and the reason names what failed (unreachable, timeout, TLS ...).
 */
import { errorMessage } from '../core/error-message.js';
import type { EmRequestObservation, Metrics } from '../metrics.js';
import type { StoreDb } from '../store/open-database.js';
import { MIGRATIONS } from './database.js';
import type { ReadyCheck, ReadyReport } from './probes.js';

/** the least time between two EM probes of the readiness check */
const PROBE_EVERY_MS = 5_000;

export interface EmContact {
  /** told of every EM request: metrics, and whether EM ever answered */
  readonly observer: Pick<Metrics, 'emRequest'>;
  check(): ReadyCheck;
}

/** Tracks whether EM ever answered (any HTTP status below 500), and probes it while it has not. */
export function createEmContact(options: {
  metrics: Pick<Metrics, 'emRequest'>;
  /** set once the EM client exists */
  probe: () => (() => Promise<unknown>) | undefined;
  nowMs?: () => number;
}): EmContact {
  const nowMs = options.nowMs ?? Date.now;
  let answered = false;
  let lastProblem: string | null = null;
  let probing = false;
  let lastProbeMs = Number.NEGATIVE_INFINITY;
  const observer = {
    emRequest(o: EmRequestObservation) {
      options.metrics.emRequest(o);
      if (/^\d+$/.test(o.status) && Number(o.status) < 500) answered = true;
      else lastProblem = /^\d+$/.test(o.status) ? `HTTP ${o.status}` : o.status;
    },
  };
  return {
    observer,
    check() {
      if (answered) return { ok: true };
      const probe = options.probe();
      if (probe && !probing && nowMs() - lastProbeMs >= PROBE_EVERY_MS) {
        probing = true;
        lastProbeMs = nowMs();
        // the answer (or its failure) reaches the observer; the next check reads it
        probe()
          .catch(() => undefined)
          .finally(() => {
            probing = false;
          });
      }
      return {
        ok: false,
        reason:
          lastProblem === null
            ? 'Enterprise Manager has not answered yet (asking it now)'
            : `Enterprise Manager has not answered yet: ${lastProblem} (see the log; check VEEAM_URL and the network)`,
      };
    },
  };
}

type MigrationTables = { schema_migrations: { version: number } };

/** The database answers and every migration this build knows is applied (SQLite or PostgreSQL). */
export async function checkDatabase(
  db: StoreDb,
  isClosed: () => boolean,
): Promise<{ database: ReadyCheck; migrations: ReadyCheck }> {
  if (isClosed()) {
    const closed = { ok: false, reason: 'the database is closed' };
    return { database: closed, migrations: closed };
  }
  try {
    const rows = await db
      .withTables<MigrationTables>()
      .selectFrom('schema_migrations')
      .select('version')
      .execute();
    const applied = new Set(rows.map((r) => Number(r.version)));
    const missing = MIGRATIONS.filter((m) => !applied.has(m.version)).map((m) => m.version);
    return {
      database: { ok: true },
      migrations:
        missing.length === 0
          ? { ok: true }
          : { ok: false, reason: `migrations not applied: ${missing.join(', ')}` },
    };
  } catch (error) {
    const failed = {
      ok: false,
      reason: `the database cannot be read: ${errorMessage(error) ?? 'an unknown error'}`,
    };
    return { database: failed, migrations: failed };
  }
}

/** The report `/readyz` renders. */
export function toReadyReport(parts: {
  database: Awaited<ReturnType<typeof checkDatabase>>;
  frontDoor: ReadyCheck;
  em: ReadyCheck;
  stopping: boolean;
}): ReadyReport {
  return {
    checks: { ...parts.database, frontDoor: parts.frontDoor, em: parts.em },
    ...(parts.stopping ? { stopping: true } : {}),
  };
}
