/**
 * What an empty answer says, per answer kind, in the words of the question's kind ("backups", "backup copies",
 * "replicas"): one sentence that says what was asked and that nothing matched it, shared by Slack and the terminal
 * (each escapes it for its surface). Pure.
 */
import { toJobTypeWords, toKindWords } from '../../core/backup-sessions.js';
import { formatDuration } from '../../core/format.js';
import type { QueryIntent } from '../../question/query-intent.js';
import type { CompareReply, RowsReply, SessionListReply } from './reply.js';

/** "replica(s)" / "backup(s)" / "backup cop(y|ies)": sessions of the question's kind, as people say them. */
export function toKindNoun(intent: Pick<QueryIntent, 'kind' | 'jobTypes'>): { one: string; many: string } {
  if (intent.kind !== 'backup') return { one: 'replica', many: 'replicas' };
  const first = intent.jobTypes?.[0];
  const one = first === undefined ? toKindWords('backup').one : toJobTypeWords(first).one;
  return { one, many: one.endsWith('copy') ? `${one.slice(0, -1)}ies` : `${one}s` };
}

const NAME_NOUN = { vm: 'VM', job: 'job', server: 'backup server' } as const;

/** "failed replicas today" as the sentence of an empty list, yes-no or duration answer. */
export function describeEmptyList(reply: Pick<SessionListReply, 'intent' | 'scanned'>): string {
  const { intent } = reply;
  const answer = intent.answer;
  if (answer.kind === 'duration' && answer.longerThanMs !== null) {
    const longer = `took longer than ${formatDuration(answer.longerThanMs)}`;
    return (reply.scanned ?? 0) > 0
      ? `None of the ${(reply.scanned ?? 0).toLocaleString('en-US')} ${intent.phrase} ${longer}.`
      : `No ${intent.phrase}, so none ${longer}.`;
  }
  return `No ${intent.phrase}.`;
}

/** The sentence of an empty ranking or last-success table. */
export function describeEmptyRows(reply: Pick<RowsReply, 'intent' | 'scanned'>): string {
  const { intent } = reply;
  const answer = intent.answer;
  const noun = toKindNoun(intent);
  if (answer.kind === 'last-success') {
    if (answer.every !== null && reply.scanned === 0)
      return `No ${NAME_NOUN[answer.every]} has a successful ${noun.one} in EM's 30 days: EM has no ${noun.many} to look at.`;
    if (answer.every !== null && answer.olderThanMs !== null) {
      // "which VMs have not replicated successfully for 24 hours", and every one has
      const names = NAME_NOUN[answer.every];
      return `No ${names} has gone ${formatDuration(answer.olderThanMs)} without a successful ${noun.one}: every ${names} EM knows has a newer one.`;
    }
    if (answer.every !== null)
      return `No ${NAME_NOUN[answer.every]} has a successful ${noun.one} in EM's 30 days.`;
    return `No ${intent.phrase}.`;
  }
  if (answer.kind === 'ranking') {
    const by = NAME_NOUN[answer.by];
    if (answer.moreThan !== null && reply.scanned > 0)
      return `No ${by} had more than ${answer.moreThan.toLocaleString('en-US')} of the ${reply.scanned.toLocaleString('en-US')} ${intent.phrase}.`;
    return `No ${intent.phrase}, so no ${by}s to rank.`;
  }
  return `No ${intent.phrase}.`;
}

/** A comparison where neither time had any: said in words instead of "0 vs 0". Null when there is something. */
export function describeEmptyCompare(
  reply: Pick<CompareReply, 'intent' | 'current' | 'previous'>,
): string | null {
  if (reply.current > 0 || reply.previous > 0) return null;
  const answer = reply.intent.answer;
  const previous = answer.kind === 'compare' ? answer.previousPhrase : 'before';
  return `No ${reply.intent.phrase}, and none ${previous} either.`;
}
