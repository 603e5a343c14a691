/**
 * The names EM knows, for the question reader: VMs, jobs and backup servers seen in EM's 30 days, fetched once
 * and refreshed every few minutes through the EmApi port.
 *
 * Source and cost. EM has no "distinct names" query, and VM names are only on task sessions, so the first load
 * reads the task sessions of the last 30 days once (at 100k task sessions: 100k rows, about 10 requests of
 * 10,000 rows) and the job sessions of the same days (far fewer: one per job run, not one per VM; they add jobs
 * whose runs had no VM rows). After that a refresh reads only the sessions created since the last one (minus
 * an overlap): a few hundred rows, one or two requests every few minutes. A name unseen for 30 days is dropped.
 * The load is bounded (MAX_ROWS_PER_LOAD); past it the catalogue keeps what it read, and the reader still
 * reads names by grammar. Failure to load never fails a question: it is read without the catalogue.
 * Backup sessions are read the same way after the replica ones (one more pair of queries; the same row bound),
 * so a backup question's names are found too, an immediate copy job by its own name as well as its workers'
 * (`Offsite Copy\Nightly`); `namesOf` ("every VM" of a replication question) keeps to replication names.
 */
import { toParentJob } from '../../core/backup-sessions.js';
import { and, cmp } from '../../core/filter.js';
import { toKindApi } from '../../core/kind-api.js';
import type { EmApi } from '../../core/ports.js';
import {
  createNameCatalogue,
  type KnownName,
  type NameCatalogue,
  type NameKind,
} from '../../question/name-catalogue.js';

export interface NameSource {
  /** the catalogue as of `now`: loads it on first use (awaited), refreshes it in the background when stale */
  catalogue(now: Date): Promise<NameCatalogue | undefined>;
  /** starts the first load now, without waiting for it (a long-running front door calls this at start) */
  preload(now: Date): void;
  /** resolves when no load or refresh is under way (for tests and shutdown) */
  settled(): Promise<void>;
}

export interface NameSourceOptions {
  /** how old the catalogue may get before a refresh starts; default 5 minutes */
  refreshMs?: number;
  /** rows read at most per load or refresh; default MAX_ROWS_PER_LOAD */
  maxRows?: number;
  /**
   * how long the first question waits for the first load (default: until it ends); past it the question is read
   * without the catalogue while the load goes on, so a huge estate never makes a question slow
   */
  firstWaitMs?: number;
}

const DAY_MS = 86_400_000;
const RETENTION_MS = 30 * DAY_MS;
export const DEFAULT_REFRESH_MS = 5 * 60_000;
/** a refresh looks this far behind the last one, so a session EM shows late is still seen */
const OVERLAP_MS = 60 * 60_000;
export const MAX_ROWS_PER_LOAD = 250_000;

export function createEmNameSource(em: EmApi, options: NameSourceOptions = {}): NameSource {
  const refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
  const maxRows = options.maxRows ?? MAX_ROWS_PER_LOAD;
  const firstWaitMs = options.firstWaitMs ?? Number.POSITIVE_INFINITY;
  /** kind + lower-cased name -> the name as EM spells it and when it was last seen (ms) */
  const seen = new Map<string, { kind: NameKind; name: string; lastSeen: number; backup: boolean }>();
  let built: NameCatalogue | undefined;
  /** the instant the last load or refresh read up to */
  let readUntil: number | null = null;
  let running: Promise<void> | null = null;

  const note = (kind: NameKind, name: string | null, at: Date, backup = false): void => {
    if (name === null || name.trim() === '') return;
    const key = `${backup ? 'b' : 'r'}\u0000${kind}\u0000${name.toLowerCase()}`;
    const time = at.getTime();
    const before = seen.get(key);
    if (before === undefined || before.lastSeen < time) seen.set(key, { kind, name, lastSeen: time, backup });
  };

  const load = async (now: Date): Promise<void> => {
    const from = readUntil === null ? now.getTime() - RETENTION_MS : readUntil - OVERLAP_MS;
    const filter = and(cmp('CreationTime', '>=', new Date(from)), cmp('CreationTime', '<=', now));
    let rows = 0;
    for await (const task of em.queryTaskSessions({ filter, limit: maxRows })) {
      note('vm', task.vmDisplayName, task.creationTime);
      note('job', task.jobName, task.creationTime);
      note('server', task.backupServerName, task.creationTime);
      rows++;
    }
    for await (const job of em.queryJobSessions({ filter, limit: Math.max(1, maxRows - rows) })) {
      note('job', job.jobName, job.creationTime);
      note('server', job.backupServerName, job.creationTime);
    }
    // backup names too ("failed backups in job Offsite Copy"): an immediate copy worker's parent by its own name
    if (em.queryBackupTaskSessions !== undefined && em.queryBackupJobSessions !== undefined) {
      const backup = toKindApi(em, 'backup');
      for await (const task of backup.queryTaskSessions({ filter, limit: Math.max(1, maxRows - rows) })) {
        note('vm', task.vmDisplayName, task.creationTime, true);
        note('job', task.jobName, task.creationTime, true);
        note('server', task.backupServerName, task.creationTime, true);
        rows++;
      }
      for await (const job of backup.queryJobSessions({ filter, limit: Math.max(1, maxRows - rows) })) {
        note('job', job.jobName, job.creationTime, true);
        note('job', toParentJob(job.jobName, job.jobType).jobName, job.creationTime, true);
        note('server', job.backupServerName, job.creationTime, true);
      }
    }
    const oldest = now.getTime() - RETENTION_MS;
    for (const [key, entry] of seen) if (entry.lastSeen < oldest) seen.delete(key);
    readUntil = now.getTime();
    const names: KnownName[] = [...seen.values()].map(({ kind, name }) => ({ kind, name }));
    const all = createNameCatalogue(names);
    // "every VM" of a replication question is every VM that replicates (backup questions ask EM, answer-kinds.ts)
    const replication = createNameCatalogue(
      [...seen.values()].filter((n) => !n.backup).map(({ kind, name }) => ({ kind, name })),
    );
    built = {
      size: all.size,
      match: (words) => all.match(words),
      near: (typed) => all.near(typed),
      namesOf: (kind) => replication.namesOf(kind),
    };
  };

  const start = (now: Date): Promise<void> => {
    if (running === null) {
      running = load(now).finally(() => {
        running = null;
      });
    }
    return running;
  };

  return {
    async catalogue(now) {
      if (built === undefined) {
        // the first question waits for the names (at most firstWaitMs); a failure leaves it to the grammar alone
        const loading = start(now).catch(() => undefined);
        if (!Number.isFinite(firstWaitMs)) await loading;
        else {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const waited = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, firstWaitMs);
            timer.unref?.();
          });
          await Promise.race([loading, waited]);
          clearTimeout(timer);
        }
        return built;
      }
      if (readUntil !== null && now.getTime() - readUntil >= refreshMs) {
        // stale: the question is read with the names it has while newer ones are fetched
        start(now).catch(() => undefined);
      }
      return built;
    },
    preload(now) {
      if (built === undefined) start(now).catch(() => undefined);
    },
    async settled() {
      await running?.catch(() => undefined);
    },
  };
}
