/**
 * A digest as a Slack message: Block Kit within every limit by construction, and a short `text` fallback that
 * says the gist (it is what notifications and screen readers show). Every name and reason from EM is escaped.
 */
import type { types } from '@slack/bolt';
import { toUnknownFilterText } from '../../../answers/domain/check-names.js';
import { formatBytes, formatDuration } from '../../../core/format.js';
import { BLOCK_LIMITS, TOTAL_TEXT_BUDGET } from '../../../slack/limits.js';
import { escapeMrkdwn, toPlainText, truncateText } from '../../../slack/mrkdwn.js';
import type { CollectedDigest } from '../collect-digest.js';
import {
  formatRate,
  formatSigned,
  formatWhen,
  toDigestHeadline,
  toDigestTitle,
  toDigestWords,
  toFilterLabel,
  toPeriodLabel,
} from '../domain/format-digest.js';
import type { Digest } from '../domain/summarize-digest.js';

export interface DigestMessage {
  text: string;
  blocks: types.KnownBlock[];
}

export interface RenderDigestBlocksOptions {
  /** the scheduled time passed while replibot was down */
  late?: boolean;
  /** a chart will follow in the thread */
  chartInThread?: boolean;
  /** sections other features add (the RPO watch), mrkdwn, shown before the footer */
  extraSections?: readonly string[];
}

/** Blocks kept free for the footer, so the list sections can never push the message past 50. */
const RESERVED_BLOCKS = 3;
const MAX_REASON = 160;
const MAX_LINES_PER_SECTION = 12;
/** an unknown name is shown this long at most, so two warnings always fit one section */
const MAX_UNKNOWN_NAME = 200;

/** ":warning: Enterprise Manager has no backup server named srv02; did you mean …", escaped, one line each. */
function unknownNameLines(digest: Digest | CollectedDigest): string[] {
  const unknown = ('unknownNames' in digest ? digest.unknownNames : undefined) ?? [];
  return unknown.map(
    (u) =>
      `:warning: ${toUnknownFilterText(u, (value) => escapeMrkdwn(truncateText(value.replace(/\s+/g, ' '), MAX_UNKNOWN_NAME)))}`,
  );
}

export function renderDigestBlocks(
  digest: Digest | CollectedDigest,
  options: RenderDigestBlocksOptions = {},
): DigestMessage {
  const { window, filters } = digest;
  const zone = window.timeZone;
  const w = toDigestWords(filters.kind);
  const when = (date: Date): string => formatWhen(date, zone);
  const name = (value: string): string => escapeMrkdwn(value.replace(/\s+/g, ' ').trim());
  const blocks: types.KnownBlock[] = [];
  let budget = TOTAL_TEXT_BUDGET;
  let omitted = 0;

  const title = toDigestTitle(window, filters.kind) + (options.late ? ' (late)' : '');
  blocks.push({
    type: 'header',
    text: { type: 'plain_text', text: toPlainText(title, BLOCK_LIMITS.headerText) },
  });
  const contextParts = [escapeMrkdwn(toPeriodLabel(window))];
  const filterLabel = toFilterLabel(filters);
  if (filterLabel !== '') contextParts.push(`Filters: ${escapeMrkdwn(filterLabel)}`);
  if (options.late)
    contextParts.push(':hourglass: sent late: replibot was not running at the scheduled time');
  const context = contextParts.join(' · ');
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context }] });
  budget -= title.length + context.length;
  const warnings = unknownNameLines(digest);
  if (warnings.length > 0) {
    const text = truncateText(warnings.join('\n'), BLOCK_LIMITS.sectionText);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
    budget -= text.length;
  }

  const t = digest.current.totals;
  const prevLabel = `the ${window.period} before`;
  const rateChange =
    digest.change.successRatePoints === null
      ? ''
      : ` (${formatSigned(digest.change.successRatePoints, ' pts')})`;
  const fields = [
    `*${w('VM replications')}*\n${t.runs} (${formatSigned(digest.change.runs)} vs ${prevLabel})`,
    `*OK rate* (success or warning)\n${formatRate(digest.current.successRate)}${rateChange}`,
    `*Failed*\n${t.failed} (${formatSigned(digest.change.failed)})`,
    `*Warnings*\n${t.warning}`,
    `*VMs*\n${digest.vmCount} in ${digest.jobCount} ${digest.jobCount === 1 ? 'job' : 'jobs'}`,
  ];
  if (t.running > 0) fields.push(`*Still running*\n${t.running}`);
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: escapeMrkdwn(toDigestHeadline(digest)) },
    fields: fields.map((text) => ({ type: 'mrkdwn', text })),
  });
  budget -= fields.join('').length + 200;

  /** Adds one section of whole lines, as many as the limits allow, and counts what did not fit. */
  const addSection = (heading: string, lines: string[]): void => {
    if (lines.length === 0) return;
    if (blocks.length >= BLOCK_LIMITS.messageBlocks - RESERVED_BLOCKS || budget < 200) {
      omitted += lines.length;
      return;
    }
    const max = Math.min(BLOCK_LIMITS.sectionText, budget);
    let text = heading;
    let shown = 0;
    for (const line of lines.slice(0, MAX_LINES_PER_SECTION)) {
      const more = lines.length - shown - 1;
      const tail = more > 0 ? `\n_…and ${more} more_` : '';
      if (text.length + 1 + line.length + tail.length > max) break;
      text += `\n${line}`;
      shown++;
    }
    if (shown < lines.length) {
      text += `\n_…and ${lines.length - shown} more_`;
      omitted += lines.length - shown;
    }
    budget -= text.length;
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncateText(text, BLOCK_LIMITS.sectionText) },
    });
  };
  const reason = (value: string): string => {
    const flat = value.replace(/\s+/g, ' ').trim();
    return flat === '' ? '' : ` — ${escapeMrkdwn(truncateText(flat, MAX_REASON))}`;
  };

  if (digest.failedByJob.length > 0) blocks.push({ type: 'divider' });
  for (const job of digest.failedByJob) {
    const failing = job.vms.filter((vm) => !vm.recovered).length;
    const heading = `:x: *Failed in ${name(job.jobName)}* (${job.vms.length} ${job.vms.length === 1 ? 'VM' : 'VMs'}${failing < job.vms.length ? `, ${job.vms.length - failing} fixed by a later run` : ''})`;
    addSection(
      heading,
      job.vms.map((vm) => {
        const times = vm.failures > 1 ? ` ${vm.failures}×` : '';
        const fixed = vm.recovered ? ` · ${w('replicated fine later')} :white_check_mark:` : '';
        return `• *${name(vm.vmName)}* failed${times}, last ${when(vm.lastFailedAt)}${fixed}${reason(vm.lastReason)}`;
      }),
    );
  }
  addSection(
    `:rotating_light: *${w('Failing replication after replication')}*`,
    digest.streaks.map(
      (s) =>
        `• *${name(s.vmName)}* (${name(s.jobName)}): ${s.atLeast ? 'at least ' : ''}${s.failedRuns} ${w('failed replications')} in a row since ${when(s.since)}${reason(s.lastReason)}`,
    ),
  );
  addSection(
    w(`:mag: *Stopped replicating* (replicated the ${window.period} before, not this ${window.period})`),
    digest.stopped.map(
      (s) =>
        `• *${name(s.vmName)}* (${name(s.jobName)}): ${w('last replicated')} ${when(s.lastRunAt)}, ${s.lastResult.toLowerCase()}`,
    ),
  );
  if (!filters.failedOnly) {
    addSection(
      ':warning: *Warnings*',
      digest.warnings.map(
        (w) =>
          `• *${name(w.vmName)}* (${name(w.jobName)})${w.count > 1 ? ` ${w.count}×` : ''}${reason(w.lastReason)}`,
      ),
    );
    const longest = digest.longest.map(
      (r) => `${formatDuration(r.durationMs)} · ${name(r.vmName)} (${name(r.jobName)})`,
    );
    const largest = digest.largest.map(
      (r) => `${formatBytes(r.totalSize)} · ${name(r.vmName)} (${name(r.jobName)})`,
    );
    if (
      (longest.length > 0 || largest.length > 0) &&
      blocks.length < BLOCK_LIMITS.messageBlocks - RESERVED_BLOCKS
    ) {
      const field = (heading: string, lines: string[]) => ({
        type: 'mrkdwn' as const,
        text: truncateText(
          [heading, ...(lines.length > 0 ? lines : ['—'])].join('\n'),
          BLOCK_LIMITS.fieldText,
        ),
      });
      blocks.push({
        type: 'section',
        fields: [
          field(`*${w('Longest VM replications')}*`, longest),
          field(`*${w('Largest VM replications')}*`, largest),
        ],
      });
    }
  }

  for (const section of options.extraSections ?? []) {
    if (blocks.length >= BLOCK_LIMITS.messageBlocks - 1) break;
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncateText(section, BLOCK_LIMITS.sectionText) },
    });
  }
  const footer: string[] = [];
  if (omitted > 0) footer.push(`${omitted} more ${omitted === 1 ? 'line' : 'lines'} left out to fit Slack`);
  if (options.chartInThread) footer.push(':bar_chart: results per day in the thread');
  if (footer.length > 0)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: footer.join(' · ') }] });

  return { text: renderDigestFallback(digest, options), blocks };
}

/** The `text` fallback: title, gist and the failing VMs by name, short enough for a notification. */
function renderDigestFallback(
  digest: Digest | CollectedDigest,
  options: RenderDigestBlocksOptions = {},
): string {
  const unknown = ('unknownNames' in digest ? digest.unknownNames : undefined) ?? [];
  const warning = unknown.map((u) => ` ${toUnknownFilterText(u, (value) => value)}`).join('');
  const head = `${toDigestTitle(digest.window, digest.filters.kind)}${options.late ? ' (late)' : ''}: ${toDigestHeadline(digest)}${warning}`;
  const failing = digest.failedByJob.flatMap((job) =>
    job.vms.filter((vm) => !vm.recovered).map((vm) => `${vm.vmName} (${job.jobName})`),
  );
  const text = failing.length === 0 ? head : `${head} Still failing: ${failing.join(', ')}.`;
  return truncateText(escapeMrkdwn(text.replace(/\s+/g, ' ')), 1000);
}
