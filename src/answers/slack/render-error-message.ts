import type { KnownBlock } from '@slack/types';
import { toSafeMrkdwn } from '../../slack/mrkdwn.js';
import { type SlackMessage, toFallbackText } from '../../slack/slack-message.js';
import type { ErrorReport } from '../domain/render-error.js';

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
