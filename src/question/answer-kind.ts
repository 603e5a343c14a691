/**
 * What kind of answer a read question asks for: a list (the default), a yes or no, the last success per name,
 * a ranking by name, sessions by duration, or a comparison of two times. Decided from the parts once they are
 * read; the EM query stays the same filter either way (a last-success answer asks for successes).
 */
import type { NameKind } from './name-catalogue.js';
import type { AnswerKind } from './query-intent.js';
import type { QuestionParts } from './read-words.js';

/** Question words that make a question about a named thing a yes/no one: "did apache02 fail today" */
const YES_NO_STARTS = new Set(['did', 'has', 'have', 'is', 'was', 'were', 'does', 'are', 'had']);

function namesSomething(parts: QuestionParts): boolean {
  return parts.vms.length + parts.jobs.length + parts.servers.length > 0;
}

function onlySuccess(parts: QuestionParts): boolean {
  return parts.results.size === 1 && parts.results.has('Success') && parts.states.size === 0;
}

/** The kind of rows a ranking or last-success list is by: what was named ("which jobs"), else VMs */
function rowKind(parts: QuestionParts): NameKind {
  const named: NameKind | null =
    parts.jobs.length > 0 ? 'job' : parts.servers.length > 0 ? 'server' : parts.vms.length > 0 ? 'vm' : null;
  return parts.rankBy ?? parts.every ?? parts.kindNamed ?? named ?? (parts.jobLevel ? 'job' : 'vm');
}

export function toAnswerKind(parts: QuestionParts, firstWord: string | undefined, now: Date): AnswerKind {
  if (parts.compareTime !== null && parts.time !== null) {
    return {
      kind: 'compare',
      previous: { from: parts.compareTime.from, to: parts.compareTime.to },
      previousPhrase: parts.compareTime.phrase,
    };
  }
  if (parts.notSucceeded) {
    return {
      kind: 'last-success',
      every: namesSomething(parts) ? null : rowKind(parts),
      olderThanMs: parts.time === null ? null : Math.max(0, now.getTime() - parts.time.from.getTime()),
    };
  }
  const lastOne = parts.order === 'newest' && parts.limit === 1;
  if (
    onlySuccess(parts) &&
    ((parts.when && parts.order === 'newest') || (lastOne && namesSomething(parts)))
  ) {
    return { kind: 'last-success', every: namesSomething(parts) ? null : rowKind(parts), olderThanMs: null };
  }
  if (parts.duration !== null || parts.longerThanMs !== null) {
    return {
      kind: 'duration',
      order: parts.duration ?? 'longest',
      longerThanMs: parts.longerThanMs,
      top: parts.limit,
    };
  }
  if (parts.rankBy !== null || parts.rankMost || parts.moreThan !== null || parts.rate) {
    return {
      kind: 'ranking',
      by: rowKind(parts),
      top: parts.limit,
      moreThan: parts.moreThan,
      measure: parts.rate ? 'rate' : 'count',
    };
  }
  // "top 5 failing jobs": a count before a plural kind and a result
  if (parts.limit !== null && parts.kindNamed !== null && parts.results.size > 0 && parts.order === null) {
    return { kind: 'ranking', by: rowKind(parts), top: parts.limit, moreThan: null, measure: 'count' };
  }
  if (
    YES_NO_STARTS.has(firstWord ?? '') &&
    namesSomething(parts) &&
    (parts.results.size > 0 || parts.states.size > 0) &&
    parts.limit === null
  ) {
    return { kind: 'yes-no' };
  }
  return { kind: 'list' };
}

/** How the explanation starts for a kind of answer ("ranking of VMs by ...: "), empty for a list */
export function describeAnswerKind(answer: AnswerKind): string {
  const kinds: Record<NameKind, string> = { vm: 'VMs', job: 'jobs', server: 'backup servers' };
  switch (answer.kind) {
    case 'list':
    case 'yes-no':
      return '';
    case 'last-success':
      return answer.every === null
        ? "the last success of each name asked about, over EM's 30 days, from "
        : `every ${answer.every === 'vm' ? 'VM' : answer.every === 'job' ? 'job' : 'backup server'} EM knows with its last success${answer.olderThanMs === null ? '' : ' (only those without one in the window)'}, from `;
    case 'ranking':
      return `${answer.top === null ? '' : `the top ${answer.top} `}${kinds[answer.by]} by ${answer.measure === 'rate' ? 'success rate' : 'count'}${answer.moreThan === null ? '' : ` (more than ${answer.moreThan})`}, counted over every page of `;
    case 'duration':
      return `${answer.top === null ? '' : `the ${answer.top} `}${answer.order} first${answer.longerThanMs === null ? '' : `, those that took longer than ${Math.round(answer.longerThanMs / 60_000)} minutes`} (EM cannot sort by duration: computed from every page), of `;
    case 'compare':
      return `compared with ${answer.previousPhrase}: `;
  }
}
