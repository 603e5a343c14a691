/**
 * What `help` shows. Every example here is a question the front doors read (a session query or an RPO question,
 * through `readQuestion`), and every command example one its subcommand reads (tests check both), so the help never
 * promises a phrasing replibot does not know. docs/questions.md holds the full grammar.
 */

/**
 * The words that ask for help on every surface (`/replicas help`, a mention, a DM, the shell): one list, so
 * `--help` is help wherever it is typed. The parser reads these and a few more ("usage", "hi") as help too.
 */
export const HELP_WORDS: readonly string[] = ['help', '?', '-h', '--help'];

/** True for an empty request or one of `HELP_WORDS`, any case, surrounding spaces ignored. */
export function isHelpRequest(text: string): boolean {
  const word = text.trim().toLowerCase();
  return word === '' || HELP_WORDS.includes(word);
}

export interface HelpSection {
  title: string;
  examples: string[];
  /**
   * `/replicas` subcommand examples of the section, without the command (`subscribe rpo 4h job "SQL Replica"`):
   * they exist only behind the slash command, so every surface shows them as `/replicas ...`
   */
  commands?: string[];
}

const SECTIONS: readonly HelpSection[] = [
  {
    title: 'Results and states',
    examples: [
      'failed replicas today',
      'did anything fail today?',
      'warnings yesterday',
      'problems for apache02 this week',
      'running replicas',
      'succeeded replicas for ubuntu88 last 24h',
    ],
  },
  {
    title: 'Time (read in your time zone)',
    examples: [
      'failures since Monday',
      'what failed last night',
      'failed this morning',
      'failed in the last 3 hours',
      'errors on Nov 20',
      'failed between 2026-11-20 and 2026-11-22',
      'replicas since 08:00',
      'failures last week',
    ],
  },
  {
    title: 'VMs, jobs and backup servers',
    examples: [
      'replicas failed today for apache02',
      'how did apache02 do this week',
      'failed for apache02 and ubuntu88 yesterday',
      'failures in job "SQL Replica" this week',
      'failed replicas on server srv02.tech.local',
    ],
  },
  {
    title: 'Order and size',
    examples: [
      'last 5 failures for apache02',
      '10 most recent replicas',
      'failed replicas today oldest first',
      'biggest replicas this week',
    ],
  },
  {
    title: 'Rankings, last success, yes or no',
    examples: [
      'did vm apache02 replicate successfully today',
      'when did vm apache02 last replicate successfully',
      'which VMs have not replicated successfully for 24 hours',
      'which VMs failed the most this week',
      'success rate per job this month',
      'longest replicas this week',
      'failures this week vs last week',
    ],
  },
  {
    title: "Protection (RPO: how old each VM's last good copy is)",
    examples: [
      'is apache02 protected',
      'which VMs are outside RPO',
      'oldest replicas',
      'how old is the replica of apache02',
    ],
    commands: ['subscribe rpo 4h job "SQL Replica"', 'mute vm apache02 8h'],
  },
  {
    title: 'Job runs and single sessions',
    examples: [
      'replication jobs failed today',
      'running job runs',
      'session urn:veeam:ReplicaTaskSession:3df6cbea-fb43-4904-8bea-43399f5769bb',
    ],
  },
];

/** Every example question of the help, in the order shown. */
export const EXAMPLE_QUESTIONS: readonly string[] = SECTIONS.flatMap((section) => section.examples);

/** Every `/replicas` subcommand example of the help (without `/replicas`), in the order shown. */
export const EXAMPLE_COMMANDS: readonly string[] = SECTIONS.flatMap((section) => section.commands ?? []);

export function helpText(): {
  summary: string;
  sections: Array<{ title: string; examples: string[]; commands?: string[] }>;
} {
  return {
    summary:
      'Ask about replication and backup sessions in plain words. Times are read in your time zone; with no time I look at ' +
      'the last 24 hours and say so (running and pending sessions: whenever they started; "last 5": the 30 days ' +
      'EM keeps). Put names with spaces in quotes: job "SQL Replica". Backups too: "backups failed last night", ' +
      '"agent backups for srv04 today". In Slack, /veeam is the same command as /replicas.',
    sections: SECTIONS.map((section) => ({
      title: section.title,
      examples: [...section.examples],
      ...(section.commands ? { commands: [...section.commands] } : {}),
    })),
  };
}
