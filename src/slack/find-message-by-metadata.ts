/**
 * Finds a message replibot already posted, by the message metadata it carries, in a channel's history (or in
 * one thread) since a given time. `chat.postMessage` has no idempotency key, so after a crash between "Slack
 * accepted the post" and "we wrote it down" the only way to know is to look: the alerts' outbox and the digest
 * scheduler both do this before posting again.
 *
 * Reading needs `channels:history` (`groups:history` for private channels) and `include_all_metadata`. Without
 * the scope, or on any error, the answer is "unknown" with the reason: callers then post (at least once)
 * rather than risk never posting.
 */
import type { webApi } from '@slack/bolt';
import { isRecord } from '../core/is-record.js';
import { toSlackFailure } from './slack-errors.js';

/** What the channel history says about a message: there (with its ts), not there, or cannot tell (and why). */
export type MessageSearch =
  | { status: 'found'; ts: string }
  | { status: 'absent' }
  | { status: 'unknown'; reason: string };

/** The parts of a history message the predicates look at. */
export interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
  files?: Array<{ id?: string; name?: string }>;
}

export interface FindMessageOptions {
  channelId: string;
  /** only messages posted after this time are read */
  since: Date;
  /** search the replies of this thread (conversations.replies) instead of the channel */
  threadTs?: string;
  /** pages of 200 messages read before giving up with "unknown"; default 20 */
  maxPages?: number;
}

/** The first message since `since` that `matches`; never throws. */
export async function findMessage(
  client: webApi.WebClient,
  options: FindMessageOptions,
  matches: (message: HistoryMessage) => boolean,
): Promise<MessageSearch> {
  const { channelId, threadTs } = options;
  const oldest = (options.since.getTime() / 1000).toFixed(6);
  const maxPages = options.maxPages ?? 20;
  try {
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page += 1) {
      const query = {
        channel: channelId,
        oldest,
        include_all_metadata: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      };
      const result =
        threadTs === undefined
          ? await client.conversations.history(query)
          : await client.conversations.replies({ ...query, ts: threadTs });
      for (const m of result.messages ?? [])
        if (typeof m.ts === 'string' && matches(m)) return { status: 'found', ts: m.ts };
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!cursor) return { status: 'absent' };
    }
    return {
      status: 'unknown',
      reason: `more than ${maxPages * 200} messages since ${options.since.toISOString()}`,
    };
  } catch (error) {
    return { status: 'unknown', reason: describeReadError(error) };
  }
}

/** The message carrying metadata `{event_type: eventType, event_payload: {key}}`, posted since `since`. */
export function findMessageByMetadata(
  client: webApi.WebClient,
  options: FindMessageOptions & { eventType: string; key: string },
): Promise<MessageSearch> {
  const { eventType, key, ...rest } = options;
  return findMessage(
    client,
    rest,
    (m) => m.metadata?.event_type === eventType && m.metadata.event_payload?.key === key,
  );
}

function describeReadError(error: unknown): string {
  const failure = toSlackFailure(error);
  if (failure.code === 'missing_scope') {
    const data = isRecord(error) ? error.data : undefined;
    const needed = isRecord(data) ? data.needed : undefined;
    return `missing_scope: add ${typeof needed === 'string' ? needed : 'channels:history (groups:history for private channels)'} to the app`;
  }
  if (failure.code === 'not_in_channel' || failure.code === 'channel_not_found')
    return `${failure.code}: replibot cannot read the channel (/invite @replibot)`;
  return failure.kind === 'permanent' || failure.kind === 'auth' ? failure.code : failure.message;
}
