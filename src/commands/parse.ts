/**
 * `replibot parse "<question>" [--now <ISO-8601>] [--tz <IANA zone>] [--names <file>]`: shows the Enterprise Manager query a
 * question becomes, as one JSON object on stdout: read as `replibot ask` reads it (src/question/read-question.ts), so a
 * backup question shows its kind and EM backup type, and an RPO question shows as one. Needs no EM or Slack configuration and no network.
 * Exit codes as README "Exit codes" (src/commands/exit-codes.ts): 0 for a query or help, 2 for a question it cannot
 * read or a bad option.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { toShownType } from '../answers/text/render-ask-json.js';
import { loadConfig } from '../config.js';
import { systemClock } from '../core/clock.js';
import { toFilterString } from '../core/filter.js';
import { helpText } from '../question/help.js';
import { isKnownTimeZone } from '../question/local-calendar.js';
import { createNameCatalogue, type NameCatalogue, parseNameLines } from '../question/name-catalogue.js';
import { describeDefaultWindow, RETENTION_DAYS } from '../question/parse-question.js';
import type { QueryIntent } from '../question/query-intent.js';
import { readQuestion } from '../question/read-question.js';
import type { RpoQuestion } from '../question/rpo-words.js';
import type { CliIo } from './cli-io.js';
import { EXIT } from './exit-codes.js';
import { parseNowOption } from './time-options.js';

export { parseNowOption };

interface ParseCommandOptions {
  now?: string;
  tz?: string;
  names?: string;
}

/** The JSON line for a query: EM's own parameter names first, then what a renderer needs. */
function toParseOutput(intent: QueryIntent, now: Date): Record<string, unknown> {
  const warnings: string[] = [];
  // the EM type the answer reads: a backup question reads BackupTaskSession / BackupJobSession
  const type = toShownType(intent);
  const jobTypes = intent.jobTypes ?? [];
  if (intent.kind === 'backup' && jobTypes.length > 0 && type === 'BackupTaskSession') {
    // backup task sessions carry no JobType (backup-answers.ts withJobTypeNames): said, since parse reads no EM
    warnings.push(
      `Backup task sessions carry no job type, so the answer first reads the names of the ${jobTypes.join(', ')} jobs from EM's BackupJobSession runs and adds JobName=="..." to this filter.`,
    );
  }
  const assumed = describeDefaultWindow(intent, now);
  if (assumed !== null) warnings.push(`No time was given, so ${assumed} are shown.`);
  if (intent.beyondRetention) {
    warnings.push(
      `The window reaches back more than ${RETENTION_DAYS} days; Enterprise Manager keeps only ${RETENTION_DAYS} days of sessions, so older ones will be missing.`,
    );
  }
  return {
    type,
    filter: intent.filter === null ? null : toFilterString(type, intent.filter),
    [intent.sort.direction === 'asc' ? 'sortAsc' : 'sortDesc']: intent.sort.field,
    limit: intent.limit,
    explanation: intent.explanation,
    phrase: intent.phrase,
    window:
      intent.window === null
        ? null
        : { from: intent.window.from.toISOString(), to: intent.window.to?.toISOString() ?? null },
    defaultWindow: intent.defaultWindow,
    beyondRetention: intent.beyondRetention,
    sessionId: intent.sessionId,
    timeZone: intent.timeZone,
    kind: intent.kind ?? 'replication',
    jobTypes,
    answer: intent.answer,
    corrections: intent.corrections,
    warnings,
  };
}

/** What an RPO question is answered from: the watch's computation, not a session query. */
function toRpoOutput(question: RpoQuestion): Record<string, unknown> {
  const explanation =
    question.kind === 'protected'
      ? `whether ${question.vm} is within its RPO`
      : question.kind === 'age'
        ? `how old the newest good copy of ${question.vm} is`
        : question.kind === 'outside'
          ? 'the VMs outside their RPO, and jobs that stopped running'
          : `the ${question.limit} VMs with the oldest good copy`;
  return {
    rpo: question,
    explanation: `RPO question: ${explanation}. It is answered from the RPO watch (each VM's age since its last good copy against its RPO), not from one session query; replibot ask, Slack and the terminal answer it.`,
  };
}

export function registerParseCommand(program: Command, io: CliIo): void {
  const fail = (message: string): void => {
    io.stderr.write(`replibot parse: ${message}\n`);
    io.exitCode = EXIT.usage;
  };

  program
    .command('parse')
    .description('Show the Enterprise Manager query a question becomes (JSON; no EM or Slack needed)')
    .argument('<question...>', 'the question, e.g. "replicas failed today for apache02"')
    .option('--now <iso>', 'the moment the question is asked (ISO-8601; default: now)')
    .option('--tz <zone>', "the asker's IANA time zone (default: DEFAULT_TIMEZONE, else UTC)")
    .option('--names <file>', 'names EM knows, one kind<TAB>name per line (kind: vm, job or server)')
    .action((words: string[], options: ParseCommandOptions) => {
      // only DEFAULT_TIMEZONE matters here: missing or half-set VEEAM_/SLACK_ variables must not stop `parse`
      const timeZone =
        options.tz ?? loadConfig({ DEFAULT_TIMEZONE: io.env.DEFAULT_TIMEZONE }).defaultTimeZone;
      if (!isKnownTimeZone(timeZone)) {
        fail(
          `--tz "${timeZone}" is not an IANA time zone; use a name such as Europe/Berlin, America/New_York or UTC.`,
        );
        return;
      }
      let now = systemClock.now();
      if (options.now !== undefined) {
        const parsed = parseNowOption(options.now, timeZone);
        if (parsed === null) {
          fail(
            `--now "${options.now}" is not an ISO-8601 date-time; use a form such as 2026-11-23T09:30:00Z or 2026-11-23T10:30 (read in --tz).`,
          );
          return;
        }
        now = parsed;
      }
      let names: NameCatalogue | undefined;
      if (options.names !== undefined) {
        let text: string;
        try {
          text = readFileSync(options.names, 'utf8');
        } catch {
          fail(`--names "${options.names}" cannot be read.`);
          return;
        }
        const read = parseNameLines(text);
        if (!read.ok) {
          fail(`--names "${options.names}", line ${read.line}: ${read.error}.`);
          return;
        }
        names = createNameCatalogue(read.names);
      }
      // the reading `replibot ask` gives the question: RPO words first, then the session kind, then the grammar
      const parsed = readQuestion(words.join(' '), { now, timeZone, ...(names ? { names } : {}) });
      if (parsed.kind === 'rpo') {
        io.stdout.write(`${JSON.stringify(toRpoOutput(parsed.question))}\n`);
        return;
      }
      if (parsed.kind === 'help') {
        io.stdout.write(`${JSON.stringify({ help: helpText() })}\n`);
        return;
      }
      if (parsed.kind === 'not-understood') {
        io.stdout.write(`${JSON.stringify({ error: parsed.error, suggestions: parsed.suggestions })}\n`);
        io.exitCode = EXIT.usage;
        return;
      }
      io.stdout.write(`${JSON.stringify(toParseOutput(parsed.intent, now))}\n`);
    });
}
