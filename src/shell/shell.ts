/**
 * The terminal chat: the same router as Slack, for a Veeam admin without Slack (or for a demo). On a TTY it is
 * an interactive prompt; with piped input it answers each line in order and resolves at end of input.
 */
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Answerer } from '../answers/domain/create-answerer.js';
import type { Reply, ResultCounts, SessionRow } from '../answers/domain/reply.js';
import { renderText } from '../answers/text/render-text.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { EmApi } from '../core/ports.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { isHelpRequest } from '../question/help.js';

export interface ShellCommandContext {
  /** prints a block of text (a newline is added) */
  print(text: string): void;
  timeZone: string;
  color: boolean;
  em: EmApi;
}

/** A word the terminal chat handles itself, before reading the line as a question (alerts add `alerts`). */
export interface ShellCommand {
  name: string;
  aliases?: string[];
  usage: string;
  description: string;
  /** left out of help: a word the terminal only answers to say where it works instead */
  hidden?: boolean;
  /**
   * For a word another command also uses (`subscribe rpo ...` beside `subscribe ...`): takes only the texts this
   * says yes to, and is asked before the commands of that word without it (as Slack's `findSubcommand`).
   */
  accepts?(args: string): boolean;
  run(args: string, ctx: ShellCommandContext): Promise<void>;
}

/** A `/replicas` subcommand as the terminal needs to name it. */
export interface SlackSubcommandName {
  name: string;
  aliases?: string[];
  usage: string;
}

/** "/replicas rpo [subscriptions | unsubscribe <n>]" */
function toSlackUsage(usage: string): string {
  return `/replicas ${usage}`;
}

/** What the terminal says to a Slack-only subcommand: that it is Slack only, how to type it there, what to do here. */
export function toSlackOnlyText(typed: string, slackUsage: string, instead: string): string {
  const shown = typed.trim().replace(/\s+/g, ' ');
  return `"${shown}" is Slack only: in a Slack channel, type /replicas ${shown}${toSlackUsage(slackUsage) === `/replicas ${shown}` ? '' : ` (${toSlackUsage(slackUsage)})`}. ${instead}`;
}

/**
 * A `/replicas` subcommand typed in the terminal: instead of reading it as a question (and failing on its
 * grammar), say that it works in a Slack channel and what the terminal offers instead.
 */
export function toSlackOnlyCommand(
  subcommand: SlackSubcommandName & { accepts?(args: string): boolean },
  instead: string,
): ShellCommand {
  const accepts = subcommand.accepts;
  return {
    name: subcommand.name,
    ...(subcommand.aliases ? { aliases: subcommand.aliases } : {}),
    usage: subcommand.usage,
    description: `Slack only: ${toSlackUsage(subcommand.usage)}`,
    hidden: true,
    ...(accepts ? { accepts: (args: string) => accepts(args) } : {}),
    async run(args, ctx) {
      ctx.print(toSlackOnlyText(`${subcommand.name} ${args}`, subcommand.usage, instead));
    },
  };
}

/** The command a line starts with: one that accepts these words first, then one of that word that takes any. */
function findShellCommand(
  word: string,
  args: string,
  commands: readonly ShellCommand[],
): ShellCommand | undefined {
  const named = commands.filter((c) => c.name === word || (c.aliases ?? []).includes(word));
  return named.find((c) => c.accepts?.(args) === true) ?? named.find((c) => c.accepts === undefined);
}

/** A command that takes no words after it (its usage is its name alone: `rpo`, `alerts`). */
function takesNoArgs(command: ShellCommand): boolean {
  return command.usage.trim().toLowerCase() === command.name;
}

export interface ShellDeps {
  em: EmApi;
  input: Readable;
  output: Writable;
  isTTY: boolean;
  timeZone: string;
  clock?: Clock;
  commands?: ShellCommand[];
  /** the router; main builds it with the real parser */
  answerer: Answerer;
  /** printed first, e.g. that the built-in simulator is answering */
  banner?: string;
  /** sessions per answer before "more"; default 25 */
  pageSize?: number;
  /**
   * The `/replicas` subcommands (every feature's): a terminal command that takes nothing typed with words after it
   * (`rpo subscriptions`) is a Slack subcommand of that word, and is answered as Slack only instead of run.
   */
  slackSubcommands?: readonly SlackSubcommandName[];
  logger?: Logger;
}

export interface Shell {
  /** resolves when the user types exit, presses Ctrl+D, or piped input ends */
  run(): Promise<void>;
  /** prints a notice (an alert) without breaking the line being typed */
  notify(text: string): void;
  close(): void;
}

const PROMPT = 'replibot> ';

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

export function createShell(deps: ShellDeps): Shell {
  const clock = deps.clock ?? systemClock;
  const pageSize = deps.pageSize ?? 25;
  const color = deps.isTTY;
  const logger = deps.logger ?? silentLogger;
  let timeZone = deps.timeZone;
  let rl: Interface | undefined;
  let busy = false;
  /**
   * The last answer with sessions, what "more" pages through: its question, zone and moment are kept, so the
   * next page is the same query even after "tz" or a line that was not a question. `null` before any answer.
   */
  let last: {
    question: string;
    now: Date;
    timeZone: string;
    offset: number;
    total: number;
    /** the first page's totals by result: "more" fetches only the next page's rows */
    counts: ResultCounts | null;
  } | null = null;
  /** set when the last question got an error instead of an answer, so "more" does not page an older one */
  let lastFailed = false;
  /** every session numbered on screen for the last question, across its pages */
  const numbered = new Map<number, SessionRow>();
  const remember = (reply: Reply) => {
    if (reply.kind !== 'answer') return;
    reply.sessions.forEach((row, i) => {
      numbered.set(reply.offset + i + 1, row);
    });
  };

  const write = (text: string) => {
    deps.output.write(`${text}\n`);
  };
  const print = (reply: Reply, zone = timeZone) => {
    if (reply.kind === 'error') {
      logger.error({ ref: reply.referenceId, code: reply.error.code }, reply.error.message);
    }
    write(
      renderText(reply, {
        color,
        timeZone: zone,
        moreHint: () => `Type "more" for the next ${pageSize}.`,
      }),
    );
  };

  const builtins: ShellCommand[] = [
    {
      name: 'more',
      aliases: ['next'],
      usage: 'more',
      description: 'Show the next page of the last answer.',
      run: async () => {
        if (lastFailed) {
          write('The last question got no answer to page through; ask it again.');
          return;
        }
        if (last === null) {
          write('Nothing to page through yet: ask a question first.');
          return;
        }
        const offset = last.offset + pageSize;
        if (offset >= last.total) {
          write('Nothing more to show for the last answer.');
          return;
        }
        // The same question, zone and moment as the first page: the same query, continued.
        const reply = await deps.answerer.ask(
          last.question,
          { userId: null, timeZone: last.timeZone },
          {
            now: last.now,
            offset,
            pageSize,
            ...(last.counts ? { known: { total: last.total, counts: last.counts } } : {}),
          },
        );
        if (reply.kind === 'answer') {
          last = { ...last, offset, total: reply.total };
          remember(reply);
        }
        print(reply, last.timeZone);
      },
    },
    {
      name: 'details',
      aliases: ['detail', 'run'],
      usage: 'details <n>',
      description: 'Show the job run of session number <n> in the last answer, with all its VMs.',
      run: async (args) => {
        const n = Number(args.trim());
        // Number('') is 0: a bare "details" is a request for the usage, not for session 0
        if (numbered.size === 0 || args.trim() === '' || !Number.isInteger(n)) {
          write('Type "details" and a session number from the last answer, e.g. "details 1".');
          return;
        }
        const row = numbered.get(n);
        if (!row?.jobSessionId) {
          write(`There is no session ${n} in the last answer.`);
          return;
        }
        print(await deps.answerer.jobRun(row.jobSessionId, { now: clock.now(), timeZone, pageSize: 200 }));
      },
    },
    {
      name: 'tz',
      aliases: ['timezone'],
      usage: 'tz <IANA zone>',
      description: 'Read "today" and show times in another zone, e.g. tz Europe/Berlin.',
      run: async (args) => {
        const zone = args.trim();
        if (zone === '') {
          write(`Times are in ${timeZone}.`);
          return;
        }
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: zone });
          timeZone = zone;
          write(`Times are now in ${zone}.`);
        } catch {
          write(`${zone} is not a time zone I know; try one like Europe/Berlin or America/New_York.`);
        }
      },
    },
  ];
  const commands = [...builtins, ...(deps.commands ?? [])];
  const helpCommands = [
    ...commands.filter((c) => !c.hidden).map((c) => ({ usage: c.usage, description: c.description })),
    { usage: 'exit', description: 'Leave (or press Ctrl+D).' },
  ];

  const handle = async (raw: string): Promise<'exit' | 'continue'> => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return 'continue';
    if (/^(exit|quit|bye|:q)$/i.test(line)) return 'exit';
    if (!deps.isTTY) write(`\n> ${line}`);
    const [word = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    const command = findShellCommand(word.toLowerCase(), args, commands);
    try {
      if (command && !command.hidden && args !== '' && takesNoArgs(command)) {
        // `rpo subscriptions`: never the `rpo` status with the words ignored
        const slack = deps.slackSubcommands?.find(
          (s) => s.name === command.name || (s.aliases ?? []).includes(command.name),
        );
        const here = `Here, type "${command.name}" alone: ${lowerFirst(command.description)}`;
        write(
          slack
            ? toSlackOnlyText(line, slack.usage, here)
            : `"${command.name}" takes nothing after it here. ${here}`,
        );
      } else if (command) {
        await command.run(args, { print: write, timeZone, color, em: deps.em });
      } else if (isHelpRequest(line)) {
        print({ kind: 'help', help: deps.answerer.help(), commands: helpCommands });
      } else {
        const now = clock.now();
        const reply = await deps.answerer.ask(
          line,
          { userId: null, timeZone },
          { now, pageSize, commands: helpCommands },
        );
        // Help and a line that was not a question leave the last answer to page through; a new answer
        // replaces it, and a failed question stops "more" from paging an older one.
        if (reply.kind === 'answer') {
          last = { question: line, now, timeZone, offset: 0, total: reply.total, counts: reply.counts };
          lastFailed = false;
          numbered.clear();
          remember(reply);
        } else if (reply.kind === 'error') {
          lastFailed = true;
        } else if (reply.kind === 'job-run') {
          // a question naming one job run: its whole answer is on screen, there is no next page
          last = { question: line, now, timeZone, offset: 0, total: 0, counts: null };
          lastFailed = false;
        }
        print(reply);
      }
    } catch (error) {
      print(deps.answerer.toErrorReply(error));
    }
    return 'continue';
  };

  return {
    async run() {
      rl = createInterface({
        input: deps.input,
        output: deps.isTTY ? deps.output : undefined,
        terminal: deps.isTTY,
      });
      if (deps.banner) write(deps.banner);
      if (deps.isTTY) {
        rl.setPrompt(PROMPT);
        rl.prompt();
      }
      for await (const line of rl) {
        busy = true;
        const next = await handle(line);
        busy = false;
        if (next === 'exit') break;
        if (deps.isTTY) rl.prompt();
      }
      rl.close();
      if (deps.isTTY) write('');
    },
    notify(text) {
      if (deps.isTTY && rl && !busy) {
        // Clear the prompt line, print the notice, then redraw the prompt with what was being typed.
        deps.output.write('\r\x1b[K');
        write(text);
        rl.prompt(true);
      } else {
        write(text);
      }
    },
    close() {
      rl?.close();
    },
  };
}
