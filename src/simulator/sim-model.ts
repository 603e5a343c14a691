/**
 * The simulator's in-memory records and the pure rules that turn them into what EM shows at a given moment
 * (collection lag, sessions still running). Ids are derived from (seed, kind, serial) instead of stored, so a
 * million task sessions cost no id strings until a page is rendered.
 */
import type { JobState, KnownSessionResult as SessionResult, TaskState } from '../core/sessions.js';
import { hash32 } from './create-random.js';

export type IdKind = 'task' | 'jobSession' | 'job' | 'server' | 'replicaPoint' | 'replica';
const KIND_SALT: Record<IdKind, number> = {
  task: 11,
  jobSession: 23,
  job: 37,
  server: 53,
  replicaPoint: 67,
  replica: 79,
};

export interface SimServer {
  serial: number;
  name: string;
  lower: string;
}

export interface SimVm {
  name: string;
  lower: string;
  /** bytes; the VM's provisioned size, which EM reports as TotalSize */
  size: number;
}

export interface SimJob {
  serial: number;
  name: string;
  lower: string;
  server: SimServer;
  vms: SimVm[];
  /** EM's `JobType` (backup-sessions.ts); absent for replication jobs */
  jobType?: string;
}

export interface JobSessionRecord {
  serial: number;
  job: SimJob;
  /** ms since epoch */
  creation: number;
  isRetry: boolean;
  /** sorted by creation */
  tasks: TaskRecord[];
  /** EM shows it from this moment on (creation or insertion + collection lag) */
  visibleFrom: number;
  /** ms added to the last task's end to give the job session's end */
  endPad: number;
  /** a parent session with no tasks of its own (immediate copy, agent backup): its child sessions */
  children?: JobSessionRecord[];
  /** a parent session ends here (ms), or with its last child, whichever is later; absent: it runs on */
  closesAt?: number;
}

export interface TaskRecord {
  serial: number;
  vm: SimVm;
  jobSession: JobSessionRecord;
  creation: number;
  /** null while running (and never finished) */
  end: number | null;
  state: TaskState;
  result: SessionResult;
  reason: string;
  totalSize: number;
  visibleFrom: number;
  /** EM shows the finished state from this moment on; Infinity while the task has not finished */
  finishVisibleFrom: number;
}

/** What EM shows for a task session at one moment. */
export interface TaskView {
  record: TaskRecord;
  creation: number;
  end: number | null;
  state: TaskState;
  result: SessionResult;
  reason: string;
}

export interface JobSessionView {
  record: JobSessionRecord;
  creation: number;
  end: number | null;
  state: JobState;
  result: SessionResult;
  progress: number;
  failureMessage: string;
}

const RESULT_RANK: Record<SessionResult, number> = { None: 0, Success: 1, Warning: 2, Failed: 3 };

export function viewTask(task: TaskRecord, now: number): TaskView {
  if (task.finishVisibleFrom <= now) {
    return {
      record: task,
      creation: task.creation,
      end: task.end,
      state: task.state,
      result: task.result,
      reason: task.reason,
    };
  }
  return {
    record: task,
    creation: task.creation,
    end: null,
    state: task.state === 'Pending' ? 'Pending' : 'InProgress',
    result: 'None',
    reason: '',
  };
}

export function viewJobSession(session: JobSessionRecord, now: number): JobSessionView {
  if (session.children !== undefined) return viewParentSession(session, session.children, now);
  let finished = 0;
  let counted = 0;
  let end = session.creation;
  let worst: SessionResult = 'Success';
  let failureMessage = '';
  for (const task of session.tasks) {
    if (task.visibleFrom > now) continue;
    counted++;
    if (task.finishVisibleFrom > now) continue;
    finished++;
    if (task.end !== null && task.end > end) end = task.end;
    if (RESULT_RANK[task.result] > RESULT_RANK[worst]) {
      worst = task.result;
      failureMessage = task.reason;
    }
  }
  if (counted > 0 && finished === counted) {
    return {
      record: session,
      creation: session.creation,
      end: end + session.endPad,
      state: 'Stopped',
      result: worst,
      progress: 100,
      failureMessage: worst === 'Success' ? '' : failureMessage,
    };
  }
  return {
    record: session,
    creation: session.creation,
    end: null,
    state: 'Working',
    result: 'None',
    progress: counted === 0 ? 0 : Math.floor((finished * 100) / counted),
    failureMessage: '',
  };
}

/** A parent session: Working until it closes and every child that EM shows has ended; then its worst result. */
function viewParentSession(
  session: JobSessionRecord,
  children: readonly JobSessionRecord[],
  now: number,
): JobSessionView {
  let end = session.closesAt ?? Number.POSITIVE_INFINITY;
  let worst: SessionResult = 'Success';
  let failureMessage = '';
  let open = end > now;
  for (const child of children) {
    if (child.visibleFrom > now) continue;
    const view = viewJobSession(child, now);
    if (view.end === null) open = true;
    else if (view.end > end) end = view.end;
    if (RESULT_RANK[view.result] > RESULT_RANK[worst]) {
      worst = view.result;
      failureMessage = view.failureMessage;
    }
  }
  if (open || end > now) {
    return {
      record: session,
      creation: session.creation,
      end: null,
      state: 'Working',
      result: 'None',
      progress: 0,
      failureMessage: '',
    };
  }
  return {
    record: session,
    creation: session.creation,
    end,
    state: 'Stopped',
    result: worst,
    progress: 100,
    failureMessage: worst === 'Success' ? '' : failureMessage,
  };
}

// --- ids -------------------------------------------------------------------------------------------------------

function hex(value: number, digits: number): string {
  return (value >>> 0)
    .toString(16)
    .padStart(8, '0')
    .slice(8 - digits);
}

const MIX = 0x9e3779b1;
/** MIX^-1 mod 2^32 (Newton's iteration), so the serial can be recovered from the id */
const UNMIX = (() => {
  let inverse = MIX;
  for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(MIX, inverse));
  return inverse >>> 0;
})();

/**
 * A GUID for a record: random-looking, stable for (seed, kind, serial), and reversible (the last 8 hex digits
 * carry the serial through an invertible mix), so a lookup by id needs no map.
 */
export function toGuid(seed: number, kind: IdKind, serial: number): string {
  const salt = hash32(seed, KIND_SALT[kind]);
  const a = hash32(salt, serial);
  const b = hash32(a, serial ^ 0x5bd1e995);
  const tail = (Math.imul(serial, MIX) ^ hash32(salt, 2)) >>> 0;
  return `${hex(a, 8)}-${hex(b >>> 16, 4)}-4${hex(b, 3)}-${hex(0x8000 | (a & 0x3fff), 4)}-${hex(b >>> 8, 4)}${hex(tail, 8)}`;
}

/** The serial a GUID was made from, or null when it is not one of ours for that kind. */
export function fromGuid(seed: number, kind: IdKind, guid: string): number | null {
  const id = guid.toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return null;
  const salt = hash32(seed, KIND_SALT[kind]);
  const serial = Math.imul((Number.parseInt(id.slice(28), 16) ^ hash32(salt, 2)) >>> 0, UNMIX) >>> 0;
  return toGuid(seed, kind, serial) === id ? serial : null;
}

// --- formatting --------------------------------------------------------------------------------------------------

/** EM's DateTime text: UTC, fraction without trailing zeros, no fraction when whole seconds. */
export function toEmDateTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2025-06-17T20:00:18.060Z
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction === '' ? '' : `.${fraction}`}Z`;
}

/** `<base>@yyyy-MM-dd HH:mm:ss` (UTC) as EM names sessions; v13 servers add the fraction of a second. */
export function toSessionName(base: string, ms: number, withFraction: boolean): string {
  const iso = new Date(ms).toISOString();
  const fraction = withFraction ? iso.slice(20, 23).replace(/0+$/, '') : '';
  return `${base}@${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction === '' ? '' : `.${fraction}`}`;
}

/** True for text XML 1.0 can carry (VM and job names from the control API must be representable). */
export function isXmlSafe(text: string): boolean {
  return !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(
    text,
  );
}
