/**
 * `/replicas subscribe rpo [<duration>] [job|vm|server <name>]` (beside the alerts' `subscribe`) and
 * `/replicas rpo [subscriptions | unsubscribe <n>]`: RPO alert routing and the watch at a glance. When
 * ADMIN_USER_IDS is set, only those users change subscriptions; everyone may look.
 */
import type { Clock } from '../../../core/clock.js';
import { plural } from '../../../core/format.js';
import { isAdmin } from '../../../slack/access.js';
import { escapeMrkdwn } from '../../../slack/mrkdwn.js';
import type { SlashSubcommand, SubcommandContext } from '../../../slack/subcommands.js';
import {
  describeRpoSubscription,
  isRpoSubscribe,
  parseRpoSubscription,
} from '../domain/parse-rpo-subscription.js';
import { toRpoKind } from '../domain/plan-rpo-alerts.js';
import type { RpoService } from '../rpo-service.js';
import type { RpoStore } from '../rpo-store.js';
import { renderRpoSummaryText } from '../text/render-rpo-summary.js';

const ephemeral = (text: string) => ({ response_type: 'ephemeral' as const, text });

export function createRpoSubcommands(deps: {
  store: RpoStore;
  service: RpoService;
  clock: Clock;
  adminUserIds: readonly string[];
  defaultMs: number;
  timeZone: string;
}): SlashSubcommand[] {
  const { store, clock } = deps;
  const guard = async (ctx: SubcommandContext): Promise<boolean> => {
    if (isAdmin(deps.adminUserIds, ctx.userId)) return true;
    await ctx.respond(
      ephemeral('Only replibot admins can change RPO subscriptions here (ADMIN_USER_IDS). Ask one of them.'),
    );
    return false;
  };
  return [
    {
      name: 'subscribe',
      usage: 'subscribe rpo [<duration>] [backups] [job <name>] [vm <name>] [server <name>]',
      description:
        'Post here when replicas (or with `backups`, backups) get older than the duration (RPO_DEFAULT without one), or a job stops running.',
      accepts: isRpoSubscribe,
      async handle(ctx) {
        if (!(await guard(ctx))) return;
        const parsed = parseRpoSubscription(ctx.args);
        if (!parsed.ok) return ctx.respond(ephemeral(escapeMrkdwn(parsed.error)));
        const existing = await store.subscriptions.list(ctx.channelId);
        const same = existing.find(
          (s) =>
            s.rpoMs === parsed.value.rpoMs &&
            s.job === parsed.value.job &&
            s.vm === parsed.value.vm &&
            s.server === parsed.value.server &&
            toRpoKind(s) === toRpoKind(parsed.value),
        );
        if (same) {
          return ctx.respond(
            ephemeral(
              `This channel already gets ${escapeMrkdwn(describeRpoSubscription(same, deps.defaultMs))}.`,
            ),
          );
        }
        const sub = await store.subscriptions.add(
          { channelId: ctx.channelId, createdBy: ctx.userId, ...parsed.value },
          clock.now(),
        );
        await ctx.respond({
          response_type: 'in_channel',
          text: `<@${ctx.userId}> subscribed this channel to ${escapeMrkdwn(describeRpoSubscription(sub, deps.defaultMs))}. \`/replicas rpo subscriptions\` lists them.`,
        });
      },
    },
    {
      name: 'rpo',
      usage: 'rpo [replicas | backups | subscriptions | unsubscribe <n>]',
      description:
        'Which VMs are outside their RPO (replicas, or backups); the RPO subscriptions of this channel.',
      async handle(ctx) {
        const [word, arg] = ctx.args.trim().split(/\s+/);
        const subs = await store.subscriptions.list(ctx.channelId);
        if (word?.toLowerCase() === 'subscriptions') {
          if (subs.length === 0) {
            return ctx.respond(
              ephemeral('This channel has no RPO subscriptions. `/replicas subscribe rpo 24h` adds one.'),
            );
          }
          const lines = subs.map(
            (s, i) =>
              `${i + 1}. ${escapeMrkdwn(describeRpoSubscription(s, deps.defaultMs))} (by <@${s.createdBy}>)`,
          );
          return ctx.respond(
            ephemeral(
              `*RPO subscriptions in this channel*\n${lines.join('\n')}\n\`/replicas rpo unsubscribe <n>\` removes one.`,
            ),
          );
        }
        if (word?.toLowerCase() === 'unsubscribe') {
          if (!(await guard(ctx))) return;
          const n = Number(arg);
          const sub = Number.isInteger(n) ? subs[n - 1] : undefined;
          if (!sub) {
            return ctx.respond(
              ephemeral(
                `There is no RPO subscription ${escapeMrkdwn(arg ?? '')} here; this channel has ${plural(subs.length, 'subscription')}. \`/replicas rpo subscriptions\` numbers them.`,
              ),
            );
          }
          await store.subscriptions.remove(sub.id);
          return ctx.respond({
            response_type: 'in_channel',
            text: `<@${ctx.userId}> unsubscribed this channel from ${escapeMrkdwn(describeRpoSubscription(sub, deps.defaultMs))}.`,
          });
        }
        const of = toRpoStatusKind(ctx.args);
        if (of === null) {
          return ctx.respond(
            ephemeral(
              `I did not understand \`rpo ${escapeMrkdwn(ctx.args.trim())}\`: \`/replicas rpo\` shows the replicas outside their RPO, \`/replicas rpo backups\` the backups, \`/replicas rpo subscriptions\` this channel's RPO subscriptions. To subscribe: \`/replicas subscribe rpo 4h job "SQL Replica"\`.`,
            ),
          );
        }
        const verdict = await deps.service.current(of);
        return ctx.respond(
          ephemeral(
            renderRpoSummaryText(verdict, { timeZone: ctx.timeZone, escape: escapeMrkdwn, limit: 15 }),
          ),
        );
      },
    },
  ];
}

/**
 * The kind `rpo [replicas | backups]` asks the status of: nothing or replicas is replication, backups is backups;
 * null for any other words (never the replica status with the words ignored).
 */
export function toRpoStatusKind(args: string): 'replication' | 'backup' | null {
  const word = args.trim().toLowerCase();
  if (word === '' || /^(replicas?|replications?)$/.test(word)) return 'replication';
  if (/^backups?$/.test(word)) return 'backup';
  return null;
}
