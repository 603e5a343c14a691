/**
 * The Slack side of the outbox: posts, updates and thread replies through a WebClient.
 *
 * The client given here should be built with `rejectRateLimitedCalls: true` (see `createAlertWebClient`): a 429
 * then comes back to the outbox as a RateLimitedError, which pauses only that channel for Retry-After and keeps
 * the row (persisted) until it is sent, instead of the WebClient's in-memory retry queue that a restart forgets.
 *
 * Each post and reply carries message metadata with the outbox key, so after a crash between "Slack accepted
 * it" and "we wrote it down", `findDelivered` finds the message with conversations.history / replies and the
 * outbox records it instead of posting twice.
 */
import { webApi } from '@slack/bolt';
import { RateLimitedError, ReplibotError } from '../../../core/errors.js';
import { findMessageByMetadata } from '../../../slack/find-message-by-metadata.js';
import type { OutboundNotification } from '../domain/alert-notice.js';
import type { Notifier } from '../notifier.js';
import { renderAlertMessage } from './render-alert-message.js';

const ALERT_METADATA_EVENT = 'replibot_notification';

type WebClient = webApi.WebClient;

/** A WebClient for alert delivery: 429s and errors are the outbox's to retry, persistently. */
export function createAlertWebClient(token: string, slackApiUrl?: string): WebClient {
  return new webApi.WebClient(token, {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: 30_000,
  });
}

export function createSlackNotifier(options: { client: WebClient }): Notifier {
  const { client } = options;
  const metadata = (key: string) => ({ event_type: ALERT_METADATA_EVENT, event_payload: { key } });

  return {
    async deliver(n: OutboundNotification) {
      const message = renderAlertMessage(n.notice, n.timeZone);
      try {
        if (n.action === 'update') {
          await client.chat.update({
            channel: n.channelId,
            ts: n.ts!,
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

function toDeliveryError(error: unknown, method: string, channel: string): ReplibotError {
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number };
  if (e?.code === 'slack_webapi_rate_limited_error') {
    return new RateLimitedError(`Slack rate-limited ${method} in ${channel}.`, (e.retryAfter ?? 1) * 1000, {
      cause: error,
    });
  }
  const reason = e?.data?.error ?? (e?.statusCode ? `HTTP ${e.statusCode}` : 'no answer');
  const hint =
    reason === 'not_in_channel' || reason === 'channel_not_found'
      ? `Invite the bot to ${channel} (/invite @replibot); the alert waits in the outbox and is sent then.`
      : 'The alert stays in the outbox and is retried.';
  return new ReplibotError('slack_error', `Slack refused ${method} in ${channel}: ${reason}.`, {
    hint,
    cause: error,
  });
}
