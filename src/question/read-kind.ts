/**
 * The session kind as a dimension of questions: "backups failed last night", "backup copy jobs with warnings
 * this week", "agent backups for srv04 today". The kind words (kind-words below, a vocabulary of their own) are
 * read off the question first; what is left is read by `parseQuestion` as a replication question of the same
 * shape (task or job level), and the intent gets the kind, the job types, and its phrase in the kind's words.
 * A question that names no kind is replication, exactly as before.
 */
import {
  type BackupJobType,
  type SessionKind,
  toJobTypeWords,
  toKindWords,
} from '../core/backup-sessions.js';
import { and, anyOf, type Filter } from '../core/filter.js';
import { type ParseOptions, parseQuestion } from './parse-question.js';
import type { ParsedQuestion, QueryIntent } from './query-intent.js';

/** What a question's kind words said. */
export interface KindReading {
  kind: SessionKind;
  /** EM JobTypes the question narrowed to ("backup copy" -> the copy types); empty: every backup job */
  jobTypes: BackupJobType[];
  /** the question with the kind words replaced by replication words of the same level */
  rest: string;
}

const COPY_TYPES: BackupJobType[] = ['BackupCopy', 'ImmediateBackupCopy', 'ImmediateBackupCopyWorker'];
const AGENT_TYPES: BackupJobType[] = ['AgentBackup', 'AgentManagement'];
const NAS_TYPES: BackupJobType[] = ['NasBackup'];

/**
 * The kind words, longest first. `jobs` at the end keeps a job-level question job-level ("backup copy jobs"
 * reads as "replication jobs"). "backup" before "server" is a backup server, never a kind.
 */
const KIND_WORDS: Array<{ words: RegExp; jobTypes: BackupJobType[]; verb?: string }> = [
  // the verb: "when did srv04 last back up", "VMs that have not backed up successfully", "is srv04 backing up"
  { words: /\bbacking[ -]up\b/i, jobTypes: [], verb: 'replicating' },
  { words: /\bbacked[ -]up\b/i, jobTypes: [], verb: 'replicated' },
  { words: /\bbacks?[ -]up\b(?!\s+servers?\b)/i, jobTypes: [], verb: 'replicate' },
  { words: /\b(?:file[ -]?share|nas)\s+backups?(?:\s+(jobs?|runs?))?\b/i, jobTypes: NAS_TYPES },
  { words: /\b(?:veeam\s+)?agent\s+backups?(?:\s+(jobs?|runs?))?\b/i, jobTypes: AGENT_TYPES },
  { words: /\bagent\s+(jobs?|runs?)\b/i, jobTypes: AGENT_TYPES },
  { words: /\b(?:immediate\s+)?backup\s+cop(?:y|ies)(?:\s+(jobs?|runs?))?\b/i, jobTypes: COPY_TYPES },
  { words: /\bimmediate\s+cop(?:y|ies)(?:\s+(jobs?|runs?))?\b/i, jobTypes: COPY_TYPES },
  { words: /\bcopy\s+(jobs?|runs?)\b/i, jobTypes: COPY_TYPES },
  { words: /\bbackups?(?!\s+servers?\b)(?:\s+(jobs?|runs?))?\b/i, jobTypes: [] },
];

/** A session id names its own kind: `urn:veeam:BackupTaskSession:…` is a backup, `…ReplicaJobSession:…` a replica. */
const SESSION_URN = /\burn:veeam:(backup|replica)(?:task|job)session:/i;

/**
 * Reads the kind words of a question; null when it names none (a replication question). A session id decides
 * the kind whatever the words say; the id itself is left as typed (read-words.ts keeps its type).
 */
export function readKind(question: string): KindReading | null {
  const words = readKindWords(question);
  const urn = SESSION_URN.exec(question);
  if (urn === null) return words;
  if (urn[1]?.toLowerCase() === 'backup')
    return { kind: 'backup', jobTypes: words?.jobTypes ?? [], rest: words?.rest ?? question };
  return words === null ? null : { kind: 'replication', jobTypes: [], rest: words.rest };
}

function readKindWords(question: string): KindReading | null {
  for (const { words, jobTypes, verb } of KIND_WORDS) {
    const match = words.exec(question);
    if (match === null) continue;
    const level = match[1];
    const replacement = verb ?? (level === undefined ? 'replicas' : `replication ${level}`);
    const rest = `${question.slice(0, match.index)}${replacement}${question.slice(match.index + match[0].length)}`;
    return { kind: 'backup', jobTypes: [...jobTypes], rest };
  }
  return null;
}

/** `parseQuestion`, with the session kind read first (the answerer's parser). */
export function parseKindQuestion(text: string, options: ParseOptions): ParsedQuestion {
  const reading = typeof text === 'string' ? readKind(text) : null;
  if (reading === null) return parseQuestion(text, options);
  const parsed = parseQuestion(reading.rest, options);
  if (parsed.kind === 'not-understood' && reading.kind === 'backup') {
    // what to ask instead of a backup question is a backup question ("failed backups today")
    return { ...parsed, suggestions: parsed.suggestions.map(toBackupSuggestion) };
  }
  if (parsed.kind !== 'query' || reading.kind === 'replication') return parsed;
  return { kind: 'query', intent: toKindIntent(parsed.intent, reading) };
}

/** The intent of a backup question: its kind, job types (a JobType filter on job runs) and words. */
export function toKindIntent(intent: QueryIntent, reading: KindReading): QueryIntent {
  const jobLevel = intent.type === 'ReplicaJobSession';
  const own = intent.filter === null ? null : toBackupUids(intent.filter);
  const filter = jobLevel && reading.jobTypes.length > 0 ? and(own, anyOf('JobType', reading.jobTypes)) : own;
  const words = toWords(reading);
  return {
    ...intent,
    filter,
    // a bare GUID in a backup question is a backup id (read-words.ts reads a bare GUID as a replica id)
    sessionId: intent.sessionId === null ? null : toBackupUid(intent.sessionId),
    kind: reading.kind,
    jobTypes: reading.jobTypes,
    phrase: rewordPhrase(intent.phrase, words),
    explanation: rewordPhrase(
      intent.explanation.replace(/\burn:veeam:Replica(Task|Job)Session:/g, 'urn:veeam:Backup$1Session:'),
      words,
    ),
  };
}

function toBackupSuggestion(suggestion: string): string {
  // the one replication example with no kind word in it (parse-question.ts) has a backup twin
  if (suggestion === 'problems for apache02 in the last 7 days')
    return 'backups with problems for srv04 in the last 7 days';
  const words = toWords({ kind: 'backup', jobTypes: [], rest: '' });
  return rewordPhrase(
    suggestion
      .replace(/\breplicating\b/gi, 'backing up')
      .replace(/\breplicated\b/gi, 'backed up')
      .replace(/\breplicate\b/gi, 'back up'),
    words,
  );
}

function toBackupUid(uid: string): string {
  return uid.replace(/^urn:veeam:Replica(Task|Job)Session:/, 'urn:veeam:Backup$1Session:');
}

/** The filter with a replica session id (a bare GUID read as one) made the backup id it is. */
function toBackupUids(filter: Filter): Filter {
  if (filter.kind !== 'cmp') return { kind: filter.kind, items: filter.items.map(toBackupUids) };
  return filter.field === 'UID' && typeof filter.value === 'string'
    ? { ...filter, value: toBackupUid(filter.value) }
    : filter;
}

function toWords(reading: KindReading): { many: string; jobs: string; one: string } {
  const first = reading.jobTypes[0];
  if (first === undefined) {
    const kind = toKindWords(reading.kind);
    return { many: kind.many, jobs: `${kind.one} jobs`, one: kind.one };
  }
  const type = toJobTypeWords(first);
  return { many: `${type.one}s`, jobs: type.many, one: type.one };
}

/** "failed replicas today" -> "failed backup copies today"; "replication jobs" -> "backup copy jobs". */
function rewordPhrase(text: string, words: { many: string; jobs: string; one: string }): string {
  const many = words.many === 'backup copys' ? 'backup copies' : words.many;
  return text
    .replace(/\breplication jobs\b/gi, words.jobs)
    .replace(/\breplication job\b/gi, `${words.one} job`)
    .replace(/\breplication (task )?sessions\b/gi, `${words.one} $1sessions`)
    .replace(/\breplicas\b/gi, many)
    .replace(/\breplica\b/gi, words.one)
    .replace(/\breplication\b/gi, words.one);
}
