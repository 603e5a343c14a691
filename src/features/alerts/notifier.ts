import type { OutboundNotification } from './domain/alert-notice.js';

/**
 * Delivers alert notifications (Slack, the terminal...). The outbox calls it; it throws a RateLimitedError to
 * ask for a pause, any other error to ask for a retry later.
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
