/**
 * The buttons on an answer: "Next page", "Details", "Post to channel", and "Next page" inside a job run. A page
 * replaces the one shown (the label says "page", the footer "Showing 11–20 of 25"): appending every page to one
 * message would outgrow Block Kit's 50 blocks within a few clicks.
 */
import type { App, RespondFn } from '@slack/bolt';
import { BUSY_TEXT } from '../../app/work-queue.js';
import { errorMessage } from '../../core/error-message.js';
import { ReplibotError } from '../../core/errors.js';
import { decodeAnswerCursor, decodeJobRunCursor } from '../../slack/action-values.js';
import { registerButton, respondPrivately } from '../../slack/register-button.js';
import { withJobButtons } from '../../slack/reply-job-buttons.js';
import { logReply, type SlackRuntime } from '../../slack/runtime.js';
import { isChannelProblem, toSlackFailure } from '../../slack/slack-errors.js';
import {
  ACTION_DETAILS,
  ACTION_JOB_RUN_MORE,
  ACTION_POST_TO_CHANNEL,
  ACTION_SHOW_MORE,
} from './answer-action-ids.js';
import { SLACK_PAGE_SIZE } from './render-answer.js';
import { renderReply } from './render-reply.js';

/**
 * Every answer button only reads (`use`): its value carries a question or a job session id that whoever may
 * press it in this channel could also ask here directly, so the access check of the channel it is pressed in
 * is the whole binding it needs.
 */
export function registerAnswerActions(app: App, runtime: SlackRuntime): void {
  // Not an error worth a reference id: the button predates this replibot or was tampered with.
  const stale = (respond: RespondFn) =>
    respondPrivately(
      respond,
      ':hourglass: I cannot read that button any more (it may come from an older replibot). Ask the question again.',
    );
  // registerButton acks and checks access; the work itself goes through the queue, "busy" when it is full
  const guard = (name: string, actionId: string, work: Parameters<typeof registerButton>[3]) =>
    registerButton(
      app,
      actionId,
      { name, need: 'use', access: runtime.access, logger: runtime.logger },
      async (press) => {
        const queued = runtime.work.offer(name, async () => {
          try {
            await work(press);
          } catch (error) {
            press.logger.error({ err: errorMessage(error) }, `could not handle ${name}`);
          }
        });
        if (!queued) runtime.notices.offer('busy', () => respondPrivately(press.respond, BUSY_TEXT));
      },
    );

  guard('show more', ACTION_SHOW_MORE, async ({ body, value, respond }) => {
    const cursor = decodeAnswerCursor(value);
    if (!cursor) return stale(respond);
    const reply = await runtime.answerer.ask(
      cursor.question,
      { userId: body.user.id, timeZone: cursor.timeZone, source: 'slack' },
      {
        now: cursor.now,
        offset: cursor.offset,
        pageSize: SLACK_PAGE_SIZE,
        ...(cursor.known ? { known: cursor.known } : {}),
      },
    );
    logReply(runtime.logger, reply, { question: cursor.question, offset: cursor.offset });
    const message = renderReply(reply, { timeZone: cursor.timeZone, ephemeral: cursor.ephemeral });
    // The next page replaces this one; an error comes as a new message so the page already shown stays.
    await respond(
      reply.kind === 'answer'
        ? { replace_original: true, ...message }
        : { response_type: 'ephemeral', replace_original: false, ...message },
    );
  });

  guard('details', ACTION_DETAILS, async ({ body, value, channelId, respond }) => {
    const cursor = decodeJobRunCursor(value);
    if (!cursor) return stale(respond);
    const reply = await runtime.answerer.jobRun(cursor.jobSessionId, {
      now: runtime.clock.now(),
      timeZone: cursor.timeZone,
      offset: 0,
      pageSize: SLACK_PAGE_SIZE,
    });
    logReply(runtime.logger, reply, { jobSessionId: cursor.jobSessionId });
    // Details go to the one who clicked, without touching the answer everyone may be reading.
    const message = renderReply(reply, { timeZone: cursor.timeZone });
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      ...(channelId
        ? await withJobButtons(reply, message, runtime.jobButtons, { channelId, userId: body.user.id })
        : message),
    });
  });

  guard('job run more', ACTION_JOB_RUN_MORE, async ({ value, respond }) => {
    const cursor = decodeJobRunCursor(value);
    if (!cursor) return stale(respond);
    const reply = await runtime.answerer.jobRun(cursor.jobSessionId, {
      now: runtime.clock.now(),
      timeZone: cursor.timeZone,
      offset: cursor.offset,
      pageSize: SLACK_PAGE_SIZE,
    });
    logReply(runtime.logger, reply, { jobSessionId: cursor.jobSessionId });
    const message = renderReply(reply, { timeZone: cursor.timeZone });
    await respond(
      reply.kind === 'job-run'
        ? { replace_original: true, ...message }
        : { response_type: 'ephemeral', replace_original: false, ...message },
    );
  });

  guard(
    'post to channel',
    ACTION_POST_TO_CHANNEL,
    async ({ body, value, channelId: channel, respond, client }) => {
      const cursor = decodeAnswerCursor(value);
      if (!cursor || !channel) return stale(respond);
      const reply = await runtime.answerer.ask(
        cursor.question,
        { userId: body.user.id, timeZone: cursor.timeZone, source: 'slack' },
        {
          now: cursor.now,
          offset: cursor.offset,
          pageSize: SLACK_PAGE_SIZE,
          ...(cursor.known ? { known: cursor.known } : {}),
        },
      );
      logReply(runtime.logger, reply, { question: cursor.question });
      if (reply.kind !== 'answer') {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          ...renderReply(reply, { timeZone: cursor.timeZone }),
        });
        return;
      }
      try {
        await client.chat.postMessage({
          channel,
          ...(await withJobButtons(
            reply,
            renderReply(reply, { timeZone: cursor.timeZone, askedBy: body.user.id }),
            runtime.jobButtons,
            { channelId: channel },
          )),
        });
      } catch (error) {
        const slackFailure = toSlackFailure(error);
        const failure = runtime.answerer.toErrorReply(
          new ReplibotError(
            'slack_error',
            `Slack would not let me post in this channel (${slackFailure.code}).`,
            {
              hint: isChannelProblem(slackFailure)
                ? 'Invite me to the channel with /invite @replibot, then press the button again.'
                : slackFailure.kind === 'auth'
                  ? 'My Slack token was refused; ask an admin to reinstall the app.'
                  : 'Try again in a moment.',
              cause: error,
            },
          ),
        );
        logReply(runtime.logger, failure, { channelId: channel });
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          ...renderReply(failure, { timeZone: cursor.timeZone }),
        });
        return;
      }
      await respond({ delete_original: true });
    },
  );
}
