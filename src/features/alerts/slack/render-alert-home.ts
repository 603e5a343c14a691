/**
 * The alerts' lines in App Home: the poller's state, what waits in the outbox, and (only when there are any)
 * the alerts Slack refused for good and a refused bot token.
 */
import type { KnownBlock } from '@slack/types';
import { escapeMrkdwn } from '../../../slack/mrkdwn.js';
import { toSlackDate } from '../../../slack/slack-date.js';
import type { AlertHealth } from '../alert-service.js';

export function renderAlertHomeBlocks(health: AlertHealth, timeZone: string): KnownBlock[] {
  const p = health.poller;
  // Slack shows it in each reader's zone; the fallback is in DEFAULT_TIMEZONE and names it
  const last = p.lastSuccessAt ? toSlackDate(p.lastSuccessAt, timeZone) : 'not yet';
  const emState = p.emReachable
    ? `🟢 Watching Enterprise Manager every ${Math.round(p.intervalMs / 1000)}s; last successful poll ${last}.`
    : `🔴 Enterprise Manager unreachable (${p.consecutiveFailures} polls failed); last successful poll ${last}.${p.lastError ? ` ${escapeMrkdwn(p.lastError)}` : ''}`;
  const state = p.storeError
    ? `🔴 Alerts are waiting: the database fails. ${escapeMrkdwn(p.storeError.message)}`
    : emState;
  const outbox =
    health.outbox.pending === 0
      ? 'Every alert has been delivered.'
      : `${health.outbox.pending} alert message(s) waiting to be delivered.`;
  const problems = [
    ...(health.outbox.authProblem === null ? [] : [`🔴 ${escapeMrkdwn(health.outbox.authProblem)}`]),
    ...(health.outbox.deadLettered === 0
      ? []
      : [
          `:warning: ${health.outbox.deadLettered} alert message(s) were refused by Slack and not sent${health.outbox.lastDeadReason ? ` (last: ${escapeMrkdwn(health.outbox.lastDeadReason)})` : ''}.`,
        ]),
  ];
  return [
    { type: 'header', text: { type: 'plain_text', text: 'Failure alerts' } },
    { type: 'section', text: { type: 'mrkdwn', text: [`${state}\n${outbox}`, ...problems].join('\n') } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'Route alerts with `/replicas subscribe` in a channel; `/replicas mutes` lists mutes.',
        },
      ],
    },
  ];
}
