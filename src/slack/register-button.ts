/**
 * Every replibot button is registered through `registerButton`, which gives each press the same treatment:
 * ack at once, then the one access check (src/slack/access.ts) for the channel the button was pressed in
 * (`change` buttons also need ADMIN_USER_IDS), then the listener's work, whose failures are logged and never
 * thrown into Bolt. It also records the `action_id`, so `refuseUnknownButtons` can answer any other
 * `block_actions` (a forged or retired `action_id`) with a clear ephemeral refusal instead of Bolt's timeout.
 */
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  BlockButtonAction,
  RespondFn,
  SlackActionMiddlewareArgs,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { errorMessage } from '../core/error-message.js';
import type { Logger } from '../logger.js';
import { type AccessNeed, type AccessPolicy, checkAccess } from './access.js';
import { renderAccessRefused } from './render-refusal.js';

export interface ButtonPress {
  body: BlockButtonAction;
  /** the button's value, unparsed: parse it strictly (src/slack/action-values.ts) */
  value: string;
  /** the channel the pressed message is in (checked by access already) */
  channelId: string | null;
  respond: RespondFn;
  client: WebClient;
  logger: Logger;
}

export interface ButtonOptions {
  /** for the log: "show more", "alert ack" ... */
  name: string;
  need: AccessNeed;
  access: AccessPolicy;
  logger: Logger;
}

const registered = new WeakMap<App, Set<string>>();

/**
 * The channel of the message a button sits on. Slack sends it twice (`channel.id` and
 * `container.channel_id`); when both are present they must agree, or the press is not trusted (null).
 */
function toActionChannelId(body: BlockAction): string | null | undefined {
  const fromChannel = body.channel?.id;
  const fromContainer = (body.container as { channel_id?: unknown } | undefined)?.channel_id;
  const container = typeof fromContainer === 'string' ? fromContainer : undefined;
  if (fromChannel !== undefined && container !== undefined && fromChannel !== container) return undefined;
  return fromChannel ?? container ?? null;
}

/** An ephemeral note to the one who pressed, leaving the message with the button as it is. */
export async function respondPrivately(respond: RespondFn, text: string): Promise<void> {
  await respond({
    response_type: 'ephemeral',
    replace_original: false,
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  });
}

export function registerButton(
  app: App,
  actionId: string,
  options: ButtonOptions,
  work: (press: ButtonPress) => Promise<void>,
): void {
  const ids = registered.get(app) ?? new Set<string>();
  registered.set(app, ids);
  ids.add(actionId);
  app.action<BlockButtonAction>(
    actionId,
    async ({
      ack,
      body,
      action,
      respond,
      client,
    }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
      await ack();
      const logger = options.logger.child({ userId: body.user.id, action: options.name });
      try {
        const channelId = toActionChannelId(body);
        if (channelId === undefined) {
          logger.warn('refused a button whose channel and container disagree');
          await respondPrivately(respond, ':no_entry: I cannot tell which channel this button is in.');
          return;
        }
        const decision = checkAccess(options.access, body.user.id, channelId, options.need);
        if (!decision.allowed) {
          logger.info({ reason: decision.reason, channelId }, 'refused a button');
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            ...renderAccessRefused(decision.reason),
          });
          return;
        }
        await work({ body, value: action.value ?? '', channelId, respond, client, logger });
      } catch (error) {
        logger.error({ err: errorMessage(error) }, `could not handle ${options.name}`);
      }
    },
  );
}

/** Refuses, with an ephemeral note, every `block_actions` whose `action_id` no listener registered. */
export function refuseUnknownButtons(app: App, logger: Logger): void {
  app.action<BlockAction>(
    /^/,
    async ({ ack, action, respond }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
      const actionId = (action as { action_id?: unknown }).action_id;
      if (typeof actionId === 'string' && registered.get(app)?.has(actionId)) return;
      await ack();
      logger.warn({ actionId: String(actionId).slice(0, 100) }, 'refused an unknown button');
      try {
        await respondPrivately(
          respond,
          ':hourglass: I do not know this button (it may come from an older replibot). Ask the question again.',
        );
      } catch (error) {
        logger.error({ err: errorMessage(error) }, 'could not refuse an unknown button');
      }
    },
  );
}
