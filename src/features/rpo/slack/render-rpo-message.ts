/**
 * An RPO alert as a Slack message (pure Block Kit): a header, the job's line, the VM lines in sections of at most
 * 2,900 characters, cut to a 7,000-character budget with "…and N more", and a text fallback in DEFAULT_TIMEZONE.
 */
import type { Button, KnownBlock } from '@slack/types';
import { formatZonedDateTime } from '../../../core/format.js';
import { escapeMrkdwn, toPlainText, truncateText } from '../../../slack/mrkdwn.js';
import { toSlackDate } from '../../../slack/slack-date.js';
import type { RpoAlertContent } from '../domain/plan-rpo-alerts.js';
import { renderRpoLines } from '../text/render-rpo-text.js';

const VM_TEXT_BUDGET = 7000;
const SECTION_MAX = 2900;

/** What other features add to an RPO alert (the job actions' Start now, Stop, Pause/Resume schedule buttons). */
export interface RpoMessageExtras {
  /** shown while the alert is open, in one actions block at the end */
  buttons?: readonly Button[];
}

/** Block Kit: at most 25 elements in an actions block, 50 blocks in a message. */
const ACTIONS_MAX = 25;
const MESSAGE_BLOCKS_MAX = 50;

export function renderRpoMessage(
  content: RpoAlertContent,
  timeZone: string,
  extras: RpoMessageExtras = {},
): { text: string; blocks: KnownBlock[]; plain: string } {
  const lines = renderRpoLines(content, {
    date: (d) => toSlackDate(d, timeZone),
    escape: escapeMrkdwn,
    bold: (t) => `*${t}*`,
    strike: (t) => `~${t}~`,
  });
  const plain = renderRpoLines(content, {
    date: (d) => formatZonedDateTime(d, timeZone),
    escape: escapeMrkdwn,
  });
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: toPlainText(lines.title, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: truncateText(lines.jobLine, SECTION_MAX) } },
  ];
  let used = 0;
  let section = '';
  let shown = 0;
  for (const line of lines.vmLines) {
    const cut = truncateText(line, 1000);
    if (used + cut.length > VM_TEXT_BUDGET) break;
    if (section.length + cut.length + 1 > SECTION_MAX) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: section } });
      section = '';
    }
    section += section === '' ? cut : `\n${cut}`;
    used += cut.length;
    shown += 1;
  }
  const more = lines.vmLines.length - shown;
  if (more > 0) section += `${section === '' ? '' : '\n'}…and ${more} more`;
  if (section !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: section } });
  const buttons = extras.buttons ?? [];
  if (content.closedAt === null && buttons.length > 0 && blocks.length < MESSAGE_BLOCKS_MAX)
    blocks.push({ type: 'actions', elements: buttons.slice(0, ACTIONS_MAX) });
  const fallback = [plain.title, plain.jobLine, ...plain.vmLines.slice(0, 20)];
  if (plain.vmLines.length > 20) fallback.push(`…and ${plain.vmLines.length - 20} more`);
  // the terminal's text: no Slack escaping
  const terminal = renderRpoLines(content, { date: (d) => formatZonedDateTime(d, timeZone) });
  return {
    text: truncateText(escapeMrkdwn(plain.title).concat('\n', fallback.slice(1).join('\n')), 3000),
    blocks,
    plain: [terminal.title, terminal.jobLine, ...terminal.vmLines].join('\n'),
  };
}
