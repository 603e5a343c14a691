/** A digest as plain text, for the terminal (`replibot digest`, the shell's `digest` command) and logs. */

import { toUnknownFilterText } from '../../../answers/domain/check-names.js';
import { formatBytes, formatDuration } from '../../../core/format.js';
import type { CollectedDigest } from '../collect-digest.js';
import {
  formatWhen,
  toDigestSummaryLine,
  toDigestTitle,
  toDigestWords,
  toFilterLabel,
  toPeriodLabel,
} from '../domain/format-digest.js';
import type { Digest } from '../domain/summarize-digest.js';

export interface RenderDigestTextOptions {
  /** the scheduled time passed while replibot was down */
  late?: boolean;
}

export function renderDigestText(
  digest: Digest | CollectedDigest,
  options: RenderDigestTextOptions = {},
): string {
  const { window, filters } = digest;
  const zone = window.timeZone;
  const w = toDigestWords(filters.kind);
  const when = (date: Date): string => formatWhen(date, zone);
  const out: string[] = [];
  out.push(toDigestTitle(window, filters.kind) + (options.late ? ' (late)' : ''));
  out.push(toPeriodLabel(window));
  const filterLabel = toFilterLabel(filters);
  if (filterLabel !== '') out.push(`Filters: ${filterLabel}`);
  out.push('');
  for (const unknown of ('unknownNames' in digest ? digest.unknownNames : undefined) ?? [])
    out.push(`Warning: ${toUnknownFilterText(unknown, toLine)}`);
  // one summary line: the headline's gist with every total and its change (toDigestSummaryLine)
  out.push(toDigestSummaryLine(digest));

  if (digest.failedByJob.length > 0) {
    out.push('', 'Failed');
    for (const job of digest.failedByJob) {
      out.push(`  ${job.jobName}`);
      for (const vm of job.vms) {
        const times = vm.failures > 1 ? ` ${vm.failures}×` : '';
        const state = vm.recovered ? `, ${w('replicated fine later')}` : '';
        out.push(
          `    ✗ ${vm.vmName}: failed${times}, last ${when(vm.lastFailedAt)}${state}${reasonOf(vm.lastReason)}`,
        );
      }
    }
  }
  if (digest.streaks.length > 0) {
    out.push('', w('Failing replication after replication'));
    for (const s of digest.streaks) {
      out.push(
        `  ${s.vmName} (${s.jobName}): ${s.atLeast ? 'at least ' : ''}${s.failedRuns} ${w('failed replications')} in a row since ${when(s.since)}${reasonOf(s.lastReason)}`,
      );
    }
  }
  if (digest.stopped.length > 0) {
    out.push(
      '',
      w(`Stopped replicating (replicated the ${window.period} before, not this ${window.period})`),
    );
    for (const s of digest.stopped) {
      out.push(
        `  ${s.vmName} (${s.jobName}): ${w('last replicated')} ${when(s.lastRunAt)}, ${s.lastResult.toLowerCase()}`,
      );
    }
  }
  if (!filters.failedOnly) {
    if (digest.warnings.length > 0) {
      out.push('', 'Warnings');
      for (const w of digest.warnings) {
        const times = w.count > 1 ? ` ${w.count}×` : '';
        out.push(`  ! ${w.vmName} (${w.jobName})${times}${reasonOf(w.lastReason)}`);
      }
    }
    if (digest.longest.length > 0) {
      out.push('', w('Longest VM replications'));
      for (const r of digest.longest)
        out.push(`  ${formatDuration(r.durationMs)}  ${r.vmName} (${r.jobName}), ${when(r.startedAt)}`);
    }
    if (digest.largest.length > 0) {
      out.push('', w('Largest VM replications'));
      for (const r of digest.largest)
        out.push(`  ${formatBytes(r.totalSize)}  ${r.vmName} (${r.jobName}), ${when(r.startedAt)}`);
    }
    out.push('', 'Per day (success / warning / failed)');
    for (const d of digest.perDay) out.push(`  ${d.date}  ${d.success} / ${d.warning} / ${d.failed}`);
  }
  return `${out.join('\n')}\n`;
}

/** A name on one line, without control characters that could move a terminal's cursor. */
function toLine(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}

function reasonOf(reason: string): string {
  const flat = reason.replace(/\s+/g, ' ').trim();
  return flat === '' ? '' : `: ${flat}`;
}
