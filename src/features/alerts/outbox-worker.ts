/**
 * Delivers the outbox. A row is written (by the poller, a button, a command) before anything is sent; the worker
 * marks it `sending`, hands it to the Notifier and marks it `sent` with the message ts. Per channel it keeps
 * FIFO order and about one message per second. A message that cannot be delivered never blocks the others:
 * - a 429 pauses that channel for Retry-After; a transient failure (5xx, network) retries with backoff;
 * - a permanent failure (channel_not_found, invalid_blocks...) ends that row (status `dead`, with the reason,
 *   logged and counted in health) and the channel moves on;
 * - an update or reply whose message is gone (message_not_found, cant_update_message) is sent as a new channel
 *   message that says so;
 * - an auth failure (token revoked...) stops all delivery, marks alerting unhealthy, and probes again with
 *   backoff; the rows wait and are sent once the token works.
 *
 * A crash after Slack accepted a post but before `sent` was written leaves the row in `sending`. On the next
 * attempt the worker asks the Notifier whether a message with this row's key already exists (Slack: message
 * metadata, read back with conversations.history) and records it instead of posting again.
 */

import type { Clock } from '../../core/clock.js';
import { isReplibotError, RateLimitedError } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { Fence } from '../../store/lease.js';
import type { AlertStore, DeadLetters, OutboxRow } from './alert-store.js';
import type { AlertNotice, OutboundNotification } from './domain/alert-notice.js';
import { DeliveryError, type Notifier } from './notifier.js';

export interface OutboxWorkerOptions {
  store: AlertStore;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  timeZone: string;
  /** the least time between two messages to one channel */
  paceMs?: number;
  /** first retry delay after an error (doubles per attempt, up to maxRetryMs) */
  retryBaseMs?: number;
  maxRetryMs?: number;
  /**
   * false in tests: no timers at all; `kick` does nothing and the test drives delivery with `drain()` and its own
   * clock (pacing, Retry-After and retry backoff are all measured on the clock)
   */
  timers?: boolean;
  /**
   * the one-writer lease (src/app/leadership.ts): asked in the transaction that marks a row `sending` (no send
   * without it) and in the one that marks it `sent` (a process that lost the lease meanwhile leaves the row to
   * the new leader, which finds the message by its metadata and records it)
   */
  fence?: Fence;
  /** told of each delivery and dead letter (src/metrics.ts) */
  metrics?: Pick<Metrics, 'alertDelivered' | 'alertDeadLettered'>;
  /** the fencing token the fence holds (src/app/leadership.ts): claims carry it, and only that claim marks sent */
  fencingToken?: () => number | null;
}

export interface OutboxHealth {
  pending: number;
  /** when the oldest undelivered notification was queued */
  oldestPendingAt: Date | null;
  lastError: string | null;
  /** rows Slack refused for good (status `dead`), and the latest reason */
  deadLettered: number;
  lastDeadReason: string | null;
  /** set while the surface refuses our credentials: what is wrong and what to do */
  authProblem: string | null;
}

export interface OutboxWorker {
  start(): void;
  stop(): Promise<void>;
  /** something was queued: look now */
  kick(): void;
  /** delivers everything due at the clock's now, then returns how many were sent (the driven pass) */
  drain(): Promise<number>;
  health(): Promise<OutboxHealth>;
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, notifier, clock, logger } = options;
  const paceMs = options.paceMs ?? 1000;
  const retryBaseMs = options.retryBaseMs ?? 2000;
  const maxRetryMs = options.maxRetryMs ?? 5 * 60_000;
  const timers = options.timers !== false;
  const lastSentAt = new Map<string, number>();
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let busy: Promise<number> | null = null;
  let again = false;
  /** while the token is refused: nothing is sent before `probeAt` (clock ms), then one row probes */
  let auth: { problem: string; failures: number; probeAt: number } | null = null;
  const token = (): number | null => options.fencingToken?.() ?? null;
  const backoff = (attempts: number) => Math.min(maxRetryMs, retryBaseMs * 2 ** Math.min(attempts, 16));

  /** Builds what the Notifier sees; null when there is nothing left to send (see the comments). */
  async function toNotification(row: OutboxRow): Promise<OutboundNotification | null> {
    let notice: AlertNotice | null = row.notice;
    let ts: string | null = null;
    // the message this update or reply was for is gone: a new channel message instead
    const fallback = row.fallbackReason !== null && row.action !== 'post';
    if (row.alertId !== null) {
      const alert = await store.alerts.get(row.alertId);
      if (alert === null) return null;
      if (row.action === 'post' || row.action === 'update') notice = { kind: 'job-run', alert };
      else if (notice?.kind === 'recovery') notice = { ...notice, alert };
      if (row.action !== 'post' && !fallback) {
        // an update or reply for an alert that never got a ts: the post itself renders the latest state
        if (alert.ts === null) return null;
        ts = alert.ts;
      }
    }
    if (notice === null) return null;
    let action = fallback ? 'post' : row.action;
    if (notice.kind === 'prerendered' && row.action === 'update' && !fallback) {
      // FIFO per channel: the post it edits went first; when that one never got out, this is posted instead
      ts = notice.updatesKey === null ? null : await store.outbox.sentTs(notice.updatesKey);
      if (ts === null) action = 'post';
    }
    return {
      key: row.key,
      channelId: row.channelId,
      action,
      ts,
      notice,
      timeZone: options.timeZone,
      ...(fallback ? { note: toFallbackNote(row) } : {}),
    };
  }

  async function deliverRow(row: OutboxRow): Promise<boolean> {
    const notification = await toNotification(row);
    const now = () => clock.now();
    if (notification === null) {
      await store.outbox.markSent(row.id, null, now());
      return false;
    }
    try {
      // the claim first: the row is ours (our fencing token) before anything is looked up or sent
      const claimed = await store.transaction(async (tx) => {
        if ((await options.fence?.(tx.db)) === false) return false; // not the writer any more: the new leader sends it
        return tx.outbox.claim(row.id, token());
      });
      if (!claimed) return false;
      if (
        row.status === 'sending' &&
        notification.action !== 'update' &&
        notifier.findDelivered !== undefined
      ) {
        const found = await notifier.findDelivered(notification, new Date(row.createdAt.getTime() - 60_000));
        if (typeof found === 'string') {
          await record(row, found, notification);
          logger.info(
            { key: row.key },
            'notification was delivered before (a restart, or a leader that lost the lease); not sending it again',
          );
          return false;
        }
      }
      const { ts } = await notifier.deliver(notification);
      options.metrics?.alertDelivered(notification.action);
      if (!(await record(row, ts, notification)))
        logger.warn({ key: row.key }, 'lease lost while sending; the new leader records it; stopping');
      lastSentAt.set(row.channelId, now().getTime());
      if (auth !== null) {
        logger.info('Slack accepts the bot token again; delivering what waited');
        auth = null;
      }
      return true;
    } catch (error) {
      const message = isReplibotError(error) ? error.message : String(error);
      if (error instanceof RateLimitedError) {
        const until = new Date(now().getTime() + error.retryAfterMs);
        await store.outbox.retryLater(row.id, until, message);
        await store.outbox.delayChannel(row.channelId, until);
        logger.warn(
          { channel: row.channelId, retryAfterMs: error.retryAfterMs },
          'Slack rate limit; waiting',
        );
      } else if (error instanceof DeliveryError && error.kind === 'auth') {
        const failures = (auth?.failures ?? 0) + 1;
        const probeAt = now().getTime() + backoff(failures - 1);
        const problem = `${error.message} ${error.hint ?? ''}`.trim();
        if (auth === null)
          logger.error(
            { reason: error.reason, probeInMs: probeAt - now().getTime() },
            'Slack refuses the bot token: alert delivery stopped until it works (reinstall the app or replace SLACK_BOT_TOKEN)',
          );
        auth = { problem, failures, probeAt: Math.max(auth?.probeAt ?? 0, probeAt) };
        // this attempt reached no one: the row waits and goes out when the token works (still `sending`, so
        // checked first, if an earlier attempt may have got through)
        await store.outbox.retryLater(row.id, new Date(auth.probeAt), message, row.status === 'sending');
      } else if (error instanceof DeliveryError && error.kind === 'permanent') {
        if (error.messageGone && row.action !== 'post' && row.fallbackReason === null) {
          await store.outbox.useFallback(row.id, error.reason, now());
          logger.warn(
            { channel: row.channelId, key: row.key, reason: error.reason },
            'the message to update or reply to is gone; sending a new message instead',
          );
        } else {
          await store.outbox.markDead(row.id, message, now());
          options.metrics?.alertDeadLettered();
          logger.warn(
            { channel: row.channelId, key: row.key, reason: error.reason, err: message },
            'Slack refused the notification for good; it is dead-lettered and the channel moves on',
          );
        }
      } else {
        const delay = backoff(row.attempts);
        // the post may have reached Slack before the error (a timeout): stay `sending` so the retry checks first
        await store.outbox.retryLater(row.id, new Date(now().getTime() + delay), message, true);
        logger.warn(
          { channel: row.channelId, key: row.key, err: message, retryInMs: delay },
          'delivery failed',
        );
      }
      return false;
    }
  }

  /** Marks the row sent (and the alert's ts); false when the fence refused (the lease was lost meanwhile). */
  async function record(
    row: OutboxRow,
    ts: string | null,
    notification: OutboundNotification,
  ): Promise<boolean> {
    // a post of the alert itself (first, or again because the original is gone) is the message to update
    const isAlertMessage =
      row.action === 'post' || (row.action === 'update' && notification.action === 'post');
    return store.transaction(async (tx) => {
      if ((await options.fence?.(tx.db)) === false) return false;
      if (!(await tx.outbox.markSent(row.id, ts, clock.now(), token()))) return false;
      if (isAlertMessage && row.alertId !== null && ts !== null) await tx.alerts.setTs(row.alertId, ts);
      return true;
    });
  }

  /** One pass: each channel's head, if due; returns how many were sent and when to look again. */
  async function pass(): Promise<{ sent: number; wakeAt: number | null }> {
    if ((await options.fence?.()) === false) return { sent: 0, wakeAt: null };
    const nowMs = clock.now().getTime();
    let wakeAt: number | null = null;
    const due: OutboxRow[] = [];
    const heads = await store.outbox.heads();
    if (auth !== null && heads.length > 0) {
      // the token is refused: wait, then let one row probe it (the others follow once it works)
      if (auth.probeAt > nowMs) return { sent: 0, wakeAt: auth.probeAt };
      heads.splice(1);
    }
    for (const head of heads) {
      const paceWait = (lastSentAt.get(head.channelId) ?? 0) + paceMs - nowMs;
      const retryWait = head.notBefore.getTime() - nowMs;
      const wait = Math.max(paceWait, retryWait);
      if (wait > 0) {
        wakeAt = Math.min(wakeAt ?? Number.POSITIVE_INFINITY, nowMs + wait);
        continue;
      }
      due.push(head);
    }
    const results = await Promise.all(due.map(deliverRow));
    const sent = results.filter(Boolean).length;
    if (due.length > 0) wakeAt = nowMs; // look again: the next row of those channels may be waiting
    return { sent, wakeAt };
  }

  async function runLoop(): Promise<number> {
    let total = 0;
    do {
      again = false;
      const { sent, wakeAt } = await pass();
      total += sent;
      if (wakeAt !== null && running) {
        const delay = Math.max(0, wakeAt - clock.now().getTime());
        if (delay === 0) {
          again = true;
          continue;
        }
        arm(delay);
      }
    } while (again && running);
    return total;
  }

  function arm(delayMs: number): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      kick();
    }, delayMs);
  }

  function kick(): void {
    if (!running || !timers) return;
    if (busy !== null) {
      again = true;
      return;
    }
    busy = runLoop()
      .catch((error) => {
        logger.error({ err: error }, 'outbox delivery crashed; retrying shortly');
        arm(retryBaseMs);
        return 0;
      })
      .finally(() => {
        busy = null;
        if (again && running) kick();
      });
  }

  return {
    start() {
      if (running) return;
      running = true;
      kick();
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await busy;
    },
    kick,
    async drain() {
      if (busy !== null) await busy;
      let total = 0;
      for (;;) {
        const { sent, wakeAt } = await pass();
        total += sent;
        if (wakeAt === null || wakeAt > clock.now().getTime()) return total;
      }
    },
    async health() {
      let open: OutboxRow[];
      let dead: DeadLetters;
      try {
        open = await store.outbox.open();
        dead = await store.outbox.deadLetters();
      } catch (error) {
        // a damaged database: health still answers (the poller's health names the store's problem)
        return {
          pending: 0,
          oldestPendingAt: null,
          lastError: `cannot read the outbox: ${String(error)}`,
          deadLettered: 0,
          lastDeadReason: null,
          authProblem: auth?.problem ?? null,
        };
      }
      return {
        pending: open.length,
        oldestPendingAt: open[0]?.createdAt ?? null,
        lastError: open.find((r) => r.lastError !== null)?.lastError ?? null,
        deadLettered: dead.count,
        lastDeadReason: dead.lastReason,
        authProblem: auth?.problem ?? null,
      };
    },
  };
}

/** What a fallback message says about the message it replaces. */
function toFallbackNote(row: OutboxRow): string {
  if (row.action === 'reply')
    return ':information_source: The alert message this belongs to was deleted, so this is posted in the channel.';
  return row.fallbackReason === 'message_not_found'
    ? ':information_source: The original alert message was deleted, so this is a new copy of it.'
    : ':information_source: The original alert message can no longer be edited, so this is a new copy of it.';
}
