/**
 * Every failure that reaches a user carries one of these codes. Adapters translate axios, XML, zod and Slack
 * failures into a ReplibotError; `renderError` (one per surface) maps each code to words.
 * Messages never contain passwords, EM session ids or Slack tokens.
 */
export type ErrorCode =
  | 'config_invalid'
  | 'bad_option'
  | 'em_unreachable'
  | 'em_timeout'
  | 'em_tls'
  | 'em_plain_http'
  | 'em_logon_refused'
  | 'em_forbidden'
  | 'em_not_found'
  | 'em_bad_request'
  | 'em_error'
  | 'em_bad_response'
  | 'em_response_too_large'
  | 'em_too_many_pages'
  | 'question_too_long'
  | 'slack_error'
  | 'store_error'
  | 'internal';

export class ReplibotError extends Error {
  readonly code: ErrorCode;
  /** what the user can check or do next */
  readonly hint: string | undefined;
  /** HTTP status from EM, when there was one */
  readonly status: number | undefined;
  /** retrying the same thing cannot help (a Slack channel that is archived or that the bot is not in) */
  readonly permanent: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; status?: number; permanent?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ReplibotError';
    this.code = code;
    this.hint = options.hint;
    this.status = options.status;
    this.permanent = options.permanent ?? false;
  }
}

export function isReplibotError(value: unknown): value is ReplibotError {
  return value instanceof ReplibotError;
}

/** Wraps anything thrown into a ReplibotError without leaking its internals into the message. */
export function toReplibotError(error: unknown): ReplibotError {
  if (isReplibotError(error)) return error;
  return new ReplibotError('internal', 'Something went wrong inside replibot.', {
    hint: 'The log has the details; please report it if it happens again.',
    cause: error,
  });
}

/** A surface (Slack) asked us to slow down: wait `retryAfterMs`, then send the same thing again. */
export class RateLimitedError extends ReplibotError {
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number, options: { cause?: unknown } = {}) {
    super('slack_error', message, { hint: 'replibot waits and retries; nothing is dropped.', ...options });
    this.name = 'RateLimitedError';
    this.retryAfterMs = retryAfterMs;
  }
}
