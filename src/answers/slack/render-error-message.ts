import type { KnownBlock } from '@slack/types';
import { BUSY_TEXT } from '../../app/work-queue.js';
import { toSafeMrkdwn } from '../../slack/mrkdwn.js';
import type { ErrorReport } from '../domain/render-error.js';
import type { SlackMessage } from './render-answer.js';
import { toFallbackText } from './render-answer.js';

/** An error as an ephemeral Slack message: what happened, what it means, what to do, and a reference id. */
export function renderErrorMessage(report: ErrorReport): SlackMessage {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [
          `:warning: *${toSafeMrkdwn(report.title, 300)}*`,
          toSafeMrkdwn(report.detail, 1200),
          `*Next:* ${toSafeMrkdwn(report.next, 1000)}`,
        ].join('\n'),
      },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Reference \`${toSafeMrkdwn(report.referenceId, 40)}\` (for your admin: it is in the replibot log)`,
        },
      ],
    },
  ];
  return { text: toFallbackText(`${report.title} ${report.next} (reference ${report.referenceId})`), blocks };
}

/** The polite refusal for someone outside ALLOWED_USER_IDS / ALLOWED_CHANNEL_IDS, or a change by a non-admin. */
export function renderAccessRefused(where: 'user' | 'channel' | 'admin'): SlackMessage {
  const text =
    where === 'channel'
      ? ":no_entry: Sorry, I don't answer questions in this conversation. Please ask in one of the channels your Veeam admins set up for replibot."
      : where === 'admin'
        ? ':no_entry: Only replibot admins (ADMIN_USER_IDS) can change this. Ask one of them.'
        : ':no_entry: Sorry, I can only answer the people my Veeam admins added to replibot. Ask them to add you if you need replica status.';
  return { text: toFallbackText(text), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** The answer when the work queue is full (src/app/work-queue.ts): said at once, nothing queued. */
export function renderBusy(): SlackMessage {
  return { text: BUSY_TEXT, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: BUSY_TEXT } }] };
}
