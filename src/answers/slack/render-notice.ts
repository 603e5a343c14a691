import { escapeMrkdwn, toPlainText, truncateText } from '../../slack/mrkdwn.js';
import type { SlackMessage } from '../../slack/slack-message.js';
import type { NoticeReply } from '../domain/reply.js';

/** A feature's own answer: a header and its lines, escaped, within Block Kit's limits. */
export function renderNotice(reply: NoticeReply): SlackMessage {
  const body = truncateText(reply.lines.map(escapeMrkdwn).join('\n'), 2900);
  return {
    text: truncateText(`${escapeMrkdwn(reply.title)}\n${body}`, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: toPlainText(reply.title, 150), emoji: true } },
      ...(body === '' ? [] : [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: body } }]),
    ],
  };
}
