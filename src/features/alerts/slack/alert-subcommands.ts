/**
 * `/replicas subscribe | subscriptions | unsubscribe | mute | mutes | unmute`: alert routing managed from
 * Slack, in the style of `/github subscribe`. When ADMIN_USER_IDS is set, only those users change anything;
 * everyone may list.
 */

import {
  checkNames,
  findUnseenNames,
  NAME_NOUNS,
  type NamedValue,
  type NameField,
  toUnknownRouteText,
} from '../../../answers/domain/check-names.js';
import { SESSION_KINDS } from '../../../core/backup-sessions.js';
import type { Clock } from '../../../core/clock.js';
import { errorMessage } from '../../../core/error-message.js';
import { formatDuration } from '../../../core/format.js';
import { toKindApi } from '../../../core/kind-api.js';
import type { EmApi } from '../../../core/ports.js';
import { isAdmin } from '../../../slack/access.js';
import { escapeMrkdwn, toSafeMrkdwn } from '../../../slack/mrkdwn.js';
import { toSlackDate } from '../../../slack/slack-date.js';
import type { SlashSubcommand, SubcommandContext } from '../../../slack/subcommands.js';
import { DEFAULT_SUBSCRIPTION_CREATOR } from '../alert-service.js';
import type { AlertStore } from '../alert-store.js';
import type { Mute, MuteScope, Subscription, SubscriptionFilter } from '../domain/alert-notice.js';
import {
  describeSubscription,
  parseMuteRequest,
  parseSubscriptionFilter,
  toSubscriptionKind,
} from '../domain/subscription-filter.js';

export interface AlertCommandDeps {
  store: AlertStore;
  /** asked whether the names of a new subscription or mute exist, so a typo does not stay silent */
  em: EmApi;
  clock: Clock;
  /** empty: everyone may change subscriptions and mutes */
  adminUserIds: readonly string[];
}

const MUTE_SCOPE: Partial<Record<NameField, MuteScope>> = { VmDisplayName: 'vm', JobName: 'job' };

/** The `/replicas mute ...` for that name, or null for a field a mute cannot name (a backup server). */
function toMuteCommand(value: NamedValue, duration: string): string | null {
  const scope = MUTE_SCOPE[value.field];
  return scope === undefined
    ? null
    : `/replicas mute ${scope} ${toArg(value.name)} ${duration.replace(/\s+/g, '')}`;
}

/** "the backups of VM *srv04*", "the replication of VM *apache02*": a mute silences one kind */
function describeMute(mute: Mute): string {
  const what = `${mute.scope === 'vm' ? 'VM' : 'job'} *${escapeMrkdwn(mute.name)}*`;
  return `${mute.kind === 'backup' ? 'the backups' : 'the replication'} of ${what}`;
}

function isAlertAdmin(adminUserIds: readonly string[], userId: string): boolean {
  return isAdmin(adminUserIds, userId);
}

const ephemeral = (text: string) => ({ response_type: 'ephemeral' as const, text });

/** A subscription's or mute's names as EM fields; `*` patterns match many names, so they are not checked. */
function toCheckedNames(filter: Pick<SubscriptionFilter, 'job' | 'vm' | 'server'>): NamedValue[] {
  const names: NamedValue[] = [];
  const add = (field: NameField, name: string | null) => {
    if (name !== null && !name.includes('*')) names.push({ field, name });
  };
  add('JobName', filter.job);
  add('VmDisplayName', filter.vm);
  add('BackupServerName', filter.server);
  return names;
}

const FILTER_KEY: Record<NameField, 'job' | 'vm' | 'server'> = {
  JobName: 'job',
  VmDisplayName: 'vm',
  BackupServerName: 'server',
};

/** A name as the command reads it: quoted when it has spaces. */
const toArg = (name: string) => (/\s/.test(name) ? `"${name}"` : name);

/** The `/replicas subscribe ...` that creates this subscription. */
function toSubscribeCommand(filter: SubscriptionFilter): string {
  const parts = ['/replicas subscribe'];
  if (filter.kind === 'backup') parts.push('backups');
  if (filter.level === 'warnings') parts.push('warnings');
  if (filter.job !== null) parts.push(`job ${toArg(filter.job)}`);
  if (filter.vm !== null) parts.push(`vm ${toArg(filter.vm)}`);
  if (filter.server !== null) parts.push(`server ${toArg(filter.server)}`);
  return parts.join(' ');
}

/**
 * Warning lines (each starting with a newline) for the names of a new subscription or mute that EM has no session
 * for, with look-alikes and the command to type instead; "" when every name exists or EM cannot be asked now
 * (the route is saved either way: EM may simply not have run that VM yet).
 */
async function warnUnknownNames(
  em: EmApi,
  names: readonly NamedValue[],
  now: Date,
  retype: (value: NamedValue, typed: NamedValue) => string | null,
  logger: SubcommandContext['logger'],
): Promise<string> {
  if (names.length === 0) return '';
  try {
    const { unknown } = await checkNames(em, names, 'ReplicaTaskSession', now);
    return unknown
      .map((u) => `\n:warning: ${toUnknownRouteText(u, (name) => toSafeMrkdwn(name, 200), retype)}`)
      .join('');
  } catch (error) {
    logger.warn({ err: errorMessage(error) }, 'could not check the alert route names in EM');
    return '';
  }
}

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

  /** `kind:field:lower-case name` of every subscription name EM has no session (of that kind) for; empty when EM cannot be asked. */
  const findUnseenSubscriptionNames = async (
    subs: readonly Subscription[],
    logger: SubcommandContext['logger'],
  ): Promise<Set<string>> => {
    const unseenKeys = new Set<string>();
    try {
      // each kind's names are looked for among that kind's sessions (a backup job has no replica sessions)
      for (const kind of SESSION_KINDS) {
        const names = new Map<string, NamedValue>();
        for (const s of subs) {
          if (toSubscriptionKind(s) !== kind) continue;
          for (const n of toCheckedNames(s)) names.set(`${n.field}:${n.name.toLowerCase()}`, n);
        }
        if (names.size === 0) continue;
        const unseen = await findUnseenNames(toKindApi(deps.em, kind), [...names.values()]);
        for (const n of unseen) unseenKeys.add(`${kind}:${n.field}:${n.name.toLowerCase()}`);
      }
      return unseenKeys;
    } catch (error) {
      logger.warn({ err: errorMessage(error) }, 'could not check the subscription names in EM');
      return new Set();
    }
  };

  const creator = (s: Subscription | Mute) =>
    s.createdBy === DEFAULT_SUBSCRIPTION_CREATOR ? 'the ALERT_CHANNEL setting' : `<@${s.createdBy}>`;

  return [
    {
      name: 'subscribe',
      usage: 'subscribe [backups] [failed|warnings] [job <name>] [vm <name>] [server <name>]',
      description:
        'Post replication failures (or warnings) in this channel; `backups` for backup jobs instead; names may use * wildcards.',
      async handle(ctx) {
        if (!(await guard(ctx))) return;
        const parsed = parseSubscriptionFilter(ctx.args);
        if (!parsed.ok) return ctx.respond(ephemeral(escapeMrkdwn(parsed.error)));
        const same = (await store.subscriptions.list(ctx.channelId)).find(
          (s) =>
            s.level === parsed.value.level &&
            toSubscriptionKind(s) === toSubscriptionKind(parsed.value) &&
            s.job === parsed.value.job &&
            s.vm === parsed.value.vm &&
            s.server === parsed.value.server,
        );
        if (same) {
          return ctx.respond(
            ephemeral(`This channel already gets ${escapeMrkdwn(describeSubscription(same))}.`),
          );
        }
        const now = clock.now();
        const sub = await store.subscriptions.add(ctx.channelId, parsed.value, ctx.userId, now);
        const warning = await warnUnknownNames(
          toKindApi(deps.em, toSubscriptionKind(parsed.value)),
          toCheckedNames(parsed.value),
          now,
          (value, typed) =>
            toSubscribeCommand({
              ...parsed.value,
              [FILTER_KEY[typed.field]]: null,
              [FILTER_KEY[value.field]]: value.name,
            }),
          ctx.logger,
        );
        await ctx.respond({
          response_type: 'in_channel',
          text: `<@${ctx.userId}> subscribed this channel to ${escapeMrkdwn(describeSubscription(sub))}. \`/replicas subscriptions\` lists them.${warning}`,
        });
      },
    },
    {
      name: 'subscriptions',
      usage: 'subscriptions',
      description: "List this channel's alert subscriptions, numbered for unsubscribe.",
      async handle(ctx) {
        const subs = await store.subscriptions.list(ctx.channelId);
        if (subs.length === 0) {
          return ctx.respond(
            ephemeral(
              'This channel has no alert subscriptions. `/replicas subscribe` posts every failure here.',
            ),
          );
        }
        const unseen = await findUnseenSubscriptionNames(subs, ctx.logger);
        const lines = subs.map((s, i) => {
          const names = toCheckedNames(s).filter((n) =>
            unseen.has(`${toSubscriptionKind(s)}:${n.field}:${n.name.toLowerCase()}`),
          );
          const mark =
            names.length === 0
              ? ''
              : ` :warning: EM has not seen ${names.map((n) => `${NAME_NOUNS[n.field]} ${escapeMrkdwn(n.name)}`).join(' or ')} in the last 30 days, so this stays silent`;
          return `${i + 1}. ${escapeMrkdwn(describeSubscription(s))}: by ${creator(s)}, ${toSlackDate(s.createdAt, ctx.timeZone)}${mark}`;
        });
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
        const subs = await store.subscriptions.list(ctx.channelId);
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
        await store.subscriptions.remove(sub.id);
        await ctx.respond({
          response_type: 'in_channel',
          text: `<@${ctx.userId}> unsubscribed this channel from ${escapeMrkdwn(describeSubscription(sub))}.`,
        });
      },
    },
    {
      name: 'mute',
      usage: 'mute [backups] [vm|job] <name> <duration>',
      description:
        'Silence alerts (failures and RPO) for a VM or a job in this channel for a while (30m, 4h, 1d); replication unless `backups`.',
      async handle(ctx) {
        if (!(await guard(ctx))) return;
        const parsed = parseMuteRequest(ctx.args);
        if (!parsed.ok) return ctx.respond(ephemeral(escapeMrkdwn(parsed.error)));
        const now = clock.now();
        const { scope, name, durationMs } = parsed.value;
        const { mute, extended } = await store.mutes.add(
          {
            channelId: ctx.channelId,
            scope,
            name,
            until: new Date(now.getTime() + durationMs),
            createdBy: ctx.userId,
            ...(parsed.value.kind === undefined ? {} : { kind: parsed.value.kind }),
          },
          now,
        );
        const what = describeMute(mute);
        const warning = await warnUnknownNames(
          deps.em,
          toCheckedNames(
            scope === 'vm' ? { vm: name, job: null, server: null } : { vm: null, job: name, server: null },
          ),
          now,
          (value) => toMuteCommand(value, formatDuration(durationMs)),
          ctx.logger,
        );
        await ctx.respond({
          response_type: 'in_channel',
          text: extended
            ? `<@${ctx.userId}> extended the mute of ${what} in this channel: it ends ${toSlackDate(mute.until, ctx.timeZone)} (one entry in \`/replicas mutes\`, not two).${warning}`
            : `<@${ctx.userId}> muted ${what} in this channel for ${formatDuration(durationMs)} (until ${toSlackDate(mute.until, ctx.timeZone)}).${warning}`,
        });
      },
    },
    {
      name: 'mutes',
      usage: 'mutes',
      description: 'List the mutes running in this channel.',
      async handle(ctx) {
        const mutes = await store.mutes.active(clock.now(), ctx.channelId);
        if (mutes.length === 0) return ctx.respond(ephemeral('Nothing is muted in this channel.'));
        const lines = mutes.map(
          (m, i) =>
            `${i + 1}. ${describeMute(m)} until ${toSlackDate(m.until, ctx.timeZone)} (by ${creator(m)})`,
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
        const mutes = await store.mutes.active(clock.now(), ctx.channelId);
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
        await store.mutes.remove(mute.id);
        await ctx.respond({
          response_type: 'in_channel',
          text: `<@${ctx.userId}> unmuted ${describeMute(mute)}.`,
        });
      },
    },
  ];
}
