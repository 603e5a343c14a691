import { type Command, Option } from 'commander';
import { type AskFormat, askReplibot } from '../main.js';

/** `replibot ask "<question>"`: one answer from the configured EM (or the built-in simulator). */
export function registerAskCommand(program: Command): void {
  program
    .command('ask')
    .description('Answer one question about replicas and exit (VEEAM_URL, else the built-in simulator)')
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
      process.exitCode = await askReplibot({
        env: process.env,
        question: words.join(' '),
        now: opts.now,
        timeZone: opts.tz,
        format: opts.format,
      });
    });
}
