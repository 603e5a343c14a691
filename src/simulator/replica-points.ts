/**
 * VM replica points and replicas, derived from the task sessions so they can never disagree with them: every
 * replication task that completed with Success or Warning left a restore point on the target host (a warning run
 * still made one), created when the task ended and shown by EM once EM shows the task finished. Each VM keeps
 * its newest `retention` points per job (Veeam's "restore points to keep", 7 by default), older ones are merged
 * away. A replica (`type=Replica`) is one per replication job, named after it.
 *
 * VMs removed from the inventory (protection.ts) lose their points, as a replica deleted from disk does.
 * `GET /query?type=VmReplicaPoint` and `type=Replica` honour the same filter, sort and paging rules as the
 * session types, in XML (shaped to RestAPI.xsd) and JSON.
 */
import type { EmQueryType } from '../core/filter.js';
import {
  compileEmFilter,
  EmFilterError,
  type EmFilterNode,
  type FieldGetters,
  parseEmFilter,
  toCanonicalField,
} from './parse-em-filter.js';
import {
  element,
  entitiesJson,
  escapeXmlAttr,
  type Json,
  type Link,
  linksJson,
  linksXml,
  open,
  pagingJson,
  pagingXml,
  refJson,
  refXml,
  XML_DECL,
} from './render-em.js';
import type { Replies, Reply } from './replies.js';
import {
  type SimJob,
  type SimVm,
  type TaskRecord,
  toEmDateTime,
  toGuid,
  toSessionName,
} from './sim-model.js';
import type { SimStore } from './sim-store.js';

/** Veeam's default number of restore points a replication job keeps per VM. */
export const DEFAULT_REPLICA_RETENTION = 7;

export interface SimReplicaPoint {
  task: TaskRecord;
  job: SimJob;
  vm: SimVm;
  /** ms: the end of the task that made it */
  creation: number;
  /** the oldest point kept for its VM is the full one, the others increments */
  full: boolean;
}

export interface ReplicaPointOptions {
  store: SimStore;
  retention?: number;
  /** true for a VM taken out of EM's inventory (its replica and points are gone) */
  isRemoved?: (job: SimJob, vm: SimVm) => boolean;
  /** changes whenever isRemoved may answer differently */
  removedVersion?: () => number;
}

export interface ReplicaPoints {
  /** every point EM shows at `now`, oldest first */
  points(now: number): SimReplicaPoint[];
  /** the replication jobs EM knows at `now` (a replica each), in job order */
  replicas(now: number): SimJob[];
  pointId(point: SimReplicaPoint): string;
  replicaId(job: SimJob): string;
}

export function createReplicaPoints(options: ReplicaPointOptions): ReplicaPoints {
  const { store } = options;
  const retention = Math.max(1, options.retention ?? DEFAULT_REPLICA_RETENTION);
  const isRemoved = options.isRemoved ?? (() => false);

  // the pages of one query ask for the same points: computed once per moment and store version
  let cache: { key: string; points: SimReplicaPoint[] } | null = null;
  const points = (now: number): SimReplicaPoint[] => {
    const key = `${now}|${store.version()}|${options.removedVersion?.() ?? 0}`;
    if (cache?.key === key) return cache.points;
    const computed = computePoints(now);
    cache = { key, points: computed };
    return computed;
  };

  const computePoints = (now: number): SimReplicaPoint[] => {
    const byVm = new Map<string, SimReplicaPoint[]>();
    for (const view of store.tasksSince(Number.NEGATIVE_INFINITY, now)) {
      if (view.state !== 'Completed' || view.end === null) continue;
      if (view.result !== 'Success' && view.result !== 'Warning') continue;
      const job = view.record.jobSession.job;
      const vm = view.record.vm;
      if (isRemoved(job, vm)) continue;
      const key = `${job.serial}\u0000${vm.lower}`;
      const point: SimReplicaPoint = { task: view.record, job, vm, creation: view.end, full: false };
      const list = byVm.get(key);
      if (list) list.push(point);
      else byVm.set(key, [point]);
    }
    const out: SimReplicaPoint[] = [];
    for (const list of byVm.values()) {
      list.sort((a, b) => a.creation - b.creation || a.task.serial - b.task.serial);
      const kept = list.slice(-retention);
      const [oldest] = kept;
      if (oldest) oldest.full = true;
      out.push(...kept);
    }
    return out.sort((a, b) => a.creation - b.creation || a.task.serial - b.task.serial);
  };

  const replicas = (now: number): SimJob[] => {
    const seen = new Map<number, SimJob>();
    for (const view of store.tasksSince(Number.NEGATIVE_INFINITY, now)) {
      const job = view.record.jobSession.job;
      if (!seen.has(job.serial)) seen.set(job.serial, job);
    }
    return [...seen.values()].sort((a, b) => a.serial - b.serial);
  };

  return {
    points,
    replicas,
    pointId: (point) => toGuid(store.seed, 'replicaPoint', point.task.serial),
    replicaId: (job) => toGuid(store.seed, 'replica', job.serial),
  };
}

// --- rendering --------------------------------------------------------------------------------------------------

interface Ctx {
  api: string;
  store: SimStore;
  points: ReplicaPoints;
}

function pointName(ctx: Ctx, point: SimReplicaPoint): string {
  return toSessionName(point.vm.name, point.creation, ctx.store.withFraction);
}

function pointLinks(ctx: Ctx, point: SimReplicaPoint): Link[] {
  const { api, store, points } = ctx;
  const id = points.pointId(point);
  return [
    { rel: 'Failover', href: `${api}/vmReplicaPoints/${id}?action=failover` },
    {
      rel: 'Up',
      type: 'BackupServerReference',
      href: `${api}/backupServers/${store.serverId(point.job.server)}`,
      name: point.job.server.name,
    },
    {
      rel: 'Up',
      type: 'ReplicaReference',
      href: `${api}/replicas/${points.replicaId(point.job)}`,
      name: point.job.name,
    },
    {
      rel: 'Alternate',
      type: 'VmReplicaPointReference',
      href: `${api}/vmReplicaPoints/${id}`,
      name: pointName(ctx, point),
    },
  ];
}

function pointType(point: SimReplicaPoint): { algorithm: string; pointType: string } {
  return point.full
    ? { algorithm: 'Full', pointType: 'Full' }
    : { algorithm: 'Incremental', pointType: 'Snapshot' };
}

export function replicaPointXml(ctx: Ctx, point: SimReplicaPoint, root = false): string {
  const id = ctx.points.pointId(point);
  const { algorithm, pointType: kind } = pointType(point);
  return `${open(
    'VmReplicaPoint',
    [
      ['Href', `${ctx.api}/vmReplicaPoints/${id}?format=Entity`],
      ['Type', 'VmReplicaPoint'],
      ['Name', pointName(ctx, point)],
      ['UID', `urn:veeam:VmReplicaPoint:${id}`],
      ['VmDisplayName', point.vm.name],
    ],
    root,
  )}${linksXml(pointLinks(ctx, point))}${element('CreationTimeUTC', toEmDateTime(point.creation))}${element(
    'VmName',
    point.vm.name,
  )}${element('Algorithm', algorithm)}${element('PointType', kind)}</VmReplicaPoint>`;
}

export function replicaPointJson(ctx: Ctx, point: SimReplicaPoint): Json {
  const id = ctx.points.pointId(point);
  const { algorithm, pointType: kind } = pointType(point);
  return {
    CreationTimeUTC: toEmDateTime(point.creation),
    VmName: point.vm.name,
    Algorithm: algorithm,
    PointType: kind,
    VmDisplayName: point.vm.name,
    Name: pointName(ctx, point),
    UID: `urn:veeam:VmReplicaPoint:${id}`,
    Links: linksJson(pointLinks(ctx, point)),
    Href: `${ctx.api}/vmReplicaPoints/${id}?format=Entity`,
    Type: 'VmReplicaPoint',
  };
}

function replicaLinks(ctx: Ctx, job: SimJob): Link[] {
  const id = ctx.points.replicaId(job);
  return [
    {
      rel: 'Up',
      type: 'BackupServerReference',
      href: `${ctx.api}/backupServers/${ctx.store.serverId(job.server)}`,
      name: job.server.name,
    },
    { rel: 'Alternate', type: 'ReplicaReference', href: `${ctx.api}/replicas/${id}`, name: job.name },
    {
      rel: 'Down',
      type: 'VmReplicaPointReferenceList',
      href: `${ctx.api}/replicas/${id}/vmReplicaPoints`,
    },
  ];
}

export function replicaXml(ctx: Ctx, job: SimJob, root = false): string {
  const id = ctx.points.replicaId(job);
  // RestAPI.xsd's ReplicaEntityType requires a Ref (the replica's reference) before Platform
  return `${open(
    'Replica',
    [
      ['Href', `${ctx.api}/replicas/${id}?format=Entity`],
      ['Type', 'Replica'],
      ['Name', job.name],
      ['UID', `urn:veeam:Replica:${id}`],
    ],
    root,
  )}${linksXml(replicaLinks(ctx, job))}<Ref UID="urn:veeam:Replica:${id}" Name="${escapeXmlAttr(job.name)}" Href="${ctx.api}/replicas/${id}" Type="ReplicaReference" />${element(
    'Platform',
    'VMware',
  )}</Replica>`;
}

export function replicaJson(ctx: Ctx, job: SimJob): Json {
  const id = ctx.points.replicaId(job);
  return {
    Ref: null,
    Platform: 'VMware',
    Name: job.name,
    UID: `urn:veeam:Replica:${id}`,
    Links: linksJson(replicaLinks(ctx, job)),
    Href: `${ctx.api}/replicas/${id}?format=Entity`,
    Type: 'Replica',
  };
}

// --- queries ----------------------------------------------------------------------------------------------------

export type ProtectionQueryType = 'VmReplicaPoint' | 'Replica';

/** The query types answered here (lower case) and their canonical names. */
const TYPES: Record<string, ProtectionQueryType> = {
  vmreplicapoint: 'VmReplicaPoint',
  replica: 'Replica',
};

export function toProtectionQueryType(typeParam: string): ProtectionQueryType | null {
  return TYPES[typeParam.toLowerCase()] ?? null;
}

export interface ProtectionQuery {
  type: ProtectionQueryType;
  format: 'Entities' | 'References';
  filterText: string;
  sort: { field: string; direction: 'asc' | 'desc' } | null;
  page: number;
  pageSize: number;
  now: number;
}

function pointGetters(ctx: Ctx): FieldGetters<SimReplicaPoint> {
  return {
    UID: (p) => `urn:veeam:vmreplicapoint:${ctx.points.pointId(p)}`,
    Name: (p) => pointName(ctx, p).toLowerCase(),
    CreationTime: (p) => p.creation,
    Type: (p) => pointType(p).pointType.toLowerCase(),
    Algorithm: (p) => pointType(p).algorithm.toLowerCase(),
    ReplicaUid: (p) => `urn:veeam:replica:${ctx.points.replicaId(p.job)}`,
    ReplicaName: (p) => p.job.lower,
    VmDisplayName: (p) => p.vm.lower,
    BackupServerUid: (p) => `urn:veeam:backupserver:${ctx.store.serverId(p.job.server)}`,
    BackupServerName: (p) => p.job.server.lower,
  };
}

function replicaGetters(ctx: Ctx): FieldGetters<SimJob> {
  return {
    UID: (j) => `urn:veeam:replica:${ctx.points.replicaId(j)}`,
    Name: (j) => j.lower,
    JobUid: (j) => `urn:veeam:job:${ctx.store.jobId(j)}`,
    JobName: (j) => j.lower,
    RepositoryUid: () => 'urn:veeam:repository:00000000-0000-4000-8000-000000000001',
    RepositoryName: () => 'default backup repository',
  };
}

/** The paging links of a query page (shared with restore-points.ts). */
export function pageLinks(
  api: string,
  q: Pick<ProtectionQuery, 'format' | 'sort' | 'filterText' | 'pageSize' | 'page'> & { type: string },
  pagesCount: number,
): Link[] {
  let base = `${api}/query?type=${q.type}&format=${q.format}`;
  if (q.sort)
    base += `&${q.sort.direction === 'asc' ? 'sortAsc' : 'sortDesc'}=${encodeURIComponent(q.sort.field)}`;
  if (q.filterText !== '') base += `&filter=${encodeURIComponent(q.filterText)}`;
  const at = (n: number) => `${base}&pageSize=${q.pageSize}&page=${n}`;
  const links: Link[] = [{ rel: 'First', href: at(1) }];
  if (q.page > 1) links.push({ rel: 'Previous', href: at(Math.min(q.page - 1, pagesCount)) });
  if (q.page < pagesCount) links.push({ rel: 'Next', href: at(q.page + 1) });
  links.push({ rel: 'Last', href: at(pagesCount) });
  return links;
}

/** Filters, sorts and pages `rows` as EM's query service does (shared with restore-points.ts). */
export function select<T>(
  type: EmQueryType,
  rows: readonly T[],
  getters: FieldGetters<T>,
  q: Pick<ProtectionQuery, 'filterText' | 'sort' | 'page' | 'pageSize'>,
): { rows: T[]; total: number } {
  const node: EmFilterNode | null = q.filterText.trim() === '' ? null : parseEmFilter(q.filterText);
  const predicate = node === null ? () => true : compileEmFilter(type, node, getters);
  const matches = rows.filter(predicate);
  const field = q.sort ? toCanonicalField(type, q.sort.field) : 'CreationTime';
  if (field === null) throw new EmFilterError(`Unknown sort parameter '${q.sort?.field}' for type ${type}.`);
  const get = getters[field];
  if (get) {
    const sign = q.sort?.direction === 'desc' ? -1 : 1;
    const keyed = matches.map((row, index) => ({ row, index, key: get(row) }));
    keyed.sort((a, b) => {
      if (a.key !== b.key) {
        if (a.key === null) return -sign;
        if (b.key === null) return sign;
        return a.key < b.key ? -sign : sign;
      }
      return (a.index - b.index) * sign;
    });
    const first = (q.page - 1) * q.pageSize;
    return { rows: keyed.slice(first, first + q.pageSize).map((k) => k.row), total: keyed.length };
  }
  const first = (q.page - 1) * q.pageSize;
  return { rows: matches.slice(first, first + q.pageSize), total: matches.length };
}

/** Answers one `GET /query?type=VmReplicaPoint|Replica`; throws EmFilterError for a filter EM would refuse. */
export function answerProtectionQuery(ctx: Ctx, q: ProtectionQuery, json: boolean, replies: Replies): Reply {
  const listKey = q.type === 'VmReplicaPoint' ? 'VmReplicaPoints' : 'Replicas';
  let answer: { rows: Array<SimReplicaPoint | SimJob>; total: number };
  let entityXml: (row: SimReplicaPoint | SimJob) => string;
  let entityJson: (row: SimReplicaPoint | SimJob) => Json;
  let ref: (row: SimReplicaPoint | SimJob) => Parameters<typeof refXml>[0];
  if (q.type === 'VmReplicaPoint') {
    const found = select('VmReplicaPoint', ctx.points.points(q.now), pointGetters(ctx), q);
    answer = found;
    // the rows of this branch are points (select returns what it was given)
    entityXml = (row) => replicaPointXml(ctx, row as SimReplicaPoint);
    entityJson = (row) => replicaPointJson(ctx, row as SimReplicaPoint);
    ref = (row) => {
      const point = row as SimReplicaPoint;
      const id = ctx.points.pointId(point);
      return {
        uid: `urn:veeam:VmReplicaPoint:${id}`,
        name: pointName(ctx, point),
        href: `${ctx.api}/vmReplicaPoints/${id}`,
        type: 'VmReplicaPointReference',
        links: pointLinks(ctx, point).filter((link) => link.rel === 'Up'),
      };
    };
  } else {
    const replicaQuery = q.sort === null ? { ...q, sort: { field: 'Name', direction: 'asc' as const } } : q;
    answer = select('Replica', ctx.points.replicas(q.now), replicaGetters(ctx), replicaQuery);
    // the rows of this branch are jobs (one replica each)
    entityXml = (row) => replicaXml(ctx, row as SimJob);
    // cast: the rows of this branch are replicas (select returns what it was given)
    entityJson = (row) => replicaJson(ctx, row as SimJob);
    ref = (row) => {
      const job = row as SimJob;
      const id = ctx.points.replicaId(job);
      return {
        uid: `urn:veeam:Replica:${id}`,
        name: job.name,
        href: `${ctx.api}/replicas/${id}`,
        type: 'ReplicaReference',
        links: replicaLinks(ctx, job).filter((link) => link.rel === 'Up'),
      };
    };
  }
  const pagesCount = Math.max(1, Math.ceil(answer.total / q.pageSize));
  const paging = {
    pageNum: q.page,
    pageSize: q.pageSize,
    pagesCount,
    links: pageLinks(ctx.api, q, pagesCount),
  };
  if (json) {
    const body: { [key: string]: Json } = { Refs: null, Entities: null, Resources: null, Links: null };
    if (q.format === 'Entities') body.Entities = entitiesJson(listKey, answer.rows.map(entityJson));
    else body.Refs = { Refs: answer.rows.map((row) => refJson(ref(row))) };
    body.PagingInfo = pagingJson(paging);
    return replies.json(200, body);
  }
  let inner: string;
  if (q.format === 'Entities') {
    inner = `<Entities><${listKey}>${answer.rows.map((row) => entityXml(row)).join('')}</${listKey}></Entities>`;
  } else {
    inner = `<Refs>${answer.rows.map((row) => refXml(ref(row), 'Ref')).join('')}</Refs>`;
  }
  return replies.xml(
    200,
    `${XML_DECL}<QueryResult xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0">${inner}${pagingXml(paging)}</QueryResult>`,
  );
}

/** `GET /vmReplicaPoints/{ID}` and `/replicas/{ID}` (reference, or `?format=Entity`); null when not found. */
export function answerProtectionResource(
  ctx: Ctx,
  kind: 'vmreplicapoints' | 'replicas',
  id: string,
  entity: boolean,
  now: number,
  json: boolean,
  replies: Replies,
): Reply | null {
  const wanted = id.toLowerCase();
  if (kind === 'vmreplicapoints') {
    const point = ctx.points.points(now).find((p) => ctx.points.pointId(p) === wanted);
    if (!point) return null;
    if (entity) {
      return json
        ? replies.json(200, replicaPointJson(ctx, point))
        : replies.xml(200, XML_DECL + replicaPointXml(ctx, point, true));
    }
    const parts = {
      uid: `urn:veeam:VmReplicaPoint:${wanted}`,
      name: pointName(ctx, point),
      href: `${ctx.api}/vmReplicaPoints/${wanted}`,
      type: 'VmReplicaPointReference',
      links: pointLinks(ctx, point).filter((link) => link.rel === 'Up'),
    };
    return json ? replies.json(200, refJson(parts)) : replies.xml(200, XML_DECL + refXml(parts, 'EntityRef'));
  }
  const job = ctx.points.replicas(now).find((j) => ctx.points.replicaId(j) === wanted);
  if (!job) return null;
  if (entity) {
    return json
      ? replies.json(200, replicaJson(ctx, job))
      : replies.xml(200, XML_DECL + replicaXml(ctx, job, true));
  }
  const parts = {
    uid: `urn:veeam:Replica:${wanted}`,
    name: job.name,
    href: `${ctx.api}/replicas/${wanted}`,
    type: 'ReplicaReference',
    links: replicaLinks(ctx, job).filter((link) => link.rel === 'Up'),
  };
  return json ? replies.json(200, refJson(parts)) : replies.xml(200, XML_DECL + refXml(parts, 'EntityRef'));
}
