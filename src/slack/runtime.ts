/** What every listener needs, built once by createSlackApp. */
import type { KnownBlock } from '@slack/types';
import type { Answerer } from '../answers/domain/create-answerer.js';
import type { Reply } from '../answers/domain/reply.js';
import type { JobButtons } from '../app/job-buttons.js';
import type { WorkQueue } from '../app/work-queue.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../logger.js';
import type { AccessPolicy } from './access.js';
import type { SlashSubcommand } from './subcommands.js';
import type { TimeZoneLookup } from './user-time-zones.js';

export interface SlackRuntime {
  answerer: Answerer;
  logger: Logger;
  clock: Clock;
  timeZones: TimeZoneLookup;
  access: AccessPolicy;
  subcommands: readonly SlashSubcommand[];
  homeExtras: (() => Promise<KnownBlock[]>) | undefined;
  /** job action buttons under answers that show one job (src/slack/reply-job-buttons.ts) */
  jobButtons?: JobButtons | undefined;
  /** every answer runs through it, after the ack (src/app/work-queue.ts) */
  work: WorkQueue;
  /** the "busy" notes for work refused: sent a few at a time, so a flood of them never holds up acks */
  notices: WorkQueue;
}

/** Writes an error reply to the log with its reference id (the user sees the same id); other replies pass. */
export function logReply(logger: Logger, reply: Reply, context: Record<string, unknown>): void {
  if (reply.kind !== 'error') return;
  const cause = reply.error.cause instanceof Error ? reply.error.cause.message : undefined;
  logger.error(
    { ref: reply.referenceId, code: reply.error.code, status: reply.error.status, cause, ...context },
    reply.error.message,
  );
}

/** The commands features added, for help. */
export function helpCommands(runtime: SlackRuntime): Array<{ usage: string; description: string }> {
  return runtime.subcommands.map((s) => ({ usage: s.usage, description: s.description }));
}
