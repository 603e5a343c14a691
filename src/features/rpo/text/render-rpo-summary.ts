/** The RPO watch in a few lines, pure: "212 of 215 VMs within RPO; outside: ...", and the jobs not running. */
import { formatDuration, formatZonedDateTime, plural } from '../../../core/format.js';
import {
  countRpo,
  jobTrouble,
  type RpoCount,
  type RpoVerdict,
  type VmVerdict,
} from '../domain/evaluate-rpo.js';

export interface SummaryOptions {
  timeZone: string;
  escape?: (text: string) => string;
  /** at most this many VMs named; default 10 */
  limit?: number;
}

/** The word of one copy of a VM in one job: a replica, or a backup (Veeam's word for a job's restore points). */
const copyWord = (kind: RpoVerdict['kind']) => (kind === 'backup' ? 'backup' : 'replica');

/**
 * "212 of 215 VMs within RPO" (gone VMs are not counted), "... within RPO for backups" for backups unless the
 * caller's heading names the kind; VMs are machines, counted once: when some VM is in more than one job, the
 * per-job copies follow, "21 of 27 VMs within RPO for backups (24 of 31 backups)".
 */
export function renderRpoCountOf(
  count: RpoCount,
  kind: RpoVerdict['kind'],
  o: { sayKind?: boolean; inParentheses?: boolean } = {},
): string {
  const copyCount = `${count.copies - count.copiesOutside} of ${plural(count.copies, copyWord(kind))}`;
  const copies = count.copies === count.vms ? '' : o.inParentheses ? `; ${copyCount}` : ` (${copyCount})`;
  const forKind = kind === 'backup' && o.sayKind !== false ? ' for backups' : '';
  return `${count.vms - count.vmsOutside} of ${plural(count.vms, 'VM')} within RPO${forKind}${copies}`;
}

export function renderRpoCount(
  verdict: RpoVerdict,
  o: { sayKind?: boolean; inParentheses?: boolean } = {},
): string {
  return renderRpoCountOf(countRpo(verdict), verdict.kind, o);
}

/**
 * The headline of the VMs outside: "6 VMs outside RPO for backups", or "7 backups of 6 VMs outside RPO" when some
 * VM is outside in more than one job (the list below names each VM and job).
 */
export function renderRpoOutsideCount(count: RpoCount, kind: RpoVerdict['kind']): string {
  if (count.copiesOutside === count.vmsOutside)
    return `${plural(count.vmsOutside, 'VM')} outside RPO${kind === 'backup' ? ' for backups' : ''}`;
  return `${plural(count.copiesOutside, copyWord(kind))} of ${plural(count.vmsOutside, 'VM')} outside RPO`;
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
    `*${verdict.kind === 'backup' ? 'Backup RPO' : 'RPO'}:* ${renderRpoCount(verdict, { sayKind: false })}${outside.length === 0 ? '.' : `; outside: ${named}${outside.length > 8 ? `, and ${outside.length - 8} more` : ''}`}`,
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
