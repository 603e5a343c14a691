/**
 * The buttons on an alert: Acknowledge (the message then shows who and when, for everyone) and Mute these VMs
 * for 1h / 4h / 24h in this channel. The message change goes through the outbox like every other alert write,
 * so it survives a Slack hiccup and keeps the channel's pacing.
 *
 * Both are changes: they pass the access check with `change` (ADMIN_USER_IDS when set), and an alert's buttons
 * act only in the channel the alert was posted in (`alert.channelId`). A value pressed anywhere else (a forged
 * payload naming another channel's alert) is refused without a word about that alert.
 */
import type { App } from '@slack/bolt';
import { toKindOfUid } from '../../../core/backup-sessions.js';
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../logger.js';
import type { AccessPolicy } from '../../../slack/access.js';
import { parseActionId, parseMuteValue } from '../../../slack/action-values.js';
import { escapeMrkdwn } from '../../../slack/mrkdwn.js';
import { registerButton, respondPrivately } from '../../../slack/register-button.js';
import { toSlackDate } from '../../../slack/slack-date.js';
import { createTimeZoneLookup } from '../../../slack/user-time-zones.js';
import type { AlertStore } from '../alert-store.js';
import type { JobRunAlert } from '../domain/alert-notice.js';

export const ALERT_ACK_ACTION = 'replibot_alert_ack';
const MUTE_CHOICES_HOURS = [1, 4, 24] as const;
/** `replibot_alert_mute_1h`, `_4h`, `_24h`: one registered id per choice, nothing else */
export const ALERT_MUTE_ACTIONS = MUTE_CHOICES_HOURS.map((h) => ({
  hours: h,
  actionId: `replibot_alert_mute_${h}h`,
}));

export interface AlertActionDeps {
  store: AlertStore;
  clock: Clock;
  access: AccessPolicy;
  /** DEFAULT_TIMEZONE: times in a reply are in the clicking user's zone (users.info), else this one */
  timeZone: string;
  logger: Logger;
  /** wakes the outbox worker */
  onQueued?: () => void;
}

export const UNKNOWN_ALERT_TEXT = 'I no longer know this alert.';
export const OTHER_CHANNEL_TEXT =
  ':no_entry: This button belongs to another channel, so I did nothing. Use the buttons on the alert itself.';

export function registerAlertActions(app: App, deps: AlertActionDeps): void {
  const { store, clock } = deps;
  const timeZones = createTimeZoneLookup({ defaultTimeZone: deps.timeZone, logger: deps.logger });
  const options = (name: string) => ({
    name,
    need: 'change' as const,
    access: deps.access,
    logger: deps.logger,
  });

  /** The alert a value names, if it was posted in the channel the button was pressed in. */
  const findAlert = async (
    alertId: number | null,
    channelId: string | null,
  ): Promise<JobRunAlert | 'unknown' | 'elsewhere'> => {
    const alert = alertId === null ? null : await store.alerts.get(alertId);
    if (alert === null) return 'unknown';
    return alert.channelId === channelId ? alert : 'elsewhere';
  };

  registerButton(
    app,
    ALERT_ACK_ACTION,
    options('alert ack'),
    async ({ body, value, channelId, respond, client, logger }) => {
      const found = await findAlert(parseActionId(value), channelId);
      if (found === 'elsewhere') {
        logger.warn({ channelId }, 'refused an alert button from another channel');
        return respondPrivately(respond, OTHER_CHANNEL_TEXT);
      }
      if (found === 'unknown') return respondPrivately(respond, UNKNOWN_ALERT_TEXT);
      const alertId = found.id;
      const now = clock.now();
      const alert = await store.transaction(async (tx) => {
        const before = await tx.alerts.get(alertId);
        if (before === null) return null;
        const after = await tx.alerts.acknowledge(alertId, body.user.id, now);
        if (before.acknowledgedBy === null) {
          await tx.outbox.enqueue(
            { key: `alert:${alertId}:ack`, channelId: before.channelId, action: 'update', alertId },
            now,
          );
        }
        return after;
      });
      if (alert === null) return respondPrivately(respond, UNKNOWN_ALERT_TEXT);
      deps.onQueued?.();
      if (alert.acknowledgedBy !== body.user.id) {
        await respondPrivately(
          respond,
          `<@${alert.acknowledgedBy}> already acknowledged this alert${alert.acknowledgedAt ? ` at ${toSlackDate(alert.acknowledgedAt, await timeZones.timeZoneOf(body.user.id, client))}` : ''}.`,
        );
      }
    },
  );

  for (const { hours, actionId } of ALERT_MUTE_ACTIONS) {
    registerButton(
      app,
      actionId,
      options(`alert mute ${hours}h`),
      async ({ body, value, channelId, respond, client, logger }) => {
        const parsed = parseMuteValue(value);
        // the value's hours must be this button's hours: a `_1h` button never mutes for a month
        const found = await findAlert(
          parsed !== null && parsed.hours === hours ? parsed.alertId : null,
          channelId,
        );
        if (found === 'elsewhere') {
          logger.warn({ channelId }, 'refused an alert button from another channel');
          return respondPrivately(respond, OTHER_CHANNEL_TEXT);
        }
        if (found === 'unknown') return respondPrivately(respond, UNKNOWN_ALERT_TEXT);
        const alert = found;
        const now = clock.now();
        const until = new Date(now.getTime() + hours * 3_600_000);
        const names = [...new Set(alert.vms.filter((v) => v.recoveredAt === null).map((v) => v.vmName))];
        // a VM already muted here has its mute extended (one entry per VM), never a second one
        const results = await store.transaction(async (tx) => {
          const added = [];
          for (const name of names)
            added.push(
              await tx.mutes.add(
                {
                  channelId: alert.channelId,
                  scope: 'vm',
                  name,
                  until,
                  createdBy: body.user.id,
                  // a backup alert's button mutes the VM's backups, not its replication
                  ...(toKindOfUid(alert.jobSessionUid) === 'backup' ? { kind: 'backup' as const } : {}),
                },
                now,
              ),
            );
          return added;
        });
        const extended = results.filter((r) => r.extended).length;
        // a VM muted for longer already keeps its later end
        const longer = results.filter((r) => r.mute.until.getTime() > until.getTime()).length;
        const timeZone = await timeZones.timeZoneOf(body.user.id, client);
        logger.info({ alertId: alert.id, vms: names.length, hours }, 'VMs muted from an alert');
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
}
