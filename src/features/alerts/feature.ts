/**
 * Alerts as a feature of the composition root (src/main.ts FEATURES): the store, the poller and outbox service,
 * `/replicas subscribe|mute...`, the alert buttons, `/healthz` checks, App Home lines and, in the terminal
 * chat, alerts printed as they happen plus an `alerts` command.
 */
import type { Feature, FeatureContext } from '../../app/feature.js';
import { formatZonedDateTime } from '../../core/format.js';
import { toSlackOnlyCommand } from '../../shell/shell.js';
import { toAccessPolicy } from '../../slack/access.js';
import {
  type AlertHealth,
  type AlertService,
  createAlertService,
  ensureDefaultSubscription,
} from './alert-service.js';
import { createAlertStore } from './alert-store.js';
import type { Notifier } from './notifier.js';
import { registerAlertActions } from './slack/alert-actions.js';
import { createAlertSubcommands } from './slack/alert-subcommands.js';
import { renderAlertHomeBlocks } from './slack/render-alert-home.js';
import { createAlertWebClient, createSlackNotifier } from './slack/slack-notifier.js';
import { createTextNotifier } from './text/text-notifier.js';

/** What the terminal offers instead of `/replicas subscribe|mute ...`. */
const TERMINAL_ALERTS =
  'In the terminal every replication and backup failure (and every RPO alert) is printed here as it happens, with nothing to subscribe or mute; `alerts` shows the pollers.';

/** The pseudo channel the terminal chat subscribes with. */
const TERMINAL_CHANNEL = 'terminal';

/** An outbox row older than this means delivery is stuck (Slack down, bot not in the channel). */
const STUCK_MS = 15 * 60_000;

export function isAlertingHealthy(health: AlertHealth, now: Date): boolean {
  const stuck =
    health.outbox.oldestPendingAt !== null &&
    now.getTime() - health.outbox.oldestPendingAt.getTime() > STUCK_MS;
  // a refused Slack token stops every delivery: unhealthy at once, not after STUCK_MS
  return (
    health.poller.emReachable &&
    health.poller.storeError === null &&
    !stuck &&
    health.outbox.authProblem === null
  );
}

export function toHealthChecks(health: AlertHealth): Record<string, unknown> {
  return {
    lastSuccessfulPoll: health.poller.lastSuccessAt?.toISOString() ?? null,
    consecutiveFailedPolls: health.poller.consecutiveFailures,
    emReachable: health.poller.emReachable,
    lastError: health.poller.lastError,
    unreadableEmRows: health.poller.unreadableRows,
    outboxPending: health.outbox.pending,
    oldestPendingNotification: health.outbox.oldestPendingAt?.toISOString() ?? null,
    outboxDeadLettered: health.outbox.deadLettered,
    outboxLastDeadReason: health.outbox.lastDeadReason,
    slackTokenProblem: health.outbox.authProblem,
    // the store's own reason, apart from EM's
    storeError: health.poller.storeError?.message ?? null,
    lastReconcilingSweep: health.poller.lastSweepAt?.toISOString() ?? null,
    emClockOffsetSeconds:
      health.poller.clockOffsetMs === null ? null : Math.round(health.poller.clockOffsetMs / 1000),
    largestReportLagMinutes:
      health.poller.largestReportLagMs === null
        ? null
        : Math.round(health.poller.largestReportLagMs / 60_000),
    warnings: health.poller.warnings,
    // the backup sessions' poller (`subscribe backups`): shown, but it does not make /healthz degraded, since EM
    // being unreachable is already the replication poller's to say
    ...(health.backupPoller
      ? {
          backupPolls: {
            lastSuccessfulPoll: health.backupPoller.lastSuccessAt?.toISOString() ?? null,
            consecutiveFailedPolls: health.backupPoller.consecutiveFailures,
            lastError: health.backupPoller.lastError,
            unreadableEmRows: health.backupPoller.unreadableRows,
          },
        }
      : {}),
  };
}

/** The feature, plus its service so a test can drive a poll and a delivery pass itself. */
export async function createAlertsFeature(ctx: FeatureContext): Promise<Feature & { service: AlertService }> {
  const { config, logger, clock } = ctx;
  const store = createAlertStore(ctx.db);
  let notifier: Notifier;
  if (ctx.mode === 'slack' && config.slack) {
    notifier = createSlackNotifier({
      client: createAlertWebClient(config.slack.botToken, config.slack.apiUrl, ctx.metrics),
      ...(ctx.alertDecorations ? { decorations: ctx.alertDecorations } : {}),
    });
  } else {
    notifier = createTextNotifier({ write: (text) => ctx.notify(text) });
    // the terminal hears every failure: replication and backup sessions alike
    await ensureDefaultSubscription(store, TERMINAL_CHANNEL, clock.now());
    await ensureDefaultSubscription(store, TERMINAL_CHANNEL, clock.now(), 'backup');
  }
  const service = createAlertService({
    em: ctx.em,
    store,
    notifier,
    clock,
    logger: logger.child({ component: 'alerts' }),
    // the demo polls its in-process simulator often, so `fail <vm>` shows an alert within seconds
    pollIntervalSeconds:
      ctx.simulator && ctx.mode === 'shell'
        ? Math.min(config.pollIntervalSeconds, 10)
        : config.pollIntervalSeconds,
    pollOverlapMinutes: config.pollOverlapMinutes,
    reconcileLookbackHours: config.reconcileLookbackHours,
    reconcileIntervalSeconds: config.reconcileIntervalSeconds,
    timeZone: config.defaultTimeZone,
    ...(config.alertChannel && ctx.mode === 'slack' ? { alertChannel: config.alertChannel } : {}),
    // the terminal has no rate limit
    ...(ctx.mode === 'shell' ? { paceMs: 0 } : {}),
    fence: ctx.fence,
    metrics: ctx.metrics,
    fencingToken: ctx.fencingToken,
  });
  ctx.metrics.watchOutbox(async () => {
    const { pending, oldestPendingAt } = await service.outbox.health();
    return { pending, oldestPendingAt };
  });
  // rows queued by another process on this database (a button pressed on a standby) wake the leader's outbox
  let sweep: NodeJS.Timeout | undefined;

  const subcommands = createAlertSubcommands({ store, em: ctx.em, clock, adminUserIds: config.adminUserIds });
  return {
    name: 'alerts',
    service,
    subcommands,
    extend: (app) =>
      registerAlertActions(app, {
        store,
        clock,
        access: toAccessPolicy(config),
        timeZone: config.defaultTimeZone,
        logger,
        onQueued: () => service.outbox.kick(),
      }),
    health: async () => {
      const health = await service.health();
      return { ok: isAlertingHealthy(health, clock.now()), checks: toHealthChecks(health) };
    },
    homeExtras: async () => renderAlertHomeBlocks(await service.health(), config.defaultTimeZone),
    shellCommands: [
      {
        name: 'alerts',
        usage: 'alerts',
        description: 'Show the alert pollers: last poll, EM reachability, undelivered alerts.',
        async run(_args, shellCtx) {
          const h = await service.health();
          const last = h.poller.lastSuccessAt
            ? formatZonedDateTime(h.poller.lastSuccessAt, shellCtx.timeZone)
            : 'not yet';
          shellCtx.print(
            [
              `Alert poller: every ${Math.round(h.poller.intervalMs / 1000)}s, last successful poll ${last}.`,
              !h.poller.emReachable
                ? `Enterprise Manager is unreachable (${h.poller.consecutiveFailures} polls failed): ${h.poller.lastError ?? ''}`
                : h.poller.consecutiveFailures > 0
                  ? `The last ${h.poller.consecutiveFailures === 1 ? 'poll' : `${h.poller.consecutiveFailures} polls`} failed (channels hear of it after 3 in a row): ${h.poller.lastError ?? ''}`
                  : 'Enterprise Manager is reachable.',
              ...(h.backupPoller
                ? [
                    `Backup sessions: last successful poll ${h.backupPoller.lastSuccessAt ? formatZonedDateTime(h.backupPoller.lastSuccessAt, shellCtx.timeZone) : 'not yet'}${h.backupPoller.consecutiveFailures > 0 ? ` (the last ${h.backupPoller.consecutiveFailures === 1 ? 'poll' : `${h.backupPoller.consecutiveFailures} polls`} failed: ${h.backupPoller.lastError ?? ''})` : ''}.`,
                  ]
                : []),
              `Undelivered alerts: ${h.outbox.pending}. New replication and backup failures print here as they happen.`,
            ].join('\n'),
          );
        },
      },
      ...subcommands.map((s) => toSlackOnlyCommand(s, TERMINAL_ALERTS)),
    ],
    leaderServices: [
      {
        name: 'alerts',
        start: async () => {
          await service.start();
          sweep = setInterval(() => service.outbox.kick(), 5000);
          sweep.unref();
        },
        stop: async () => {
          clearInterval(sweep);
          await service.stop();
        },
      },
    ],
  };
}
