/**
 * Delivers the outbox. A row is written (by the poller, a button, a command) before anything is sent; the worker
 * marks it `sending`, hands it to the Notifier and marks it `sent` with the message ts. Per channel it keeps
 * FIFO order and about one message per second; a 429 pauses that channel for Retry-After; any other failure
 * retries with backoff. Nothing is dropped.
 *
 * A crash after Slack accepted a post but before `sent` was written leaves the row in `sending`. On the next
 * attempt the worker asks the Notifier whether a message with this row's key already exists (Slack: message
 * metadata, read back with conversations.history) and records it instead of posting again.
 */

import type { Clock } from '../../core/clock.js';
import { isReplibotError, RateLimitedError } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import type { AlertStore, OutboxRow } from './alert-store.js';
import type { AlertNotice, OutboundNotification } from './domain/alert-notice.js';
import type { Notifier } from './notifier.js';

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
  /** the one-writer lease (src/app/leadership.ts): asked before each send and after it is marked sent */
  fence?: () => boolean;
}

export interface OutboxHealth {
  pending: number;
  /** when the oldest undelivered notification was queued */
  oldestPendingAt: Date | null;
  lastError: string | null;
}

export interface OutboxWorker {
  start(): void;
  stop(): Promise<void>;
  /** something was queued: look now */
  kick(): void;
  /** delivers everything due now, once (tests and the shell) */
  drain(): Promise<number>;
  health(): OutboxHealth;
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, notifier, clock, logger } = options;
  const paceMs = options.paceMs ?? 1000;
  const retryBaseMs = options.retryBaseMs ?? 2000;
  const maxRetryMs = options.maxRetryMs ?? 5 * 60_000;
  const lastSentAt = new Map<string, number>();
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let busy: Promise<number> | null = null;
  let again = false;

  /** Builds what the Notifier sees; null when there is nothing left to send (see the comments). */
  function toNotification(row: OutboxRow): OutboundNotification | null {
    let notice: AlertNotice | null = row.notice;
    let ts: string | null = null;
    if (row.alertId !== null) {
      const alert = store.alerts.get(row.alertId);
      if (alert === null) return null;
      if (row.action === 'post' || row.action === 'update') notice = { kind: 'job-run', alert };
      else if (notice?.kind === 'recovery') notice = { ...notice, alert };
      if (row.action !== 'post') {
        // an update or reply for an alert that never got a ts: the post itself renders the latest state
        if (alert.ts === null) return null;
        ts = alert.ts;
      }
    }
    if (notice === null) return null;
    return {
      key: row.key,
      channelId: row.channelId,
      action: row.action,
      ts,
      notice,
      timeZone: options.timeZone,
    };
  }

  async function deliverRow(row: OutboxRow): Promise<boolean> {
    const notification = toNotification(row);
    const now = () => clock.now();
    if (notification === null) {
      store.outbox.markSent(row.id, null, now());
      return false;
    }
    try {
      if (row.status === 'sending' && row.action !== 'update' && notifier.findDelivered !== undefined) {
        const found = await notifier.findDelivered(notification, new Date(row.createdAt.getTime() - 60_000));
        if (typeof found === 'string') {
          record(row, found);
          logger.info({ key: row.key }, 'notification was delivered before a restart; not sending it again');
          return false;
        }
      }
      if (options.fence?.() === false) return false; // not the writer any more: the new leader sends it
      store.outbox.markSending(row.id);
      const { ts } = await notifier.deliver(notification);
      record(row, ts);
      if (options.fence?.() === false) logger.warn({ key: row.key }, 'lease lost while sending; stopping');
      lastSentAt.set(row.channelId, Date.now());
      return true;
    } catch (error) {
      const message = isReplibotError(error) ? error.message : String(error);
      if (error instanceof RateLimitedError) {
        const until = new Date(now().getTime() + error.retryAfterMs);
        store.outbox.retryLater(row.id, until, message);
        store.outbox.delayChannel(row.channelId, until);
        logger.warn(
          { channel: row.channelId, retryAfterMs: error.retryAfterMs },
          'Slack rate limit; waiting',
        );
      } else {
        const delay = Math.min(maxRetryMs, retryBaseMs * 2 ** Math.min(row.attempts, 16));
        // the post may have reached Slack before the error (a timeout): stay `sending` so the retry checks first
        store.outbox.retryLater(row.id, new Date(now().getTime() + delay), message, true);
        logger.warn(
          { channel: row.channelId, key: row.key, err: message, retryInMs: delay },
          'delivery failed',
        );
      }
      return false;
    }
  }

  function record(row: OutboxRow, ts: string | null): void {
    store.transaction(() => {
      store.outbox.markSent(row.id, ts, clock.now());
      if (row.action === 'post' && row.alertId !== null && ts !== null) store.alerts.setTs(row.alertId, ts);
    });
  }

  /** One pass: each channel's head, if due; returns how many were sent and when to look again. */
  async function pass(): Promise<{ sent: number; wakeAt: number | null }> {
    if (options.fence?.() === false) return { sent: 0, wakeAt: null };
    const nowMs = clock.now().getTime();
    const wall = Date.now();
    let wakeAt: number | null = null;
    const due: OutboxRow[] = [];
    for (const head of store.outbox.heads()) {
      const paceWait = (lastSentAt.get(head.channelId) ?? 0) + paceMs - wall;
      const retryWait = head.notBefore.getTime() - nowMs;
      const wait = Math.max(paceWait, retryWait);
      if (wait > 0) {
        wakeAt = Math.min(wakeAt ?? Number.POSITIVE_INFINITY, wall + wait);
        continue;
      }
      due.push(head);
    }
    const results = await Promise.all(due.map(deliverRow));
    const sent = results.filter(Boolean).length;
    if (due.length > 0) wakeAt = wall; // look again: the next row of those channels may be waiting
    return { sent, wakeAt };
  }

  async function runLoop(): Promise<number> {
    let total = 0;
    do {
      again = false;
      const { sent, wakeAt } = await pass();
      total += sent;
      if (wakeAt !== null && running) {
        const delay = Math.max(0, wakeAt - Date.now());
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
    if (!running) return;
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
        if (wakeAt === null || wakeAt > Date.now()) return total;
      }
    },
    health() {
      const open = store.outbox.open();
      return {
        pending: open.length,
        oldestPendingAt: open[0]?.createdAt ?? null,
        lastError: open.find((r) => r.lastError !== null)?.lastError ?? null,
      };
    },
  };
}
