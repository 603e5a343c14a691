import { ReplibotError } from '../../core/errors.js';
import type { OutboundNotification } from './domain/alert-notice.js';

/**
 * Delivers alert notifications (Slack, the terminal...). The outbox calls it; it throws a RateLimitedError to
 * ask for a pause, a DeliveryError to say what kind of failure it was, and any other error to ask for a retry
 * later.
 */
export interface Notifier {
  /** sends one notification; returns the `ts` of the message it posted (null when the surface has none) */
  deliver(notification: OutboundNotification): Promise<{ ts: string | null }>;
  /**
   * After a crash between sending and recording: the `ts` of a message already delivered for this
   * notification's key, null when it was not delivered, undefined when the notifier cannot tell.
   */
  findDelivered?(notification: OutboundNotification, since: Date): Promise<string | null | undefined>;
}

/**
 * - `transient`: try again later (with backoff).
 * - `permanent`: this notification can never be delivered as it is: the outbox ends it (status `dead`), or, when
 *   `messageGone` says the message to update or reply to is gone, sends it as a new message instead.
 * - `auth`: the surface refuses our credentials: everything waits until they work again.
 */
export type DeliveryFailureKind = 'transient' | 'permanent' | 'auth';

export class DeliveryError extends ReplibotError {
  readonly kind: DeliveryFailureKind;
  /** the surface's reason, e.g. Slack's `channel_not_found` */
  readonly reason: string;
  /** the message an update or reply was for no longer exists (or cannot be edited) */
  readonly messageGone: boolean;

  constructor(
    kind: DeliveryFailureKind,
    reason: string,
    message: string,
    options: { hint?: string; messageGone?: boolean; cause?: unknown } = {},
  ) {
    super('slack_error', message, {
      ...(options.hint !== undefined ? { hint: options.hint } : {}),
      cause: options.cause,
    });
    this.name = 'DeliveryError';
    this.kind = kind;
    this.reason = reason;
    this.messageGone = options.messageGone ?? false;
  }
}
