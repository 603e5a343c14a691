import type { SlackMessage } from '../../slack/slack-message.js';
import { renderError } from '../domain/render-error.js';
import type { Reply } from '../domain/reply.js';
import { type AnswerRenderOptions, renderAnswer, renderJobRun } from './render-answer.js';
import { renderErrorMessage } from './render-error-message.js';
import { renderHelp, renderNotUnderstood } from './render-help.js';
import { renderNotice } from './render-notice.js';
import { renderCompare, renderRows, withVerdict } from './render-rows.js';

/** Any reply as a Slack message. */
export function renderReply(reply: Reply, options: AnswerRenderOptions): SlackMessage {
  switch (reply.kind) {
    case 'answer':
      return withVerdict(reply, renderAnswer(reply, options));
    case 'rows':
      return renderRows(reply, options.timeZone);
    case 'compare':
      return renderCompare(reply);
    case 'job-run':
      return renderJobRun(reply);
    case 'help':
      return renderHelp(reply, options.surface);
    case 'not-understood':
      return renderNotUnderstood(reply, options.surface);
    case 'error':
      return renderErrorMessage(renderError(reply.error, reply.referenceId));
    case 'notice':
      return renderNotice(reply);
    default: {
      const unhandled: never = reply;
      throw new TypeError(`No Slack rendering for ${JSON.stringify(unhandled)}`);
    }
  }
}
