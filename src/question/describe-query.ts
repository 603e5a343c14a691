/** Words for a read question: the explanation sentence and the short noun phrase of a QueryIntent. */
import type { SessionResult, SessionType } from '../core/sessions.js';
import type { OrderKey, QuestionParts } from './read-words.js';

const RESULT_ADJECTIVES: ReadonlyArray<[SessionResult, string]> = [
  ['Failed', 'failed'],
  ['Warning', 'warning'],
  ['Success', 'successful'],
];

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

function quoteName(name: string): string {
  return `"${name}"`;
}

/** "failed", "failed or warning", "running", "failed or running" */
function statusWords(parts: QuestionParts): string {
  const results = RESULT_ADJECTIVES.filter(([r]) => parts.results.has(r)).map(([, word]) => word);
  const states = [...parts.states];
  const resultText = joinOr(results);
  const stateText = joinOr(states);
  if (parts.statusOr && results.length > 0 && states.length > 0) return `${resultText} or ${stateText}`;
  return [stateText, resultText].filter(Boolean).join(' ');
}

function targets(parts: QuestionParts, style: 'explanation' | 'phrase'): string {
  const out: string[] = [];
  if (parts.vms.length > 0) out.push(`${style === 'explanation' ? 'of' : 'for'} ${joinOr(parts.vms)}`);
  if (parts.jobs.length > 0)
    out.push(`in ${parts.jobs.length > 1 ? 'jobs' : 'job'} ${joinOr(parts.jobs.map(quoteName))}`);
  if (parts.servers.length > 0)
    out.push(
      `on ${style === 'explanation' ? 'backup server' : 'server'}${parts.servers.length > 1 ? 's' : ''} ${joinOr(parts.servers)}`,
    );
  return out.join(' ');
}

const LIMIT_WORDS: Record<OrderKey, string> = {
  newest: 'most recent',
  oldest: 'oldest',
  largest: 'largest',
  smallest: 'smallest',
};

export interface DescribeInput {
  parts: QuestionParts;
  type: SessionType;
  order: OrderKey;
  limit: number | null;
  /**
   * the time words for the explanation ("since 00:00 today (Europe/Berlin)", ", whenever they started"), null
   * for a session by id
   */
  timeExplanation: string | null;
  /** the time words for the phrase ("today") */
  timePhrase: string | null;
}

/** "failed replication task sessions of apache02 since 00:00 today (Europe/Berlin)" */
export function describeExplanation(input: DescribeInput): string {
  const { parts, type, order, limit } = input;
  const one = limit === 1 || (parts.session !== null && limit === null);
  const noun =
    type === 'ReplicaTaskSession'
      ? `replication task session${one ? '' : 's'}`
      : `replication job session${one ? '' : 's'}`;
  const head: string[] = [];
  if (limit !== null)
    head.push(limit === 1 ? `the ${LIMIT_WORDS[order]}` : `the ${limit} ${LIMIT_WORDS[order]}`);
  else if (parts.session !== null) head.push('the');
  const status = statusWords(parts);
  if (status) head.push(status);
  head.push(noun);
  if (parts.session !== null) head.push(parts.session.uid);
  const target = targets(parts, 'explanation');
  if (target) head.push(target);
  let sentence = head.join(' ');
  // ", whenever they started" (running sessions with no window) follows with its comma
  if (input.timeExplanation !== null)
    sentence += input.timeExplanation.startsWith(',') ? input.timeExplanation : ` ${input.timeExplanation}`;
  if (limit === null && order !== 'newest') sentence += `, ${LIMIT_WORDS[order]} first`;
  return sentence;
}

/** "failed replicas for apache02 today", for headers and "No ... " answers */
export function describePhrase(input: DescribeInput): string {
  const { parts, type } = input;
  const words: string[] = [];
  const status = statusWords(parts);
  if (parts.session !== null) {
    if (status) words.push(status);
    words.push(
      type === 'ReplicaTaskSession' ? 'replica session' : 'replication job run',
      parts.session.uid.slice(parts.session.uid.lastIndexOf(':') + 1),
    );
  } else {
    const warningsOnly = parts.results.size === 1 && parts.results.has('Warning') && parts.states.size === 0;
    // the order the user asked for is part of what the list is ("largest replicas this week")
    if (input.order !== 'newest') words.push(LIMIT_WORDS[input.order]);
    if (status && !warningsOnly) words.push(status);
    words.push(type === 'ReplicaTaskSession' ? 'replicas' : 'replication job runs');
    if (warningsOnly) words.push('with warnings');
  }
  const target = targets(parts, 'phrase');
  if (target) words.push(target);
  if (input.timePhrase !== null) words.push(input.timePhrase);
  return words.join(' ');
}
