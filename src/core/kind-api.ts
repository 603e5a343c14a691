/**
 * The EM port seen through one session kind: `toKindApi(em, 'backup')` is an EmApi whose task and job session
 * methods read EM's backup sessions, so the poller, the answers and the digests run unchanged for either kind.
 * Replication is `em` itself.
 */
import type { SessionKind } from './backup-sessions.js';
import { ReplibotError } from './errors.js';
import type { EmApi } from './ports.js';

export function toKindApi(em: EmApi, kind: SessionKind): EmApi {
  if (kind === 'replication') return em;
  const missing = (what: string): never => {
    throw new ReplibotError(
      'internal',
      `This Enterprise Manager connection cannot read backup sessions (${what}).`,
    );
  };
  return {
    queryTaskSessions: (query) => em.queryBackupTaskSessions?.(query) ?? missing('task sessions'),
    queryJobSessions: (query) => em.queryBackupJobSessions?.(query) ?? missing('job sessions'),
    countTaskSessions: (query) => em.countBackupTaskSessions?.(query) ?? missing('task session counts'),
    countJobSessions: (query) => em.countBackupJobSessions?.(query) ?? missing('job session counts'),
    queryTaskSessionPage: (query, page) =>
      em.queryBackupTaskSessionPage?.(query, page) ?? missing('task session pages'),
    queryJobSessionPage: (query, page) =>
      em.queryBackupJobSessionPage?.(query, page) ?? missing('job session pages'),
    getJobSession: (id) => em.getBackupJobSession?.(id) ?? missing('a job session'),
    getJobSessionTasks: (id) => em.getBackupJobSessionTasks?.(id) ?? missing("a job session's tasks"),
    getTaskSession: (id) => em.getBackupTaskSession?.(id) ?? missing('a task session'),
    // the one connection is closed by its owner, never through a view of it
    close: async () => undefined,
    serverDate: () => em.serverDate?.() ?? null,
  };
}
