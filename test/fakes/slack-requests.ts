/**
 * Signed requests to a Bolt app in HTTP mode, as Slack sends them: the exact content types Bolt expects and
 * `X-Slack-Signature = v0=HMAC-SHA256(secret, "v0:<ts>:<raw body>")`.
 */
import { createHmac } from 'node:crypto';

export const TEST_SIGNING_SECRET = 'test-signing-secret';

export function signSlackRequest(
  rawBody: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

export interface SlackHttpResponse {
  status: number;
  body: string;
}

export interface SlashCommandFields {
  text: string;
  user_id?: string;
  channel_id?: string;
  response_url: string;
  command?: string;
}

export function slashCommandBody(fields: SlashCommandFields): Record<string, string> {
  return {
    token: 'legacy-token',
    team_id: 'T111',
    team_domain: 'fake',
    channel_id: fields.channel_id ?? 'C111',
    channel_name: 'ops',
    user_id: fields.user_id ?? 'U222',
    user_name: 'alice',
    command: fields.command ?? '/replicas',
    text: fields.text,
    api_app_id: 'A111',
    is_enterprise_install: 'false',
    response_url: fields.response_url,
    trigger_id: '13345224609.738474920.8088930838d88f008e0',
  };
}

let eventCounter = 0;

/** An Events API envelope (`event_callback`) around `event`. */
export function eventEnvelope(event: Record<string, unknown>): Record<string, unknown> {
  eventCounter += 1;
  return {
    token: 'legacy-token',
    team_id: 'T111',
    api_app_id: 'A111',
    type: 'event_callback',
    event_id: `Ev${eventCounter}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: 'T111', user_id: 'UBOT', is_bot: true, is_enterprise_install: false },
    ],
    event,
  };
}

export function mentionEvent(
  text: string,
  options: { user?: string; channel?: string; ts?: string; thread_ts?: string } = {},
) {
  const ts = options.ts ?? `1700001000.${String(++eventCounter).padStart(6, '0')}`;
  return {
    type: 'app_mention',
    user: options.user ?? 'U222',
    text: `<@UBOT> ${text}`,
    ts,
    channel: options.channel ?? 'C111',
    event_ts: ts,
    ...(options.thread_ts ? { thread_ts: options.thread_ts } : {}),
  };
}

export function directMessageEvent(text: string, options: { user?: string; channel?: string } = {}) {
  const ts = `1700002000.${String(++eventCounter).padStart(6, '0')}`;
  return {
    type: 'message',
    channel_type: 'im',
    user: options.user ?? 'U222',
    text,
    ts,
    channel: options.channel ?? 'D222',
    event_ts: ts,
  };
}

/** A `block_actions` payload for one button click. */
export function blockActionsPayload(options: {
  actionId: string;
  value: string;
  responseUrl: string;
  user?: string;
  channel?: string;
  ephemeral?: boolean;
  messageTs?: string;
}): Record<string, unknown> {
  const channel = options.channel ?? 'C111';
  const ts = options.messageTs ?? '1700000000.000100';
  return {
    type: 'block_actions',
    token: 'legacy-token',
    api_app_id: 'A111',
    trigger_id: '1.2.abc',
    user: { id: options.user ?? 'U222', username: 'alice', name: 'alice', team_id: 'T111' },
    team: { id: 'T111', domain: 'fake' },
    enterprise: null,
    is_enterprise_install: false,
    container: {
      type: 'message',
      message_ts: ts,
      channel_id: channel,
      is_ephemeral: options.ephemeral ?? false,
    },
    channel: { id: channel, name: 'ops' },
    ...(options.ephemeral ? {} : { message: { type: 'message', ts, text: 'answer', blocks: [] } }),
    response_url: options.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: options.actionId,
        block_id: 'b1',
        value: options.value,
        text: { type: 'plain_text', text: 'Go' },
        action_ts: '1700000001.0',
      },
    ],
  };
}

/** Sends signed requests to a Bolt HTTP endpoint such as `http://127.0.0.1:<port>/slack/events`. */
export function createSlackSender(endpoint: string, secret = TEST_SIGNING_SECRET) {
  const send = async (
    body: string,
    contentType: string,
    headers: Record<string, string> = signSlackRequest(body, secret),
  ): Promise<SlackHttpResponse> => {
    const response = await fetch(endpoint, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType, ...headers },
    });
    return { status: response.status, body: await response.text() };
  };
  return {
    send,
    command: (fields: SlashCommandFields) =>
      send(new URLSearchParams(slashCommandBody(fields)).toString(), 'application/x-www-form-urlencoded'),
    event: (event: Record<string, unknown>) => send(JSON.stringify(eventEnvelope(event)), 'application/json'),
    action: (payload: Record<string, unknown>) =>
      send(
        new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        'application/x-www-form-urlencoded',
      ),
  };
}
