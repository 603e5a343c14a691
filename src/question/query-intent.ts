import type { BackupJobType, SessionKind } from '../core/backup-sessions.js';
import type { Filter } from '../core/filter.js';
import type { SortOrder } from '../core/ports.js';
import type { SessionType } from '../core/sessions.js';

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
  /** the sessions asked about (read-kind.ts); absent: replication, the default where a question names no kind */
  kind?: SessionKind;
  /** backup questions only: the EM JobTypes named ("backup copy", "agent backups"); empty or absent: every one */
  jobTypes?: BackupJobType[];
}

export type ParsedQuestion =
  | { kind: 'query'; intent: QueryIntent }
  | { kind: 'help' }
  | { kind: 'not-understood'; error: string; suggestions: string[] };
