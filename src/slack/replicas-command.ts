/**
 * `/replicas <question>` and `/replicas <subcommand> ...` (and the same as `/veeam ...`): ack at once, check access, then queue the answer
 * (src/app/work-queue.ts), which comes through respond(), ephemeral; a full queue answers "busy" (src/slack/app.ts: notices).
 */
import type { App, RespondFn, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { SLACK_PAGE_SIZE } from '../answers/slack/render-answer.js';
import { renderReply } from '../answers/slack/render-reply.js';
import { errorMessage } from '../core/error-message.js';
import type { Logger } from '../logger.js';
import { isHelpRequest } from '../question/help.js';
import { checkAccess } from './access.js';
import { renderAccessRefused, renderBusy } from './render-refusal.js';
import { withJobButtons } from './reply-job-buttons.js';
import { helpCommands, logReply, type SlackRuntime } from './runtime.js';
import { findSubcommand, toRespond } from './subcommands.js';

/**
 * The slash command names (manifest.yml): `/replicas` for compatibility and `/veeam`, so backup questions read
 * naturally ("/veeam backups failed last night"). Both do exactly the same.
 */
export const SLASH_COMMANDS = ['/replicas', '/veeam'] as const;

export function registerReplicasCommand(app: App, runtime: SlackRuntime): void {
  for (const name of SLASH_COMMANDS) registerSlashCommand(app, runtime, name);
}

function registerSlashCommand(app: App, runtime: SlackRuntime, name: string): void {
  app.command(name, async ({ command, ack, respond, client }) => {
    await ack();
    const log = runtime.logger.child({ userId: command.user_id, channelId: command.channel_id });
    try {
      const decision = checkAccess(runtime.access, command.user_id, command.channel_id);
      if (!decision.allowed) {
        log.info({ reason: decision.reason, command: name }, `refused ${name}`);
        await respond({ response_type: 'ephemeral', ...renderAccessRefused(decision.reason) });
        return;
      }
      const queued = runtime.work.offer(name, async () => {
        try {
          await answerCommand(runtime, command, respond, client, log);
        } catch (error) {
          log.error({ err: errorMessage(error) }, `could not answer ${name}`);
        }
      });
      if (!queued)
        runtime.notices.offer('busy', () => respond({ response_type: 'ephemeral', ...renderBusy() }));
    } catch (error) {
      // respond() itself failed (response_url expired or Slack down): nothing more can reach the user.
      log.error({ err: errorMessage(error) }, `could not answer ${name}`);
    }
  });
}

async function answerCommand(
  runtime: SlackRuntime,
  command: SlashCommand,
  respond: RespondFn,
  client: WebClient,
  log: Logger,
): Promise<void> {
  const text = command.text.trim();
  const timeZone = await runtime.timeZones.timeZoneOf(command.user_id, client);
  const found = findSubcommand(text, runtime.subcommands);
  if (found) {
    try {
      await found.subcommand.handle({
        args: found.args,
        userId: command.user_id,
        channelId: command.channel_id,
        timeZone,
        respond: toRespond(respond),
        client,
        logger: log,
      });
    } catch (error) {
      const reply = runtime.answerer.toErrorReply(error);
      logReply(log, reply, { subcommand: found.subcommand.name });
      await respond({ response_type: 'ephemeral', ...renderReply(reply, { timeZone }) });
    }
    return;
  }
  const reply = isHelpRequest(text)
    ? { kind: 'help' as const, help: runtime.answerer.help(), commands: helpCommands(runtime) }
    : await runtime.answerer.ask(
        text,
        { userId: command.user_id, timeZone, source: 'slack' },
        { now: runtime.clock.now(), pageSize: SLACK_PAGE_SIZE, commands: helpCommands(runtime) },
      );
  logReply(log, reply, { question: text });
  const message = await withJobButtons(
    reply,
    renderReply(reply, { timeZone, ephemeral: true }),
    runtime.jobButtons,
    {
      channelId: command.channel_id,
      userId: command.user_id,
    },
  );
  await respond({ response_type: 'ephemeral', ...message });
}
