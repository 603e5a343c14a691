/**
 * Block Kit for answers: pure functions from the reply model to `{ text, blocks }`. Every EM string is escaped,
 * every text is cut to its limit, and the number of sessions on a page shrinks when their text would pass the
 * total budget, so a message is valid whatever EM returns.
 */
import type { Button, ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import {
  capitalize,
  defaultWindowNote,
  formatBytes,
  formatDuration,
  nextPageRange,
  plural,
  sessionDuration,
} from '../../core/format.js';
import { encodeAnswerCursor, encodeJobRunCursor } from '../../slack/action-values.js';
import { BLOCK_LIMITS, TOTAL_TEXT_BUDGET } from '../../slack/limits.js';
import { toPlainText, toSafeMrkdwn, truncateText } from '../../slack/mrkdwn.js';
import { toSlackDate } from '../../slack/slack-date.js';
import { type SlackMessage, toFallbackText } from '../../slack/slack-message.js';
import { toUnknownNameText } from '../domain/check-names.js';
import { describeEmptyList } from '../domain/describe-empty.js';
import {
  type JobRunReply,
  type ResultCounts,
  type SessionListReply,
  type SessionRow,
  toUnreadableNote,
} from '../domain/reply.js';
import { toRowJobName, toRunningText } from '../domain/session-row.js';
import {
  ACTION_DETAILS,
  ACTION_JOB_RUN_MORE,
  ACTION_POST_TO_CHANNEL,
  ACTION_SHOW_MORE,
} from './answer-action-ids.js';
import type { HelpSurface } from './render-help.js';

/** Sessions on one Slack page: readable on a phone, and far from the 50-block limit. */
export const SLACK_PAGE_SIZE = 10;

/** Longest reason shown under a session; the Details button shows the whole job run. */
const REASON_MAX = 300;
const NAME_MAX = 100;

export interface AnswerRenderOptions {
  /** zone of the asker, for the fallback text of dates */
  timeZone: string;
  /** an ephemeral slash-command answer: offer "Post to channel" */
  ephemeral?: boolean;
  /** on a message posted for someone: "Asked by <@U…>" */
  askedBy?: string | null;
  /** where the question was typed, for how help and "try" lines show a question; `/replicas` unless told */
  surface?: HelpSurface;
}

const RESULT_EMOJI: Record<SessionRow['result'] | 'Running', string> = {
  Success: ':white_check_mark:',
  Warning: ':warning:',
  Failed: ':x:',
  None: ':grey_question:',
  Unknown: ':grey_question:',
  Running: ':hourglass_flowing_sand:',
};

function emojiFor(row: SessionRow): string {
  return row.running ? RESULT_EMOJI.Running : RESULT_EMOJI[row.result];
}

function resultWord(row: SessionRow): string {
  if (row.running) return 'Running';
  if (row.result === 'Unknown') return `Ended with result ${row.resultWord ?? 'Unknown'}`;
  return row.result === 'None' ? 'No result' : row.result;
}

function mrkdwn(text: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text };
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text: toPlainText(text, BLOCK_LIMITS.buttonText), emoji: true },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

/** "*57 sessions*  ·  :x: 12 failed  ·  :warning: 3 warning …", only the results that occur. */
export function renderCountsLine(counts: ResultCounts, total: number, noun = 'session'): string {
  const parts = [`*${plural(total, noun)}*`];
  const add = (n: number, emoji: string, word: string, words = word) => {
    if (n > 0) parts.push(`${emoji} ${plural(n, word, words)}`);
  };
  add(counts.Failed, RESULT_EMOJI.Failed, 'failed');
  add(counts.Warning, RESULT_EMOJI.Warning, 'warning', 'warnings');
  add(counts.Success, RESULT_EMOJI.Success, 'success');
  add(counts.None, RESULT_EMOJI.Running, 'running');
  add(counts.Unknown, RESULT_EMOJI.Unknown, 'other result');
  return parts.join('   ');
}

/** The mrkdwn of one session: what a Veeam admin scans for (VM, job, server, when, how long, how big, why). */
export function renderSessionText(row: SessionRow, timeZone: string, now: Date): string {
  const who =
    row.kind === 'task'
      ? `*${toSafeMrkdwn(row.vmDisplayName ?? '?', NAME_MAX)}*`
      : `*${toSafeMrkdwn(toRowJobName(row) ?? '?', NAME_MAX)}* (job run)`;
  const lines = [`${emojiFor(row)} ${who}  ·  ${resultWord(row)}`];
  const where: string[] = [];
  if (row.kind === 'task' && row.jobName)
    where.push(`job ${toSafeMrkdwn(toRowJobName(row) ?? row.jobName, NAME_MAX)}`);
  if (row.backupServerName) where.push(`on ${toSafeMrkdwn(row.backupServerName, NAME_MAX)}`);
  const facts = [
    ...(where.length > 0 ? [where.join(' ')] : []),
    `started ${toSlackDate(row.creationTime, timeZone)}`,
    toRunningText(row, now) ?? `took ${formatDuration(sessionDuration(row, now))}`,
  ];
  if (row.totalSize !== null && row.totalSize > 0) facts.push(formatBytes(row.totalSize));
  lines.push(facts.join('  ·  '));
  const reason = row.reason.replace(/\s+/g, ' ').trim();
  if (reason !== '' && (row.result === 'Failed' || row.result === 'Warning')) {
    lines.push(`> ${toSafeMrkdwn(reason, REASON_MAX)}`);
  }
  return truncateText(lines.join('\n'), BLOCK_LIMITS.sectionText);
}

function windowText(reply: SessionListReply, timeZone: string): string | null {
  const window = reply.intent.window;
  if (window === null) return null;
  const to = window.to === null ? 'now' : toSlackDate(window.to, timeZone);
  return `${toSlackDate(window.from, timeZone)} to ${to}`;
}

function blockText(block: KnownBlock): number {
  return JSON.stringify(block).length;
}

/** The Slack message for a list of sessions: one page, with buttons for the next page and details. */
export function renderAnswer(reply: SessionListReply, options: AnswerRenderOptions): SlackMessage {
  const { intent } = reply;
  const tz = options.timeZone;
  // Slack refuses an empty text anywhere; a blank phrase or explanation still gives a valid message.
  const phrase = capitalize(intent.phrase.trim()) || 'Replicas';
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: toPlainText(phrase, BLOCK_LIMITS.headerText), emoji: false },
    },
  ];

  const context: string[] = [toSafeMrkdwn(capitalize(intent.explanation.trim()) || phrase, 900)];
  const window = windowText(reply, tz);
  if (window) context.push(`:calendar: ${window}`);
  if (options.askedBy) context.push(`Asked by <@${options.askedBy}>`);
  const notes: string[] = [];
  const defaultNote = defaultWindowNote(intent);
  if (defaultNote) notes.push(`:information_source: ${defaultNote}`);
  if (intent.beyondRetention)
    notes.push(
      ':information_source: Enterprise Manager keeps about 30 days of sessions; older runs are not there.',
    );
  if ((reply.unreadableRows ?? 0) > 0) notes.push(`:warning: ${toUnreadableNote(reply.unreadableRows ?? 0)}`);
  if (reply.note) notes.push(`:information_source: ${toSafeMrkdwn(reply.note, 500)}`);
  if (reply.truncated)
    notes.push(`:warning: Only the first ${reply.total.toLocaleString('en-US')} sessions were counted.`);
  if (intent.limit !== null && reply.total >= intent.limit)
    notes.push(`Limited to the ${intent.limit} you asked for.`);
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(truncateText(context.join('  ·  '), BLOCK_LIMITS.contextText)),
      ...notes.map((n) => mrkdwn(n)),
    ],
  });

  if (reply.total === 0) {
    const unknown = reply.unknownNames ?? [];
    if (unknown.length > 0) {
      // A name EM has never seen: say so instead of an all-clear that would only reflect a typo.
      const lines = unknown.map(
        (u) => `:mag: ${toUnknownNameText(u, (name) => toSafeMrkdwn(name, 200), reply.question)}`,
      );
      blocks.push({
        type: 'section',
        text: mrkdwn(truncateText(lines.join('\n'), BLOCK_LIMITS.sectionText)),
      });
      const fallback = unknown.map((u) => toUnknownNameText(u, (name) => name, reply.question));
      if ((reply.knownNames ?? []).length > 0) {
        blocks.push({ type: 'section', text: mrkdwn(toSafeMrkdwn(describeEmptyList(reply), 2000)) });
        fallback.push(describeEmptyList(reply));
      }
      return { text: toFallbackText(fallback.join(' ')), blocks };
    }
    blocks.push({ type: 'section', text: mrkdwn(toSafeMrkdwn(describeEmptyList(reply), 2000)) });
    return {
      text: toFallbackText(describeEmptyList(reply)),
      blocks,
    };
  }

  blocks.push({ type: 'section', text: mrkdwn(renderCountsLine(reply.counts, reply.total)) });
  blocks.push({ type: 'divider' });

  let used = blocks.reduce((sum, block) => sum + blockText(block), 0);
  let shown = 0;
  for (const row of reply.sessions) {
    const section: SectionBlock = { type: 'section', text: mrkdwn(renderSessionText(row, tz, reply.now)) };
    if (row.jobSessionId !== null) {
      section.accessory = button(
        'Details',
        ACTION_DETAILS,
        encodeJobRunCursor({ jobSessionId: row.jobSessionId, offset: 0, timeZone: tz }),
      );
    }
    const size = blockText(section);
    // The footer needs room too; at least one session is always shown (a single one is far under the limit).
    if (shown > 0 && used + size > TOTAL_TEXT_BUDGET - 1500) break;
    blocks.push(section);
    used += size;
    shown += 1;
  }

  const first = reply.offset + 1;
  const last = reply.offset + shown;
  const footer: ContextBlock = {
    type: 'context',
    elements: [
      mrkdwn(
        reply.total > shown || reply.offset > 0
          ? `Showing ${nextPageRange(first, last)} of ${reply.total.toLocaleString('en-US')}, ${sortWords(reply)}.`
          : `${sortWords(reply, true)}.`,
      ),
    ],
  };
  blocks.push(footer);

  const buttons: Button[] = [];
  if (last < reply.total) {
    const value = encodeAnswerCursor({
      question: reply.question,
      offset: last,
      timeZone: tz,
      now: reply.now,
      ephemeral: options.ephemeral ?? false,
      known: { total: reply.total, counts: reply.counts },
    });
    if (value)
      buttons.push(
        button(
          `Next page (${nextPageRange(last + 1, Math.min(last + shown, reply.total))})`,
          ACTION_SHOW_MORE,
          value,
        ),
      );
  }
  if (options.ephemeral) {
    const value = encodeAnswerCursor({
      question: reply.question,
      offset: reply.offset,
      timeZone: tz,
      now: reply.now,
      ephemeral: false,
      known: { total: reply.total, counts: reply.counts },
    });
    if (value) buttons.push(button('Post to channel', ACTION_POST_TO_CHANNEL, value, 'primary'));
  }
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });

  return { text: answerFallback(reply, shown), blocks };
}

function sortWords(reply: SessionListReply, capital = false): string {
  const words =
    reply.intent.sort.field === 'CreationTime' && reply.intent.sort.direction === 'asc'
      ? 'oldest first'
      : 'newest first';
  return capital ? capitalize(words) : words;
}

/** The notification and screen-reader text: the phrase and the counts, no markup from EM. */
function answerFallback(reply: SessionListReply, shown: number): string {
  const c = reply.counts;
  const parts = [plural(reply.total, 'session')];
  if (c.Failed) parts.push(`${c.Failed} failed`);
  if (c.Warning) parts.push(plural(c.Warning, 'warning'));
  if (c.Success) parts.push(`${c.Success} succeeded`);
  if (c.None) parts.push(`${c.None} running`);
  const page = reply.total > shown ? ` (showing ${reply.offset + 1}-${reply.offset + shown})` : '';
  return toFallbackText(`${capitalize(reply.intent.phrase)}: ${parts.join(', ')}${page}`);
}

/** "Details": one job run and all its VMs, problems first. */
export function renderJobRun(reply: JobRunReply): SlackMessage {
  const { job } = reply;
  const tz = reply.timeZone;
  const name = toRowJobName({ jobName: job.jobName, jobType: job.jobType }) ?? 'Replication job';
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: toPlainText(`Job run: ${name}`, BLOCK_LIMITS.headerText),
        emoji: false,
      },
    },
  ];
  const facts = [
    `${emojiFor(job)} ${resultWord(job)}${job.isRetry ? ' (retry)' : ''}`,
    `started ${toSlackDate(job.creationTime, tz)}`,
    job.endTime ? `took ${formatDuration(sessionDuration(job, reply.now))}` : `${job.progress}% done`,
  ];
  if (job.backupServerName) facts.push(`on ${toSafeMrkdwn(job.backupServerName, NAME_MAX)}`);
  blocks.push({ type: 'context', elements: [mrkdwn(facts.join('  ·  '))] });
  if (job.failureMessage && job.failureMessage.trim() !== '') {
    blocks.push({
      type: 'section',
      text: mrkdwn(`> ${toSafeMrkdwn(job.failureMessage.replace(/\s+/g, ' '), 1000)}`),
    });
  }
  if (reply.total === 0) {
    blocks.push({ type: 'section', text: mrkdwn('This run has no VM task sessions.') });
    return { text: toFallbackText(`Job run ${name}: no VM task sessions`), blocks };
  }
  blocks.push({ type: 'section', text: mrkdwn(renderCountsLine(reply.counts, reply.total, 'VM')) });
  blocks.push({ type: 'divider' });
  let used = blocks.reduce((sum, block) => sum + blockText(block), 0);
  let shown = 0;
  const now = reply.now;
  for (const row of reply.tasks) {
    const section: SectionBlock = { type: 'section', text: mrkdwn(renderSessionText(row, tz, now)) };
    const size = blockText(section);
    if (shown > 0 && used + size > TOTAL_TEXT_BUDGET - 1000) break;
    blocks.push(section);
    used += size;
    shown += 1;
  }
  const last = reply.offset + shown;
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`VMs ${nextPageRange(reply.offset + 1, last)} of ${reply.total}, problems first.`)],
  });
  if (last < reply.total && job.jobSessionId) {
    blocks.push({
      type: 'actions',
      elements: [
        button(
          `Next page (${nextPageRange(last + 1, Math.min(last + shown, reply.total))})`,
          ACTION_JOB_RUN_MORE,
          encodeJobRunCursor({ jobSessionId: job.jobSessionId, offset: last, timeZone: tz }),
        ),
      ],
    });
  }
  const c = reply.counts;
  return {
    text: toFallbackText(
      `Job run ${name}: ${job.result}, ${plural(reply.total, 'VM')} (${c.Failed} failed, ${plural(c.Warning, 'warning')}, ${c.Success} success)`,
    ),
    blocks,
  };
}
