/** The router bound to its dependencies, as every front door uses it. */

import type { EmApi } from '../../core/ports.js';
import {
  type AnswerDeps,
  type Asker,
  answerJobRun,
  answerQuestion,
  type KnownCounts,
  type QuestionParser,
  toErrorReply,
} from './answer-question.js';
import { withEitherKind } from './backup-answers.js';
import type { NameSource } from './name-source.js';
import type { HelpContent, Reply } from './reply.js';
import { type LastDaySummary, summarizeLastDay } from './summarize-last-day.js';

export interface Answerer {
  /** a question from someone: always resolves, errors become an error reply */
  ask(
    question: string,
    asker: Asker,
    options: {
      now: Date;
      offset?: number;
      pageSize: number;
      commands?: Array<{ usage: string; description: string }>;
      /** the totals of the first page, so a later page fetches only its rows */
      known?: KnownCounts;
    },
  ): Promise<Reply>;
  /** "Details": a job run with its VMs; always resolves */
  jobRun(
    jobSessionId: string,
    options: { now: Date; timeZone: string; offset?: number; pageSize: number },
  ): Promise<Reply>;
  /** the App Home summary; throws a ReplibotError when EM cannot be asked */
  lastDay(now: Date): Promise<LastDaySummary>;
  help(): HelpContent;
  /** wraps any failure as an error reply with a fresh reference id */
  toErrorReply(error: unknown): Reply;
}

/** "R-7K2Q9F": short enough to read out, random enough not to collide in one log. */
export function newReferenceId(): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return `R-${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')}`;
}

export function createAnswerer(deps: {
  em: EmApi;
  parseQuestion: QuestionParser;
  help: () => HelpContent;
  newReferenceId?: () => string;
  names?: NameSource;
}): Answerer {
  const full: AnswerDeps = { ...deps, newReferenceId: deps.newReferenceId ?? newReferenceId };
  return {
    ask: (question, asker, options) => answerQuestion(question, asker, options, full),
    jobRun: async (jobSessionId, options) => {
      try {
        // a bare job session id from a button: replication, or else backup (backup-answers.ts)
        return await withEitherKind(deps.em, (em) => answerJobRun(jobSessionId, options, { em }));
      } catch (error) {
        return toErrorReply(error, full);
      }
    },
    lastDay: (now) => summarizeLastDay(deps.em, now),
    help: deps.help,
    toErrorReply: (error) => toErrorReply(error, full),
  };
}
