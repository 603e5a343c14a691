/**
 * The reply model as readable terminal text, coloured with picocolors on a TTY and plain otherwise. Control
 * characters from EM are replaced, so a VM name cannot move the cursor or recolour the terminal.
 */
import { createColors } from 'picocolors';
import {
  capitalize,
  defaultWindowNote,
  formatBytes,
  formatDateTime,
  formatDuration,
  nextPageRange,
  plural,
  sessionDuration,
  toSentence,
} from '../../core/format.js';
import { toUnknownNameText } from '../domain/check-names.js';
import { describeEmptyList, describeEmptyRows } from '../domain/describe-empty.js';
import { renderError } from '../domain/render-error.js';
import {
  type JobRunReply,
  type Reply,
  type ResultCounts,
  type SessionListReply,
  type SessionRow,
  toUnreadableNote,
} from '../domain/reply.js';
import { toRowJobName, toRunningText } from '../domain/session-row.js';
import { compareLine, rowsHeading, toTableLines } from '../slack/render-rows.js';

export interface TextRenderOptions {
  color: boolean;
  timeZone: string;
  /** how a user asks for the next page ("Type more for the next 25."); none in one-shot mode */
  moreHint?: (next: number) => string;
}

type Colors = ReturnType<typeof createColors>;

/** Strips ESC, BEL and every other C0/C1 control character (newlines included: one value, one line). */
export function toTerminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}

const SYMBOL = { Success: '✔', Warning: '▲', Failed: '✖', None: '?', Unknown: '?', Running: '…' } as const;

function paint(c: Colors, row: Pick<SessionRow, 'result' | 'running'>, text: string): string {
  if (row.running) return c.cyan(text);
  if (row.result === 'Failed') return c.red(text);
  if (row.result === 'Warning') return c.yellow(text);
  if (row.result === 'Success') return c.green(text);
  return c.dim(text);
}

function resultLabel(row: SessionRow): string {
  if (row.running) return `${SYMBOL.Running} Running`;
  if (row.result === 'Unknown') return `${SYMBOL.Unknown} Ended with result ${row.resultWord ?? 'Unknown'}`;
  return row.result === 'None' ? `${SYMBOL.None} No result` : `${SYMBOL[row.result]} ${row.result}`;
}

function renderCountsText(c: Colors, counts: ResultCounts, total: number, noun = 'session'): string {
  const parts = [c.bold(plural(total, noun))];
  if (counts.Failed) parts.push(c.red(`${SYMBOL.Failed} ${counts.Failed} failed`));
  if (counts.Warning) parts.push(c.yellow(`${SYMBOL.Warning} ${plural(counts.Warning, 'warning')}`));
  if (counts.Success) parts.push(c.green(`${SYMBOL.Success} ${counts.Success} success`));
  if (counts.None) parts.push(c.cyan(`${SYMBOL.Running} ${counts.None} running`));
  if (counts.Unknown) parts.push(c.dim(`${SYMBOL.Unknown} ${counts.Unknown} other result`));
  return parts.join('  ');
}

function renderRow(c: Colors, row: SessionRow, index: number | null, timeZone: string, now: Date): string[] {
  const name = toTerminalSafe(
    row.kind === 'task' ? (row.vmDisplayName ?? '?') : `${toRowJobName(row) ?? '?'} (job run)`,
  );
  const number = index === null ? '' : c.dim(`${String(index).padStart(3)}. `);
  const took = toRunningText(row, now) ?? formatDuration(sessionDuration(row, now));
  const size = row.totalSize !== null && row.totalSize > 0 ? `  ${formatBytes(row.totalSize)}` : '';
  const lines = [
    `${number}${paint(c, row, resultLabel(row).padEnd(10))} ${c.bold(name)}  ${formatDateTime(row.creationTime, timeZone)}  ${took}${size}`,
  ];
  const where: string[] = [];
  if (row.kind === 'task' && row.jobName)
    where.push(`job ${toTerminalSafe(toRowJobName(row) ?? row.jobName)}`);
  if (row.backupServerName) where.push(`on ${toTerminalSafe(row.backupServerName)}`);
  const indent = index === null ? '    ' : '         ';
  if (where.length > 0) lines.push(c.dim(`${indent}${where.join(' ')}`));
  const reason = toTerminalSafe(row.reason).trim();
  if (reason !== '' && (row.result === 'Failed' || row.result === 'Warning'))
    lines.push(`${indent}${paint(c, row, reason.length > 400 ? `${reason.slice(0, 399)}…` : reason)}`);
  return lines;
}

function renderAnswerText(reply: SessionListReply, c: Colors, options: TextRenderOptions): string {
  const { intent } = reply;
  const tz = options.timeZone;
  const lines = [c.bold(toTerminalSafe(capitalize(intent.phrase)))];
  // a yes/no question: the answer first
  if (reply.verdict) lines.unshift(c.bold(toTerminalSafe(reply.verdict.line)));
  const about = [toTerminalSafe(capitalize(intent.explanation))];
  if (intent.window) {
    about.push(
      `${formatDateTime(intent.window.from, tz)} to ${intent.window.to ? formatDateTime(intent.window.to, tz) : 'now'}`,
    );
  }
  lines.push(c.dim(about.join(' · ')));
  const defaultNote = defaultWindowNote(intent);
  if (defaultNote) lines.push(c.dim(defaultNote));
  if (intent.beyondRetention)
    lines.push(c.dim('Enterprise Manager keeps about 30 days of sessions; older runs are not there.'));
  if ((reply.unreadableRows ?? 0) > 0) lines.push(c.yellow(toUnreadableNote(reply.unreadableRows ?? 0)));
  if (reply.truncated) lines.push(c.yellow(`Only the first ${reply.total} sessions were counted.`));
  if (reply.note) lines.push(c.dim(toTerminalSafe(reply.note)));
  if (reply.total === 0) {
    const unknown = reply.unknownNames ?? [];
    lines.push('');
    for (const u of unknown) lines.push(c.yellow(toUnknownNameText(u, toTerminalSafe, reply.question)));
    if (unknown.length === 0 || (reply.knownNames ?? []).length > 0)
      lines.push(toTerminalSafe(describeEmptyList(reply)));
    return lines.join('\n');
  }
  lines.push(renderCountsText(c, reply.counts, reply.total), '');
  reply.sessions.forEach((row, i) => {
    lines.push(...renderRow(c, row, reply.offset + i + 1, tz, reply.now));
  });
  const last = reply.offset + reply.sessions.length;
  if (last < reply.total || reply.offset > 0) {
    const more = last < reply.total && options.moreHint ? ` ${options.moreHint(last)}` : '';
    lines.push('', c.dim(`Showing ${nextPageRange(reply.offset + 1, last)} of ${reply.total}.${more}`));
  }
  return lines.join('\n');
}

function renderJobRunText(reply: JobRunReply, c: Colors, options: TextRenderOptions): string {
  const { job } = reply;
  const tz = options.timeZone;
  const lines = [
    c.bold(
      `Job run: ${toTerminalSafe(toRowJobName({ jobName: job.jobName, jobType: job.jobType }) ?? 'replication job')}`,
    ),
  ];
  const facts = [
    paint(c, job, resultLabel(job) + (job.isRetry ? ' (retry)' : '')),
    `started ${formatDateTime(job.creationTime, tz)}`,
    job.endTime ? `took ${formatDuration(sessionDuration(job, reply.now))}` : `${job.progress}% done`,
  ];
  if (job.backupServerName) facts.push(`on ${toTerminalSafe(job.backupServerName)}`);
  lines.push(facts.join(' · '));
  if (job.failureMessage) lines.push(c.red(toTerminalSafe(job.failureMessage)));
  lines.push(renderCountsText(c, reply.counts, reply.total, 'VM'), '');
  reply.tasks.forEach((row) => {
    lines.push(...renderRow(c, row, null, tz, reply.now));
  });
  const last = reply.offset + reply.tasks.length;
  if (last < reply.total)
    lines.push('', c.dim(`Showing VMs ${nextPageRange(reply.offset + 1, last)} of ${reply.total}.`));
  return lines.join('\n');
}

/** Any reply as terminal text (no trailing newline). */
export function renderText(reply: Reply, options: TextRenderOptions): string {
  const c = createColors(options.color);
  switch (reply.kind) {
    case 'answer':
      return renderAnswerText(reply, c, options);
    case 'job-run':
      return renderJobRunText(reply, c, options);
    case 'rows': {
      const lines = [
        c.bold(toTerminalSafe(rowsHeading(reply))),
        c.dim(toTerminalSafe(capitalize(reply.intent.explanation))),
      ];
      if (reply.note) lines.push(c.dim(toTerminalSafe(reply.note)));
      if (reply.truncated)
        lines.push(c.yellow('Stopped reading before the last session; counts are a lower bound.'));
      lines.push('');
      if (reply.rows.length === 0) lines.push(toTerminalSafe(describeEmptyRows(reply)));
      else lines.push(...toTableLines(reply, options.timeZone).map(toTerminalSafe));
      if (reply.totalRows > reply.rows.length)
        lines.push('', c.dim(`Top ${reply.rows.length} of ${reply.totalRows}.`));
      return lines.join('\n');
    }
    case 'compare': {
      const lines = [
        c.bold(toTerminalSafe(capitalize(reply.intent.phrase))),
        c.dim(toTerminalSafe(capitalize(reply.intent.explanation))),
        '',
        toTerminalSafe(compareLine(reply)),
      ];
      if (reply.newNames.length > 0)
        lines.push(
          `${reply.nameKind === 'vm' ? 'VMs' : 'Jobs'} new to the list: ${reply.newNames.map(toTerminalSafe).join(', ')}`,
        );
      return lines.join('\n');
    }
    case 'help': {
      const lines = [c.bold('What I can answer'), toTerminalSafe(reply.help.summary)];
      for (const section of reply.help.sections) {
        lines.push('', c.bold(section.title), ...section.examples.map((e) => `  ${c.cyan(e)}`));
        // subcommand examples work behind the slash command in Slack only
        for (const command of section.commands ?? [])
          lines.push(`  ${c.cyan(`/replicas ${command}`)}  ${c.dim('(in Slack)')}`);
      }
      if (reply.commands.length > 0) {
        lines.push('', c.bold('Commands'));
        // One column for short usages; a long one ("digest [daily|weekly] ...") gets a line of its own,
        // so it does not push every description off a narrow terminal.
        const width = Math.max(0, ...reply.commands.map((cmd) => cmd.usage.length).filter((n) => n <= 24));
        for (const cmd of reply.commands) {
          const description = toSentence(cmd.description);
          if (cmd.usage.length > width)
            lines.push(`  ${c.cyan(cmd.usage)}`, `  ${' '.repeat(width)}  ${description}`);
          else lines.push(`  ${c.cyan(cmd.usage.padEnd(width))}  ${description}`);
        }
      }
      return lines.join('\n');
    }
    case 'not-understood': {
      const lines = [c.yellow(toTerminalSafe(reply.error))];
      if (reply.suggestions.length > 0)
        lines.push('Try for example:', ...reply.suggestions.map((s) => `  ${c.cyan(toTerminalSafe(s))}`));
      lines.push(c.dim('Type "help" for everything I understand.'));
      return lines.join('\n');
    }
    case 'notice':
      return [c.bold(toTerminalSafe(reply.title)), ...reply.lines.map((line) => toTerminalSafe(line))].join(
        '\n',
      );
    case 'error': {
      const report = renderError(reply.error, reply.referenceId);
      return [
        c.red(c.bold(report.title)),
        toTerminalSafe(report.detail),
        `Next: ${toTerminalSafe(report.next)}`,
        c.dim(`Reference ${report.referenceId}`),
      ].join('\n');
    }
    default: {
      const unhandled: never = reply;
      throw new TypeError(`No text rendering for ${JSON.stringify(unhandled)}`);
    }
  }
}
