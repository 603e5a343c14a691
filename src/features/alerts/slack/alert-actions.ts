/**
 * The buttons on an alert: Acknowledge (the message then shows who and when, for everyone) and Mute these VMs
 * for 1h / 4h / 24h in this channel. The message change goes through the outbox like every other alert write,
 * so it survives a Slack hiccup and keeps the channel's pacing.
 */
import type { App, BlockButtonAction } from '@slack/bolt';
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../logger.js';
import { escapeMrkdwn } from '../../../slack/mrkdwn.js';
import { toSlackDate } from '../../../slack/slack-date.js';
import { createTimeZoneLookup } from '../../../slack/user-time-zones.js';
import type { AlertStore } from '../alert-store.js';
import { isAlertAdmin } from './alert-subcommands.js';
import { ALERT_ACK_ACTION, ALERT_MUTE_ACTION_PREFIX } from './render-alert-message.js';

export interface AlertActionDeps {
  store: AlertStore;
  clock: Clock;
  adminUserIds: readonly string[];
  /** DEFAULT_TIMEZONE: times in a reply are in the clicking user's zone (users.info), else this one */
  timeZone: string;
  logger: Logger;
  /** wakes the outbox worker */
  onQueued?: () => void;
}

export function registerAlertActions(app: App, deps: AlertActionDeps): void {
  const { store, clock } = deps;
  const timeZones = createTimeZoneLookup({ defaultTimeZone: deps.timeZone, logger: deps.logger });

  app.action<BlockButtonAction>(ALERT_ACK_ACTION, async ({ ack, body, action, respond, client }) => {
    await ack();
    const alertId = Number(action.value);
    const now = clock.now();
    const alert = store.transaction(() => {
      const before = store.alerts.get(alertId);
      if (before === null) return null;
      const after = store.alerts.acknowledge(alertId, body.user.id, now);
      if (before.acknowledgedBy === null) {
        store.outbox.enqueue(
          { key: `alert:${alertId}:ack`, channelId: before.channelId, action: 'update', alertId },
          now,
        );
      }
      return after;
    });
    if (alert === null) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'I no longer know this alert.',
      });
      return;
    }
    deps.onQueued?.();
    if (alert.acknowledgedBy !== body.user.id) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: `<@${alert.acknowledgedBy}> already acknowledged this alert${alert.acknowledgedAt ? ` at ${toSlackDate(alert.acknowledgedAt, await timeZones.timeZoneOf(body.user.id, client))}` : ''}.`,
      });
    }
  });

  app.action<BlockButtonAction>(
    new RegExp(`^${ALERT_MUTE_ACTION_PREFIX}\\d+h$`),
    async ({ ack, body, action, respond, client }) => {
      await ack();
      const [idText, hoursText] = String(action.value).split(':');
      const alert = store.alerts.get(Number(idText));
      const hours = Number(hoursText);
      if (!isAlertAdmin(deps.adminUserIds, body.user.id)) {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: 'Only replibot admins can mute alerts here (ADMIN_USER_IDS).',
        });
        return;
      }
      if (alert === null || !Number.isFinite(hours) || hours <= 0 || hours > 24 * 30) {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: 'I no longer know this alert.',
        });
        return;
      }
      const now = clock.now();
      const until = new Date(now.getTime() + hours * 3_600_000);
      const names = [...new Set(alert.vms.filter((v) => v.recoveredAt === null).map((v) => v.vmName))];
      // a VM already muted here has its mute extended (one entry per VM), never a second one
      const results = store.transaction(() =>
        names.map((name) =>
          store.mutes.add(
            { channelId: alert.channelId, scope: 'vm', name, until, createdBy: body.user.id },
            now,
          ),
        ),
      );
      const extended = results.filter((r) => r.extended).length;
      // a VM muted for longer already keeps its later end
      const longer = results.filter((r) => r.mute.until.getTime() > until.getTime()).length;
      const timeZone = await timeZones.timeZoneOf(body.user.id, client);
      deps.logger.info({ alertId: alert.id, vms: names.length, hours }, 'VMs muted from an alert');
      const shown = names
        .slice(0, 10)
        .map((n) => `*${escapeMrkdwn(n)}*`)
        .join(', ');
      await respond({
        response_type: 'in_channel',
        replace_original: false,
        text: `<@${body.user.id}> muted ${shown}${names.length > 10 ? ` and ${names.length - 10} more` : ''} in this channel until ${toSlackDate(until, timeZone)}${extended > 0 ? ` (${extended === names.length ? 'already muted: extended' : `${extended} already muted: extended`}${longer > 0 ? `; ${longer} muted longer already, that end stays` : ''})` : ''}. \`/replicas mutes\` lists mutes.`,
      });
    },
  );
}
