/**
 * The value of a job action button, signed. Slack sends a button's value back as we wrote it, but anyone who
 * can post to the app can also forge a payload, so a value names its channel and carries an HMAC of its parts
 * (keyed with the signing secret or bot token): a value made up for another channel's job, or edited in any way,
 * is refused before anything else is read from it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isJobAction, type JobAction } from '../../../core/jobs.js';

export interface ActionValue {
  action: JobAction;
  /** `urn:veeam:Job:<GUID>`, or '' on an alert's button (the job then comes from the alert) */
  jobUid: string;
  channelId: string;
  alertId: number | null;
}

const SIG_LENGTH = 32;

/**
 * The key every surface signs job action values with (the same in every process on the same Slack app), or null
 * without Slack. Other features (RPO alerts, job answers) sign with it through `renderJobActionButtons`.
 */
export function toActionSigningKey(
  slack: { signingSecret?: string | undefined; botToken: string } | undefined,
): string | null {
  return slack ? (slack.signingSecret ?? slack.botToken) : null;
}

function sign(key: string, parts: readonly string[]): string {
  return createHmac('sha256', `replibot-job-action:${key}`)
    .update(parts.join('\u0000'))
    .digest('hex')
    .slice(0, SIG_LENGTH);
}

const partsOf = (v: ActionValue): string[] => [
  v.action,
  v.jobUid,
  v.channelId,
  v.alertId === null ? '' : String(v.alertId),
];

export function encodeActionValue(value: ActionValue, key: string): string {
  return JSON.stringify([...partsOf(value), sign(key, partsOf(value))]);
}

/** The value, or null when it was not written by replibot with this key exactly as it is. */
export function decodeActionValue(text: string, key: string): ActionValue | null {
  if (text.length > 1000) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(raw) || raw.length !== 5 || !raw.every((p) => typeof p === 'string')) return null;
  // cast: checked just above: an array of exactly five strings
  const [action, jobUid, channelId, alert, sig] = raw as [string, string, string, string, string];
  if (!isJobAction(action) || !/^[A-Z0-9]{1,30}$/.test(channelId)) return null;
  if (jobUid !== '' && !/^urn:veeam:Job:[0-9a-fA-F-]{1,64}$/.test(jobUid)) return null;
  if (alert !== '' && !/^[1-9][0-9]{0,14}$/.test(alert)) return null;
  const expected = Buffer.from(sign(key, [action, jobUid, channelId, alert]));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { action, jobUid, channelId, alertId: alert === '' ? null : Number(alert) };
}
