/**
 * `/replicas digest ...` and `/replicas digests`: a channel schedules, lists, removes and previews its digests.
 * Changes are announced in the channel (everyone there will receive the digest); lists and previews are ephemeral.
 */
import type { types } from '@slack/bolt';
import { checkFilterNames, toUnknownFilterText } from '../../../answers/domain/check-names.js';
import type { Clock } from '../../../core/clock.js';
import { errorMessage } from '../../../core/error-message.js';
import type { EmApi } from '../../../core/ports.js';
import { escapeMrkdwn, toSafeMrkdwn } from '../../../slack/mrkdwn.js';
import type { SlashSubcommand, SubcommandContext } from '../../../slack/subcommands.js';
import { collectDigest } from '../collect-digest.js';
import type { DigestDelivery, DigestStore } from '../digest-store.js';
import {
  DIGEST_USAGE,
  type DigestSchedule,
  describeSchedule,
  parseDigestCommand,
} from '../domain/digest-schedule.js';
import { formatWhen } from '../domain/format-digest.js';
import type { DigestFilters } from '../domain/summarize-digest.js';
import { renderDigestBlocks } from './render-digest-blocks.js';

/** More than this per channel is almost certainly a mistake (and each one queries EM). */
const MAX_DIGESTS_PER_CHANNEL = 10;

export interface DigestSubcommandsDeps {
  store: DigestStore;
  em: EmApi;
  clock: Clock;
  isTimeZone: (zone: string) => boolean;
  /** re-reads schedules after a change, and says when one fires next */
  scheduler?: { reload(): Promise<void>; nextRun(schedule: DigestSchedule, from?: Date): Date | null };
  /** ADMIN_USER_IDS: when not empty, only they may add or remove digests */
  adminUserIds?: readonly string[];
  /** VEEAM_CONCURRENCY: EM requests at once while a preview is collected; default 4 */
  concurrency?: number;
}

/**
 * A digest for a job or server EM has never seen would arrive empty every day without saying why: after
 * scheduling it anyway (EM may simply not have run it yet), the announcement warns and suggests look-alikes.
 * Returns "" when every name exists or EM cannot be asked right now.
 */
async function warnUnknownNames(
  em: EmApi,
  filters: DigestFilters,
  now: Date,
  logger: SubcommandContext['logger'],
): Promise<string> {
  try {
    const unknown = await checkFilterNames(em, filters, now);
    return unknown
      .map((u) => `\n:warning: ${toUnknownFilterText(u, (name) => toSafeMrkdwn(name, 200))}`)
      .join('');
  } catch (error) {
    // The schedule is saved; a warning that cannot be checked now is not worth failing the command for.
    logger.warn({ err: errorMessage(error) }, 'could not check the digest filter names in EM');
    return '';
  }
}

export function createDigestSubcommands(deps: DigestSubcommandsDeps): SlashSubcommand[] {
  const { store, clock } = deps;
  const admins = deps.adminUserIds ?? [];
  const mayChange = (userId: string) => admins.length === 0 || admins.includes(userId);

  const list = async (ctx: SubcommandContext): Promise<void> => {
    const schedules = await store.schedules.list(ctx.channelId);
    if (schedules.length === 0) {
      await ctx.respond({
        response_type: 'ephemeral',
        text: 'This channel has no digests. Set one up with `/replicas digest daily 08:00`.',
      });
      return;
    }
    const now = clock.now();
    const latest = new Map<number, DigestDelivery | null>();
    for (const s of schedules) latest.set(s.id, await store.deliveries.latest(s.id));
    const lines = schedules.map((s) => {
      const next = deps.scheduler?.nextRun(s, now) ?? null;
      const last = latest.get(s.id) ?? null;
      const parts = [`*#${s.id}* ${toSafeMrkdwn(describeSchedule(s), 400)}`];
      parts.push(`set up by <@${s.createdBy}>`);
      if (next !== null) parts.push(`next ${formatWhen(next, s.timeZone)}`);
      if (last !== null) {
        const when = formatWhen(last.periodEnd, s.timeZone);
        if (last.status === 'sent') parts.push(`last sent ${when}${last.late ? ' (late)' : ''}`);
        else if (last.status === 'skipped')
          parts.push(`${when} skipped: ${toSafeMrkdwn(last.note ?? '', 200)}`);
      }
      let line = parts.join(' · ');
      if (s.lastError !== null) line += `\n:warning: ${toSafeMrkdwn(s.lastError, 400)}`;
      return line;
    });
    const blocks: types.KnownBlock[] = [
      { type: 'section', text: { type: 'mrkdwn', text: `*Digests in this channel* (${schedules.length})` } },
      ...lines.map((text): types.KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'Remove one with `/replicas digest off <n>`.' }],
      },
    ];
    await ctx.respond({
      response_type: 'ephemeral',
      text: `Digests in this channel: ${schedules.map((s) => `#${s.id} ${describeSchedule(s)}`).join('; ')}`.slice(
        0,
        3000,
      ),
      blocks,
    });
  };

  const digest: SlashSubcommand = {
    name: 'digest',
    usage:
      'digest daily 08:00 | weekly mon 08:00 [backups] [job <name>] [server <name>] [failed-only] [tz <zone>] | off <n> | now',
    description: 'Post a scheduled summary of replication in this channel, with a chart.',
    async handle(ctx) {
      const command = parseDigestCommand(ctx.args, {
        defaultTimeZone: ctx.timeZone,
        isTimeZone: deps.isTimeZone,
      });
      switch (command.kind) {
        case 'help':
          await ctx.respond({ response_type: 'ephemeral', text: `*Digests*\n${DIGEST_USAGE.join('\n')}` });
          return;
        case 'invalid':
          await ctx.respond({
            response_type: 'ephemeral',
            text: `${command.error}\n${DIGEST_USAGE.join('\n')}`,
          });
          return;
        case 'list':
          await list(ctx);
          return;
        case 'preview': {
          const now = clock.now();
          const preview = await collectDigest(deps.em, {
            period: command.period,
            end: now,
            timeZone: command.timeZone,
            filters: command.filters,
            concurrency: deps.concurrency,
          });
          const message = renderDigestBlocks(preview);
          await ctx.respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
          return;
        }
        case 'add': {
          if (!mayChange(ctx.userId)) {
            await ctx.respond({
              response_type: 'ephemeral',
              text: 'Only replibot admins can set up digests here. Ask one of them, or see `/replicas digests`.',
            });
            return;
          }
          if ((await store.schedules.list(ctx.channelId)).length >= MAX_DIGESTS_PER_CHANNEL) {
            await ctx.respond({
              response_type: 'ephemeral',
              text: `This channel already has ${MAX_DIGESTS_PER_CHANNEL} digests; remove one first (\`/replicas digests\`).`,
            });
            return;
          }
          const now = clock.now();
          const schedule = await store.schedules.add(ctx.channelId, command.spec, ctx.userId, now);
          await deps.scheduler?.reload();
          const next = deps.scheduler?.nextRun(schedule, now) ?? null;
          const nextText = next === null ? '' : ` First one: ${formatWhen(next, schedule.timeZone)}.`;
          const warning = await warnUnknownNames(deps.em, command.spec.filters, now, ctx.logger);
          await ctx.respond({
            response_type: 'in_channel',
            text: `<@${ctx.userId}> set up digest #${schedule.id}: ${escapeMrkdwn(describeSchedule(schedule))}.${nextText} Remove it with \`/replicas digest off ${schedule.id}\`.${warning}`,
          });
          return;
        }
        case 'off': {
          if (!mayChange(ctx.userId)) {
            await ctx.respond({
              response_type: 'ephemeral',
              text: 'Only replibot admins can remove digests here.',
            });
            return;
          }
          const existing = await store.schedules.get(command.id);
          if (
            existing === null ||
            existing.channelId !== ctx.channelId ||
            !(await store.schedules.remove(command.id, ctx.channelId))
          ) {
            await ctx.respond({
              response_type: 'ephemeral',
              text: `This channel has no digest #${command.id}. \`/replicas digests\` lists the ones it has.`,
            });
            return;
          }
          await deps.scheduler?.reload();
          await ctx.respond({
            response_type: 'in_channel',
            text: `<@${ctx.userId}> removed digest #${existing.id} (${escapeMrkdwn(describeSchedule(existing))}).`,
          });
          return;
        }
        default: {
          const unreachable: never = command;
          throw new Error(`unknown digest command ${JSON.stringify(unreachable)}`);
        }
      }
    },
  };

  const digests: SlashSubcommand = {
    name: 'digests',
    usage: 'digests',
    description: 'List the digests scheduled in this channel.',
    handle: list,
  };

  return [digest, digests];
}
