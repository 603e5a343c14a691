/**
 * @mentions (answered in the thread of the mention) and direct messages to the bot. Bolt acks the event before
 * these listeners run; the answer goes through the work queue (src/app/work-queue.ts), "busy" when it is full.
 */
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { errorMessage } from '../../core/error-message.js';
import { isHelpRequest } from '../../question/help.js';
import { checkAccess } from '../../slack/access.js';
import { renderAccessRefused, renderBusy } from '../../slack/render-refusal.js';
import { withJobButtons } from '../../slack/reply-job-buttons.js';
import { helpCommands, logReply, type SlackRuntime } from '../../slack/runtime.js';
import type { Reply } from '../domain/reply.js';
import { SLACK_PAGE_SIZE } from './render-answer.js';
import { renderReply } from './render-reply.js';

/** `<@U123>` and `<@U123|name>` tokens: the mention itself is not part of the question. */
function stripMentions(text: string): string {
  return text
    .replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

async function answer(runtime: SlackRuntime, question: string, userId: string, client: WebClient) {
  const timeZone = await runtime.timeZones.timeZoneOf(userId, client);
  const reply: Reply = isHelpRequest(question)
    ? { kind: 'help', help: runtime.answerer.help(), commands: helpCommands(runtime) }
    : await runtime.answerer.ask(
        question,
        { userId, timeZone, source: 'slack' },
        { now: runtime.clock.now(), pageSize: SLACK_PAGE_SIZE, commands: helpCommands(runtime) },
      );
  return { reply, timeZone };
}

export function registerConversationEvents(app: App, runtime: SlackRuntime): void {
  app.event('app_mention', async ({ event, client }) => {
    const userId = event.user ?? '';
    const channel = event.channel;
    const threadTs = event.thread_ts ?? event.ts;
    const log = runtime.logger.child({ userId, channelId: channel });
    try {
      const decision = checkAccess(runtime.access, userId, channel);
      if (!decision.allowed) {
        await client.chat.postEphemeral({
          channel,
          user: userId,
          thread_ts: threadTs,
          ...renderAccessRefused(decision.reason),
        });
        return;
      }
      const question = stripMentions(event.text);
      const queued = runtime.work.offer('mention', async () => {
        try {
          const { reply, timeZone } = await answer(runtime, question, userId, client);
          logReply(log, reply, { question });
          // posted in the channel: the buttons anyone named may press (each click is checked again)
          const message = await withJobButtons(
            reply,
            renderReply(reply, { timeZone, surface: 'conversation' }),
            runtime.jobButtons,
            { channelId: channel },
          );
          if (reply.kind === 'error' || reply.kind === 'not-understood') {
            await client.chat.postEphemeral({ channel, user: userId, thread_ts: threadTs, ...message });
          } else {
            await client.chat.postMessage({ channel, thread_ts: threadTs, ...message });
          }
        } catch (error) {
          log.error({ err: errorMessage(error) }, 'could not answer a mention');
        }
      });
      if (!queued)
        runtime.notices.offer('busy', async () => {
          await client.chat.postEphemeral({ channel, user: userId, thread_ts: threadTs, ...renderBusy() });
        });
    } catch (error) {
      log.error({ err: errorMessage(error) }, 'could not answer a mention');
    }
  });

  app.event('message', async ({ event, client }) => {
    // Only plain messages people type in the bot's DM: no edits, joins or bot posts (including our own).
    if (event.channel_type !== 'im' || event.subtype !== undefined || 'bot_id' in event) return;
    const userId = event.user;
    const channel = event.channel;
    const log = runtime.logger.child({ userId, channelId: channel });
    try {
      const decision = checkAccess(runtime.access, userId, channel);
      if (!decision.allowed) {
        await client.chat.postMessage({ channel, ...renderAccessRefused(decision.reason) });
        return;
      }
      const question = stripMentions(event.text ?? '');
      const queued = runtime.work.offer('direct message', async () => {
        try {
          const { reply, timeZone } = await answer(runtime, question, userId, client);
          logReply(log, reply, { question });
          await client.chat.postMessage({
            channel,
            ...(await withJobButtons(
              reply,
              renderReply(reply, { timeZone, surface: 'conversation' }),
              runtime.jobButtons,
              { channelId: channel, userId },
            )),
          });
        } catch (error) {
          log.error({ err: errorMessage(error) }, 'could not answer a direct message');
        }
      });
      if (!queued)
        runtime.notices.offer('busy', async () => {
          await client.chat.postMessage({ channel, ...renderBusy() });
        });
    } catch (error) {
      log.error({ err: errorMessage(error) }, 'could not answer a direct message');
    }
  });
}
