/**
 * An RPO alert in words, pure: the title, the job's line and one line per VM, with the dates and escaping
 * the surface gives (Slack dates and mrkdwn escaping in Slack, zoned text in the terminal and text fallbacks).
 */
import type { SessionKind } from '../../../core/backup-sessions.js';
import { formatDuration, plural } from '../../../core/format.js';
import type { RpoAlertContent, RpoAlertVm } from '../domain/plan-rpo-alerts.js';

/** The words that differ between an RPO alert about replicas and one about backups. */
export function toRpoWords(kind: SessionKind | undefined) {
  return kind === 'backup'
    ? {
        job: 'Backup job',
        copy: 'last restore point',
        noCopy: 'no restore point seen yet',
        noLonger: 'no longer backed up',
        outside: 'Backups outside RPO',
        stuck: 'Backup stuck in progress',
        notRunning: 'Backup job not running',
        again: 'Backed up again',
      }
    : {
        job: 'Job',
        copy: 'last good copy',
        noCopy: 'no good copy seen yet',
        noLonger: 'no longer replicated',
        outside: 'Outside RPO',
        stuck: 'Stuck in progress',
        notRunning: 'Not running',
        again: 'Protected again',
      };
}

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
  const w = toRpoWords(content.kind);
  if (content.closedAt !== null) return `✅ ${w.again}: ${content.jobName}`;
  if (outside > 0) return `⏰ ${w.outside}: ${content.jobName}`;
  if (content.job.trouble === 'stuck') return `⏳ ${w.stuck}: ${content.jobName}`;
  return `⏸️ ${w.notRunning}: ${content.jobName}`;
}

function vmLine(
  vm: RpoAlertVm,
  o: Required<RpoTextOptions>,
  jobNote: string,
  w: ReturnType<typeof toRpoWords>,
): string {
  const name = o.escape(vm.vmName);
  if (vm.backAt !== null) {
    return `• ${o.strike(name)} back within RPO at ${o.date(vm.backAt)}${vm.gapMs === null ? '' : ` after ${formatDuration(vm.gapMs)}`}`;
  }
  if (vm.quiet === 'gone') return `• ${name}: ${w.noLonger} (EM no longer lists it); not alerted any more`;
  if (vm.quiet === 'muted') return `• ${name}: muted in this channel`;
  const copy =
    vm.lastGoodAt === null
      ? w.noCopy
      : `${w.copy} ${o.date(vm.lastGoodAt)} (${formatDuration(vm.ageMs)} old, RPO ${formatDuration(vm.rpoMs)})`;
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
  const w = toRpoWords(content.kind);
  const every = `${job.intervalLearned ? 'usually runs every' : 'expected every'} ${formatDuration(job.usualIntervalMs)}`;
  const on = content.serverName ? ` on ${o.escape(content.serverName)}` : '';
  let jobLine: string;
  let jobNote = '';
  if (content.closedAt !== null) {
    jobLine = `${w.job} ${o.escape(content.jobName)}${on}: every VM is within its RPO again (${o.date(content.closedAt)}).`;
  } else if (job.trouble === 'stuck' && job.stuckSince !== null) {
    jobLine = `${w.job} ${o.escape(content.jobName)}${on}: a run started ${o.date(job.stuckSince)} is still in progress (${every}).`;
    jobNote = 'the run since then is stuck in progress';
  } else if (job.trouble === 'not-running') {
    jobLine = `${w.job} ${o.escape(content.jobName)}${on}: ${job.lastRunAt === null ? 'no run in the last days' : `has not started a run since ${o.date(job.lastRunAt)}`} (${every}), and no run failed: it has stopped running.`;
    jobNote = 'no runs since';
  } else {
    jobLine = `${w.job} ${o.escape(content.jobName)}${on}: ${job.runsSince === 0 ? 'no runs' : `${plural(job.runsSince, 'run')}, ${job.failedRunsSince} failed,`} since the oldest ${content.kind === 'backup' ? 'restore point' : 'good copy'}; last run ${job.lastRunAt === null ? 'unknown' : o.date(job.lastRunAt)}.`;
    jobNote = job.runsSince === 0 ? 'no runs since' : '';
  }
  return {
    title: renderRpoTitle(content),
    jobLine,
    vmLines: content.vms.map((vm) => vmLine(vm, o, jobNote, w)),
  };
}
