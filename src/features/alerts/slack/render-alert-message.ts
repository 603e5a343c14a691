/**
 * Alert notices as Slack messages (pure Block Kit). Every string from EM is escaped; every block stays inside
 * Slack's limits by construction: the VM list is cut to a text budget with "and N more", and a storm of VMs
 * with the same reason is grouped by reason so one message still says what happened to all of them.
 */
import type { KnownBlock } from '@slack/types';
import { toRunTitle } from '../../../core/backup-sessions.js';
import { plural } from '../../../core/format.js';
import { must } from '../../../core/must.js';
import { escapeMrkdwn, toPlainText, toSafeMrkdwn, truncateText } from '../../../slack/mrkdwn.js';
import { toSlackDate as slackDate } from '../../../slack/slack-date.js';
import {
  type AlertNotice,
  type AlertVm,
  type JobRunAlert,
  toAlertResultNote,
  toStoredAlertResult,
  toVmWorkerNote,
} from '../domain/alert-notice.js';
import { formatReportLag } from '../domain/plan-reconcile.js';
import { countsText, isAllRecovered, renderAlertText, streakText } from '../text/render-alert-text.js';
import { ALERT_ACK_ACTION, ALERT_MUTE_ACTIONS } from './alert-actions.js';
import type { AlertDecoration } from './alert-decorations.js';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** VM lines up to this many characters in total; the rest is "and N more" (Slack's total is ~12k). */
const VM_TEXT_BUDGET = 7000;
const SECTION_MAX = 2900;
/** above this many VMs, VMs with the same reason share one line */
const GROUP_ABOVE = 15;

export function renderAlertMessage(
  notice: AlertNotice,
  timeZone: string,
  decoration?: AlertDecoration,
): SlackMessage {
  // Block Kit from the feature that rendered it (src/features/rpo/slack), checked against Slack's limits there
  if (notice.kind === 'prerendered') return { text: notice.text, blocks: notice.blocks as KnownBlock[] };
  const text = renderAlertText(notice, {
    timeZone,
    escape: escapeMrkdwn,
    maxLength: 3000,
    user: (id) => `<@${id}>`,
  });
  switch (notice.kind) {
    case 'job-run':
      return { text, blocks: renderJobRunBlocks(notice.alert, timeZone, decoration) };
    default:
      return {
        text,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncateText(text, SECTION_MAX) } }],
      };
  }
}

function renderJobRunBlocks(
  alert: JobRunAlert,
  timeZone: string,
  decoration?: AlertDecoration,
): KnownBlock[] {
  const recovered = isAllRecovered(alert);
  const failed = alert.vms.some((v) => v.result === 'Failed');
  const run = toRunTitle(alert);
  const title = recovered
    ? `✅ Recovered: ${run.jobName}`
    : `${failed ? `🔴 ${run.what} failed` : `🟡 ${run.what} warning`}: ${run.jobName}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: toPlainText(title, 150), emoji: true } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: toSafeMrkdwn(
          `${countsText(alert)}${alert.serverName ? ` on ${alert.serverName}` : ''}${run.source ? ` · copying ${run.source}` : ''}`,
          1000,
        ).concat(` · run started ${slackDate(alert.runStartedAt, timeZone)}`),
      },
    },
  ];
  for (const text of vmSections(alert.vms, timeZone)) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  }
  const context: string[] = [];
  if (alert.reportedLateMs)
    context.push(`⏱️ Reported by EM ${formatReportLag(alert.reportedLateMs)} after it ended.`);
  if (alert.acknowledgedBy !== null) {
    context.push(
      `☑️ Acknowledged by <@${alert.acknowledgedBy}>${alert.acknowledgedAt ? ` at ${slackDate(alert.acknowledgedAt, timeZone)}` : ''}`,
    );
  }
  if (recovered) context.push('All VMs of this alert have recovered.');
  // a context block holds at most 10 elements: the newest decoration lines are kept
  context.push(...(decoration?.context ?? []));
  if (context.length > 0) {
    blocks.push({
      type: 'context',
      elements: context.slice(-10).map((t) => ({ type: 'mrkdwn', text: truncateText(t, 2000) })),
    });
  }
  if (!recovered) {
    const open = alert.vms.filter((v) => v.recoveredAt === null).length;
    const what = open === 1 ? 'VM' : `${open} VMs`;
    blocks.push({
      type: 'actions',
      block_id: `replibot_alert_${alert.id}`,
      elements: [
        ...(alert.acknowledgedBy === null
          ? [
              {
                type: 'button' as const,
                action_id: ALERT_ACK_ACTION,
                style: 'primary' as const,
                text: { type: 'plain_text' as const, text: 'Acknowledge' },
                value: String(alert.id),
              },
            ]
          : []),
        ...ALERT_MUTE_ACTIONS.map(({ hours: h, actionId }) => ({
          type: 'button' as const,
          action_id: actionId,
          text: { type: 'plain_text' as const, text: `Mute ${what} ${h}h` },
          value: `${alert.id}:${h}`,
        })),
        ...(decoration?.buttons ?? []),
      ],
    });
  }
  return blocks;
}

/** The VM list as mrkdwn sections (each under 3000 characters, all under the budget). */
function vmSections(vms: readonly AlertVm[], timeZone: string): string[] {
  const lines: string[] = [];
  if (vms.length <= GROUP_ABOVE) {
    for (const vm of vms) lines.push(vmLine(vm, timeZone));
  } else {
    // storm: one line per reason, naming as many VMs as fit
    const groups = new Map<string, AlertVm[]>();
    for (const vm of vms) {
      const key = `${vm.recoveredAt ? 'r' : toStoredAlertResult(vm)}\u0000${vm.reason.trim()}`;
      const list = groups.get(key) ?? [];
      list.push(vm);
      groups.set(key, list);
    }
    const sorted = [...groups.values()].sort((a, b) => b.length - a.length);
    for (const group of sorted) {
      const first = must(group[0], 'groups are never empty');
      const label = first.recoveredAt
        ? `✅ *${plural(group.length, 'VM')} recovered*`
        : `${first.result === 'Failed' ? '🔴' : '🟡'} *${plural(group.length, 'VM')}${first.result === 'Warning' ? ' with a warning' : first.result === 'Unknown' ? ` that ${toSafeMrkdwn(toAlertResultNote(first), 80)}` : ''}*`;
      const reason = first.recoveredAt
        ? ''
        : `: ${toSafeMrkdwn(oneLine(first.reason) || 'no reason given', 300)}`;
      lines.push(
        `${label}${reason}\n${nameList(
          group.map((v) => v.vmName),
          600,
        )}`,
      );
    }
  }
  const sections: string[] = [];
  let current = '';
  let used = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const line = must(lines[i], 'i < lines.length');
    if (used + line.length > VM_TEXT_BUDGET) {
      const rest = lines.length - i;
      const more = vms.length <= GROUP_ABOVE ? plural(rest, 'more VM') : plural(rest, 'more reason');
      current += `${current ? '\n' : ''}_…and ${more}; ask me for the job's failed VMs to see them all._`;
      break;
    }
    if (current.length + line.length + 1 > SECTION_MAX) {
      sections.push(current);
      current = '';
    }
    current += `${current ? '\n' : ''}${line}`;
    used += line.length + 1;
  }
  if (current) sections.push(current);
  return sections;
}

function vmLine(vm: AlertVm, timeZone: string): string {
  const name = escapeMrkdwn(vm.vmName);
  if (vm.recoveredAt !== null) return `✅ ~${name}~ recovered at ${slackDate(vm.recoveredAt, timeZone)}`;
  const icon = vm.result === 'Failed' ? '🔴' : '🟡';
  const streak = streakText(vm);
  const ended = vm.result === 'Unknown' ? ` ${toSafeMrkdwn(toAlertResultNote(vm), 80)}` : '';
  // an immediate-copy worker's VM in its parent run's alert: which worker ("copying Nightly")
  const worker = vm.jobName === undefined ? '' : ` _(${toSafeMrkdwn(toVmWorkerNote(vm), 200)})_`;
  return `${icon} *${name}*${worker}${ended}: ${toSafeMrkdwn(oneLine(vm.reason) || 'no reason given', 400)}${streak ? ` _(${streak})_` : ''}`;
}

/** "`a`, `b`, `c` and 40 more" within about `max` characters. */
function nameList(names: readonly string[], max: number): string {
  const sorted = [...names].sort((a, b) => a.localeCompare(b));
  const out: string[] = [];
  let length = 0;
  for (const name of sorted) {
    const item = `\`${toSafeMrkdwn(name, 80)}\``;
    if (length + item.length + 2 > max) break;
    out.push(item);
    length += item.length + 2;
  }
  const rest = sorted.length - out.length;
  return `${out.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
