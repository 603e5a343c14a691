/**
 * Alert notices as plain text: what the terminal prints and, escaped, the Slack `text` fallback (what a phone
 * notification shows). Bounded so a storm of 500 VMs stays a short message.
 */
import { toRunTitle } from '../../../core/backup-sessions.js';
import { formatZonedDateTime, plural } from '../../../core/format.js';
import { must } from '../../../core/must.js';
import {
  type AlertNotice,
  type AlertVm,
  type JobRunAlert,
  toAlertResultNote,
  toVmWorkerNote,
} from '../domain/alert-notice.js';
import { formatReportLag } from '../domain/plan-reconcile.js';

export interface RenderTextOptions {
  timeZone: string;
  /** escapes text from EM for the target (Slack mrkdwn: `&`, `<`, `>`); identity for the terminal */
  escape?: (text: string) => string;
  /** longest result; Slack asks for fallbacks under 4000 characters */
  maxLength?: number;
  /** how a user id is shown: `<@U123>` in Slack, `U123` in the terminal */
  user?: (userId: string) => string;
}

/** "failed 3 runs in a row" when a VM keeps failing; empty for a first failure. */
export function streakText(vm: Pick<AlertVm, 'result' | 'failedRuns'>): string {
  return vm.result === 'Failed' && vm.failedRuns > 1 ? `failed ${vm.failedRuns} runs in a row` : '';
}

/** "3 VMs failed, 1 with a warning" */
export function countsText(alert: JobRunAlert): string {
  const failed = alert.vms.filter((v) => v.result === 'Failed').length;
  const other = alert.vms.filter((v) => v.result === 'Unknown').length;
  const warned = alert.vms.length - failed - other;
  const parts: string[] = [];
  if (failed > 0) parts.push(`${plural(failed, 'VM')} failed`);
  if (warned > 0)
    parts.push(parts.length > 0 ? `${warned} with a warning` : `${plural(warned, 'VM')} with a warning`);
  if (other > 0)
    parts.push(
      parts.length > 0 ? `${other} with another result` : `${plural(other, 'VM')} with another result`,
    );
  return parts.join(', ');
}

export function isAllRecovered(alert: JobRunAlert): boolean {
  return alert.vms.length > 0 && alert.vms.every((v) => v.recoveredAt !== null);
}

export function renderAlertText(notice: AlertNotice, options: RenderTextOptions): string {
  const esc = options.escape ?? ((t: string) => t);
  const max = options.maxLength ?? 3900;
  const when = (d: Date) => formatZonedDateTime(d, options.timeZone);
  const user = options.user ?? ((id: string) => id);
  const lines: string[] = [];
  switch (notice.kind) {
    case 'prerendered':
      lines.push(notice.plain ?? notice.text);
      break;
    case 'job-run': {
      const a = notice.alert;
      const state = isAllRecovered(a)
        ? 'recovered'
        : a.vms.some((v) => v.result === 'Failed')
          ? 'failed'
          : 'warning';
      const icon = state === 'recovered' ? '✅' : state === 'failed' ? '🔴' : '🟡';
      const run = toRunTitle(a);
      lines.push(
        `${icon} ${run.what} job ${esc(run.jobName)}${run.source ? ` (copying ${esc(run.source)})` : ''}: ${countsText(a)}${a.serverName ? ` on ${esc(a.serverName)}` : ''} (run started ${when(a.runStartedAt)})`,
      );
      for (const vm of a.vms) {
        const extra = [streakText(vm), vm.recoveredAt ? `recovered at ${when(vm.recoveredAt)}` : ''].filter(
          Boolean,
        );
        const notes = [toVmWorkerNote(vm), toAlertResultNote(vm)].filter(Boolean).join(', ');
        lines.push(
          `• ${esc(vm.vmName)}${notes ? ` (${esc(notes)})` : ''}: ${esc(oneLine(vm.reason) || 'no reason given')}${extra.length ? ` (${extra.join('; ')})` : ''}`,
        );
      }
      if (a.reportedLateMs) lines.push(`Reported by EM ${formatReportLag(a.reportedLateMs)} after it ended.`);
      if (a.acknowledgedBy)
        lines.push(
          `Acknowledged by ${user(a.acknowledgedBy)}${a.acknowledgedAt ? ` at ${when(a.acknowledgedAt)}` : ''}`,
        );
      break;
    }
    case 'recovery':
      lines.push(
        `✅ ${notice.vmNames.map(esc).join(', ')} recovered at ${when(notice.recoveredAt)}${notice.byRetry ? ' (retry run)' : ''}: job ${esc(notice.alert.jobName)}`,
      );
      break;
    case 'catch-up': {
      const vms = notice.runs.reduce((n, r) => n + r.failed + r.warnings, 0);
      lines.push(
        `🔴 While replibot was not watching (${when(notice.since)} to ${when(notice.until)}), ${plural(notice.runs.length, 'job run')} had problems (${plural(vms, 'VM')}). One summary instead of ${notice.runs.length} alerts:`,
      );
      for (const r of notice.runs) {
        const counts = [r.failed ? `${r.failed} failed` : '', r.warnings ? plural(r.warnings, 'warning') : '']
          .filter(Boolean)
          .join(', ');
        lines.push(
          `• ${esc(r.jobName)}${r.serverName ? ` on ${esc(r.serverName)}` : ''}: ${counts} (${r.vmNames.map(esc).join(', ')}${r.failed + r.warnings > r.vmNames.length ? ', …' : ''})`,
        );
      }
      break;
    }
    case 'em-unreachable':
      lines.push(
        `⚠️ Enterprise Manager is unreachable since ${when(notice.since)} (${plural(notice.failedPolls, 'poll')} failed in a row): ${esc(notice.error)}`,
        'Alerts are paused, not lost: when EM answers again replibot catches up from where it stopped.',
      );
      break;
    case 'em-reachable':
      lines.push(
        `✅ Enterprise Manager is reachable again (${when(notice.at)}; unreachable since ${when(notice.downSince)}). Catching up on what happened meanwhile.`,
      );
      break;
    default: {
      const never: never = notice;
      throw new TypeError(`Unknown notice ${String(never)}`);
    }
  }
  return fitLines(lines, max);
}

/** Keeps whole lines up to `max` characters and says how many were left out. */
function fitLines(lines: string[], max: number): string {
  const kept: string[] = [];
  let length = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const line = must(lines[i], 'i < lines.length');
    const more = lines.length - i;
    const tail = `…and ${more} more`;
    if (length + line.length + 1 > max - (i < lines.length - 1 ? tail.length + 1 : 0)) {
      if (kept.length === 0) kept.push(line.slice(0, Math.max(0, max - tail.length - 2)));
      kept.push(`…and ${lines.length - kept.length} more`);
      break;
    }
    kept.push(line);
    length += line.length + 1;
  }
  return kept.join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
