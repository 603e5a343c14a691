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
import type { FetchFunction, WebClientOptions } from '@slack/web-api';
import { WebClient } from '@slack/web-api';
import type { Metrics } from '../metrics.js';

export type SlackClientPurpose = 'outbox' | 'interactive' | 'scheduled';

export interface SlackClientSettings {
  /** the Web API base URL (SLACK_API_URL, the fake in tests); Slack's when absent */
  apiUrl?: string;
  purpose: SlackClientPurpose;
  /** merged last (tests, proxies) */
  overrides?: WebClientOptions;
  /** counts each HTTP call by method and error, and each 429 (src/metrics.ts) */
  metrics?: Pick<Metrics, 'slackCall' | 'slackRateLimited'>;
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
    ...(settings.metrics ? { fetch: toObservedFetch(settings.metrics, settings.overrides?.fetch) } : {}),
  };
}

/**
 * The WebClient's fetch, counted: every HTTP attempt (retries included) by Web API method and Slack's error code.
 * Only the method name is a label; a file upload to Slack's upload URL counts as `upload`.
 */
export function toObservedFetch(
  metrics: Pick<Metrics, 'slackCall' | 'slackRateLimited'>,
  inner: FetchFunction = globalThis.fetch,
): FetchFunction {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input.href;
    const last = url.split('?')[0]?.split('/').pop() ?? '';
    const method = /^[a-z]+(\.[A-Za-z]+)+$/.test(last) ? last : 'upload';
    let response: Awaited<ReturnType<FetchFunction>>;
    try {
      response = await inner(input, init);
    } catch (error) {
      metrics.slackCall(method, 'network');
      throw error;
    }
    if (response.status === 429) {
      metrics.slackCall(method, 'ratelimited');
      metrics.slackRateLimited(method, Number(response.headers.get('retry-after') ?? '0'));
    } else if (response.status !== 200) {
      metrics.slackCall(method, `http_${response.status}`);
    } else if (method === 'upload') {
      metrics.slackCall(method, 'none');
    } else {
      // globalThis.fetch's Response can be read twice through a clone; another fetch's answer is counted as sent
      const body: unknown =
        response instanceof Response
          ? await response
              .clone()
              .json()
              .catch(() => null)
          : null;
      const error =
        body !== null && typeof body === 'object' && 'ok' in body && body.ok === false && 'error' in body
          ? String(body.error)
          : 'none';
      metrics.slackCall(method, error);
    }
    return response;
  };
}

export function createSlackWebClient(token: string, settings: SlackClientSettings): WebClient {
  return new WebClient(token, toSlackClientOptions(settings));
}
