/**
 * Rankings, counts per name, last-success lists and comparisons as Slack messages: what was read in the first
 * context line, then the rows as one compact preformatted table (names escaped, cut to the block limits), and a
 * `text` fallback that says the top of the answer on its own.
 */
import type { KnownBlock } from '@slack/types';
import { capitalize, formatDuration } from '../../core/format.js';
import { BLOCK_LIMITS } from '../../slack/limits.js';
import { toPlainText, toSafeMrkdwn, truncateText } from '../../slack/mrkdwn.js';
import { type SlackMessage, toFallbackText } from '../../slack/slack-message.js';
import { describeEmptyCompare, describeEmptyRows } from '../domain/describe-empty.js';
import type { CompareReply, NameRow, RowsReply, SessionListReply } from '../domain/reply.js';

const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });

/** At most this many rows in the table; the rest are counted in a note. */
const MAX_TABLE_ROWS = 40;
const NAME_WIDTH = 32;

function pad(text: string, width: number): string {
  const cut = text.length > width ? `${text.slice(0, width - 1)}…` : text;
  return cut.padEnd(width);
}

/** "3d 4h ago", "never in EM's 30 days" */
export function lastSuccessText(row: NameRow, now: Date): string {
  if (row.lastSuccess === undefined) return '';
  if (row.lastSuccess === null) return "never in EM's 30 days";
  return `${formatDuration(now.getTime() - row.lastSuccess.getTime())} ago`;
}

export function rateText(rate: number | null): string {
  return rate === null ? '-' : `${Math.round(rate * 1000) / 10}%`;
}

/** The rows as plain table lines (no markup): shared by Slack (in a code block) and the terminal. */
export function toTableLines(reply: RowsReply, timeZone: string): string[] {
  const lastSuccess = reply.intent.answer.kind === 'last-success';
  const header = lastSuccess
    ? `${pad('Name', NAME_WIDTH)}  Last success`
    : `${pad('Name', NAME_WIDTH)}  ${'Total'.padStart(6)}  ${'Failed'.padStart(6)}  ${'Warn'.padStart(5)}  ${'OK'.padStart(6)}  Rate`;
  const lines = [header];
  for (const row of reply.rows.slice(0, MAX_TABLE_ROWS)) {
    const name = pad(row.name.replace(/[\r\n\t`]/g, ' '), NAME_WIDTH);
    if (lastSuccess) {
      const when =
        row.lastSuccess instanceof Date
          ? `${row.lastSuccess.toLocaleString('en-GB', { timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })} (${lastSuccessText(row, reply.now)})`
          : lastSuccessText(row, reply.now);
      lines.push(`${name}  ${when}`);
    } else {
      lines.push(
        `${name}  ${String(row.total).padStart(6)}  ${String(row.counts.Failed).padStart(6)}  ${String(row.counts.Warning).padStart(5)}  ${String(row.counts.Success).padStart(6)}  ${rateText(row.rate)}`,
      );
    }
  }
  return lines;
}

/** "apache02: 7 failed" / "apache02: last success 3h ago": the first row, for the fallback text */
function topLine(reply: RowsReply): string {
  const first = reply.rows[0];
  if (first === undefined) return 'nothing to list';
  if (reply.intent.answer.kind === 'last-success')
    return `${first.name}: ${lastSuccessText(first, reply.now)}`;
  if (reply.intent.answer.kind === 'ranking' && reply.intent.answer.measure === 'rate')
    return `${first.name}: ${rateText(first.rate)} successful of ${first.total}`;
  return `${first.name}: ${first.total}`;
}

export function rowsHeading(reply: RowsReply): string {
  const answer = reply.intent.answer;
  if (answer.kind === 'last-success') {
    if (answer.every === null) return `Last success: ${reply.intent.phrase}`;
    return answer.olderThanMs === null
      ? 'Last success of every name EM knows'
      : `No success for ${formatDuration(answer.olderThanMs)}`;
  }
  return capitalize(reply.intent.phrase);
}

export function renderRows(reply: RowsReply, timeZone: string): SlackMessage {
  const heading = rowsHeading(reply);
  const context = [toSafeMrkdwn(capitalize(reply.intent.explanation.trim()) || heading, 900)];
  const notes: string[] = [];
  if (reply.note) notes.push(`:information_source: ${toSafeMrkdwn(reply.note, 500)}`);
  if (reply.truncated)
    notes.push(':warning: Stopped reading before the last session; counts are a lower bound.');
  if (reply.rows.length > MAX_TABLE_ROWS)
    notes.push(
      `${reply.rows.length - MAX_TABLE_ROWS} more rows not shown; ask \`replibot ask --format json\` for all.`,
    );
  else if (reply.totalRows > reply.rows.length) notes.push(`Top ${reply.rows.length} of ${reply.totalRows}.`);
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: toPlainText(heading, BLOCK_LIMITS.headerText), emoji: false },
    },
    {
      type: 'context',
      elements: [mrkdwn(truncateText(context.join('  ·  '), BLOCK_LIMITS.contextText)), ...notes.map(mrkdwn)],
    },
  ];
  if (reply.rows.length === 0) {
    blocks.push({
      type: 'section',
      text: mrkdwn(toSafeMrkdwn(describeEmptyRows(reply), 2000)),
    });
    return { text: toFallbackText(`${heading}: ${describeEmptyRows(reply)}`), blocks };
  }
  // a code block shows EM names as typed: no mrkdwn inside, and backticks were replaced in toTableLines
  const table = toTableLines(reply, timeZone)
    .join('\n')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
  blocks.push({
    type: 'section',
    text: mrkdwn(truncateText(`\`\`\`${table}\`\`\``, BLOCK_LIMITS.sectionText)),
  });
  return { text: toFallbackText(`${heading}: ${topLine(reply)}`), blocks };
}

export function compareLine(reply: CompareReply): string {
  const empty = describeEmptyCompare(reply);
  if (empty !== null) return empty;
  const answer = reply.intent.answer;
  const previousPhrase = answer.kind === 'compare' ? answer.previousPhrase : 'before';
  const change = reply.current - reply.previous;
  const pct =
    reply.previous === 0 ? '' : ` (${change >= 0 ? '+' : ''}${Math.round((change / reply.previous) * 100)}%)`;
  return `${reply.current.toLocaleString('en-US')} vs ${reply.previous.toLocaleString('en-US')} ${previousPhrase}: ${change === 0 ? 'no change' : `${change > 0 ? '+' : ''}${change.toLocaleString('en-US')}${pct}`}`;
}

export function renderCompare(reply: CompareReply): SlackMessage {
  const heading = capitalize(reply.intent.phrase);
  const line = compareLine(reply);
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: toPlainText(heading, BLOCK_LIMITS.headerText), emoji: false },
    },
    { type: 'context', elements: [mrkdwn(toSafeMrkdwn(capitalize(reply.intent.explanation.trim()), 900))] },
    { type: 'section', text: mrkdwn(toSafeMrkdwn(line, 2000)) },
  ];
  const noun = reply.nameKind === 'vm' ? 'VMs' : 'jobs';
  if (reply.newNames.length > 0) {
    const shown = reply.newNames.slice(0, 50).map((n) => toSafeMrkdwn(n, 100));
    const more = reply.newNames.length > 50 ? ` and ${reply.newNames.length - 50} more` : '';
    blocks.push({
      type: 'section',
      text: mrkdwn(
        truncateText(`*${noun} new to the list:* ${shown.join(', ')}${more}`, BLOCK_LIMITS.sectionText),
      ),
    });
  }
  return { text: toFallbackText(`${heading}: ${line}`), blocks };
}

/** A yes/no answer: the verdict as the header and the first words of the fallback text. */
export function withVerdict(reply: SessionListReply, message: SlackMessage): SlackMessage {
  const verdict = reply.verdict;
  if (verdict === undefined) return message;
  const blocks = (message.blocks ?? []).map((block, at) =>
    at === 0 && block.type === 'header'
      ? {
          ...block,
          text: {
            type: 'plain_text' as const,
            text: toPlainText(verdict.line, BLOCK_LIMITS.headerText),
            emoji: false,
          },
        }
      : block,
  );
  return { ...message, text: toFallbackText(`${verdict.line} ${message.text}`), blocks };
}
