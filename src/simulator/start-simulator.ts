/**
 * The EM simulator: logon sessions, the query service, the replica session resources, a control API under /_sim
 * for tests and demos, and fault injection. Everything is in memory. This file wires the parts together:
 * server.ts (listening), api-routes.ts (/api), control-routes.ts (/_sim), logon-sessions.ts, faults.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createApiRoutes } from './api-routes.js';
import { type BackupGeneratorOptions, generateBackupData } from './backup-sessions.js';
import { createControlRoutes } from './control-routes.js';
import { createRandom } from './create-random.js';
import { applyFaultsAfter, applyFaultsBefore, type FaultOptions, toFaults } from './faults.js';
import type { GeneratorOptions } from './generate-data.js';
import { generateData } from './generate-data.js';
import { createSimJobs } from './jobs.js';
import { createLogonSessions, type SimAccount } from './logon-sessions.js';
import { combineProtections, createProtection } from './protection.js';
import { type SimulatorQuirks, toQuirks } from './quirks.js';
import type { KeyStyle } from './render-em.js';
import { createReplicaPoints } from './replica-points.js';
import { createReplies, type Reply, wantsJson } from './replies.js';
import { createRestorePoints } from './restore-points.js';
import { startServer } from './server.js';
import { createSimStore, type NewTaskSession, type SimStore, type SimTaskSession } from './sim-store.js';

export type { FaultOptions } from './faults.js';
export type { GeneratorOptions } from './generate-data.js';
export type { SimJobActionRecord, SimJobRun } from './jobs.js';
export type { SimAccount } from './logon-sessions.js';
export type { SimulatorQuirks } from './quirks.js';
export type { FinishTaskSession, NewTaskSession, SimTaskSession } from './sim-store.js';

export interface SimulatorOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** default 0 (a free port) */
  port?: number;
  /** deterministic data; default 1 */
  seed?: number;
  /** Basic credentials; default replibot / replibot */
  username?: string;
  password?: string;
  /** more EM accounts with their roles (the one above is a Portal Administrator) */
  accounts?: SimAccount[];
  /** JSON key casing: v12 PascalCase (default) or v13 camelCase */
  keyStyle?: KeyStyle;
  /** HTTPS with a self-signed certificate generated at start */
  tls?: boolean;
  /** idle logon sessions expire after this; default 900 */
  sessionIdleSeconds?: number;
  /** sessions (new or finished) become visible only after this delay; default 0 */
  collectionLagSeconds?: number;
  data?: GeneratorOptions;
  /** the backup jobs and sessions (backup-sessions.ts); default at most 1,500 task sessions, none for an empty EM */
  backups?: BackupGeneratorOptions;
  /** the simulator's clock; history is generated relative to it; default real time */
  now?: () => Date;
  faults?: FaultOptions;
  /** prefix JSON bodies with a UTF-8 BOM, as some EM builds do */
  jsonBom?: boolean;
  /** real EM quirks to show (quirks.ts); also settable with POST /_sim/quirks */
  quirks?: SimulatorQuirks;
  /** jobs keep running on their schedule as the clock moves (protection.ts); default false */
  live?: boolean;
  /** replica points kept per VM; default 7 */
  replicaRetention?: number;
}

export interface SimulatorStats {
  requests: number;
  bytesSent: number;
  /** /api requests being answered right now (latency included) */
  inFlight: number;
  /** the most /api requests answered at once since the start or the last reset */
  maxInFlight: number;
}

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:PORT (no trailing /api) */
  url: string;
  port: number;
  /** the self-signed certificate (PEM) when tls */
  caPem?: string;
  stats: SimulatorStats;
  resetStats(): void;
  setFaults(faults: FaultOptions): void;
  /** replaces the quirks in effect */
  setQuirks(quirks: SimulatorQuirks): void;
  addTaskSession(input: NewTaskSession): SimTaskSession;
  /** a backup task session (`jobType` for a new job: default Backup), as POST /_sim/backupSessions */
  addBackupTaskSession(input: NewTaskSession): SimTaskSession;
  finishBackupTaskSession(
    uidOrId: string,
    input: { result: 'Success' | 'Warning' | 'Failed'; reason?: string; endTime?: Date },
  ): SimTaskSession;
  finishTaskSession(
    uidOrId: string,
    input: { result: 'Success' | 'Warning' | 'Failed'; reason?: string; endTime?: Date },
  ): SimTaskSession;
  /** counts of what the simulator holds */
  counts(): {
    taskSessions: number;
    jobSessions: number;
    jobs: number;
    servers: number;
    logonSessions: number;
    backupTaskSessions: number;
    backupJobSessions: number;
  };
  close(): Promise<void>;
}

/** Starts an EM simulator; resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = options.seed ?? 1;
  const keyStyle: KeyStyle = options.keyStyle ?? 'v12';
  const lagMs = (options.collectionLagSeconds ?? 0) * 1000;
  const clock = options.now ?? (() => new Date());
  const nowMs = () => clock().getTime();
  let faults: FaultOptions = { ...options.faults };
  const faultRandom = createRandom(seed ^ 0xfa17);
  let quirks: SimulatorQuirks = toQuirks({ ...options.quirks });

  const data = generateData(seed, nowMs(), options.data);
  const store: SimStore = createSimStore(data, { seed, withFraction: keyStyle === 'v13', lagMs });
  const backupData = generateBackupData(seed, nowMs(), data.servers, {
    taskSessions: Math.min(1500, options.data?.taskSessions ?? 3000),
    days: options.data?.days ?? 30,
    ...options.backups,
  });
  const backupStore = createSimStore(backupData, {
    seed: seed ^ 0x0bac0bac,
    serverSeed: seed,
    entity: 'Backup',
    withFraction: keyStyle === 'v13',
    lagMs,
  });
  const stats: SimulatorStats = { requests: 0, bytesSent: 0, inFlight: 0, maxInFlight: 0 };
  const replies = createReplies(keyStyle, options.jsonBom === true, () => quirks);
  const logons = createLogonSessions({
    username: options.username ?? 'replibot',
    password: options.password ?? 'replibot',
    ...(options.accounts ? { accounts: options.accounts } : {}),
    idleMs: (options.sessionIdleSeconds ?? 900) * 1000,
    nowMs,
    faults: () => faults,
    replies,
  });
  const counts = () => ({
    ...store.counts(),
    logonSessions: logons.all.size,
    backupTaskSessions: backupStore.counts().taskSessions,
    backupJobSessions: backupStore.counts().jobSessions,
  });
  const resetStats = () => {
    stats.requests = 0;
    stats.bytesSent = 0;
    stats.maxInFlight = stats.inFlight;
  };
  const replication = createProtection({ store, data, live: options.live === true, startMs: nowMs(), nowMs });
  const backupProtection = createProtection({
    store: backupStore,
    data: backupData,
    live: options.live === true,
    startMs: nowMs(),
    nowMs,
    kind: 'backup',
  });
  const protection = combineProtections([replication, backupProtection]);
  const points = createReplicaPoints({
    store,
    isRemoved: replication.isRemoved,
    removedVersion: replication.removedVersion,
    ...(options.replicaRetention === undefined ? {} : { retention: options.replicaRetention }),
  });
  const restorePoints = createRestorePoints({
    store: backupStore,
    isRemoved: backupProtection.isRemoved,
    removedVersion: backupProtection.removedVersion,
  });
  const jobs = createSimJobs({
    store,
    backupStore,
    replies,
    nowMs,
    expireLogon: (token) => {
      logons.all.delete(token);
    },
  });
  const api = createApiRoutes({
    store,
    backupStore,
    logons,
    replies,
    nowMs,
    quirks: () => quirks,
    points,
    restorePoints,
    jobs,
  });
  const control = createControlRoutes({
    store,
    backupStore,
    nowMs,
    setFaults: (next) => {
      faults = next;
    },
    setQuirks: (next) => {
      quirks = next;
    },
    stats,
    counts,
    resetStats,
    extra: protection.route,
    jobs,
  });

  const write = (res: ServerResponse, reply: Reply, countBytes: boolean) => {
    const body = Buffer.from(reply.body, 'utf8');
    if (countBytes) stats.bytesSent += body.length;
    res.writeHead(reply.status, {
      server: 'Microsoft-HTTPAPI/2.0',
      // the simulator's clock, as EM's own Date header gives EM's
      date: new Date(nowMs()).toUTCString(),
      ...reply.headers,
      ...(reply.status === 204 ? {} : { 'content-length': String(body.length) }),
    });
    res.end(reply.status === 204 ? undefined : body);
  };

  let port = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const scheme = options.tls ? 'https' : 'http';
    const host = req.headers.host ?? `${options.host ?? '127.0.0.1'}:${port}`;
    const url = new URL(req.url ?? '/', `${scheme}://${host}`);
    const first = url.pathname.split('/')[1]?.toLowerCase();
    let counted = false;
    try {
      if (first === '_sim') {
        write(res, await control.route(req, url), false);
        return;
      }
      stats.requests++;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      counted = true;
      if (first !== 'api') {
        write(
          res,
          replies.error(
            wantsJson(req),
            404,
            `The resource ${url.pathname} was not found; the API is under /api/.`,
          ),
          true,
        );
        return;
      }
      const faulted = await applyFaultsBefore(faults, faultRandom, req, replies);
      if (faulted === 'drop') return;
      if (faulted !== null) {
        write(res, faulted, true);
        return;
      }
      protection.advance(nowMs());
      const reply = await api.route(req, url, `${scheme}://${host}/api`);
      write(res, applyFaultsAfter(faults, faultRandom, reply), true);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent)
        write(res, replies.error(wantsJson(req), 500, `Simulator error: ${message}`), true);
      else res.destroy();
    } finally {
      if (counted) stats.inFlight--;
    }
  };

  const server = await startServer({ host: options.host, port: options.port, tls: options.tls }, handle);
  port = server.port;

  const running: RunningSimulator = {
    url: server.url,
    port,
    stats,
    resetStats,
    setFaults: (next) => {
      faults = toFaults({ ...next });
    },
    setQuirks: (next) => {
      quirks = toQuirks({ ...next });
    },
    addTaskSession: (input: NewTaskSession): SimTaskSession =>
      store.toSimTaskSession(store.addTaskSession(input, nowMs())),
    finishTaskSession: (uidOrId, input) =>
      store.toSimTaskSession(store.finishTaskSession(uidOrId, input, nowMs())),
    addBackupTaskSession: (input) => backupStore.toSimTaskSession(backupStore.addTaskSession(input, nowMs())),
    finishBackupTaskSession: (uidOrId, input) =>
      backupStore.toSimTaskSession(backupStore.finishTaskSession(uidOrId, input, nowMs())),
    counts,
    close: server.close,
  };
  if (server.caPem !== undefined) running.caPem = server.caPem;
  return running;
}
