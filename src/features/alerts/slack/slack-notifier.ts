/**
 * The Slack side of the outbox: posts, updates and thread replies through a WebClient.
 *
 * The client given here should be built with the `outbox` policy (see `createAlertWebClient`): a 429 then comes
 * back to the outbox as a RateLimitedError, which pauses only that channel for Retry-After and keeps the row
 * (persisted) until it is sent, instead of the WebClient's in-memory retry queue that a restart forgets. Every
 * other failure becomes a DeliveryError whose kind (src/slack/slack-errors.ts) tells the outbox whether to retry,
 * wait for a new token, or end the item.
 *
 * Each post and reply carries message metadata with the outbox key, so after a crash between "Slack accepted
 * it" and "we wrote it down", `findDelivered` finds the message with conversations.history / replies and the
 * outbox records it instead of posting twice.
 */
import type { webApi } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { RateLimitedError, type ReplibotError } from '../../../core/errors.js';
import { must } from '../../../core/must.js';
import { findMessageByMetadata } from '../../../slack/find-message-by-metadata.js';
import {
  isChannelProblem,
  isMessageGone,
  SLACK_TOKEN_HINT,
  toSlackFailure,
} from '../../../slack/slack-errors.js';
import { createSlackWebClient, type SlackClientSettings } from '../../../slack/web-client.js';
import type { OutboundNotification } from '../domain/alert-notice.js';
import { DeliveryError, type Notifier } from '../notifier.js';
import { renderAlertMessage } from './render-alert-message.js';

const ALERT_METADATA_EVENT = 'replibot_notification';

type WebClient = webApi.WebClient;

/** A WebClient for alert delivery: the `outbox` policy of src/slack/web-client.ts (no retries of its own). */
export function createAlertWebClient(
  token: string,
  slackApiUrl?: string,
  metrics?: SlackClientSettings['metrics'],
): WebClient {
  return createSlackWebClient(token, {
    purpose: 'outbox',
    ...(slackApiUrl ? { apiUrl: slackApiUrl } : {}),
    ...(metrics ? { metrics } : {}),
  });
}

export function createSlackNotifier(options: { client: WebClient }): Notifier {
  const { client } = options;
  const metadata = (key: string) => ({ event_type: ALERT_METADATA_EVENT, event_payload: { key } });

  return {
    async deliver(n: OutboundNotification) {
      const message = withNote(renderAlertMessage(n.notice, n.timeZone), n.note);
      try {
        if (n.action === 'update') {
          await client.chat.update({
            channel: n.channelId,
            ts: must(n.ts, 'an update has the ts of the message it edits'),
            text: message.text,
            blocks: message.blocks,
          });
          return { ts: n.ts };
        }
        const result = await client.chat.postMessage({
          channel: n.channelId,
          text: message.text,
          blocks: message.blocks,
          metadata: metadata(n.key),
          unfurl_links: false,
          unfurl_media: false,
          ...(n.action === 'reply' && n.ts ? { thread_ts: n.ts } : {}),
        });
        return { ts: result.ts ?? null };
      } catch (error) {
        throw toDeliveryError(error, n.action === 'update' ? 'chat.update' : 'chat.postMessage', n.channelId);
      }
    },

    async findDelivered(n: OutboundNotification, since: Date) {
      const found = await findMessageByMetadata(client, {
        channelId: n.channelId,
        since,
        eventType: ALERT_METADATA_EVENT,
        key: n.key,
        ...(n.action === 'reply' && n.ts ? { threadTs: n.ts } : {}),
      });
      // without channels:history (or on any error) we cannot tell: the outbox then sends (at least once)
      return found.status === 'found' ? found.ts : found.status === 'absent' ? null : undefined;
    },
  };
}

/** The note (e.g. "the original was deleted") as a context line above the alert, and first in the text. */
function withNote<M extends { text: string; blocks: KnownBlock[] }>(message: M, note: string | undefined): M {
  if (note === undefined) return message;
  return {
    ...message,
    text: `${note}\n${message.text}`,
    blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: note }] }, ...message.blocks],
  };
}

function toDeliveryError(error: unknown, method: string, channel: string): ReplibotError {
  const failure = toSlackFailure(error);
  const what = `Slack refused ${method} in ${channel}: ${failure.code}.`;
  switch (failure.kind) {
    case 'rate_limited':
      return new RateLimitedError(
        `Slack rate-limited ${method} in ${channel}.`,
        failure.retryAfterMs ?? 1000,
        {
          cause: error,
        },
      );
    case 'auth':
      return new DeliveryError('auth', failure.code, what, {
        hint: `${SLACK_TOKEN_HINT} The alert waits in the outbox and is sent then.`,
        cause: error,
      });
    case 'permanent':
      return new DeliveryError('permanent', failure.code, what, {
        hint: isChannelProblem(failure)
          ? `Invite the bot to ${channel} (/invite @replibot) or remove the subscription; this alert is not sent.`
          : 'Slack will refuse it again; this alert is not sent.',
        messageGone: isMessageGone(failure),
        cause: error,
      });
    default:
      return new DeliveryError(
        'transient',
        failure.code,
        `Slack did not take ${method} in ${channel}: ${failure.message}.`,
        {
          hint: 'The alert stays in the outbox and is retried.',
          cause: error,
        },
      );
  }
}
