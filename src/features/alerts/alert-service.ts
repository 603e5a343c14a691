/**
 * Alerting as one service for the composition root: the poller, the outbox worker, the ALERT_CHANNEL default
 * subscription, and health for `/healthz` and the App Home.
 */

import type { SessionKind } from '../../core/backup-sessions.js';
import type { Clock } from '../../core/clock.js';
import { toKindApi } from '../../core/kind-api.js';
import type { EmApi } from '../../core/ports.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { Fence } from '../../store/lease.js';
import type { AlertStore } from './alert-store.js';
import { toSubscriptionKind } from './domain/subscription-filter.js';
import type { Notifier } from './notifier.js';
import { createOutboxWorker, type OutboxHealth, type OutboxWorker } from './outbox-worker.js';
import { createPoller, type Poller, type PollerHealth } from './poller.js';

export const DEFAULT_SUBSCRIPTION_CREATOR = 'ALERT_CHANNEL';

export interface AlertServiceOptions {
  em: EmApi;
  store: AlertStore;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  pollIntervalSeconds: number;
  pollOverlapMinutes: number;
  /** RECONCILE_LOOKBACK_HOURS and RECONCILE_INTERVAL_SECONDS (defaults 24 and 3600) */
  reconcileLookbackHours?: number;
  reconcileIntervalSeconds?: number;
  timeZone: string;
  /** a channel id: gets a subscription to every failure at start (once) */
  alertChannel?: string;
  /** tests shorten these */
  pollIntervalMs?: number;
  paceMs?: number;
  retryBaseMs?: number;
  catchUpThreshold?: number;
  /** false in tests: no timers; the test drives `poller.pollOnce()` and `outbox.drain()` with its own clock */
  timers?: boolean;
  /** the one-writer lease: the poller and the outbox ask it before they write or send */
  fence?: Fence;
  /** the process's metrics (src/metrics.ts) */
  metrics?: Metrics;
  /** the fencing token the fence holds: the outbox's claims carry it */
  fencingToken?: () => number | null;
}

export interface AlertHealth {
  poller: PollerHealth;
  /** the backup sessions' poller (idle, with no EM requests, while no channel subscribes to backups) */
  backupPoller?: PollerHealth;
  outbox: OutboxHealth;
}

export interface AlertService {
  poller: Poller;
  /** the same guarantees for backup sessions: `/replicas subscribe backups` */
  backupPoller: Poller;
  outbox: OutboxWorker;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): Promise<AlertHealth>;
}

/** Adds the ALERT_CHANNEL subscription unless that channel already has one from the configuration. */
export async function ensureDefaultSubscription(
  store: AlertStore,
  channelId: string,
  now: Date,
  kind: SessionKind = 'replication',
): Promise<boolean> {
  const exists = (await store.subscriptions.list(channelId)).some(
    (s) => s.createdBy === DEFAULT_SUBSCRIPTION_CREATOR && toSubscriptionKind(s) === kind,
  );
  if (exists) return false;
  await store.subscriptions.add(
    channelId,
    { level: 'failed', ...(kind === 'backup' ? { kind } : {}), job: null, vm: null, server: null },
    DEFAULT_SUBSCRIPTION_CREATOR,
    now,
  );
  return true;
}

export function createAlertService(options: AlertServiceOptions): AlertService {
  const outbox = createOutboxWorker({
    store: options.store,
    notifier: options.notifier,
    clock: options.clock,
    logger: options.logger.child({ part: 'outbox' }),
    timeZone: options.timeZone,
    ...(options.paceMs !== undefined ? { paceMs: options.paceMs } : {}),
    ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
    ...(options.timers !== undefined ? { timers: options.timers } : {}),
    ...(options.fence ? { fence: options.fence } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.fencingToken ? { fencingToken: options.fencingToken } : {}),
  });
  const pollerOptions = (kind: SessionKind) => ({
    em: toKindApi(options.em, kind),
    kind,
    store: options.store,
    clock: options.clock,
    logger: options.logger.child({ part: kind === 'backup' ? 'backup-poller' : 'poller' }),
    intervalMs: options.pollIntervalMs ?? options.pollIntervalSeconds * 1000,
    overlapMinutes: options.pollOverlapMinutes,
    ...(options.reconcileLookbackHours !== undefined
      ? { reconcileLookbackHours: options.reconcileLookbackHours }
      : {}),
    ...(options.reconcileIntervalSeconds !== undefined
      ? { reconcileIntervalMs: options.reconcileIntervalSeconds * 1000 }
      : {}),
    ...(options.catchUpThreshold !== undefined ? { catchUpThreshold: options.catchUpThreshold } : {}),
    onQueued: () => outbox.kick(),
    ...(options.timers !== undefined ? { timers: options.timers } : {}),
    ...(options.fence ? { fence: options.fence } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const poller = createPoller(pollerOptions('replication'));
  const backupPoller = createPoller(pollerOptions('backup'));
  return {
    poller,
    backupPoller,
    outbox,
    async start() {
      if (options.alertChannel)
        await ensureDefaultSubscription(options.store, options.alertChannel, options.clock.now());
      // what a previous run left in the outbox goes out first
      outbox.start();
      poller.start();
      backupPoller.start();
    },
    async stop() {
      await poller.stop();
      await backupPoller.stop();
      await outbox.stop();
    },
    health: async () => ({
      poller: await poller.health(),
      backupPoller: await backupPoller.health(),
      outbox: await outbox.health(),
    }),
  };
}
