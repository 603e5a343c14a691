/**
 * An RPO alert in words, pure: the title, the job's line and one line per VM, with the dates and escaping
 * the surface gives (Slack dates and mrkdwn escaping in Slack, zoned text in the terminal and text fallbacks).
 */
import { formatDuration, plural } from '../../../core/format.js';
import type { RpoAlertContent, RpoAlertVm } from '../domain/plan-rpo-alerts.js';

export interface RpoTextOptions {
  date: (date: Date) => string;
  escape?: (text: string) => string;
  bold?: (text: string) => string;
  strike?: (text: string) => string;
}

export interface RpoAlertLines {
  title: string;
  jobLine: string;
  vmLines: string[];
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function isProtectedAgain(content: RpoAlertContent): boolean {
  return content.closedAt !== null;
}

export function renderRpoTitle(content: RpoAlertContent): string {
  const outside = content.vms.filter((vm) => vm.backAt === null && vm.quiet === null).length;
  if (content.closedAt !== null) return `✅ Protected again: ${content.jobName}`;
  if (outside > 0) return `⏰ Outside RPO: ${content.jobName}`;
  if (content.job.trouble === 'stuck') return `⏳ Stuck in progress: ${content.jobName}`;
  return `⏸️ Not running: ${content.jobName}`;
}

function vmLine(vm: RpoAlertVm, o: Required<RpoTextOptions>, jobNote: string): string {
  const name = o.escape(vm.vmName);
  if (vm.backAt !== null) {
    return `• ${o.strike(name)} back within RPO at ${o.date(vm.backAt)}${vm.gapMs === null ? '' : ` after ${formatDuration(vm.gapMs)}`}`;
  }
  if (vm.quiet === 'gone')
    return `• ${name}: no longer replicated (EM no longer lists it); not alerted any more`;
  if (vm.quiet === 'muted') return `• ${name}: muted in this channel`;
  const copy =
    vm.lastGoodAt === null
      ? 'no good copy seen yet'
      : `last good copy ${o.date(vm.lastGoodAt)} (${formatDuration(vm.ageMs)} old, RPO ${formatDuration(vm.rpoMs)})`;
  const since =
    vm.failedRuns > 0
      ? `since then ${plural(vm.failedRuns, 'failed run')}${vm.lastReason ? `: ${o.escape(oneLine(vm.lastReason))}` : ''}`
      : jobNote;
  return `• ${o.bold(name)}: ${copy}${since ? `; ${since}` : ''}`;
}

/** The alert's lines; `jobLine` says what the job did (not run, stuck, ran and failed, ran fine). */
export function renderRpoLines(content: RpoAlertContent, options: RpoTextOptions): RpoAlertLines {
  const o: Required<RpoTextOptions> = {
    date: options.date,
    escape: options.escape ?? ((t) => t),
    bold: options.bold ?? ((t) => t),
    strike: options.strike ?? ((t) => t),
  };
  const job = content.job;
  const every = `${job.intervalLearned ? 'usually runs every' : 'expected every'} ${formatDuration(job.usualIntervalMs)}`;
  const on = content.serverName ? ` on ${o.escape(content.serverName)}` : '';
  let jobLine: string;
  let jobNote = '';
  if (content.closedAt !== null) {
    jobLine = `Job ${o.escape(content.jobName)}${on}: every VM is within its RPO again (${o.date(content.closedAt)}).`;
  } else if (job.trouble === 'stuck' && job.stuckSince !== null) {
    jobLine = `Job ${o.escape(content.jobName)}${on}: a run started ${o.date(job.stuckSince)} is still in progress (${every}).`;
    jobNote = 'the run since then is stuck in progress';
  } else if (job.trouble === 'not-running') {
    jobLine = `Job ${o.escape(content.jobName)}${on}: ${job.lastRunAt === null ? 'no run in the last days' : `has not started a run since ${o.date(job.lastRunAt)}`} (${every}), and no run failed: it has stopped running.`;
    jobNote = 'no runs since';
  } else {
    jobLine = `Job ${o.escape(content.jobName)}${on}: ${job.runsSince === 0 ? 'no runs' : `${plural(job.runsSince, 'run')}, ${job.failedRunsSince} failed,`} since the oldest good copy; last run ${job.lastRunAt === null ? 'unknown' : o.date(job.lastRunAt)}.`;
    jobNote = job.runsSince === 0 ? 'no runs since' : '';
  }
  return {
    title: renderRpoTitle(content),
    jobLine,
    vmLines: content.vms.map((vm) => vmLine(vm, o, jobNote)),
  };
}
