/**
 * The one place a Slack WebClient is configured. Each use says what it is for, and that picks its retry policy:
 *
 * - `outbox` (alert delivery): no retries inside the client and `rejectRateLimitedCalls`. The outbox retries
 *   itself, persistently (a restart does not forget), pauses a channel for Retry-After, and must see every
 *   failure to tell a dead message from a wait (src/slack/slack-errors.ts).
 * - `interactive` (the Bolt app: answers, buttons, App Home): a small bounded retry, two tries within about 3 s,
 *   because a person is waiting and Slack's response URLs expire; 429s wait for Retry-After inside the client.
 * - `scheduled` (digests): three tries within about 30 s; the digest scheduler retries again later within its
 *   grace period, so the client does not need to keep trying for long.
 *
 * Every call has a 30 s timeout (10 s for `interactive`). Tests pass `overrides` (a faster retryConfig).
 */
import type { WebClientOptions } from '@slack/web-api';
import { WebClient } from '@slack/web-api';

export type SlackClientPurpose = 'outbox' | 'interactive' | 'scheduled';

export interface SlackClientSettings {
  /** the Web API base URL (SLACK_API_URL, the fake in tests); Slack's when absent */
  apiUrl?: string;
  purpose: SlackClientPurpose;
  /** merged last (tests, proxies) */
  overrides?: WebClientOptions;
}

const POLICIES: Record<SlackClientPurpose, WebClientOptions> = {
  outbox: { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 30_000 },
  interactive: {
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2_000, maxRetryTime: 3_000 },
    rejectRateLimitedCalls: false,
    timeout: 10_000,
  },
  scheduled: {
    retryConfig: { retries: 3, factor: 2, minTimeout: 1_000, maxTimeout: 10_000, maxRetryTime: 30_000 },
    rejectRateLimitedCalls: false,
    timeout: 30_000,
  },
};

/** The WebClient options for one purpose (Bolt takes options, not a client: see src/slack/app.ts). */
export function toSlackClientOptions(settings: SlackClientSettings): WebClientOptions {
  const { apiUrl } = settings;
  return {
    ...POLICIES[settings.purpose],
    ...(apiUrl ? { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
    ...settings.overrides,
  };
}

export function createSlackWebClient(token: string, settings: SlackClientSettings): WebClient {
  return new WebClient(token, toSlackClientOptions(settings));
}
