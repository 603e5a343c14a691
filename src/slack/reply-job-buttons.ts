/**
 * The job action buttons under an answer that shows one job: a job run's Details, or the sessions of a question
 * that named one job ("status of job SQL Replica", "last runs of job Nightly"). The buttons come from the job
 * actions feature (src/app/job-buttons.ts) with the job as EM has it now; an answer about several jobs, or about
 * none, gets none. One actions block at the end, only while the message has room (Block Kit: 50 blocks).
 */

import type { Reply } from '../answers/domain/reply.js';
import type { JobButtons, JobButtonsWhere, JobRef } from '../app/job-buttons.js';
import type { Filter } from '../core/filter.js';
import type { SlackMessage } from './slack-message.js';

const MESSAGE_BLOCKS_MAX = 50;

/** The `JobName == "..."` values of a filter, anywhere in it. */
function jobNamesOf(filter: Filter | null, into: Set<string>): Set<string> {
  if (filter === null) return into;
  if (filter.kind === 'cmp') {
    if (filter.field === 'JobName' && filter.op === '==' && typeof filter.value === 'string')
      into.add(filter.value);
    return into;
  }
  for (const item of filter.items) jobNamesOf(item, into);
  return into;
}

/** The one job a reply shows, or null. */
export function toReplyJob(reply: Reply): JobRef | null {
  if (reply.kind === 'job-run') {
    return reply.job.jobName ? { name: reply.job.jobName, serverName: reply.job.backupServerName } : null;
  }
  if (reply.kind !== 'answer') return null;
  const names = [...jobNamesOf(reply.intent.filter, new Set<string>())];
  const [name] = names;
  if (names.length !== 1 || name === undefined) return null;
  const servers = new Set(reply.sessions.map((s) => s.backupServerName));
  const [server] = [...servers];
  return { name, serverName: servers.size === 1 ? (server ?? null) : null };
}

export async function withJobButtons(
  reply: Reply,
  message: SlackMessage,
  jobButtons: JobButtons | undefined,
  where: JobButtonsWhere,
): Promise<SlackMessage> {
  if (jobButtons === undefined || message.blocks.length >= MESSAGE_BLOCKS_MAX) return message;
  const job = toReplyJob(reply);
  if (job === null) return message;
  const buttons = await jobButtons.buttonsFor(job, where).catch(() => []);
  if (buttons.length === 0) return message;
  return { ...message, blocks: [...message.blocks, { type: 'actions', elements: buttons }] };
}
