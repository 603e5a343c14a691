/** `replibot ask "<question>"`: one answer from the configured EM (or the built-in simulator), then exit. */
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { createDefaultAnswerer } from '../answers/create-default-answerer.js';
import { SLACK_PAGE_SIZE } from '../answers/slack/render-answer.js';
import { renderReply } from '../answers/slack/render-reply.js';
import { renderAskJson } from '../answers/text/render-ask-json.js';
import { renderText } from '../answers/text/render-text.js';
import { connectEm } from '../app/connect-em.js';
import { withRpoQuestions } from '../features/rpo/with-rpo-questions.js';
import type { CliIo } from './cli-io.js';
import { EXIT, toExitCode } from './exit-codes.js';
import { prepareOneShot } from './one-shot.js';

export type AskFormat = 'text' | 'blocks' | 'json';

export interface AskOptions {
  env?: NodeJS.ProcessEnv;
  question: string;
  /** ISO instant "today" is read against; default now */
  now?: string;
  /** IANA zone; default DEFAULT_TIMEZONE (UTC when unset) */
  timeZone?: string;
  format?: AskFormat;
  output?: Writable;
  errorOutput?: Writable;
  /** colours in text format; default: output is a TTY */
  color?: boolean;
}

/** One answer on the output. Resolves with the exit code (src/commands/exit-codes.ts: 0 answered, 2 not understood,
 * 69 EM unavailable, 1 other failure); throws for bad options (2) and bad configuration (78). */
export async function runAsk(options: AskOptions): Promise<number> {
  const { output, errorOutput, config, now, timeZone, logger } = prepareOneShot(options);
  const format = options.format ?? 'text';
  const connection = await connectEm(config, logger);
  if (connection.simulator) {
    errorOutput.write(
      'replibot: VEEAM_URL is not set; answering from the built-in EM simulator (demo data).\n',
    );
  }
  try {
    // the RPO questions ("is apache02 protected") from EM alone, the rest as before
    const answerer = withRpoQuestions(createDefaultAnswerer(connection.em), connection.em, config.rpo);
    const pageSize = format === 'blocks' ? SLACK_PAGE_SIZE : Number.POSITIVE_INFINITY;
    const reply = await answerer.ask(options.question, { userId: null, timeZone }, { now, pageSize });
    if (reply.kind === 'error')
      logger.error({ ref: reply.referenceId, code: reply.error.code }, reply.error.message);
    if (format === 'blocks') output.write(`${JSON.stringify(renderReply(reply, { timeZone }), null, 2)}\n`);
    else if (format === 'json') output.write(`${JSON.stringify(renderAskJson(reply), null, 2)}\n`);
    else {
      // cast: a TTY stream carries isTTY, any other stream lacks it (reads as false)
      const color = options.color ?? Boolean((output as { isTTY?: boolean }).isTTY);
      output.write(`${renderText(reply, { color, timeZone })}\n`);
    }
    return reply.kind === 'error'
      ? toExitCode(reply.error.code)
      : reply.kind === 'not-understood'
        ? EXIT.usage
        : EXIT.ok;
  } finally {
    await connection.close().catch(() => {});
  }
}

export function registerAskCommand(program: Command, io: CliIo): void {
  program
    .command('ask')
    .description(
      'Answer one question about replicas or backups and exit (VEEAM_URL, else the built-in simulator)',
    )
    .argument('<question...>', 'the question, e.g. "replicas failed today for apache02"')
    .option('--now <iso>', 'the instant "today" is read against, e.g. 2024-05-14T09:30:00Z')
    .option(
      '--tz <zone>',
      'IANA time zone of the asker, e.g. Europe/Berlin (default DEFAULT_TIMEZONE, else UTC)',
    )
    .addOption(
      new Option('--format <format>', 'text for people, blocks for the Slack message, json for scripts')
        .choices(['text', 'blocks', 'json'])
        .default('text'),
    )
    .action(async (words: string[], opts: { now?: string; tz?: string; format: AskFormat }) => {
      io.exitCode = await runAsk({
        env: io.env,
        output: io.stdout,
        errorOutput: io.stderr,
        question: words.join(' '),
        now: opts.now,
        timeZone: opts.tz,
        format: opts.format,
      });
    });
}
