/**
 * zod schemas for the Enterprise Manager documents replibot reads, over the lower-case tree of parseEmBody, and
 * the parse* functions that turn them into the domain types of src/core/sessions.ts.
 *
 * Backup sessions (`BackupTaskSession`, `BackupJobSession`) have the same shape as replica sessions, so they
 * decode into the same types; the real captured samples are backup sessions and test these schemas.
 */
import { z } from 'zod';
import { ReplibotError } from '../core/errors.js';
import { must } from '../core/must.js';
import type { EmPage } from '../core/ports.js';
import type { Replica, VmReplicaPoint } from '../core/replica-points.js';
import type { RestorePoint, VmRestorePoint } from '../core/restore-points.js';
import {
  JOB_STATES,
  type KnownSessionResult,
  type ReplicaJobSession,
  type ReplicaTaskSession,
  SESSION_RESULTS,
  type SessionResult,
  TASK_STATES,
  toRunningAwareResult,
  toSessionId,
} from '../core/sessions.js';

/** The entity types the decoders understand. Backup types share the replica shapes. */
export type EmEntityType =
  | 'ReplicaTaskSession'
  | 'ReplicaJobSession'
  | 'BackupTaskSession'
  | 'BackupJobSession'
  | 'VmReplicaPoint'
  | 'Replica'
  | 'VmRestorePoint'
  | 'RestorePoint';

export interface EntityByType {
  ReplicaTaskSession: ReplicaTaskSession;
  ReplicaJobSession: ReplicaJobSession;
  BackupTaskSession: ReplicaTaskSession;
  BackupJobSession: ReplicaJobSession;
  VmReplicaPoint: VmReplicaPoint;
  Replica: Replica;
  VmRestorePoint: VmRestorePoint;
  RestorePoint: RestorePoint;
}

export interface EmLink {
  rel: string | null;
  href: string | null;
  name: string | null;
  type: string | null;
}

/** A trailing `@yyyy-MM-dd HH:mm:ss` (v13: with up to 7 fraction digits) that EM appends to session names. */
const SESSION_TIMESTAMP = /@\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,7})?$/;

/**
 * `Replication Job 2@2025-06-17 20:00:05` -> `Replication Job 2`. Only a trailing timestamp goes: a job may be
 * called `ops@site` or even `nightly@2025-06-17` and keeps that.
 */
export function stripSessionTimestamp(name: string): string {
  return name.replace(SESSION_TIMESTAMP, '');
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/** EM's `*UTC` values; one without a zone designator is UTC too (never the machine's local time). */
const utcDate = z.string().transform((value, ctx) => {
  const date = toUtcDate(value);
  if (date === null) {
    ctx.addIssue({ code: 'custom', message: 'is not an ISO 8601 date and time' });
    return z.NEVER;
  }
  return date;
});

function toUtcDate(value: string): Date | null {
  const quick = toPlainUtcDate(value);
  if (quick !== null) return quick;
  const text = value.trim();
  const ms = ISO_DATE.test(text) ? Date.parse(HAS_ZONE.test(text) ? text : `${text}Z`) : Number.NaN;
  return Number.isNaN(ms) ? null : new Date(ms);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return must(DAYS_IN_MONTH[month - 1], 'month is 1..12 (checked by the caller)');
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/**
 * The form EM sends nearly always, `2026-11-02T18:48:51.872Z` (or without the Z, or with up to 7 fraction
 * digits), read by hand; anything else (a zone offset, padding, an impossible day) is null and goes to the
 * reference path above, which decides.
 */
export function toPlainUtcDate(text: string): Date | null {
  return toPlainUtcDateAt(text, 0, text.length);
}

/** toPlainUtcDate of the text from `from` to `to` of `src`, read in place (the single-pass row readers' dates). */
export function toPlainUtcDateAt(src: string, from: number, to: number): Date | null {
  const n = to - from;
  if (n < 19 || n > 28) return null;
  if (
    src.charCodeAt(from + 4) !== 0x2d ||
    src.charCodeAt(from + 7) !== 0x2d ||
    src.charCodeAt(from + 10) !== 0x54 ||
    src.charCodeAt(from + 13) !== 0x3a ||
    src.charCodeAt(from + 16) !== 0x3a
  ) {
    return null;
  }
  const century = twoDigitsAt(src, from);
  const years = twoDigitsAt(src, from + 2);
  const month = twoDigitsAt(src, from + 5);
  const day = twoDigitsAt(src, from + 8);
  const hour = twoDigitsAt(src, from + 11);
  const minute = twoDigitsAt(src, from + 14);
  const second = twoDigitsAt(src, from + 17);
  if (century < 1 || years < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || minute < 0 || second < 0)
    return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const year = century * 100 + years;
  let at = from + 19;
  let ms = 0;
  if (at < to && src.charCodeAt(at) === 0x2e) {
    at += 1;
    const start = at;
    // whole milliseconds, as Date.parse keeps them: the first three digits (missing ones are 0), the rest dropped
    let scale = 100;
    for (; at < to; at += 1) {
      const digit = src.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) break;
      ms += digit * scale;
      scale = scale === 1 ? 0 : scale / 10;
    }
    if (at === start || at - start > 7) return null;
  }
  if (at < to && (src.charCodeAt(at) === 0x5a || src.charCodeAt(at) === 0x7a)) at += 1;
  if (at !== to) return null;
  // 2026-02-30 would roll over in Date.UTC; Date.parse refuses it, so the reference path decides
  if (day > 28 && day > daysInMonth(year, month)) return null;
  return new Date(((daysOf(year, month, day) * 24 + hour) * 60 + minute) * 60000 + second * 1000 + ms);
}

/** The last date asked of daysOf (rows of a page mostly share their day). */
let lastDateKey = -1;
let lastDays = 0;

function daysOf(year: number, month: number, day: number): number {
  const key = (year * 16 + month) * 32 + day;
  if (key !== lastDateKey) {
    lastDays = daysFromCivil(year, month, day);
    lastDateKey = key;
  }
  return lastDays;
}

/** Two digits at `at` of `text` as a number, or -1. */
function twoDigitsAt(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const units = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -1;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil): what Date.UTC computes, without
 * its call (year 100 or later, month 1..12, a day the month has: checked by the caller).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** XML's `xsi:nil="true"` (the reader drops the prefix): the element is there and means null. */
const xsiNil = z.object({ nil: z.literal('true') }).transform(() => null);

function isXsiNil(value: unknown): boolean {
  return isTree(value) && value.nil === 'true' && Object.keys(value).length === 1;
}

/** Absent, null, xsi:nil or empty while running; .NET placeholders such as 0001-01-01 mean "not ended" as well. */
const endDate = z
  .union([z.literal(''), z.null(), xsiNil, utcDate])
  .optional()
  .transform((value) => (value instanceof Date && value.getUTCFullYear() > 1900 ? value : null));

const UID = /^urn:veeam:[A-Za-z_0-9-]+:[A-Za-z_0-9-]+$/;
const uid = z.string().regex(UID, 'is not an EM UID (urn:veeam:Type:id)');

/** Whole non-negative numbers arrive as JSON numbers or XML text. */
const count = z
  .union([z.number(), z.string().trim().regex(/^\d+$/, 'is not a whole number')])
  .transform(Number)
  .pipe(z.number().int().nonnegative());

const bool = z.union([
  z.boolean(),
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false']))
    .transform((value) => value === 'true'),
]);

/** Enum values compared without case (EM's own filters ignore case); the domain gets the canonical spelling. */
function enumOf<T extends string>(values: readonly T[], fallback?: T) {
  const byLower = new Map(values.map((value) => [value.toLowerCase(), value]));
  return z
    .string()
    .nullish()
    .transform((value, ctx): T => {
      const text = value?.trim() ?? '';
      const hit = byLower.get(text.toLowerCase());
      if (hit !== undefined) return hit;
      if (text === '' && fallback !== undefined) return fallback;
      ctx.addIssue({ code: 'custom', message: `is not one of ${values.join(', ')}` });
      return z.NEVER;
    });
}

const optionalText = z
  .union([z.string(), xsiNil])
  .nullish()
  .transform((value) => value ?? null);

const RESULT_BY_LOWER = new Map<string, KnownSessionResult>(SESSION_RESULTS.map((r) => [r.toLowerCase(), r]));

/**
 * EM's Result word: a known one in its canonical spelling, absent or empty as `None` (EM leaves it out while a
 * session runs), and any other word as `Unknown` with the word kept (a newer EM's result is still a result).
 */
function toResult(word: string | null | undefined): { result: SessionResult; resultWord?: string } {
  const text = word?.trim() ?? '';
  if (text === '') return { result: 'None' };
  const known = RESULT_BY_LOWER.get(text.toLowerCase());
  return known ? { result: known } : { result: 'Unknown', resultWord: toOwnString(text.slice(0, 40)) };
}

const link = z.object({
  rel: optionalText,
  href: optionalText,
  name: optionalText,
  type: optionalText,
});

/** XML gives `{ link: [...] }` (or '' for `<Links />`), JSON an array or null. */
const links = z
  .union([z.array(link), z.object({ link: z.array(link).optional() }), z.literal(''), z.null()])
  .optional()
  .transform((value): EmLink[] => {
    const list = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? value.link : [];
    return (list ?? []).map((item) => ({
      rel: item.rel ?? null,
      href: item.href ?? null,
      name: item.name ?? null,
      type: item.type ?? null,
    }));
  });

function upLinkName(list: EmLink[], matches: (type: string) => boolean): string | null {
  for (const item of list) {
    const rel = item.rel;
    if (rel === null || (rel !== 'Up' && rel.toLowerCase() !== 'up')) continue;
    if (item.type !== null && matches(item.type)) return item.name ?? null;
  }
  return null;
}

export const isBackupServerRef = (type: string) =>
  type === 'BackupServerReference' || type.toLowerCase() === 'backupserverreference';
export const isJobSessionRef = (type: string) =>
  type === 'ReplicaJobSessionReference' ||
  type === 'BackupJobSessionReference' ||
  /jobsessionreference$/i.test(type);

type RawTaskSession = {
  uid: string;
  name: string;
  vmdisplayname?: string | null | undefined;
  jobsessionuid: string;
  creationtimeutc: Date;
  endtimeutc: Date | null;
  state: ReplicaTaskSession['state'];
  result: string | null;
  reason?: string | null | undefined;
  totalsize?: number | '' | null | undefined;
  links: EmLink[];
};
type RawJobSession = {
  uid: string;
  name: string;
  jobuid: string;
  jobname: string;
  jobtype: string;
  creationtimeutc: Date;
  endtimeutc: Date | null;
  state: ReplicaJobSession['state'];
  result: string | null;
  progress?: number | '' | null | undefined;
  failuremessage?: string | null | undefined;
  isretry?: boolean | '' | null | undefined;
  links: EmLink[];
};

/** The result as every consumer should see it: EM's word read, then reconciled with the state. */
function withResult<T extends { state: ReplicaTaskSession['state'] | ReplicaJobSession['state'] }>(
  session: T,
  word: string | null,
): T & { result: SessionResult; resultWord?: string } {
  const read = toResult(word);
  // the session is a fresh literal of the caller's: completing it in place spares a copy per row
  const out = session as T & { result: SessionResult; resultWord?: string };
  out.result = toRunningAwareResult(session.state, read.result);
  if (read.resultWord !== undefined) out.resultWord = read.resultWord;
  return out;
}

/**
 * A copy of `text` that keeps nothing else alive. The XML reader's values are slices of the page text, and V8
 * keeps a sliced string's parent: one UID kept from each of 60 pages would hold all 60 pages (67 MiB). Strings
 * under 13 characters are always copied by V8; longer ones are flattened into a fresh string here.
 */
export function toOwnString(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}

function toOwnText(text: string | null): string | null {
  return text === null ? null : toOwnString(text);
}

function toTaskSession(raw: RawTaskSession): ReplicaTaskSession {
  const uid = toOwnString(raw.uid);
  const name = toOwnString(raw.name);
  return withResult(
    {
      uid,
      id: toSessionId(uid),
      name,
      vmDisplayName: toOwnString(raw.vmdisplayname ?? stripSessionTimestamp(name)),
      jobSessionUid: toOwnString(raw.jobsessionuid),
      jobName: toOwnText(nameWithoutTimestamp(upLinkName(raw.links, isJobSessionRef))),
      backupServerName: toOwnText(upLinkName(raw.links, isBackupServerRef)),
      creationTime: raw.creationtimeutc,
      endTime: raw.endtimeutc,
      state: raw.state,
      reason: toOwnString(raw.reason ?? ''),
      totalSize: typeof raw.totalsize === 'number' ? raw.totalsize : 0,
    },
    raw.result,
  );
}

function toJobSession(raw: RawJobSession): ReplicaJobSession {
  const uid = toOwnString(raw.uid);
  return withResult(
    {
      uid,
      id: toSessionId(uid),
      name: toOwnString(raw.name),
      jobUid: toOwnString(raw.jobuid),
      jobName: toOwnString(raw.jobname),
      jobType: toOwnString(raw.jobtype),
      backupServerName: toOwnText(upLinkName(raw.links, isBackupServerRef)),
      creationTime: raw.creationtimeutc,
      endTime: raw.endtimeutc,
      state: raw.state,
      progress: typeof raw.progress === 'number' ? Math.min(raw.progress, 100) : 0,
      isRetry: raw.isretry === true,
      failureMessage: raw.failuremessage ? toOwnString(raw.failuremessage) : null,
    },
    raw.result,
  );
}

/** The reference definition of a task session row; `fastTaskSession` below must agree with it. */
export const taskSessionSchema = z
  .object({
    uid,
    name: z.string(),
    vmdisplayname: optionalText,
    jobsessionuid: uid,
    creationtimeutc: utcDate,
    endtimeutc: endDate,
    state: enumOf(TASK_STATES),
    // EM leaves Result out (or says None) for a task that is still running; an unknown word is kept
    result: optionalText,
    reason: optionalText,
    totalsize: z.union([count, z.literal(''), z.null()]).optional(),
    links,
  })
  .transform(toTaskSession);

/** The reference definition of a job session row; `fastJobSession` below must agree with it. */
export const jobSessionSchema = z
  .object({
    uid,
    name: z.string(),
    jobuid: uid,
    jobname: z.string(),
    jobtype: z.string(),
    creationtimeutc: utcDate,
    endtimeutc: endDate,
    state: enumOf(JOB_STATES),
    result: optionalText,
    progress: z.union([count, z.literal(''), z.null()]).optional(),
    failuremessage: optionalText,
    isretry: z.union([bool, z.literal(''), z.null()]).optional(),
    links,
  })
  .transform(toJobSession);

function nameWithoutTimestamp(name: string | null): string | null {
  if (name === null) return null;
  const stripped = stripSessionTimestamp(name);
  return stripped === '' ? null : stripped;
}

// --- replica points and replicas ---------------------------------------------------------------------------------

const isReplicaRef = (type: string) =>
  type === 'ReplicaReference' || type.toLowerCase() === 'replicareference';

type RawReplicaPoint = {
  uid: string;
  name: string;
  vmdisplayname: string | null;
  vmname: string | null;
  creationtimeutc: Date;
  algorithm: string | null;
  pointtype: string | null;
  links: EmLink[];
};

/** `https://em/api/replicas/<id>` -> `urn:veeam:Replica:<id>`; null without a usable href. */
function toReplicaUid(list: EmLink[]): string | null {
  for (const item of list) {
    if (item.rel?.toLowerCase() !== 'up' || item.type === null || !isReplicaRef(item.type)) continue;
    const id = /\/replicas\/([A-Za-z0-9_-]+)/.exec(item.href ?? '')?.[1];
    return id === undefined ? null : `urn:veeam:Replica:${toOwnString(id)}`;
  }
  return null;
}

function toReplicaPoint(raw: RawReplicaPoint): VmReplicaPoint {
  const uid = toOwnString(raw.uid);
  const name = toOwnString(raw.name);
  return {
    uid,
    id: toSessionId(uid),
    name,
    vmDisplayName: toOwnString(raw.vmdisplayname ?? raw.vmname ?? stripSessionTimestamp(name)),
    creationTime: raw.creationtimeutc,
    algorithm: toOwnText(raw.algorithm),
    pointType: toOwnText(raw.pointtype),
    jobName: toOwnText(upLinkName(raw.links, isReplicaRef)),
    replicaUid: toReplicaUid(raw.links),
    backupServerName: toOwnText(upLinkName(raw.links, isBackupServerRef)),
  };
}

/** The reference definition of a VM replica point row; `fastReplicaPoint` below must agree with it. */
export const replicaPointSchema = z
  .object({
    uid,
    name: z.string(),
    vmdisplayname: optionalText,
    vmname: optionalText,
    creationtimeutc: utcDate,
    algorithm: optionalText,
    pointtype: optionalText,
    links,
  })
  .transform(toReplicaPoint);

function toReplica(raw: { uid: string; name: string; platform: string | null; links: EmLink[] }): Replica {
  const id = toOwnString(raw.uid);
  return {
    uid: id,
    id: toSessionId(id),
    name: toOwnString(raw.name),
    backupServerName: toOwnText(upLinkName(raw.links, isBackupServerRef)),
    platform: toOwnText(raw.platform),
  };
}

export const replicaSchema = z
  .object({ uid, name: z.string(), platform: optionalText, links })
  .transform(toReplica);

// --- restore points of backups (core/restore-points.ts) ---------------------------------------------------------

const isRestorePointRef = (type: string) => type.toLowerCase() === 'restorepointreference';
const isBackupRef = (type: string) => type.toLowerCase() === 'backupreference';

/** `https://em/api/restorePoints/<id>` of the `Up` RestorePointReference -> `urn:veeam:RestorePoint:<id>`. */
function toRestorePointUid(list: EmLink[]): string | null {
  for (const item of list) {
    if (item.rel?.toLowerCase() !== 'up' || item.type === null || !isRestorePointRef(item.type)) continue;
    const id = /\/restorePoints\/([A-Za-z0-9_-]+)/i.exec(item.href ?? '')?.[1];
    return id === undefined ? null : `urn:veeam:RestorePoint:${toOwnString(id)}`;
  }
  return null;
}

function toVmRestorePoint(raw: RawReplicaPoint): VmRestorePoint {
  const uid = toOwnString(raw.uid);
  const name = toOwnString(raw.name);
  return {
    uid,
    id: toSessionId(uid),
    name,
    vmDisplayName: toOwnString(raw.vmdisplayname ?? raw.vmname ?? stripSessionTimestamp(name)),
    creationTime: raw.creationtimeutc,
    algorithm: toOwnText(raw.algorithm),
    pointType: toOwnText(raw.pointtype),
    restorePointUid: toRestorePointUid(raw.links),
    backupServerName: toOwnText(upLinkName(raw.links, isBackupServerRef)),
  };
}

/** A VM restore point row: the replica point's fields (RestAPI.xsd adds HierarchyObjRef, not read). */
export const vmRestorePointSchema = z
  .object({
    uid,
    name: z.string(),
    vmdisplayname: optionalText,
    vmname: optionalText,
    creationtimeutc: utcDate,
    algorithm: optionalText,
    pointtype: optionalText,
    links,
  })
  .transform(toVmRestorePoint);

type RawRestorePoint = { uid: string; name: string; backupdateutc: Date | null; links: EmLink[] };

function toRestorePoint(raw: RawRestorePoint): RestorePoint {
  const id = toOwnString(raw.uid);
  return {
    uid: id,
    id: toSessionId(id),
    name: toOwnString(raw.name),
    backupName: toOwnText(upLinkName(raw.links, isBackupRef)),
    backupServerName: toOwnText(upLinkName(raw.links, isBackupServerRef)),
    creationTime: raw.backupdateutc,
  };
}

export const restorePointSchema = z
  .object({ uid, name: z.string(), backupdateutc: endDate, links })
  .transform(toRestorePoint);

const ENTITY_SCHEMAS = {
  VmRestorePoint: vmRestorePointSchema,
  RestorePoint: restorePointSchema,
  VmReplicaPoint: replicaPointSchema,
  Replica: replicaSchema,
  ReplicaTaskSession: taskSessionSchema,
  BackupTaskSession: taskSessionSchema,
  ReplicaJobSession: jobSessionSchema,
  BackupJobSession: jobSessionSchema,
} as const;

function schemaFor<T extends EmEntityType>(type: T): z.ZodType<EntityByType[T]> {
  // cast: ENTITY_SCHEMAS pairs each type with its schema; the lookup by a generic key loses the pairing
  return ENTITY_SCHEMAS[type] as unknown as z.ZodType<EntityByType[T]>;
}

const pagingInfo = z.object({
  pagenum: count,
  pagesize: count,
  pagescount: count,
});

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The XML root element, or the JSON object itself (EM's JSON drops the root name). */
function unwrapRoot(tree: unknown, rootName: string): unknown {
  if (isTree(tree) && isTree(tree[rootName])) return tree[rootName];
  return tree;
}

/**
 * The members of a list element. XML: `<ReplicaTaskSessions><ReplicaTaskSession/>...`, '' when empty.
 * JSON: `{"ReplicaTaskSessions": [...]}` at the root, or doubled inside `Entities`; null when empty.
 */
function listMembers(list: unknown, type: EmEntityType): unknown[] | null {
  const singular = type.toLowerCase();
  const plural = `${singular}s`;
  if (list === null || list === undefined || list === '') return [];
  if (Array.isArray(list)) return list;
  if (isTree(list)) {
    // the 2017 XSD names the members of VmReplicaPoints `VmRestorePoint`; an EM built from it may too
    const inner =
      list[singular] ?? list[plural] ?? (type === 'VmReplicaPoint' ? list.vmrestorepoint : undefined);
    if (inner === null || inner === undefined || inner === '') return [];
    if (Array.isArray(inner)) return inner;
    if (isTree(inner)) return [inner];
  }
  return null;
}

/**
 * The fast path. zod costs about 25 µs per row, more than reading the XML; these hand-written checks accept
 * exactly the rows EM normally sends and give the same result as the schemas above. Anything unusual (a missing
 * field, a padded number, a bad date) makes them answer FAIL, and the zod schema then decides and words the error,
 * so a rejected row reads the same as before. Rule: FAIL whenever unsure; never accept what zod would refuse.
 */
const FAIL: unique symbol = Symbol('fail');
type Fail = typeof FAIL;

function fastString(value: unknown): string | Fail {
  return typeof value === 'string' ? value : FAIL;
}

function fastUid(value: unknown): string | Fail {
  return typeof value === 'string' && UID.test(value) ? value : FAIL;
}

function fastOptionalText(value: unknown): string | null | Fail {
  if (value === undefined || value === null || isXsiNil(value)) return null;
  return typeof value === 'string' ? value : FAIL;
}

function fastDate(value: unknown): Date | Fail {
  return (typeof value === 'string' && toUtcDate(value)) || FAIL;
}

function fastEndDate(value: unknown): Date | null | Fail {
  if (value === undefined || value === null || value === '' || isXsiNil(value)) return null;
  const date = fastDate(value);
  return date === FAIL || date.getUTCFullYear() > 1900 ? date : null;
}

/** Whole non-negative numbers; '' and null (and absent) are null. */
function fastOptionalCount(value: unknown): number | null | Fail {
  if (value === undefined || value === null || value === '') return null;
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && DIGITS.test(value)
        ? Number(value)
        : Number.NaN;
  return Number.isSafeInteger(number) && number >= 0 ? number : FAIL;
}
const DIGITS = /^\d+$/;

function fastOptionalBool(value: unknown): boolean | null | Fail {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return FAIL;
}

function fastEnum<T extends string>(values: readonly T[], fallback?: T): (value: unknown) => T | Fail {
  const byText = new Map<string, T>();
  for (const value of values) {
    byText.set(value, value);
    byText.set(value.toLowerCase(), value);
  }
  return (value) => {
    if (typeof value === 'string') {
      const hit = byText.get(value) ?? byText.get(value.trim().toLowerCase());
      if (hit !== undefined) return hit;
      return value.trim() === '' && fallback !== undefined ? fallback : FAIL;
    }
    return (value === undefined || value === null) && fallback !== undefined ? fallback : FAIL;
  };
}

const fastTaskState = fastEnum(TASK_STATES);
const fastJobState = fastEnum(JOB_STATES);
const fastResult = fastOptionalText;

function fastLinks(value: unknown): EmLink[] | Fail {
  if (value === undefined || value === null || value === '') return [];
  let list: unknown = value;
  if (!Array.isArray(value)) {
    if (typeof value !== 'object') return FAIL;
    // cast: an object here (checked just above) is a parsed XML/JSON node: a Tree
    list = (value as Tree).link;
    if (list === undefined) return [];
    if (!Array.isArray(list)) return FAIL;
  }
  // cast: checked to be an array above, or the node's link list
  const items = list as unknown[];
  const out: EmLink[] = new Array(items.length);
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index];
    if (!isTree(item)) return FAIL;
    const rel = fastOptionalText(item.rel);
    const href = fastOptionalText(item.href);
    const name = fastOptionalText(item.name);
    const type = fastOptionalText(item.type);
    if (rel === FAIL || href === FAIL || name === FAIL || type === FAIL) return FAIL;
    out[index] = { rel, href, name, type };
  }
  return out;
}

function fastTaskSession(value: unknown): ReplicaTaskSession | Fail {
  if (!isTree(value)) return FAIL;
  const uid = fastUid(value.uid);
  const name = fastString(value.name);
  const vmdisplayname = fastOptionalText(value.vmdisplayname);
  const jobsessionuid = fastUid(value.jobsessionuid);
  const creationtimeutc = fastDate(value.creationtimeutc);
  const endtimeutc = fastEndDate(value.endtimeutc);
  const state = fastTaskState(value.state);
  const result = fastResult(value.result);
  const reason = fastOptionalText(value.reason);
  const totalsize = fastOptionalCount(value.totalsize);
  const links = fastLinks(value.links);
  if (
    uid === FAIL ||
    name === FAIL ||
    vmdisplayname === FAIL ||
    jobsessionuid === FAIL ||
    creationtimeutc === FAIL ||
    endtimeutc === FAIL ||
    state === FAIL ||
    result === FAIL ||
    reason === FAIL ||
    totalsize === FAIL ||
    links === FAIL
  ) {
    return FAIL;
  }
  return toTaskSession({
    uid,
    name,
    vmdisplayname,
    jobsessionuid,
    creationtimeutc,
    endtimeutc,
    state,
    result,
    reason,
    totalsize,
    links,
  });
}

function fastJobSession(value: unknown): ReplicaJobSession | Fail {
  if (!isTree(value)) return FAIL;
  const uid = fastUid(value.uid);
  const name = fastString(value.name);
  const jobuid = fastUid(value.jobuid);
  const jobname = fastString(value.jobname);
  const jobtype = fastString(value.jobtype);
  const creationtimeutc = fastDate(value.creationtimeutc);
  const endtimeutc = fastEndDate(value.endtimeutc);
  const state = fastJobState(value.state);
  const result = fastResult(value.result);
  const progress = fastOptionalCount(value.progress);
  const failuremessage = fastOptionalText(value.failuremessage);
  const isretry = fastOptionalBool(value.isretry);
  const links = fastLinks(value.links);
  if (
    uid === FAIL ||
    name === FAIL ||
    jobuid === FAIL ||
    jobname === FAIL ||
    jobtype === FAIL ||
    creationtimeutc === FAIL ||
    endtimeutc === FAIL ||
    state === FAIL ||
    result === FAIL ||
    progress === FAIL ||
    failuremessage === FAIL ||
    isretry === FAIL ||
    links === FAIL
  ) {
    return FAIL;
  }
  return toJobSession({
    uid,
    name,
    jobuid,
    jobname,
    jobtype,
    creationtimeutc,
    endtimeutc,
    state,
    result,
    progress,
    failuremessage,
    isretry,
    links,
  });
}

/** The fields of a VM replica point and of a VM restore point (the same shape in EM), read from the tree. */
function fastPointFields(value: unknown): RawReplicaPoint | Fail {
  if (!isTree(value)) return FAIL;
  const uid = fastUid(value.uid);
  const name = fastString(value.name);
  const vmdisplayname = fastOptionalText(value.vmdisplayname);
  const vmname = fastOptionalText(value.vmname);
  const creationtimeutc = fastDate(value.creationtimeutc);
  const algorithm = fastOptionalText(value.algorithm);
  const pointtype = fastOptionalText(value.pointtype);
  const links = fastLinks(value.links);
  if (
    uid === FAIL ||
    name === FAIL ||
    vmdisplayname === FAIL ||
    vmname === FAIL ||
    creationtimeutc === FAIL ||
    algorithm === FAIL ||
    pointtype === FAIL ||
    links === FAIL
  ) {
    return FAIL;
  }
  return { uid, name, vmdisplayname, vmname, creationtimeutc, algorithm, pointtype, links };
}

function fastReplicaPoint(value: unknown): VmReplicaPoint | Fail {
  const raw = fastPointFields(value);
  return raw === FAIL ? FAIL : toReplicaPoint(raw);
}

function fastReplica(value: unknown): Replica | Fail {
  if (!isTree(value)) return FAIL;
  const uid = fastUid(value.uid);
  const name = fastString(value.name);
  const platform = fastOptionalText(value.platform);
  const links = fastLinks(value.links);
  if (uid === FAIL || name === FAIL || platform === FAIL || links === FAIL) return FAIL;
  return toReplica({ uid, name, platform, links });
}

function fastVmRestorePoint(value: unknown): VmRestorePoint | Fail {
  const raw = fastPointFields(value);
  return raw === FAIL ? FAIL : toVmRestorePoint(raw);
}

function fastRestorePoint(value: unknown): RestorePoint | Fail {
  if (!isTree(value)) return FAIL;
  const uid = fastUid(value.uid);
  const name = fastString(value.name);
  const backupdateutc = fastEndDate(value.backupdateutc);
  const links = fastLinks(value.links);
  if (uid === FAIL || name === FAIL || backupdateutc === FAIL || links === FAIL) return FAIL;
  return toRestorePoint({ uid, name, backupdateutc, links });
}

const FAST_DECODERS: { [T in EmEntityType]: (value: unknown) => EntityByType[T] | Fail } = {
  VmRestorePoint: fastVmRestorePoint,
  RestorePoint: fastRestorePoint,
  VmReplicaPoint: fastReplicaPoint,
  Replica: fastReplica,
  ReplicaTaskSession: fastTaskSession,
  BackupTaskSession: fastTaskSession,
  ReplicaJobSession: fastJobSession,
  BackupJobSession: fastJobSession,
};

/** One row: the fast path, or zod when the fast path is unsure (zod then has the last word and the error). */
function decodeEntity<T extends EmEntityType>(
  type: T,
  value: unknown,
  what: string,
  path: string,
): EntityByType[T] {
  const fast = FAST_DECODERS[type](value);
  // cast: FAST_DECODERS[type] returns the entity of that type or FAIL; the lookup by a generic key loses the pairing
  return fast === FAIL ? decode(schemaFor(type), value, what, path) : (fast as EntityByType[T]);
}

/** A row of a list that could not be read: its UID (when it had a readable one), the field, and why. */
export interface UnreadableRow {
  uid: string | null;
  field: string;
  problem: string;
}

/** The rows of a list, and the rows that could not be read (left out, so one odd row never costs the page). */
export interface DecodedRows<T> {
  items: T[];
  unreadable: UnreadableRow[];
}

export function decodeRows<T extends EmEntityType>(
  type: T,
  members: unknown[],
): DecodedRows<EntityByType[T]> {
  const items: Array<EntityByType[T]> = [];
  const unreadable: UnreadableRow[] = [];
  const fast = FAST_DECODERS[type];
  const schema = schemaFor(type);
  for (const member of members) {
    const quick = fast(member);
    if (quick !== FAIL) {
      // cast: as above: the fast decoder of this type returns its entity or FAIL
      items.push(quick as EntityByType[T]);
      continue;
    }
    const result = schema.safeParse(member);
    if (result.success) {
      items.push(result.data);
      continue;
    }
    const issue = result.error.issues[0];
    const rawUid = isTree(member) && typeof member.uid === 'string' ? member.uid : null;
    unreadable.push({
      uid: rawUid === null ? null : toLogSafe(rawUid),
      field: issue?.path.map(String).join('.') || 'the row',
      problem: issue?.message ?? 'has an unexpected shape',
    });
  }
  return { items, unreadable };
}

/** One line, bounded: EM's words may go to a log, never a control character or a screenful. */
function toLogSafe(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  return clean.length > 80 ? `${clean.slice(0, 77)}...` : clean;
}

function decode<T>(schema: z.ZodType<T>, value: unknown, what: string, path: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw shapeError(what, result.error.issues[0], path);
}

function shapeError(what: string, issue: z.core.$ZodIssue | undefined, prefix: string): ReplibotError {
  const where = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  const detail = issue ? ` (${where || 'the document'}: ${issue.message})` : '';
  return new ReplibotError(
    'em_bad_response',
    `Enterprise Manager's answer to ${what} does not have the expected shape${detail}.`,
    {
      hint: 'Check that VEEAM_URL points at Enterprise Manager 12 or 13; if it does, please report this with the EM version.',
    },
  );
}

/** One entity of the given type (`GET /replicaTaskSessions/{ID}?format=Entity`, or one member of a list). */
export function parseEntity<T extends EmEntityType>(
  type: T,
  tree: unknown,
  what = `a ${type}`,
): EntityByType[T] {
  const value = unwrapRoot(tree, type.toLowerCase());
  return decodeEntity(type, value, what, '');
}

/**
 * A list of entities (`GET /replicaSessions/{ID}/replicaTaskSessions?format=Entity`). A row that cannot be read
 * is left out and reported in `unreadable`; the rest of the list stands.
 */
export function parseEntityList<T extends EmEntityType>(
  type: T,
  tree: unknown,
  what = `a list of ${type}s`,
): DecodedRows<EntityByType[T]> {
  const plural = `${type.toLowerCase()}s`;
  const list = isTree(tree) && plural in tree ? tree[plural] : tree;
  const members = listMembers(list, type);
  if (members === null) throw shapeError(what, undefined, '');
  return decodeRows(type, members);
}

/**
 * A `QueryResult` page of `format=Entities`, with its PagingInfo. An empty page may come as `<Entities/>`,
 * `"Entities": null` or an empty list, with PagesCount 0 or 1. A row that cannot be read is left out and
 * reported in `unreadable`.
 */
export function parseQueryPage<T extends EmEntityType>(
  type: T,
  tree: unknown,
  what = `a query for ${type}`,
): EmPage<EntityByType[T]> & { unreadable: UnreadableRow[] } {
  const root = unwrapRoot(tree, 'queryresult');
  if (!isTree(root) || !('entities' in root)) {
    throw shapeError(what, { code: 'custom', message: 'has no Entities', path: [], input: undefined }, '');
  }
  const entities = root.entities;
  const plural = `${type.toLowerCase()}s`;
  let members: unknown[] | null;
  if (entities === null || entities === undefined || entities === '') members = [];
  else if (isTree(entities)) members = listMembers(entities[plural], type);
  else members = null;
  if (members === null) throw shapeError(what, undefined, `entities.${plural}`);
  const paging = decode(pagingInfo, root.paginginfo, what, 'paginginfo');
  const rows = decodeRows(type, members);
  return {
    items: rows.items,
    unreadable: rows.unreadable,
    pageNum: paging.pagenum,
    pagesCount: paging.pagescount,
    pageSize: paging.pagesize,
  };
}

const logonSession = z.object({
  sessionid: z.string().min(1),
  username: optionalText,
});

/** The `LogonSession` body of a logon: its SessionId is what logoff needs. */
export function parseLogonSession(tree: unknown): { sessionId: string; userName: string | null } {
  const raw = decode(logonSession, unwrapRoot(tree, 'logonsession'), 'the logon', '');
  return { sessionId: raw.sessionid, userName: raw.username ?? null };
}

const emError = z.object({
  message: optionalText,
  statuscode: z.union([count, z.literal(''), z.null()]).optional(),
});

/** EM's `Error` body (`Message`, `StatusCode`), or null when the body is something else. */
export function parseEmError(tree: unknown): { message: string | null; statusCode: number | null } | null {
  const value = unwrapRoot(tree, 'error');
  const result = emError.safeParse(value);
  if (!result.success || (result.data.message == null && typeof result.data.statuscode !== 'number'))
    return null;
  return {
    message: result.data.message?.trim() || null,
    statusCode: typeof result.data.statuscode === 'number' ? result.data.statuscode : null,
  };
}
