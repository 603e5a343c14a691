/**
 * toSlackFailure over every code list, with the errors the real WebClient throws: each answer comes from the fake
 * Slack Web API over HTTP, through a client with the outbox policy (no retries, 429s rejected).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isChannelProblem,
  isMessageGone,
  SLACK_AUTH_CODES,
  SLACK_MESSAGE_GONE_CODES,
  SLACK_PERMANENT_CODES,
  SLACK_RATE_LIMIT_CODES,
  SLACK_TRANSIENT_CODES,
  type SlackFailure,
  toSlackFailure,
} from '../../../src/slack/slack-errors.js';
import { createSlackWebClient } from '../../../src/slack/web-client.js';
import { type FakeSlackApi, startFakeSlackApi } from '../../fakes/fake-slack-api.js';

let slack: FakeSlackApi;
beforeAll(async () => {
  slack = await startFakeSlackApi();
});
afterAll(() => slack.close());

/** What chat.postMessage throws after the fake answered as set up, classified. */
async function failureOf(setUp: () => void, apiUrl = slack.apiUrl): Promise<SlackFailure> {
  setUp();
  const client = createSlackWebClient('xoxb-test', { apiUrl, purpose: 'outbox' });
  try {
    await client.chat.postMessage({ channel: 'C1', text: 'hello' });
  } catch (error) {
    return toSlackFailure(error);
  }
  throw new Error('chat.postMessage did not fail');
}

describe('toSlackFailure', () => {
  it('calls every auth code an auth failure', async () => {
    for (const code of SLACK_AUTH_CODES) {
      const failure = await failureOf(() => slack.failWith('chat.postMessage', code));
      expect(failure, code).toMatchObject({ kind: 'auth', code });
      expect(failure.message).toContain(code);
    }
  });

  it('calls every permanent code permanent', async () => {
    for (const code of SLACK_PERMANENT_CODES) {
      const failure = await failureOf(() => slack.failWith('chat.postMessage', code));
      expect(failure, code).toMatchObject({ kind: 'permanent', code });
    }
  });

  it('calls every transient code transient', async () => {
    for (const code of SLACK_TRANSIENT_CODES) {
      const failure = await failureOf(() => slack.failWith('chat.postMessage', code));
      expect(failure, code).toMatchObject({ kind: 'transient', code });
    }
  });

  it('calls a rate limit in the body rate_limited', async () => {
    for (const code of SLACK_RATE_LIMIT_CODES) {
      const failure = await failureOf(() => slack.failWith('chat.postMessage', code));
      expect(failure, code).toMatchObject({ kind: 'rate_limited', code });
      expect(failure.retryAfterMs).toBeGreaterThan(0);
    }
  });

  it('keeps the lists apart', () => {
    const lists = [SLACK_AUTH_CODES, SLACK_PERMANENT_CODES, SLACK_TRANSIENT_CODES, SLACK_RATE_LIMIT_CODES];
    const all = lists.flatMap((l) => [...l]);
    expect(new Set(all).size).toBe(all.length);
    for (const code of SLACK_MESSAGE_GONE_CODES) expect(SLACK_PERMANENT_CODES.has(code), code).toBe(true);
  });

  it('calls a code it does not know permanent, keeping the code', async () => {
    const failure = await failureOf(() => slack.failWith('chat.postMessage', 'brand_new_error'));
    expect(failure).toMatchObject({ kind: 'permanent', code: 'brand_new_error' });
  });

  it('reads Retry-After from a 429', async () => {
    const failure = await failureOf(() => slack.rateLimit('chat.postMessage', 42));
    expect(failure).toMatchObject({ kind: 'rate_limited', code: 'ratelimited', retryAfterMs: 42_000 });
  });

  it('calls HTTP 5xx transient', async () => {
    for (const status of [500, 502, 503, 504]) {
      const failure = await failureOf(() => slack.failHttp('chat.postMessage', status));
      expect(failure, String(status)).toMatchObject({ kind: 'transient', code: `http_${status}` });
    }
  });

  it('calls an unreachable Slack transient', async () => {
    const other = await startFakeSlackApi();
    const apiUrl = other.apiUrl;
    await other.close();
    const failure = await failureOf(() => {}, apiUrl);
    expect(failure.kind).toBe('transient');
    expect(failure.code).toBe('ECONNREFUSED');
  });

  it('calls anything else thrown transient without throwing itself', () => {
    expect(toSlackFailure(new Error('boom'))).toMatchObject({ kind: 'transient', code: 'unknown_error' });
    expect(toSlackFailure(null).kind).toBe('transient');
    expect(toSlackFailure('text').message).toContain('text');
  });
});

describe('isMessageGone', () => {
  it('is true for the codes of a deleted or frozen message only', () => {
    expect(isMessageGone({ kind: 'permanent', code: 'message_not_found', message: '' })).toBe(true);
    expect(isMessageGone({ kind: 'permanent', code: 'cant_update_message', message: '' })).toBe(true);
    expect(isMessageGone({ kind: 'permanent', code: 'channel_not_found', message: '' })).toBe(false);
  });
});

describe('isChannelProblem', () => {
  it('is true when the channel is the problem', () => {
    expect(isChannelProblem({ kind: 'permanent', code: 'not_in_channel', message: '' })).toBe(true);
    expect(isChannelProblem({ kind: 'permanent', code: 'invalid_blocks', message: '' })).toBe(false);
  });
});
