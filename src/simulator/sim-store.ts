/**
 * The simulator's data: task and job sessions kept sorted by CreationTime, with indexes by VM, job and job
 * session, so a filtered page is found by binary search over a time range (or an index list) instead of a scan
 * of every session. EndTime comparisons use the same lists through the longest run seen (see `EndBound`).
 * A filter of State, Result and CreationTime over the whole list is counted from block counts (task-counts.ts).
 * Everything EM shows goes through viewTask/viewJobSession, which apply the collection lag.
 */
import { randomBytes } from 'node:crypto';
import { BACKUP_JOB_TYPES, isBackupJobType } from '../core/backup-sessions.js';
import { must } from '../core/must.js';
import {
  JOB_STATES,
  SESSION_RESULTS,
  type KnownSessionResult as SessionResult,
  type SessionType,
  TASK_STATES,
  type TaskState,
} from '../core/sessions.js';
import { createRandom } from './create-random.js';
import type { GeneratedData } from './generate-data.js';
import {
  compileEmFilter,
  EmFilterError,
  type EmFilterNode,
  type FieldGetters,
  type RowPredicate,
  type TypedComparison,
  toCanonicalField,
  toRequiredComparisons,
} from './parse-em-filter.js';
import {
  fromGuid,
  isXmlSafe,
  type JobSessionRecord,
  type JobSessionView,
  type SimJob,
  type SimServer,
  type SimVm,
  type TaskRecord,
  type TaskView,
  toGuid,
  toSessionName,
  viewJobSession,
  viewTask,
} from './sim-model.js';
import { buildTaskCountIndex, type CountedRange, isCountable, type TaskCountIndex } from './task-counts.js';

/** Input of `addTaskSession` and `POST /_sim/sessions`. */
export interface NewTaskSession {
  vm: string;
  job: string;
  server?: string;
  state?: 'InProgress' | 'Completed' | 'Pending';
  result?: 'Success' | 'Warning' | 'Failed';
  reason?: string;
  /** bytes */
  totalSize?: number;
  creationTime?: Date;
  endTime?: Date;
  /** join an existing job run (uid or bare id); without it a new ReplicaJobSession is created */
  jobSessionUid?: string;
  isRetry?: boolean;
  /** backup sessions only: the new job's EM `JobType` (BACKUP_JOB_TYPES); default `Backup` */
  jobType?: string;
}

export interface FinishTaskSession {
  result: 'Success' | 'Warning' | 'Failed';
  reason?: string;
  endTime?: Date;
}

/** A task session as the simulator holds it (its true state, before the collection lag hides anything). */
export interface SimTaskSession {
  id: string;
  uid: string;
  name: string;
  vmDisplayName: string;
  jobName: string;
  backupServerName: string;
  jobSessionId: string;
  jobSessionUid: string;
  creationTime: Date;
  endTime: Date | null;
  state: TaskState;
  result: SessionResult;
  reason: string;
  totalSize: number;
  isRetry: boolean;
  /** EM (the simulator) lists it from this moment on */
  visibleFrom: Date;
}

/** A bad control-API request; the HTTP layer answers 400 (or 404 with `notFound`). */
export class SimInputError extends Error {
  readonly notFound: boolean;
  constructor(message: string, notFound = false) {
    super(message);
    this.name = 'SimInputError';
    this.notFound = notFound;
  }
}

export interface QueryRequest {
  filter: EmFilterNode | null;
  sort: { field: string; direction: 'asc' | 'desc' } | null;
  page: number;
  pageSize: number;
  now: number;
}

export interface QueryAnswer<V> {
  rows: V[];
  total: number;
}

export interface SimStore {
  readonly seed: number;
  /** what EM calls these sessions: `Replica` (ReplicaTaskSession, /replicaSessions) or `Backup` */
  readonly entity: SimEntity;
  readonly withFraction: boolean;
  counts(): { taskSessions: number; jobSessions: number; jobs: number; servers: number };
  taskId(task: TaskRecord): string;
  jobSessionId(session: JobSessionRecord): string;
  jobId(job: SimJob): string;
  serverId(server: SimServer): string;
  taskName(task: TaskRecord): string;
  jobSessionName(session: JobSessionRecord): string;
  findTask(id: string): TaskRecord | null;
  findJobSession(id: string): JobSessionRecord | null;
  /** every job, in creation order (src/simulator/jobs.ts) */
  allJobs(): readonly SimJob[];
  /** the job a GUID (or `urn:veeam:Job:<GUID>`) names */
  findJob(id: string): SimJob | null;
  queryTasks(request: QueryRequest): QueryAnswer<TaskView>;
  queryJobSessions(request: QueryRequest): QueryAnswer<JobSessionView>;
  /** visible task sessions created at or after `since`, oldest first */
  tasksSince(since: number, now: number): TaskView[];
  jobSessionsSince(since: number, now: number): JobSessionView[];
  addTaskSession(input: NewTaskSession, now: number): TaskRecord;
  finishTaskSession(id: string, input: FinishTaskSession, now: number): TaskRecord;
  toSimTaskSession(task: TaskRecord): SimTaskSession;
  /** one more for every session added or finished (lets derived views such as replica points cache) */
  version(): number;
}

/** The session entities a store holds: replication (the default) or backup sessions (backup-sessions.ts). */
export type SimEntity = 'Replica' | 'Backup';

export interface SimStoreOptions {
  seed: number;
  /** default `Replica` */
  entity?: SimEntity;
  /** the seed of backup server ids (default `seed`): both stores name the same servers alike */
  serverSeed?: number;
  /** v13 servers name sessions with the fraction of a second */
  withFraction: boolean;
  lagMs: number;
  /** salts the ids of sessions added while running; random per start unless given (tests) */
  runtimeSeed?: number;
}

/** Index of the first item whose creation is >= ms (or > ms when `after`). */
function lowerBound(items: ReadonlyArray<{ creation: number }>, ms: number, after: boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = must(items[mid], 'lo <= mid < hi <= items.length').creation;
    if (c < ms || (after && c === ms)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted<T extends { creation: number }>(items: T[], item: T): void {
  items.splice(lowerBound(items, item.creation, true), 0, item);
}

function pushToIndex<T extends { creation: number }>(index: Map<string, T[]>, key: string, item: T): void {
  const list = index.get(key);
  if (list) insertSorted(list, item);
  else index.set(key, [item]);
}

/** The [start, end) slice of a creation-sorted list that the CreationTime comparisons allow. */
function timeRange(
  items: ReadonlyArray<{ creation: number }>,
  required: readonly TypedComparison[],
): [number, number] {
  let start = 0;
  let end = items.length;
  for (const cmp of required) {
    if (cmp.field !== 'CreationTime' || typeof cmp.value !== 'number') continue;
    const v = cmp.value;
    if (cmp.op === '>=' || cmp.op === '==') start = Math.max(start, lowerBound(items, v, false));
    if (cmp.op === '>') start = Math.max(start, lowerBound(items, v, true));
    if (cmp.op === '<=' || cmp.op === '==') end = Math.min(end, lowerBound(items, v, true));
    if (cmp.op === '<') end = Math.min(end, lowerBound(items, v, false));
  }
  return [start, Math.max(start, end)];
}

/**
 * Runs longer than this are kept aside as outliers instead of widening `EndBound.span`, so one task added
 * through the control API with an old creationTime does not turn every EndTime query back into a scan.
 */
const LONG_RUN_MS = 3_600_000;

interface Sequenced {
  serial: number;
  creation: number;
}

/**
 * What lets an EndTime comparison use a creation-sorted list: every record whose (possible) end lies within
 * [creation, creation + span] is "regular", so `EndTime >= X` implies `CreationTime >= X - span` and
 * `EndTime <= X` implies `CreationTime <= X`. Records that end before they start or run longer than
 * LONG_RUN_MS are outliers, kept in list order (creation, then serial, as every index list is ordered) and
 * offered to the query beside the narrowed range, so answers stay exactly those of a full scan.
 */
interface EndBound<R extends Sequenced> {
  /** the longest regular run seen, ms; only grows */
  span: number;
  outliers: R[];
  outlierSet: Set<R>;
}

function createEndBound<R extends Sequenced>(): EndBound<R> {
  return { span: 0, outliers: [], outlierSet: new Set() };
}

/** Records that `record` may show an end `duration` ms after its creation (call again whenever it grows). */
function noteDuration<R extends Sequenced>(bound: EndBound<R>, record: R, duration: number): void {
  if (duration >= 0 && duration <= LONG_RUN_MS) {
    if (duration > bound.span) bound.span = duration;
    return;
  }
  if (bound.outlierSet.has(record)) return;
  bound.outlierSet.add(record);
  const { outliers } = bound;
  let i = lowerBound(outliers, record.creation, true);
  // an outlier among equal creations goes where the index lists hold it: by serial
  for (
    let prev = outliers[i - 1];
    prev && prev.creation === record.creation && prev.serial > record.serial;
  ) {
    i--;
    prev = outliers[i - 1];
  }
  outliers.splice(i, 0, record);
}

/** The CreationTime window [from, to] (inclusive) that the EndTime comparisons imply for regular records. */
function endWindow(required: readonly TypedComparison[], span: number): { from: number; to: number } | null {
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  let bounded = false;
  for (const cmp of required) {
    if (cmp.field !== 'EndTime' || typeof cmp.value !== 'number') continue;
    const v = cmp.value;
    // a running session has no EndTime and matches none of these, so only ended records need to be in range
    if (cmp.op === '>=' || cmp.op === '>' || cmp.op === '==') {
      from = Math.max(from, v - span);
      bounded = true;
    }
    if (cmp.op === '<=' || cmp.op === '<' || cmp.op === '==') {
      to = Math.min(to, v);
      bounded = true;
    }
  }
  return bounded ? { from, to } : null;
}

interface Plan<R> {
  before: readonly R[];
  items: readonly R[];
  start: number;
  end: number;
  after: readonly R[];
}

/**
 * The records a query must look at, in list order: outliers before the range, the range of `items` that the
 * CreationTime and EndTime comparisons allow, outliers after it. Outliers outside `items` are harmless: the
 * filter requires whatever chose `items`, so it rejects them.
 */
function planRange<R extends Sequenced>(
  items: readonly R[],
  required: readonly TypedComparison[],
  bound: EndBound<R>,
): Plan<R> {
  let [start, end] = timeRange(items, required);
  const window = endWindow(required, bound.span);
  if (window === null) return { before: [], items, start, end, after: [] };
  start = Math.max(start, lowerBound(items, window.from, false));
  end = Math.max(start, Math.min(end, lowerBound(items, window.to, true)));
  const { outliers } = bound;
  if (outliers.length === 0) return { before: [], items, start, end, after: [] };
  const [oStart, oEnd] = timeRange(outliers, required);
  const beforeEnd = Math.min(oEnd, lowerBound(outliers, window.from, false));
  const afterStart = Math.max(oStart, lowerBound(outliers, window.to, true));
  return {
    before: outliers.slice(oStart, Math.max(oStart, beforeEnd)),
    items,
    start,
    end,
    after: outliers.slice(afterStart, Math.max(afterStart, oEnd)),
  };
}

function requiredEquals(required: readonly TypedComparison[], field: string): string | null {
  const hit = required.find((cmp) => cmp.field === field && cmp.op === '==' && typeof cmp.value === 'string');
  return typeof hit?.value === 'string' ? hit.value : null;
}

export function createSimStore(data: GeneratedData, options: SimStoreOptions): SimStore {
  const { seed, withFraction, lagMs } = options;
  const entity = options.entity ?? 'Replica';
  const taskType = entity === 'Backup' ? 'BackupTaskSession' : 'ReplicaTaskSession';
  const jobSessionType = entity === 'Backup' ? 'BackupJobSession' : 'ReplicaJobSession';
  const TASK_URN = `urn:veeam:${taskType.toLowerCase()}:`;
  const JOB_SESSION_URN = `urn:veeam:${jobSessionType.toLowerCase()}:`;
  const random = createRandom(seed ^ 0x51f15e);
  const servers = [...data.servers];
  const jobs = [...data.jobs];
  const tasks = [...data.tasks];
  const jobSessions = [...data.jobSessions];
  const taskBySerial = [...data.tasks];
  const jobSessionBySerial = [...data.jobSessions];
  const tasksByVm = new Map<string, TaskRecord[]>();
  const tasksByJob = new Map<string, TaskRecord[]>();
  const sessionsByJob = new Map<string, JobSessionRecord[]>();
  for (const task of tasks) {
    // tasks are sorted already, so plain pushes keep every index list sorted
    const byVm = tasksByVm.get(task.vm.lower);
    if (byVm) byVm.push(task);
    else tasksByVm.set(task.vm.lower, [task]);
    const byJob = tasksByJob.get(task.jobSession.job.lower);
    if (byJob) byJob.push(task);
    else tasksByJob.set(task.jobSession.job.lower, [task]);
  }
  for (const session of jobSessions) {
    const list = sessionsByJob.get(session.job.lower);
    if (list) list.push(session);
    else sessionsByJob.set(session.job.lower, [session]);
  }
  const vmsByName = new Map<string, SimVm>();
  for (const job of jobs) for (const vm of job.vms) vmsByName.set(vm.name, vm);
  const taskEnds = createEndBound<TaskRecord>();
  const jobSessionEnds = createEndBound<JobSessionRecord>();
  const noteTaskEnd = (task: TaskRecord) => {
    if (task.end === null) return;
    noteDuration(taskEnds, task, task.end - task.creation);
    // a job session shows an end only once a task has ended: endPad after its last task, never before creation
    const session = task.jobSession;
    noteDuration(jobSessionEnds, session, Math.max(0, task.end - session.creation) + session.endPad);
  };
  for (const task of tasks) noteTaskEnd(task);
  // parent sessions (backup-sessions.ts) have no tasks: their end is their close or their last child's
  for (const session of jobSessions) {
    if (session.children === undefined) continue;
    const last = Math.max(session.closesAt ?? session.creation, ...session.children.map((c) => c.creation));
    noteDuration(jobSessionEnds, session, last - session.creation + LONG_RUN_MS + 1);
  }

  // Generated history keeps the same ids for the same seed; sessions added while running (control API) get ids
  // salted per start, so a restarted simulator never hands out an id a client has already seen, as a real EM would.
  const generatedTasks = taskBySerial.length;
  const generatedJobSessions = jobSessionBySerial.length;
  const runtimeSeed = options.runtimeSeed ?? randomBytes(4).readUInt32LE(0);
  const taskSeed = (serial: number) => (serial < generatedTasks ? seed : runtimeSeed);
  const jobSessionSeed = (serial: number) => (serial < generatedJobSessions ? seed : runtimeSeed);
  const taskId = (task: TaskRecord) => toGuid(taskSeed(task.serial), 'task', task.serial);
  const jobSessionId = (session: JobSessionRecord) =>
    toGuid(jobSessionSeed(session.serial), 'jobSession', session.serial);
  const jobId = (job: SimJob) => toGuid(seed, 'job', job.serial);
  const serverId = (server: SimServer) => toGuid(options.serverSeed ?? seed, 'server', server.serial);
  const taskName = (task: TaskRecord) => toSessionName(task.vm.name, task.creation, withFraction);
  const jobSessionName = (session: JobSessionRecord) =>
    toSessionName(session.job.name, session.creation, withFraction);

  const taskGetters: FieldGetters<TaskView> = {
    UID: (v) => TASK_URN + taskId(v.record),
    Name: (v) => taskName(v.record).toLowerCase(),
    CreationTime: (v) => v.creation,
    EndTime: (v) => v.end,
    State: (v) => TASK_STATES.indexOf(v.state),
    Result: (v) => SESSION_RESULTS.indexOf(v.result),
    Reason: (v) => v.reason.toLowerCase(),
    TotalSize: (v) => v.record.totalSize,
    JobSessionUid: (v) => JOB_SESSION_URN + jobSessionId(v.record.jobSession),
    JobUid: (v) => `urn:veeam:job:${jobId(v.record.jobSession.job)}`,
    JobName: (v) => v.record.jobSession.job.lower,
    BackupServerUid: (v) => `urn:veeam:backupserver:${serverId(v.record.jobSession.job.server)}`,
    BackupServerName: (v) => v.record.jobSession.job.server.lower,
    VmDisplayName: (v) => v.record.vm.lower,
  };
  const jobGetters: FieldGetters<JobSessionView> = {
    UID: (v) => JOB_SESSION_URN + jobSessionId(v.record),
    Name: (v) => jobSessionName(v.record).toLowerCase(),
    JobType: (v) => (v.record.job.jobType ?? 'Replica').toLowerCase(),
    JobUid: (v) => `urn:veeam:job:${jobId(v.record.job)}`,
    JobName: (v) => v.record.job.lower,
    CreationTime: (v) => v.creation,
    EndTime: (v) => v.end,
    State: (v) => JOB_STATES.indexOf(v.state),
    Result: (v) => SESSION_RESULTS.indexOf(v.result),
    IsRetry: (v) => (v.record.isRetry ? 1 : 0),
    BackupServerUid: (v) => `urn:veeam:backupserver:${serverId(v.record.job.server)}`,
    BackupServerName: (v) => v.record.job.server.lower,
  };

  const findTask = (id: string): TaskRecord | null => {
    const guid = id.slice(id.lastIndexOf(':') + 1);
    for (const candidate of [seed, runtimeSeed]) {
      const serial = fromGuid(candidate, 'task', guid);
      const task = serial === null ? undefined : taskBySerial[serial];
      if (serial !== null && taskSeed(serial) === candidate && task) return task;
    }
    return null;
  };
  const findJobSession = (id: string): JobSessionRecord | null => {
    const guid = id.slice(id.lastIndexOf(':') + 1);
    for (const candidate of [seed, runtimeSeed]) {
      const serial = fromGuid(candidate, 'jobSession', guid);
      const session = serial === null ? undefined : jobSessionBySerial[serial];
      if (serial !== null && jobSessionSeed(serial) === candidate && session) return session;
    }
    return null;
  };

  function runQuery<R extends Sequenced & { visibleFrom: number }, V>(
    type: SessionType,
    candidates: readonly R[],
    request: QueryRequest,
    getters: FieldGetters<V>,
    view: (record: R, now: number) => V,
    ends: EndBound<R>,
    /** the exact count of the plan's range without a scan (task-counts.ts), or null to scan */
    fastCount: ((start: number, end: number, predicate: RowPredicate<V>) => CountedRange) | null = null,
  ): QueryAnswer<V> {
    const { now, page, pageSize } = request;
    const required = toRequiredComparisons(type, request.filter);
    const predicate: RowPredicate<V> = request.filter
      ? compileEmFilter(type, request.filter, getters)
      : () => true;
    const plan = planRange(candidates, required, ends);
    const { before, items, after } = plan;
    const rangeLength = plan.end - plan.start;
    const count = before.length + rangeLength + after.length;
    const at = (i: number): R =>
      must(
        i < before.length
          ? before[i]
          : i < before.length + rangeLength
            ? items[plan.start + i - before.length]
            : after[i - before.length - rangeLength],
        'i < count = before + range + after',
      );
    const sortField = request.sort ? toCanonicalField(type, request.sort.field) : 'CreationTime';
    if (sortField === null) {
      throw new EmFilterError(`Unknown sort parameter '${request.sort?.field}' for type ${type}.`);
    }
    const desc = request.sort?.direction === 'desc';
    const first = (page - 1) * pageSize;
    if (sortField === 'CreationTime' && fastCount !== null && before.length === 0 && after.length === 0) {
      // counted without a scan; the page is found by jumping the blocks before it, then walked in order
      const counted = fastCount(plan.start, plan.end, predicate);
      const total = counted.count(plan.start, plan.end);
      const rows: V[] = [];
      if (first >= total) return { rows, total };
      const { at, skipped } = counted.seek(first, desc);
      let seen = skipped;
      // i walks the list from `at`: up for ascending, down from at - 1 for descending
      for (let i = desc ? at - 1 : at; desc ? i >= plan.start : i < plan.end; desc ? i-- : i++) {
        const record = must(items[i], 'plan.start <= i < plan.end');
        if (record.visibleFrom > now) continue;
        const row = view(record, now);
        if (!predicate(row)) continue;
        if (seen >= first) rows.push(row);
        seen++;
        if (rows.length >= pageSize || seen >= total) break;
      }
      return { rows, total };
    }
    if (sortField === 'CreationTime') {
      // already in order: count every match, keep only the requested page
      const rows: V[] = [];
      let total = 0;
      for (let i = 0; i < count; i++) {
        const record = at(desc ? count - 1 - i : i);
        if (record.visibleFrom > now) continue;
        const row = view(record, now);
        if (!predicate(row)) continue;
        if (total >= first && total < first + pageSize) rows.push(row);
        total++;
      }
      return { rows, total };
    }
    const get = must(getters[sortField], 'every canonical field has a getter');
    const matches: Array<{ row: V; key: string | number | null; creation: number }> = [];
    for (let i = 0; i < count; i++) {
      const record = at(i);
      if (record.visibleFrom > now) continue;
      const row = view(record, now);
      if (predicate(row)) matches.push({ row, key: get(row), creation: record.creation });
    }
    const sign = desc ? -1 : 1;
    matches.sort((a, b) => {
      if (a.key !== b.key) {
        if (a.key === null) return -sign;
        if (b.key === null) return sign;
        return a.key < b.key ? -sign : sign;
      }
      return (a.creation - b.creation) * sign;
    });
    return { rows: matches.slice(first, first + pageSize).map((m) => m.row), total: matches.length };
  }

  const queryTasks = (request: QueryRequest): QueryAnswer<TaskView> => {
    const required = toRequiredComparisons(taskType, request.filter);
    let candidates: readonly TaskRecord[] = tasks;
    const consider = (list: readonly TaskRecord[] | undefined) => {
      const next = list ?? [];
      if (next.length < candidates.length) candidates = next;
    };
    const uid = requiredEquals(required, 'UID');
    if (uid !== null) {
      const task = findTask(uid);
      consider(task ? [task] : []);
    }
    const jobSessionUid = requiredEquals(required, 'JobSessionUid');
    if (jobSessionUid !== null) consider(findJobSession(jobSessionUid)?.tasks);
    const vm = requiredEquals(required, 'VmDisplayName');
    if (vm !== null) consider(tasksByVm.get(vm));
    const job = requiredEquals(required, 'JobName');
    if (job !== null) consider(tasksByJob.get(job));
    // the whole list, a filter of State, Result and CreationTime: counted from the block counts (task-counts.ts)
    const counter =
      candidates === tasks && isCountable(request.filter, (field) => toCanonicalField(taskType, field))
        ? (start: number, end: number, predicate: RowPredicate<TaskView>) =>
            taskCounts().prepare(start, end, request.now, predicate)
        : null;
    return runQuery(taskType, candidates, request, taskGetters, viewTask, taskEnds, counter);
  };
  // built for one version of the data: every add and finish moves `version`
  let countIndex: { version: number; index: TaskCountIndex } | null = null;
  const taskCounts = (): TaskCountIndex => {
    if (countIndex === null || countIndex.version !== version)
      countIndex = { version, index: buildTaskCountIndex(tasks) };
    return countIndex.index;
  };

  const queryJobSessions = (request: QueryRequest): QueryAnswer<JobSessionView> => {
    const required = toRequiredComparisons(jobSessionType, request.filter);
    let candidates: readonly JobSessionRecord[] = jobSessions;
    const uid = requiredEquals(required, 'UID');
    if (uid !== null) {
      const session = findJobSession(uid);
      candidates = session ? [session] : [];
    }
    const job = requiredEquals(required, 'JobName');
    if (job !== null) {
      const list = sessionsByJob.get(job) ?? [];
      if (list.length < candidates.length) candidates = list;
    }
    return runQuery(jobSessionType, candidates, request, jobGetters, viewJobSession, jobSessionEnds);
  };

  const findOrCreateServer = (name: string | undefined): SimServer => {
    if (name === undefined) return servers[0] ?? createServer('srv02.tech.local');
    return servers.find((server) => server.name === name) ?? createServer(name);
  };
  function createServer(name: string): SimServer {
    const server: SimServer = { serial: servers.length, name, lower: name.toLowerCase() };
    servers.push(server);
    return server;
  }

  const checkName = (label: string, value: unknown): string => {
    if (typeof value !== 'string' || value.trim() === '')
      throw new SimInputError(`${label} must be a non-empty string`);
    if (!isXmlSafe(value)) throw new SimInputError(`${label} contains characters EM cannot return in XML`);
    return value;
  };
  const checkDate = (label: string, value: unknown): number | undefined => {
    if (value === undefined || value === null) return undefined;
    const ms =
      value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) throw new SimInputError(`${label} must be a date such as 2025-06-17T20:00:18Z`);
    return ms;
  };

  const addTaskSession = (input: NewTaskSession, now: number): TaskRecord => {
    version += 1;
    const vmName = checkName('vm', input.vm);
    const state = input.state ?? (input.result !== undefined ? 'Completed' : 'InProgress');
    if (!['InProgress', 'Completed', 'Pending'].includes(state)) {
      throw new SimInputError('state must be InProgress, Completed or Pending');
    }
    if (input.result !== undefined && !['Success', 'Warning', 'Failed'].includes(input.result)) {
      throw new SimInputError('result must be Success, Warning or Failed');
    }
    if (input.reason !== undefined && (typeof input.reason !== 'string' || !isXmlSafe(input.reason))) {
      throw new SimInputError('reason must be a string EM can return in XML');
    }
    const creation = checkDate('creationTime', input.creationTime) ?? now;
    const endInput = checkDate('endTime', input.endTime);
    let session: JobSessionRecord;
    if (input.jobSessionUid !== undefined) {
      const found = findJobSession(String(input.jobSessionUid));
      if (!found) throw new SimInputError(`No job session ${input.jobSessionUid}`, true);
      session = found;
    } else {
      const jobName = checkName('job', input.job);
      let job = jobs.find((candidate) => candidate.name === jobName);
      if (!job) {
        const server = findOrCreateServer(
          input.server === undefined ? undefined : checkName('server', input.server),
        );
        job = { serial: jobs.length, name: jobName, lower: jobName.toLowerCase(), server, vms: [] };
        if (entity === 'Backup') {
          const jobType = input.jobType ?? 'Backup';
          if (!isBackupJobType(jobType)) {
            throw new SimInputError(`jobType must be one of ${BACKUP_JOB_TYPES.join(', ')}`);
          }
          job.jobType = jobType;
        }
        jobs.push(job);
      }
      session = {
        serial: jobSessionBySerial.length,
        job,
        creation,
        isRetry: input.isRetry === true,
        tasks: [],
        visibleFrom: now + lagMs,
        endPad: 3_000,
      };
      jobSessionBySerial.push(session);
      insertSorted(jobSessions, session);
      pushToIndex(sessionsByJob, job.lower, session);
    }
    let vm = vmsByName.get(vmName);
    if (!vm) {
      vm = { name: vmName, lower: vmName.toLowerCase(), size: random.int(1, 64) * 8 * 1024 ** 3 };
      vmsByName.set(vmName, vm);
      session.job.vms.push(vm);
    }
    const finished = state === 'Completed';
    const end = finished ? (endInput ?? Math.max(now, creation)) : null;
    const totalSize = input.totalSize ?? vm.size;
    if (!Number.isSafeInteger(totalSize) || totalSize < 0) {
      throw new SimInputError('totalSize must be a whole number of bytes');
    }
    const task: TaskRecord = {
      serial: taskBySerial.length,
      vm,
      jobSession: session,
      creation,
      end,
      state,
      result: finished ? (input.result ?? 'Success') : 'None',
      reason: input.reason ?? '',
      totalSize,
      visibleFrom: now + lagMs,
      finishVisibleFrom: finished ? now + lagMs : Number.POSITIVE_INFINITY,
    };
    taskBySerial.push(task);
    insertSorted(tasks, task);
    insertSorted(session.tasks, task);
    pushToIndex(tasksByVm, vm.lower, task);
    pushToIndex(tasksByJob, session.job.lower, task);
    noteTaskEnd(task);
    return task;
  };

  let version = 0;
  const finishTaskSession = (id: string, input: FinishTaskSession, now: number): TaskRecord => {
    version += 1;
    const task = findTask(id);
    if (!task) throw new SimInputError(`No task session ${id}`, true);
    if (!['Success', 'Warning', 'Failed'].includes(input.result)) {
      throw new SimInputError('result must be Success, Warning or Failed');
    }
    if (input.reason !== undefined && (typeof input.reason !== 'string' || !isXmlSafe(input.reason))) {
      throw new SimInputError('reason must be a string EM can return in XML');
    }
    const end = checkDate('endTime', input.endTime) ?? now;
    task.end = Math.max(end, task.creation);
    task.state = 'Completed';
    task.result = input.result;
    task.reason = input.reason ?? '';
    // EM learns about the finish at its next collection, whatever end time the backup server reports
    task.finishVisibleFrom = now + lagMs;
    noteTaskEnd(task);
    return task;
  };

  const since = <R extends { creation: number; visibleFrom: number }, V>(
    list: readonly R[],
    from: number,
    now: number,
    view: (record: R, now: number) => V,
  ): V[] => {
    const out: V[] = [];
    for (let i = lowerBound(list, from, false); i < list.length; i++) {
      const record = must(list[i], 'i < list.length');
      if (record.visibleFrom <= now) out.push(view(record, now));
    }
    return out;
  };

  return {
    seed,
    entity,
    withFraction,
    counts: () => ({
      taskSessions: tasks.length,
      jobSessions: jobSessions.length,
      jobs: jobs.length,
      servers: servers.length,
    }),
    taskId,
    jobSessionId,
    jobId,
    serverId,
    taskName,
    jobSessionName,
    findTask,
    findJobSession,
    allJobs: () => jobs,
    findJob: (id) => {
      const serial = fromGuid(seed, 'job', id.slice(id.lastIndexOf(':') + 1));
      return serial === null ? null : (jobs.find((job) => job.serial === serial) ?? null);
    },
    queryTasks,
    queryJobSessions,
    tasksSince: (from, now) => since(tasks, from, now, viewTask),
    jobSessionsSince: (from, now) => since(jobSessions, from, now, viewJobSession),
    addTaskSession,
    finishTaskSession,
    version: () => version,
    toSimTaskSession: (task) => ({
      id: taskId(task),
      uid: `urn:veeam:${taskType}:${taskId(task)}`,
      name: taskName(task),
      vmDisplayName: task.vm.name,
      jobName: task.jobSession.job.name,
      backupServerName: task.jobSession.job.server.name,
      jobSessionId: jobSessionId(task.jobSession),
      jobSessionUid: `urn:veeam:${jobSessionType}:${jobSessionId(task.jobSession)}`,
      creationTime: new Date(task.creation),
      endTime: task.end === null ? null : new Date(task.end),
      state: task.state,
      result: task.result,
      reason: task.reason,
      totalSize: task.totalSize,
      isRetry: task.jobSession.isRetry,
      visibleFrom: new Date(task.visibleFrom),
    }),
  };
}
