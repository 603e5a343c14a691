/**
 * The reply model: what the router answers, before any surface (Slack, terminal, JSON) draws it.
 * Renderers only read this; they never talk to EM.
 */
import type { ReplibotError } from '../../core/errors.js';
import type { JobState, SessionResult, SessionType, TaskState } from '../../core/sessions.js';
import type { QueryIntent } from '../../question/query-intent.js';
import type { NamedValue, UnknownName } from './check-names.js';

/** One session as every surface shows it, whether it came from a task or a job session. */
export interface SessionRow {
  kind: 'task' | 'job';
  uid: string;
  id: string;
  /** the VM for a task session; null for a job session */
  vmDisplayName: string | null;
  jobName: string | null;
  backupServerName: string | null;
  /** the bare id of the job run, for "Details"; null when EM gave none */
  jobSessionId: string | null;
  creationTime: Date;
  endTime: Date | null;
  state: TaskState | JobState;
  result: SessionResult;
  /** EM's own word when `result` is `Unknown` */
  resultWord?: string;
  /** why it warned or failed; empty when EM gave none */
  reason: string;
  /** bytes; null for a job session */
  totalSize: number | null;
  /** a still-running session (EM reports result None) */
  running: boolean;
  /** a job run's EM JobType (`BackupCopy`, `ImmediateBackupCopyWorker`...); absent for task rows and replication */
  jobType?: string;
}

export type ResultCounts = Record<SessionResult, number>;

export interface HelpContent {
  summary: string;
  sections: Array<{ title: string; examples: string[]; commands?: string[] }>;
}

/** What the asker is shown about a list of sessions. */
export interface SessionListReply {
  kind: 'answer';
  question: string;
  intent: QueryIntent;
  /** every matching session the answer counted */
  total: number;
  counts: ResultCounts;
  /** the page shown, newest first (in the order EM was asked for) */
  sessions: SessionRow[];
  offset: number;
  pageSize: number;
  /** the instant "today" and "last 24 hours" were read against; carried by buttons so paging is stable */
  now: Date;
  /** true when EM had more rows than replibot counts in one answer (the counts are a lower bound) */
  truncated: boolean;
  /** rows EM sent that could not be read, left out of this answer (0 when every row was read) */
  unreadableRows?: number;
  /**
   * On an empty answer to a question that named VMs, jobs or servers: the names EM has never seen, with
   * look-alikes it has. Absent or empty when every name exists (then "No ..." is a real all-clear).
   */
  unknownNames?: UnknownName[];
  /** with `unknownNames`: the names that do exist, for which "No ..." still holds */
  knownNames?: NamedValue[];
  /** a yes/no question's answer, said first ("Yes: 3 successful replicas ..., the last at 14:32") */
  verdict?: Verdict;
  /** how a computed list was made ("EM cannot sort by duration, so replibot read every page ...") */
  note?: string;
  /** a duration answer: the sessions read before "took longer than" kept some (an empty answer says which) */
  scanned?: number;
}

export interface Verdict {
  answer: 'yes' | 'no';
  line: string;
}

/** One name of a ranking, a count per name or a last-success list. */
export interface NameRow {
  name: string;
  kind: 'vm' | 'job' | 'server';
  counts: ResultCounts;
  total: number;
  /** successes / ended sessions (running ones aside); null when none ended */
  rate: number | null;
  /** last-success answers: the newest success, null for "never in EM's 30 days" */
  lastSuccess?: Date | null;
}

/** Rows by name: rankings, counts per name, success rates, last success per name. */
export interface RowsReply {
  kind: 'rows';
  question: string;
  intent: QueryIntent;
  rows: NameRow[];
  /** rows before "top N" cut them */
  totalRows: number;
  /** sessions read from EM to compute them */
  scanned: number;
  /** true when EM had more sessions than replibot reads for one answer */
  truncated: boolean;
  now: Date;
  note: string | null;
}

/** "failures this week vs last week" */
export interface CompareReply {
  kind: 'compare';
  question: string;
  intent: QueryIntent;
  current: number;
  previous: number;
  /** names (VMs, or jobs for job runs) in the current window that were not in the previous one */
  newNames: string[];
  nameKind: 'vm' | 'job';
  truncated: boolean;
  now: Date;
}

/** One job run ("Details") with its task sessions. */
export interface JobRunReply {
  kind: 'job-run';
  job: SessionRow & { progress: number; isRetry: boolean; failureMessage: string | null };
  counts: ResultCounts;
  total: number;
  tasks: SessionRow[];
  offset: number;
  pageSize: number;
  timeZone: string;
  /** for the duration of a run still going */
  now: Date;
}

export interface HelpReply {
  kind: 'help';
  help: HelpContent;
  /** extra commands a surface offers (`/replicas <word>`), shown after the examples */
  commands: Array<{ usage: string; description: string }>;
}

export interface NotUnderstoodReply {
  kind: 'not-understood';
  question: string;
  error: string;
  suggestions: string[];
}

export interface ErrorReply {
  kind: 'error';
  error: ReplibotError;
  /** a short id shown to the user and written to the log line, so an admin can find the details */
  referenceId: string;
}

/** An answer a feature wrote itself (the RPO watch: "is apache02 protected"): a title and plain lines. */
export interface NoticeReply {
  kind: 'notice';
  title: string;
  /** plain text (EM names unescaped): each surface escapes them */
  lines: string[];
}

export type Reply =
  | SessionListReply
  | RowsReply
  | CompareReply
  | JobRunReply
  | HelpReply
  | NotUnderstoodReply
  | ErrorReply
  | NoticeReply;

export type { SessionType };

/** "1 row EM sent could not be read (left out; the log names it)." */
export function toUnreadableNote(count: number): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? 'row' : 'rows'} EM sent could not be read (left out; replibot's log names ${count === 1 ? 'it' : 'them'}).`;
}
