/**
 * A typed builder for Enterprise Manager query filters.
 *
 * Filters are structure (comparisons combined with AND/OR), never strings glued together: only known field
 * names, every string value quoted with `"` doubled inside, enum values checked against their lists, dates as
 * UTC `"YYYY-MM-DDTHH:mm:ss.sssZ"`. Nothing a user types can add a clause, close a quote or start a new query
 * parameter (`&` only ever appears inside a quoted literal, and the whole filter is URL-encoded by the client).
 */
import { JOB_STATES, SESSION_RESULTS, type SessionType, TASK_STATES } from './sessions.js';

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

type FieldKind = 'string' | 'date' | 'number' | 'boolean' | { enum: readonly string[] };

const TASK_FIELDS = {
  UID: 'string',
  Name: 'string',
  CreationTime: 'date',
  EndTime: 'date',
  State: { enum: TASK_STATES },
  Result: { enum: SESSION_RESULTS },
  Reason: 'string',
  TotalSize: 'number',
  JobSessionUid: 'string',
  JobUid: 'string',
  JobName: 'string',
  BackupServerUid: 'string',
  BackupServerName: 'string',
  VmDisplayName: 'string',
} as const satisfies Record<string, FieldKind>;

const JOB_FIELDS = {
  UID: 'string',
  Name: 'string',
  JobType: 'string',
  JobUid: 'string',
  JobName: 'string',
  CreationTime: 'date',
  EndTime: 'date',
  State: { enum: JOB_STATES },
  Result: { enum: SESSION_RESULTS },
  IsRetry: 'boolean',
  BackupServerUid: 'string',
  BackupServerName: 'string',
} as const satisfies Record<string, FieldKind>;

/** `GET /query?type=VmReplicaPoint` (get_query_vmreplicapoint) */
const REPLICA_POINT_FIELDS = {
  UID: 'string',
  Name: 'string',
  CreationTime: 'date',
  Type: 'string',
  Algorithm: 'string',
  ReplicaUid: 'string',
  ReplicaName: 'string',
  VmDisplayName: 'string',
  BackupServerUid: 'string',
  BackupServerName: 'string',
} as const satisfies Record<string, FieldKind>;

/** `GET /query?type=Replica` (get_query_replica) */
const REPLICA_FIELDS = {
  UID: 'string',
  Name: 'string',
  JobUid: 'string',
  JobName: 'string',
  RepositoryUid: 'string',
  RepositoryName: 'string',
} as const satisfies Record<string, FieldKind>;

/** `GET /query?type=VmRestorePoint` (get_query_vmrestorepoint) */
const VM_RESTORE_POINT_FIELDS = {
  UID: 'string',
  Name: 'string',
  CreationTime: 'date',
  Type: 'string',
  Algorithm: 'string',
  RestorePointId: 'string',
  RestorePointName: 'string',
  VmDisplayName: 'string',
  BackupServerUid: 'string',
  BackupServerName: 'string',
} as const satisfies Record<string, FieldKind>;

/** `GET /query?type=RestorePoint` (get_query_restorepoint) */
const RESTORE_POINT_FIELDS = {
  UID: 'string',
  Name: 'string',
  CreationTime: 'date',
  BackupUid: 'string',
  BackupName: 'string',
  BackupServerUid: 'string',
  BackupServerName: 'string',
} as const satisfies Record<string, FieldKind>;

/** Every query type replibot asks EM for: the session types and the protection types (restore points, replicas). */
export type EmQueryType = SessionType | 'VmReplicaPoint' | 'Replica' | 'VmRestorePoint' | 'RestorePoint';

export const FILTER_FIELDS: Record<EmQueryType, Record<string, FieldKind>> = {
  ReplicaTaskSession: TASK_FIELDS,
  ReplicaJobSession: JOB_FIELDS,
  BackupTaskSession: TASK_FIELDS,
  BackupJobSession: JOB_FIELDS,
  VmReplicaPoint: REPLICA_POINT_FIELDS,
  Replica: REPLICA_FIELDS,
  VmRestorePoint: VM_RESTORE_POINT_FIELDS,
  RestorePoint: RESTORE_POINT_FIELDS,
};

export type TaskField = keyof typeof TASK_FIELDS;
export type JobField = keyof typeof JOB_FIELDS;
export type ReplicaPointField = keyof typeof REPLICA_POINT_FIELDS;
export type ReplicaField = keyof typeof REPLICA_FIELDS;
export type FilterField =
  | TaskField
  | JobField
  | ReplicaPointField
  | ReplicaField
  | keyof typeof VM_RESTORE_POINT_FIELDS
  | keyof typeof RESTORE_POINT_FIELDS;

export type FilterValue = string | number | boolean | Date;

export interface Comparison {
  kind: 'cmp';
  field: FilterField;
  op: ComparisonOperator;
  value: FilterValue;
}
export interface AllOf {
  kind: 'and';
  items: Filter[];
}
export interface AnyOf {
  kind: 'or';
  items: Filter[];
}
export type Filter = Comparison | AllOf | AnyOf;

export function cmp(field: FilterField, op: ComparisonOperator, value: FilterValue): Comparison {
  return { kind: 'cmp', field, op, value };
}
export function eq(field: FilterField, value: FilterValue): Comparison {
  return cmp(field, '==', value);
}
/** AND of the given filters; `undefined`/`null` items are skipped, one item is returned as it is. */
export function and(...items: Array<Filter | null | undefined>): Filter {
  const kept = items.filter((item): item is Filter => item != null);
  const [only] = kept;
  if (kept.length === 1 && only !== undefined) return only;
  return { kind: 'and', items: kept };
}
/** OR of the given filters; one item is returned as it is. */
export function or(...items: Array<Filter | null | undefined>): Filter {
  const kept = items.filter((item): item is Filter => item != null);
  const [only] = kept;
  if (kept.length === 1 && only !== undefined) return only;
  return { kind: 'or', items: kept };
}
/** `field == v1 OR field == v2 ...` */
export function anyOf(field: FilterField, values: readonly FilterValue[]): Filter {
  return or(...values.map((value) => eq(field, value)));
}

/** Quotes a string literal the EM way: surrounded by `"`, with every `"` inside doubled. */
export function quoteFilterValue(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** A Date as EM wants it in a filter: UTC with milliseconds and `Z`, quoted. */
function toFilterDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('Invalid date in filter');
  return quoteFilterValue(date.toISOString());
}

function formatValue(type: EmQueryType, field: FilterField, value: FilterValue): string {
  const kind = FILTER_FIELDS[type][field];
  if (kind === undefined) throw new TypeError(`${field} is not a filter field of ${type}`);
  if (kind === 'date') {
    if (!(value instanceof Date)) throw new TypeError(`${field} takes a Date`);
    return toFilterDate(value);
  }
  if (kind === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new TypeError(`${field} takes a finite number`);
    return String(Math.trunc(value));
  }
  if (kind === 'boolean') {
    if (typeof value !== 'boolean') throw new TypeError(`${field} takes a boolean`);
    return value ? 'true' : 'false';
  }
  if (typeof kind === 'object') {
    if (typeof value !== 'string' || !kind.enum.includes(value)) {
      throw new TypeError(`${field} takes one of ${kind.enum.join(', ')}`);
    }
    // enum names are [A-Za-z] only, so they are safe bare, as in EM's own examples (Result==Failed)
    return value;
  }
  if (typeof value !== 'string') throw new TypeError(`${field} takes a string`);
  return quoteFilterValue(value);
}

/**
 * Serialises a filter for the `filter=` query parameter (before URL encoding).
 * Nested groups are always parenthesised, so the meaning never depends on EM's operator precedence.
 */
export function toFilterString(type: EmQueryType, filter: Filter): string {
  const render = (node: Filter, nested: boolean): string => {
    if (node.kind === 'cmp') return `${node.field}${node.op}${formatValue(type, node.field, node.value)}`;
    if (node.items.length === 0)
      throw new TypeError(`An empty ${node.kind.toUpperCase()} group has no meaning`);
    const [only] = node.items;
    if (node.items.length === 1 && only !== undefined) return render(only, nested);
    const joined = node.items.map((item) => render(item, true)).join(node.kind === 'and' ? ';' : ',');
    return nested ? `(${joined})` : joined;
  };
  return render(filter, false);
}

/** True when the field can be used in a filter or sort for that type. */
export function isFilterField(type: EmQueryType, field: string): field is FilterField {
  return Object.hasOwn(FILTER_FIELDS[type], field);
}
