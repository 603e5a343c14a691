/** The port to Enterprise Manager: what the features need from it, implemented over HTTP by src/veeam/. */
import type { BackupJobSession, BackupTaskSession } from './backup-sessions.js';
import type { Filter, FilterField } from './filter.js';
import type { EmJob, EmJobAction, EmTaskState } from './jobs.js';
import type { Replica, VmReplicaPoint } from './replica-points.js';
import type { RestorePoint, VmRestorePoint } from './restore-points.js';
import type { ReplicaJobSession, ReplicaTaskSession } from './sessions.js';

export interface SortOrder {
  field: FilterField;
  direction: 'asc' | 'desc';
}

/** One query of the EM query service (`GET /api/query?type=...&format=Entities`). */
export interface EmQuery {
  filter?: Filter | null;
  sort?: SortOrder | null;
  /** rows per request; the client picks a sensible default (never EM's silent 100-row truncation) */
  pageSize?: number;
  /** stop after this many rows in total (the last page is cut); null or absent means every row of every page */
  limit?: number | null;
  /** told of each row EM sent that could not be read (it is left out; the rest of the answer stands) */
  onUnreadableRow?: () => void;
}

export interface EmPage<T> {
  items: T[];
  pageNum: number;
  pagesCount: number;
  pageSize: number;
}

/** What the core needs from Enterprise Manager. Implemented over HTTP by src/veeam/. */
export interface EmApi {
  /** Every matching task session, following PagingInfo to the last page. */
  queryTaskSessions(query: EmQuery): AsyncIterable<ReplicaTaskSession>;
  /** Every matching job session, following PagingInfo to the last page. */
  queryJobSessions(query: EmQuery): AsyncIterable<ReplicaJobSession>;
  /**
   * How many task sessions match: one `pageSize=1` request, whose `PagesCount` is the number of matching rows
   * (page 1 is checked for an item, since EM says 1 page for an empty result too).
   */
  countTaskSessions(query: Pick<EmQuery, 'filter'>): Promise<number>;
  /** How many job sessions match (as countTaskSessions). */
  countJobSessions(query: Pick<EmQuery, 'filter'>): Promise<number>;
  /** One page (1-based) of a task session query, for answers that fetch rows as the reader pages. */
  queryTaskSessionPage(query: EmQuery, page: number): Promise<EmPage<ReplicaTaskSession>>;
  /** One page (1-based) of a job session query. */
  queryJobSessionPage(query: EmQuery, page: number): Promise<EmPage<ReplicaJobSession>>;
  /** `GET /api/replicaSessions/{ID}?format=Entity` */
  getJobSession(id: string): Promise<ReplicaJobSession>;
  /** `GET /api/replicaSessions/{ID}/replicaTaskSessions?format=Entity` */
  getJobSessionTasks(id: string): Promise<ReplicaTaskSession[]>;
  /** `GET /api/replicaTaskSessions/{ID}?format=Entity` */
  getTaskSession(id: string): Promise<ReplicaTaskSession>;
  // backup sessions (core/backup-sessions.ts): the replica shapes, read from EM's backup types and resources.
  // Optional so that an EmApi written before them (a test's fake) still is one; `toKindApi` (kind-api.ts) reads them.
  /** `type=BackupTaskSession`, every page */
  queryBackupTaskSessions?(query: EmQuery): AsyncIterable<BackupTaskSession>;
  /** `type=BackupJobSession`, every page */
  queryBackupJobSessions?(query: EmQuery): AsyncIterable<BackupJobSession>;
  countBackupTaskSessions?(query: Pick<EmQuery, 'filter'>): Promise<number>;
  countBackupJobSessions?(query: Pick<EmQuery, 'filter'>): Promise<number>;
  queryBackupTaskSessionPage?(query: EmQuery, page: number): Promise<EmPage<BackupTaskSession>>;
  queryBackupJobSessionPage?(query: EmQuery, page: number): Promise<EmPage<BackupJobSession>>;
  /** `GET /api/backupSessions/{ID}?format=Entity` */
  getBackupJobSession?(id: string): Promise<BackupJobSession>;
  /** `GET /api/backupSessions/{ID}/taskSessions?format=Entity` */
  getBackupJobSessionTasks?(id: string): Promise<BackupTaskSession[]>;
  /** `GET /api/backupTaskSessions/{ID}?format=Entity` */
  getBackupTaskSession?(id: string): Promise<BackupTaskSession>;
  /** Every matching VM replica point (`type=VmReplicaPoint`), following PagingInfo to the last page. */
  queryReplicaPoints?(query: EmQuery): AsyncIterable<VmReplicaPoint>;
  /** Every matching replica (`type=Replica`: one per replication job). */
  queryReplicas?(query: EmQuery): AsyncIterable<Replica>;
  /** Every matching VM restore point of a backup (`type=VmRestorePoint`), following PagingInfo to the last page. */
  queryVmRestorePoints?(query: EmQuery): AsyncIterable<VmRestorePoint>;
  /** Every matching restore point (`type=RestorePoint`: one per backup run, naming its backup). */
  queryRestorePoints?(query: EmQuery): AsyncIterable<RestorePoint>;
  /** Logs off (`DELETE /api/logonSessions/{SessionId}`). */
  close(): Promise<void>;
  /** EM's clock as its latest answer's `Date` header gave it (to the second); null when not known */
  serverDate?(): Date | null;
}

/** One action EM accepted: its task, and the logon session it belongs to (opaque; never logged or shown). */
export interface EmActionTicket {
  taskId: string;
  /** the logon session token the task belongs to */
  session: string;
}

/**
 * Job actions, with their own EM account (Portal Administrator). Implemented by src/veeam/em-actions-client.ts.
 * `sendAction` is sent once and never retried.
 */
export interface EmJobActionsApi {
  /** `GET /query?type=Job&filter=Name=="..."`; null when EM knows no job of that name */
  findJobByName(name: string, serverName?: string | null): Promise<EmJob | null>;
  /** `GET /jobs/{ID}?format=Entity` */
  getJob(id: string): Promise<EmJob>;
  /** `POST /jobs/{ID}?action=...`: 202 and the task */
  sendAction(jobId: string, action: EmJobAction): Promise<EmActionTicket>;
  /** `GET /tasks/{ID}` on the ticket's own session; `session-expired` when that session no longer knows it */
  readTask(ticket: EmActionTicket): Promise<EmTaskState | 'session-expired'>;
  close(): Promise<void>;
}
