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
  /** the zone the question was read in: the asker's, or one named in the question ("in UTC", "Berlin time") */
  timeZone: string;
  /** the sessions asked about (read-kind.ts); absent: replication, the default where a question names no kind */
  kind?: SessionKind;
  /** backup questions only: the EM JobTypes named ("backup copy", "agent backups"); empty or absent: every one */
  jobTypes?: BackupJobType[];
  /** every word read as another ("faild" as "failed", "apache2" as the VM apache02); said in the explanation */
  corrections: Correction[];
  /** what kind of answer the question asks for; a list of sessions unless it asked for more */
  answer: AnswerKind;
}

/** A word read as another: a typo of a grammar word, or a near miss of a name EM knows. */
export interface Correction {
  typed: string;
  read: string;
  /** 'word' for the reader's own words; otherwise the kind of name it was read as */
  kind: 'word' | 'vm' | 'job' | 'server';
}

/**
 * The kinds of answer. A discriminated union so that new kinds (backup sessions, RPO) add a member without
 * touching the others; every renderer switches on `kind`.
 */
export type AnswerKind =
  | ListAnswer
  | YesNoAnswer
  | LastSuccessAnswer
  | RankingAnswer
  | DurationAnswer
  | CompareAnswer;

/** The sessions themselves, as EM sends them (the sort and limit of the intent). */
export interface ListAnswer {
  kind: 'list';
}

/** "did apache02 replicate successfully today": yes when any session matches, then the sessions */
export interface YesNoAnswer {
  kind: 'yes-no';
}

/**
 * "when did apache02 last replicate successfully", "which VMs have not replicated successfully for 24 hours":
 * the newest successful session per name, over EM's 30 days (the intent's filter is Result==Success).
 */
export interface LastSuccessAnswer {
  kind: 'last-success';
  /** every name of this kind (from EM's names), or null for the names the question named */
  every: 'vm' | 'job' | 'server' | null;
  /** only names whose last success is older than this (ms before now); null for all */
  olderThanMs: number | null;
}

/** "which VMs failed the most this week", "failures per job", "success rate of job X": rows by name */
export interface RankingAnswer {
  kind: 'ranking';
  by: 'vm' | 'job' | 'server';
  /** at most this many rows ("top 5") */
  top: number | null;
  /** only rows whose count of the asked results is above this ("more than twice": 2) */
  moreThan: number | null;
  /** sorted by what: the count of the asked results (most first) or the success rate (lowest first) */
  measure: 'count' | 'rate';
}

/** "longest replicas this week", "took longer than 30 minutes": sorted by duration, computed from every row */
export interface DurationAnswer {
  kind: 'duration';
  order: 'longest' | 'shortest';
  /** only sessions that took at least this long (ms) */
  longerThanMs: number | null;
  top: number | null;
}

/** "failures this week vs last week": both counts, the change, and the names new to the list */
export interface CompareAnswer {
  kind: 'compare';
  /** the window compared against; the intent's own window is the one asked about */
  previous: { from: Date; to: Date | null };
  /** "last week" */
  previousPhrase: string;
}

export type ParsedQuestion =
  | { kind: 'query'; intent: QueryIntent }
  | { kind: 'help' }
  | { kind: 'not-understood'; error: string; suggestions: string[] };
