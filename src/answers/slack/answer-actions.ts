/**
 * The buttons on an answer: "Next page", "Details", "Post to channel", and "Next page" inside a job run. A page
 * replaces the one shown (the label says "page", the footer "Showing 11–20 of 25"): appending every page to one
 * message would outgrow Block Kit's 50 blocks within a few clicks.
 */
import type {
  AllMiddlewareArgs,
  App,
  BlockButtonAction,
  RespondFn,
  SlackActionMiddlewareArgs,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { ReplibotError } from '../../core/errors.js';
import { checkAccess } from '../../slack/access.js';
import {
  ACTION_DETAILS,
  ACTION_JOB_RUN_MORE,
  ACTION_POST_TO_CHANNEL,
  ACTION_SHOW_MORE,
  decodeAnswerCursor,
  decodeJobRunCursor,
} from '../../slack/action-values.js';
import { logReply, type SlackRuntime } from '../../slack/runtime.js';
import { isChannelProblem, toSlackFailure } from '../../slack/slack-errors.js';
import { SLACK_PAGE_SIZE } from './render-answer.js';
import { renderAccessRefused } from './render-error-message.js';
import { renderReply } from './render-reply.js';

export function registerAnswerActions(app: App, runtime: SlackRuntime): void {
  const stale = async (respond: RespondFn) => {
    // Not an error worth a reference id: the button predates this replibot or was tampered with.
    const text =
      ':hourglass: I cannot read that button any more (it may come from an older replibot). Ask the question again.';
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      text,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
    });
  };
  const allowed = async (body: BlockButtonAction, respond: RespondFn): Promise<boolean> => {
    const decision = checkAccess(runtime.access, body.user.id, body.channel?.id ?? null);
    if (!decision.allowed)
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...renderAccessRefused(decision.reason),
      });
    return decision.allowed;
  };
  /** ack first, check access, then the work; a failure is logged, never thrown into Bolt. */
  const guard =
    (
      name: string,
      work: (args: {
        body: BlockButtonAction;
        value: string;
        respond: RespondFn;
        client: WebClient;
      }) => Promise<void>,
    ) =>
    async ({
      ack,
      body,
      action,
      respond,
      client,
    }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
      await ack();
      const log = runtime.logger.child({ userId: body.user.id, action: name });
      try {
        if (!(await allowed(body, respond))) return;
        await work({ body, value: action.value ?? '', respond, client });
      } catch (error) {
        log.error({ err: (error as Error).message }, `could not handle ${name}`);
      }
    };

  app.action<BlockButtonAction>(
    ACTION_SHOW_MORE,
    guard('show more', async ({ body, value, respond }) => {
      const cursor = decodeAnswerCursor(value);
      if (!cursor) return stale(respond);
      const reply = await runtime.answerer.ask(
        cursor.question,
        { userId: body.user.id, timeZone: cursor.timeZone, source: 'slack' },
        { now: cursor.now, offset: cursor.offset, pageSize: SLACK_PAGE_SIZE },
      );
      logReply(runtime.logger, reply, { question: cursor.question, offset: cursor.offset });
      const message = renderReply(reply, { timeZone: cursor.timeZone, ephemeral: cursor.ephemeral });
      // The next page replaces this one; an error comes as a new message so the page already shown stays.
      await respond(
        reply.kind === 'answer'
          ? { replace_original: true, ...message }
          : { response_type: 'ephemeral', replace_original: false, ...message },
      );
    }),
  );

  app.action<BlockButtonAction>(
    ACTION_DETAILS,
    guard('details', async ({ value, respond }) => {
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
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...renderReply(reply, { timeZone: cursor.timeZone }),
      });
    }),
  );

  app.action<BlockButtonAction>(
    ACTION_JOB_RUN_MORE,
    guard('job run more', async ({ value, respond }) => {
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
    }),
  );

  app.action<BlockButtonAction>(
    ACTION_POST_TO_CHANNEL,
    guard('post to channel', async ({ body, value, respond, client }) => {
      const cursor = decodeAnswerCursor(value);
      const channel = body.channel?.id;
      if (!cursor || !channel) return stale(respond);
      const reply = await runtime.answerer.ask(
        cursor.question,
        { userId: body.user.id, timeZone: cursor.timeZone, source: 'slack' },
        { now: cursor.now, offset: cursor.offset, pageSize: SLACK_PAGE_SIZE },
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
          ...renderReply(reply, { timeZone: cursor.timeZone, askedBy: body.user.id }),
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
    }),
  );
}
