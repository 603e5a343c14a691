/** What a listener says at once instead of answering: not allowed here, or too busy right now. */
import { BUSY_TEXT } from '../app/work-queue.js';
import { type SlackMessage, toFallbackText } from './slack-message.js';

/** The polite refusal for someone outside ALLOWED_USER_IDS / ALLOWED_CHANNEL_IDS, or a change by a non-admin. */
export function renderAccessRefused(where: 'user' | 'channel' | 'admin'): SlackMessage {
  const text =
    where === 'channel'
      ? ":no_entry: Sorry, I don't answer questions in this conversation. Please ask in one of the channels your Veeam admins set up for replibot."
      : where === 'admin'
        ? ':no_entry: Only replibot admins (ADMIN_USER_IDS) can change this. Ask one of them.'
        : ':no_entry: Sorry, I can only answer the people my Veeam admins added to replibot. Ask them to add you if you need replica status.';
  return { text: toFallbackText(text), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** The answer when the work queue is full (src/app/work-queue.ts): said at once, nothing queued. */
export function renderBusy(): SlackMessage {
  return { text: BUSY_TEXT, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: BUSY_TEXT } }] };
}
