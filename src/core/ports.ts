/** The interfaces the pure core needs from the outside world. Adapters implement them. */
import type { OutboundNotification } from '../features/alerts/domain/alert-notice.js';
import type { Filter, FilterField } from './filter.js';
import type { ReplicaJobSession, ReplicaTaskSession, SessionType } from './sessions.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

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
  /** `GET /api/replicaSessions/{ID}?format=Entity` */
  getJobSession(id: string): Promise<ReplicaJobSession>;
  /** `GET /api/replicaSessions/{ID}/replicaTaskSessions?format=Entity` */
  getJobSessionTasks(id: string): Promise<ReplicaTaskSession[]>;
  /** `GET /api/replicaTaskSessions/{ID}?format=Entity` */
  getTaskSession(id: string): Promise<ReplicaTaskSession>;
  /** Logs off (`DELETE /api/logonSessions/{SessionId}`). */
  close(): Promise<void>;
}

/** A question read into a query: the output of parseQuestion (src/core/question/). */
export interface QueryIntent {
  type: SessionType;
  filter: Filter | null;
  sort: SortOrder;
  /** at most this many sessions ("last 5"); null for all */
  limit: number | null;
  /** a human sentence: "failed replication task sessions of apache02 since 00:00 today (Europe/Berlin)" */
  explanation: string;
  /**
   * a short noun phrase for headers and empty answers: "failed replicas for apache02 today", so a renderer can
   * say "No failed replicas for apache02 today"
   */
  phrase: string;
  /**
   * the CreationTime window sent to EM, or null: a session looked up by id, or running/pending sessions asked
   * for with no time words (shown whenever they started)
   */
  window: { from: Date; to: Date | null } | null;
  /**
   * true when the question named no time and a window was assumed: the last 24 hours, or the last 30 days for a
   * count ("last 5 failures"); `describeDefaultWindow` in src/core/question/ names it
   */
  defaultWindow: boolean;
  /** true when the window reaches further back than EM's 30 days of session history */
  beyondRetention: boolean;
  /** set when the question named one session by id (GUID or urn) */
  sessionId: string | null;
  timeZone: string;
}

export type ParsedQuestion =
  | { kind: 'query'; intent: QueryIntent }
  | { kind: 'help' }
  | { kind: 'not-understood'; error: string; suggestions: string[] };

/**
 * Delivers alert notifications (Slack, the terminal...). The outbox calls it; it throws a RateLimitedError to
 * ask for a pause, any other error to ask for a retry later.
 */
export interface Notifier {
  /** sends one notification; returns the `ts` of the message it posted (null when the surface has none) */
  deliver(notification: OutboundNotification): Promise<{ ts: string | null }>;
  /**
   * After a crash between sending and recording: the `ts` of a message already delivered for this
   * notification's key, null when it was not delivered, undefined when the notifier cannot tell.
   */
  findDelivered?(notification: OutboundNotification, since: Date): Promise<string | null | undefined>;
}
