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
export type AnswerKind = ListAnswer;

/** The sessions themselves, as EM sends them (the sort and limit of the intent). */
export interface ListAnswer {
  kind: 'list';
}

export type ParsedQuestion =
  | { kind: 'query'; intent: QueryIntent }
  | { kind: 'help' }
  | { kind: 'not-understood'; error: string; suggestions: string[] };
