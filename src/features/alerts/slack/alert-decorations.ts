/**
 * What other features add to an alert message when it is rendered (the job actions: the Retry failed VMs
 * button and "Retry started by @ana at 14:02 -> succeeded 14:31" lines). The composition root makes one and hands
 * it to every feature; the alerts' Slack notifier asks it at each post and update, so the lines survive every
 * later edit of the alert (an ack, a recovery).
 */
import type { Button } from '@slack/types';
import type { JobRunAlert } from '../domain/alert-notice.js';

export interface AlertDecoration {
  /** mrkdwn context lines, already escaped */
  context: string[];
  /** buttons beside Acknowledge and Mute (only while the alert is open) */
  buttons: Button[];
}

export type AlertDecorator = (alert: JobRunAlert) => Promise<AlertDecoration>;

export interface AlertDecorations {
  use(decorator: AlertDecorator): void;
  decorate(alert: JobRunAlert): Promise<AlertDecoration>;
}

export const NO_DECORATION: AlertDecoration = { context: [], buttons: [] };

export function createAlertDecorations(): AlertDecorations {
  const decorators: AlertDecorator[] = [];
  return {
    use: (decorator) => {
      decorators.push(decorator);
    },
    async decorate(alert) {
      const parts = await Promise.all(
        decorators.map((d) => d(alert).catch((): AlertDecoration => NO_DECORATION)),
      );
      return { context: parts.flatMap((p) => p.context), buttons: parts.flatMap((p) => p.buttons) };
    },
  };
}
