/**
 * Keeps what was posted to the fake Slack Web API, like Slack does, so conversations.history answers with message
 * metadata (what the outbox reads after a crash), and can make chat.postMessage fail now and then: a 429 with
 * Retry-After, a 500 before the message is kept, or a 500 after it was kept (Slack accepted, the answer was lost).
 */
import { findBlockKitViolations } from '../../src/slack/limits.js';
import type { FakeSlackApi } from './fake-slack-api.js';

export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  /** the whole request, for searching */
  raw: string;
  threadTs: string | null;
  metadata: { event_type?: string; event_payload?: { key?: string } } | null;
}

export interface SlackHistory {
  posted: PostedMessage[];
  violations: string[];
  /** how many of each failure were answered */
  failures: { rateLimited: number; failedBefore: number; failedAfter: number };
  /** from now on, about this share of posts fails (a third each as 429, 500 before and 500 after) */
  setFlakiness(rate: number): void;
  /** the next posts fail this way, one each, before any flakiness */
  failNext(...kinds: Array<'429' | '500-before' | '500-after'>): void;
  /** the posts whose request mentions `text` */
  postsMentioning(text: string): PostedMessage[];
}

/** A small seeded generator, so a failing run can be repeated with its seed. */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

export function recordSlackHistory(slack: FakeSlackApi, options: { seed?: number } = {}): SlackHistory {
  const random = createSeededRandom(options.seed ?? 1);
  const posted: PostedMessage[] = [];
  const violations: string[] = [];
  const failures = { rateLimited: 0, failedBefore: 0, failedAfter: 0 };
  let flakiness = 0;
  let counter = 0;
  const serverError = { status: 500, body: { ok: false, error: 'internal_error' } };

  const queued: number[] = [];
  slack.override('chat.postMessage', (params) => {
    const roll = random();
    const next = queued.shift();
    const fails = next !== undefined || roll < flakiness;
    const kind = next ?? Math.floor((roll / Math.max(flakiness, Number.EPSILON)) * 3);
    if (fails && kind === 0) {
      failures.rateLimited += 1;
      return { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
    }
    if (fails && kind === 1) {
      failures.failedBefore += 1;
      return serverError;
    }
    const problems = findBlockKitViolations(params as { text?: string; blocks?: unknown[] });
    violations.push(...problems);
    if (problems.length > 0) return { body: { ok: false, error: 'invalid_blocks', errors: problems } };
    counter += 1;
    const ts = `1800000000.${String(counter).padStart(6, '0')}`;
    posted.push({
      channel: String(params.channel),
      ts,
      text: String(params.text ?? ''),
      raw: JSON.stringify(params),
      threadTs: typeof params.thread_ts === 'string' ? params.thread_ts : null,
      metadata: (params.metadata as PostedMessage['metadata']) ?? null,
    });
    if (fails) {
      failures.failedAfter += 1;
      return serverError;
    }
    return { body: { ok: true, channel: params.channel, ts, message: { ts, text: params.text } } };
  });
  const history = (params: Record<string, unknown>, thread: boolean) => ({
    body: {
      ok: true,
      has_more: false,
      messages: posted
        .filter(
          (m) => m.channel === params.channel && (thread ? m.threadTs === params.ts : m.threadTs === null),
        )
        .reverse()
        .map((m) => ({
          type: 'message',
          ts: m.ts,
          text: m.text,
          ...(m.metadata ? { metadata: m.metadata } : {}),
        })),
    },
  });
  slack.override('conversations.history', (params) => history(params, false));
  slack.override('conversations.replies', (params) => history(params, true));
  return {
    posted,
    violations,
    failures,
    setFlakiness(rate) {
      flakiness = rate;
    },
    failNext(...kinds) {
      for (const kind of kinds) queued.push(kind === '429' ? 0 : kind === '500-before' ? 1 : 2);
    },
    postsMentioning: (text) => posted.filter((m) => m.raw.includes(text)),
  };
}
