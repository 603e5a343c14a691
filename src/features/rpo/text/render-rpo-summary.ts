/** The RPO watch in a few lines, pure: "212 of 215 VMs within RPO; outside: ...", and the jobs not running. */
import { formatDuration, formatZonedDateTime, plural } from '../../../core/format.js';
import { jobTrouble, type RpoVerdict, type VmVerdict } from '../domain/evaluate-rpo.js';

export interface SummaryOptions {
  timeZone: string;
  escape?: (text: string) => string;
  /** at most this many VMs named; default 10 */
  limit?: number;
}

/** "212 of 215 VMs within RPO" (gone VMs are not counted); "... within RPO for backups" for backups. */
export function renderRpoCount(verdict: RpoVerdict): string {
  const watched = verdict.vms.filter((vm) => vm.status !== 'gone');
  const within = watched.filter((vm) => vm.status === 'within').length;
  return `${within} of ${plural(watched.length, 'VM')} within RPO${verdict.kind === 'backup' ? ' for backups' : ''}`;
}

export function renderVmAge(vm: VmVerdict, o: SummaryOptions & { kind?: RpoVerdict['kind'] }): string {
  const esc = o.escape ?? ((t: string) => t);
  const backup = o.kind === 'backup';
  const copy =
    vm.lastGoodAt === null
      ? backup
        ? 'no restore point seen'
        : 'no good copy seen'
      : `${backup ? 'last restore point' : 'last good copy'} ${formatZonedDateTime(vm.lastGoodAt, o.timeZone)}`;
  return `${esc(vm.vmName)} (${esc(vm.jobName)}): ${formatDuration(vm.ageMs)} old, RPO ${formatDuration(vm.rpoMs)}; ${copy}`;
}

export function renderRpoSummaryText(verdict: RpoVerdict, o: SummaryOptions): string {
  const esc = o.escape ?? ((t: string) => t);
  const limit = o.limit ?? 10;
  const outside = verdict.vms.filter((vm) => vm.status === 'outside');
  const lines = [`${renderRpoCount(verdict)}${outside.length === 0 ? '.' : '; outside:'}`];
  const ko = { ...o, ...(verdict.kind === undefined ? {} : { kind: verdict.kind }) };
  for (const vm of outside.slice(0, limit)) lines.push(`• ${renderVmAge(vm, ko)}`);
  if (outside.length > limit) lines.push(`…and ${outside.length - limit} more`);
  for (const job of verdict.jobs) {
    const trouble = jobTrouble(job);
    if (trouble === 'stuck' && job.stuckSince)
      lines.push(
        `• Job ${esc(job.jobName)}: a run started ${formatZonedDateTime(job.stuckSince, o.timeZone)} is still in progress`,
      );
    if (trouble === 'not-running')
      lines.push(
        `• Job ${esc(job.jobName)}: no run since ${job.lastRunAt ? formatZonedDateTime(job.lastRunAt, o.timeZone) : 'the lookback window began'} (usually every ${formatDuration(job.usualIntervalMs)})`,
      );
  }
  return lines.join('\n');
}

/**
 * The digest's RPO section: "212 of 215 VMs within RPO; outside: ...", the jobs not running, and the VMs that left
 * protection since the last digest ("no longer replicated" / "no longer backed up", said once).
 */
export function renderRpoDigestSection(
  verdict: RpoVerdict,
  noLongerReplicated: ReadonlyArray<{ vmName: string; jobName: string }>,
  esc: (text: string) => string,
): string {
  const outside = verdict.vms.filter((vm) => vm.status === 'outside');
  const named = outside
    .slice(0, 8)
    .map((vm) => `${esc(vm.vmName)} (${formatDuration(vm.ageMs)})`)
    .join(', ');
  const lines = [
    // the heading names the kind: the count does not say it again
    `*${verdict.kind === 'backup' ? 'Backup RPO' : 'RPO'}:* ${renderRpoCount({ ...verdict, kind: 'replication' })}${outside.length === 0 ? '.' : `; outside: ${named}${outside.length > 8 ? `, and ${outside.length - 8} more` : ''}`}`,
  ];
  const stopped = verdict.jobs.filter((job) => jobTrouble(job) !== null).map((job) => esc(job.jobName));
  if (stopped.length > 0)
    lines.push(
      `Not running on schedule: ${stopped.slice(0, 8).join(', ')}${stopped.length > 8 ? ', …' : ''}`,
    );
  if (noLongerReplicated.length > 0) {
    const gone = noLongerReplicated
      .slice(0, 10)
      .map((vm) => `${esc(vm.vmName)} (${esc(vm.jobName)})`)
      .join(', ');
    lines.push(
      `${verdict.kind === 'backup' ? 'No longer backed up' : 'No longer replicated'}: ${gone}${noLongerReplicated.length > 10 ? `, and ${noLongerReplicated.length - 10} more` : ''}`,
    );
  }
  return lines.join('\n');
}
