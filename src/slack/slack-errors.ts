/**
 * The one reading of Slack failures. Everything that calls the Web API (the alerts' outbox, digest posting, the
 * history search, answer replies, the app's start) asks `toSlackFailure` what an error means instead of looking
 * at `data.error` or `code` itself:
 *
 * - `rate_limited`: HTTP 429 (or `ratelimited`); wait `retryAfterMs` (Slack's Retry-After), then send again.
 * - `transient`: HTTP 5xx, network errors and timeouts, Slack's own `internal_error`/`fatal_error`/
 *   `service_unavailable`/`request_timeout`; the same request may work later.
 * - `auth`: the token itself is refused (revoked, expired, app uninstalled, scope missing); nothing works until
 *   someone reinstalls the app or replaces SLACK_BOT_TOKEN, and then everything does.
 * - `permanent`: Slack answered this request with a definite no (the channel is gone, the message is gone, the
 *   blocks are invalid): the same request never succeeds. Error codes Slack documents later and we do not know
 *   are treated as permanent too: Slack's `ok: false` is an answer about the request, not an outage.
 */

export type SlackFailureKind = 'transient' | 'permanent' | 'auth' | 'rate_limited';

export interface SlackFailure {
  kind: SlackFailureKind;
  /** Slack's error code (`channel_not_found`), `http_503`, or the network error's code (`ECONNREFUSED`) */
  code: string;
  /** rate_limited only: how long Slack asked us to wait */
  retryAfterMs?: number;
  /** one line for logs and users; never the token */
  message: string;
}

/** The token is the problem: chat.postMessage, chat.update and auth.test answer these. */
export const SLACK_AUTH_CODES: ReadonlySet<string> = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'team_access_not_granted',
  'ekm_access_denied',
  'org_login_required',
  'two_factor_setup_required',
]);

/** Slack's own trouble: the request may succeed when sent again. */
export const SLACK_TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/** Rate limits reported in the body (a 429 status says the same). */
export const SLACK_RATE_LIMIT_CODES: ReadonlySet<string> = new Set(['ratelimited', 'rate_limited']);

/**
 * A definite no for this request (chat.postMessage, chat.update, files.*, conversations.*). Listed for the
 * documentation and tests; any code not in the other lists is permanent as well.
 */
export const SLACK_PERMANENT_CODES: ReadonlySet<string> = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'thread_not_found',
  'msg_too_long',
  'no_text',
  'too_many_attachments',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_attachments',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'metadata_too_large',
  'metadata_must_be_sent_from_app',
  'invalid_arguments',
  'invalid_arg_name',
  'invalid_array_arg',
  'invalid_charset',
  'invalid_form_data',
  'invalid_post_type',
  'missing_post_type',
  'duplicate_channel_not_found',
  'duplicate_message_not_found',
  'as_user_not_supported',
  'slack_connect_file_link_sharing_blocked',
  'user_not_found',
  'method_deprecated',
  'deprecated_endpoint',
  'access_denied',
]);

/** The codes meaning "the message to edit (or the thread to reply in) is not there any more". */
export const SLACK_MESSAGE_GONE_CODES: ReadonlySet<string> = new Set([
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'thread_not_found',
]);

/** What to do about an auth failure, for health checks and logs. */
export const SLACK_TOKEN_HINT =
  'The Slack bot token is refused: reinstall the app to the workspace (OAuth & Permissions) and put the new Bot User OAuth Token in SLACK_BOT_TOKEN.';

interface WebApiErrorShape {
  code?: unknown;
  data?: { error?: unknown; needed?: unknown };
  statusCode?: unknown;
  retryAfter?: unknown;
  original?: { code?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown } };
  message?: unknown;
}

/** Classifies anything a WebClient (or Bolt) call threw. Never throws. */
export function toSlackFailure(error: unknown): SlackFailure {
  // cast: every field of the shape is optional and unknown, and each is read with ?. and a typeof check
  const e = (typeof error === 'object' && error !== null ? error : {}) as WebApiErrorShape;
  const webApiCode = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;

  if (webApiCode === 'slack_webapi_rate_limited_error' || status === 429) {
    const seconds = typeof e.retryAfter === 'number' && e.retryAfter > 0 ? e.retryAfter : 1;
    return {
      kind: 'rate_limited',
      code: 'ratelimited',
      retryAfterMs: seconds * 1000,
      message: `Slack rate limit: retry after ${seconds}s`,
    };
  }

  const platform = typeof e.data?.error === 'string' ? e.data.error : undefined;
  if (platform !== undefined) {
    if (SLACK_RATE_LIMIT_CODES.has(platform))
      return { kind: 'rate_limited', code: platform, retryAfterMs: 1000, message: 'Slack rate limit' };
    if (SLACK_AUTH_CODES.has(platform)) {
      const needed = typeof e.data?.needed === 'string' ? ` (needs ${e.data.needed})` : '';
      return { kind: 'auth', code: platform, message: `Slack refused the bot token: ${platform}${needed}` };
    }
    if (SLACK_TRANSIENT_CODES.has(platform))
      return { kind: 'transient', code: platform, message: `Slack had trouble: ${platform}` };
    return { kind: 'permanent', code: platform, message: `Slack refused the request: ${platform}` };
  }

  if (webApiCode === 'slack_webapi_http_error' || status !== undefined) {
    const code = status === undefined ? 'http_error' : `http_${status}`;
    if (status === 401 || status === 403)
      return { kind: 'auth', code, message: `Slack answered HTTP ${status} (the token was refused)` };
    // 5xx, 408 and anything odd a proxy answers: the request may work later
    return { kind: 'transient', code, message: `Slack answered HTTP ${status ?? '?'}` };
  }

  if (webApiCode === 'slack_webapi_request_error') {
    // axios puts the socket's code on the error, fetch on its cause; a timeout is an abort
    const o = e.original;
    const inner =
      typeof o?.code === 'string'
        ? o.code
        : typeof o?.cause?.code === 'string'
          ? o.cause.code
          : o?.name === 'TimeoutError' || o?.name === 'AbortError'
            ? 'timeout'
            : 'network_error';
    return { kind: 'transient', code: inner, message: `Slack could not be reached (${inner})` };
  }

  const code = webApiCode ?? 'unknown_error';
  const text = typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
  return { kind: 'transient', code, message: `Slack call failed: ${text}` };
}

/** True when the message to update, or the thread to reply in, no longer exists or cannot be edited. */
export function isMessageGone(failure: SlackFailure): boolean {
  return failure.kind === 'permanent' && SLACK_MESSAGE_GONE_CODES.has(failure.code);
}

/** True when the channel is the problem (invite the bot, unarchive, pick another channel). */
export function isChannelProblem(failure: SlackFailure): boolean {
  return ['not_in_channel', 'channel_not_found', 'is_archived'].includes(failure.code);
}
