/**
 * The RPO questions answered from the same verdict as the alerts (rpo-service `current(kind)`): a VM's protection
 * and age, the VMs outside their RPO, the oldest replicas (or backups: the verdict's kind words the answer).
 * Names match without case; a VM the watch does not know gets look-alikes.
 */

import type { NoticeReply } from '../../answers/domain/reply.js';
import { formatDuration, formatZonedDateTime, plural } from '../../core/format.js';
import { textDistance } from '../../core/text-distance.js';
import type { RpoQuestion } from '../../question/rpo-words.js';
import { countRpo, jobTrouble, type RpoVerdict, type VmVerdict } from './domain/evaluate-rpo.js';
import { renderRpoCount, renderRpoOutsideCount, renderVmAge } from './text/render-rpo-summary.js';

function lookAlikes(verdict: RpoVerdict, name: string): string[] {
  const lower = name.toLowerCase();
  return [...new Set(verdict.vms.map((vm) => vm.vmName))]
    .map((vmName) => ({ vmName, d: textDistance(lower, vmName.toLowerCase(), 3) }))
    .filter((c) => c.d <= Math.min(3, Math.max(1, Math.floor(lower.length / 3))))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((c) => c.vmName);
}

/** The words of an answer about replicas or about backups. */
function toAnswerWords(verdict: RpoVerdict) {
  return verdict.kind === 'backup'
    ? {
        one: 'backup',
        many: 'backups',
        job: 'Backup job',
        noLonger: 'no longer backed up',
        none: (vm: string) => `EM has no backup of ${vm}`,
        noneLine: 'No backup job backs up a VM by that name (EM lists no restore point for it).',
        noCopy: (vm: string) => `${vm} has no restore point yet`,
        within: (vm: string) => `Yes: ${vm} is backed up within its RPO`,
        outside: (vm: string) => `No: the backup of ${vm} is outside its RPO`,
        everyWithin: 'Every backed-up VM is within its RPO',
      }
    : {
        one: 'replica',
        many: 'replicas',
        job: 'Job',
        noLonger: 'no longer replicated',
        none: (vm: string) => `EM has no replica of ${vm}`,
        noneLine: 'No replication job replicates a VM by that name (EM lists no replica point for it).',
        noCopy: (vm: string) => `${vm} has no good copy yet`,
        within: (vm: string) => `Yes: the replica of ${vm} is within its RPO`,
        outside: (vm: string) => `No: the replica of ${vm} is outside its RPO`,
        everyWithin: 'Every VM is within its RPO',
      };
}

function vmLines(vm: VmVerdict, verdict: RpoVerdict, timeZone: string): string[] {
  const o = { timeZone, ...(verdict.kind === undefined ? {} : { kind: verdict.kind }) };
  const w = toAnswerWords(verdict);
  const lines = [renderVmAge(vm, o)];
  if (vm.failedRuns > 0)
    lines.push(
      `Since then: ${plural(vm.failedRuns, 'failed run')}${vm.lastReason ? ` (last: ${vm.lastReason.slice(0, 300)})` : ''}.`,
    );
  const job = verdict.jobs.find((j) => j.jobName.toLowerCase() === vm.jobName.toLowerCase());
  const trouble = job ? jobTrouble(job) : null;
  if (job && trouble === 'not-running')
    lines.push(
      `${w.job} ${job.jobName} has not started a run since ${job.lastRunAt ? formatZonedDateTime(job.lastRunAt, timeZone) : 'the lookback window began'} (usually every ${formatDuration(job.usualIntervalMs)}).`,
    );
  if (job?.stuckSince && trouble === 'stuck')
    lines.push(
      `${w.job} ${job.jobName} has a run in progress since ${formatZonedDateTime(job.stuckSince, timeZone)}.`,
    );
  if (vm.status === 'gone' && vm.goneSince)
    lines.push(
      `EM no longer lists it (since ${formatZonedDateTime(vm.goneSince, timeZone)}): ${w.noLonger}.`,
    );
  return lines;
}

export function answerRpoQuestion(question: RpoQuestion, verdict: RpoVerdict, timeZone: string): NoticeReply {
  const w = toAnswerWords(verdict);
  const ageOptions = { timeZone, ...(verdict.kind === undefined ? {} : { kind: verdict.kind }) };
  if (question.kind === 'outside') {
    const outside = verdict.vms.filter((vm) => vm.status === 'outside');
    const lines = outside.slice(0, 25).map((vm) => `• ${renderVmAge(vm, ageOptions)}`);
    if (outside.length > 25) lines.push(`…and ${outside.length - 25} more`);
    for (const job of verdict.jobs) {
      if (jobTrouble(job) === 'not-running')
        lines.push(
          `• ${w.job} ${job.jobName}: no run since ${job.lastRunAt ? formatZonedDateTime(job.lastRunAt, timeZone) : 'the lookback window began'}`,
        );
      if (jobTrouble(job) === 'stuck' && job.stuckSince)
        lines.push(
          `• ${w.job} ${job.jobName}: a run in progress since ${formatZonedDateTime(job.stuckSince, timeZone)}`,
        );
    }
    return {
      kind: 'notice',
      title:
        outside.length === 0
          ? `${w.everyWithin} (${renderRpoCount(verdict, { inParentheses: true })})`
          : `${renderRpoOutsideCount(countRpo(verdict), verdict.kind)} (${renderRpoCount(verdict, { inParentheses: true })})`,
      lines,
    };
  }
  if (question.kind === 'oldest') {
    const oldest = verdict.vms.filter((vm) => vm.status !== 'gone').slice(0, question.limit);
    return {
      kind: 'notice',
      title: `The ${plural(oldest.length, `oldest ${w.one}`)}`,
      lines: oldest.map(
        (vm, i) =>
          `${i + 1}. ${renderVmAge(vm, ageOptions)}${vm.status === 'outside' ? ' (outside RPO)' : ''}`,
      ),
    };
  }
  const matches = verdict.vms.filter((vm) => vm.vmName.toLowerCase() === question.vm.toLowerCase());
  if (matches.length === 0) {
    const like = lookAlikes(verdict, question.vm);
    return {
      kind: 'notice',
      title: w.none(question.vm),
      lines: [like.length > 0 ? `Did you mean ${like.join(', ')}?` : w.noneLine],
    };
  }
  const lines = matches.flatMap((vm) => vmLines(vm, verdict, timeZone));
  if (question.kind === 'age') {
    const vm = matches[0];
    return {
      kind: 'notice',
      title:
        vm?.lastGoodAt == null
          ? w.noCopy(question.vm)
          : `The ${w.one} of ${vm.vmName} is ${formatDuration(vm.ageMs)} old`,
      lines,
    };
  }
  const allWithin = matches.every((vm) => vm.status === 'within');
  const gone = matches.every((vm) => vm.status === 'gone');
  return {
    kind: 'notice',
    title: gone
      ? `${question.vm} is ${w.noLonger}`
      : allWithin
        ? w.within(matches[0]?.vmName ?? question.vm)
        : w.outside(matches[0]?.vmName ?? question.vm),
    lines,
  };
}
