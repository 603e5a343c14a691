/**
 * `/replicas subscribe | subscriptions | unsubscribe | mute | mutes | unmute`: alert routing managed from
 * Slack, in the style of `/github subscribe`. When ADMIN_USER_IDS is set, only those users change anything;
 * everyone may list.
 */

import type { Clock } from '../../../core/clock.js';
import { formatDuration } from '../../../core/format.js';
import { isAdmin } from '../../../slack/access.js';
import { escapeMrkdwn } from '../../../slack/mrkdwn.js';
import { toSlackDate } from '../../../slack/slack-date.js';
import type { SlashSubcommand, SubcommandContext } from '../../../slack/subcommands.js';
import { DEFAULT_SUBSCRIPTION_CREATOR } from '../alert-service.js';
import type { AlertStore } from '../alert-store.js';
import type { Mute, Subscription } from '../domain/alert-notice.js';
import {
  describeSubscription,
  parseMuteRequest,
  parseSubscriptionFilter,
} from '../domain/subscription-filter.js';

export interface AlertCommandDeps {
  store: AlertStore;
  clock: Clock;
  /** empty: everyone may change subscriptions and mutes */
  adminUserIds: readonly string[];
}

export function isAlertAdmin(adminUserIds: readonly string[], userId: string): boolean {
  return isAdmin(adminUserIds, userId);
}

const ephemeral = (text: string) => ({ response_type: 'ephemeral' as const, text });

export function createAlertSubcommands(deps: AlertCommandDeps): SlashSubcommand[] {
  const { store, clock } = deps;

  const guard = async (ctx: SubcommandContext): Promise<boolean> => {
    if (isAlertAdmin(deps.adminUserIds, ctx.userId)) return true;
    await ctx.respond(
      ephemeral(
        'Only replibot admins can change alert subscriptions and mutes here (ADMIN_USER_IDS). Ask one of them.',
      ),
    );
    return false;
  };

  const creator = (s: Subscription | Mute) =>
    s.createdBy === DEFAULT_SUBSCRIPTION_CREATOR ? 'the ALERT_CHANNEL setting' : `<@${s.createdBy}>`;

  return [
    {
      name: 'subscribe',
      usage: 'subscribe [failed|warnings] [job <name>] [vm <name>] [server <name>]',
      description: 'Post replication failures (or warnings) in this channel; names may use * wildcards.',
      async handle(ctx) {
        if (!(await guard(ctx))) return;
        const parsed = parseSubscriptionFilter(ctx.args);
        if (!parsed.ok) return ctx.respond(ephemeral(escapeMrkdwn(parsed.error)));
        const same = store.subscriptions
          .list(ctx.channelId)
          .find(
            (s) =>
              s.level === parsed.value.level &&
              s.job === parsed.value.job &&
              s.vm === parsed.value.vm &&
              s.server === parsed.value.server,
          );
        if (same) {
          return ctx.respond(
            ephemeral(`This channel already gets ${escapeMrkdwn(describeSubscription(same))}.`),
          );
        }
        const sub = store.subscriptions.add(ctx.channelId, parsed.value, ctx.userId, clock.now());
        await ctx.respond({
          response_type: 'in_channel',
          text: `<@${ctx.userId}> subscribed this channel to ${escapeMrkdwn(describeSubscription(sub))}. \`/replicas subscriptions\` lists them.`,
        });
      },
    },
    {
      name: 'subscriptions',
      usage: 'subscriptions',
      description: "List this channel's alert subscriptions, numbered for unsubscribe.",
      async handle(ctx) {
        const subs = store.subscriptions.list(ctx.channelId);
        if (subs.length === 0) {
          return ctx.respond(
            ephemeral(
              'This channel has no alert subscriptions. `/replicas subscribe` posts every failure here.',
            ),
          );
        }
        const lines = subs.map(
          (s, i) =>
            `${i + 1}. ${escapeMrkdwn(describeSubscription(s))}: by ${creator(s)}, ${toSlackDate(s.createdAt, ctx.timeZone)}`,
        );
        await ctx.respond(
          ephemeral(
            `*Alert subscriptions in this channel*\n${lines.join('\n')}\n\`/replicas unsubscribe <n>\` removes one.`,
          ),
        );
      },
    },
    {
      name: 'unsubscribe',
      usage: 'unsubscribe <n>',
      description: 'Remove subscription number n (see /replicas subscriptions).',
      async handle(ctx) {
        if (!(await guard(ctx))) return;
        const subs = store.subscriptions.list(ctx.channelId);
        const n = Number(ctx.args.trim());
        const sub = Number.isInteger(n) ? subs[n - 1] : undefined;
        if (sub === undefined) {
          return ctx.respond(
            ephemeral(
              subs.length === 0
                ? 'This channel has no subscriptions to remove.'
                : `Give a number from 1 to ${subs.length} (see \`/replicas subscriptions\`).`,
            ),
          );
        }
        store.subscriptions.remove(sub.id);
        await ctx.respond({
          response_type: 'in_channel',
          text: `<@${ctx.userId}> unsubscribed this channel from ${escapeMrkdwn(describeSubscription(sub))}.`,
        });
      },
    },
    {
      name: 'mute',
      usage: 'mute [vm|job] <name> <duration>',
      description: 'Silence alerts for a VM or a job in this channel for a while (30m, 4h, 1d).',
      async handle(ctx) {
        if (!(await guard(ctx))) return;
        const parsed = parseMuteRequest(ctx.args);
        if (!parsed.ok) return ctx.respond(ephemeral(escapeMrkdwn(parsed.error)));
        const now = clock.now();
        const mute = store.mutes.add(
          {
            channelId: ctx.channelId,
            scope: parsed.value.scope,
            name: parsed.value.name,
            until: new Date(now.getTime() + parsed.value.durationMs),
            createdBy: ctx.userId,
          },
          now,
        );
        await ctx.respond({
          response_type: 'in_channel',
          text: `<@${ctx.userId}> muted ${mute.scope === 'vm' ? 'VM' : 'job'} *${escapeMrkdwn(mute.name)}* in this channel for ${formatDuration(parsed.value.durationMs)} (until ${toSlackDate(mute.until, ctx.timeZone)}).`,
        });
      },
    },
    {
      name: 'mutes',
      usage: 'mutes',
      description: 'List the mutes running in this channel.',
      async handle(ctx) {
        const mutes = store.mutes.active(clock.now(), ctx.channelId);
        if (mutes.length === 0) return ctx.respond(ephemeral('Nothing is muted in this channel.'));
        const lines = mutes.map(
          (m, i) =>
            `${i + 1}. ${m.scope === 'vm' ? 'VM' : 'job'} *${escapeMrkdwn(m.name)}* until ${toSlackDate(m.until, ctx.timeZone)} (by ${creator(m)})`,
        );
        await ctx.respond(
          ephemeral(`*Mutes in this channel*\n${lines.join('\n')}\n\`/replicas unmute <n>\` ends one.`),
        );
      },
    },
    {
      name: 'unmute',
      usage: 'unmute <n>',
      description: 'End mute number n (see /replicas mutes).',
      async handle(ctx) {
        if (!(await guard(ctx))) return;
        const mutes = store.mutes.active(clock.now(), ctx.channelId);
        const n = Number(ctx.args.trim());
        const mute = Number.isInteger(n) ? mutes[n - 1] : undefined;
        if (mute === undefined) {
          return ctx.respond(
            ephemeral(
              mutes.length === 0
                ? 'Nothing is muted in this channel.'
                : `Give a number from 1 to ${mutes.length}.`,
            ),
          );
        }
        store.mutes.remove(mute.id);
        await ctx.respond({
          response_type: 'in_channel',
          text: `<@${ctx.userId}> unmuted ${mute.scope === 'vm' ? 'VM' : 'job'} *${escapeMrkdwn(mute.name)}*.`,
        });
      },
    },
  ];
}
