/**
 * Restore points of backups, derived from the backup task sessions as replica-points.ts derives replica points
 * (so they can never disagree with the sessions): every backup task that completed with Success or Warning wrote
 * its VM into the run's restore point, at the task's end, shown once EM shows the task finished; each VM keeps
 * its newest `retention` points per job. A restore point (`type=RestorePoint`) is one per backup run that still
 * has a VM in it, under the backup named after its job (an immediate copy worker's points are its copy job's
 * backup, as EM keeps one backup per copy job).
 *
 * `GET /query?type=VmRestorePoint` and `type=RestorePoint` honour the same filter, sort and paging rules as the
 * other types, in XML shaped to RestAPI.xsd (`VmRestorePointEntityType`, `RestorePointEntityType`) and JSON.
 * A VM restore point names its restore point, backup server and backup file (get_vmrestorepoints_id), not its
 * job: a reader finds the job through the restore point's backup.
 */
import { toParentJob } from '../core/backup-sessions.js';
import type { FieldGetters } from './parse-em-filter.js';
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
import {
  createReplicaPoints,
  type ProtectionQuery,
  pageLinks,
  type ReplicaPointOptions,
  type SimReplicaPoint,
  select,
} from './replica-points.js';
import type { Replies, Reply } from './replies.js';
import { type JobSessionRecord, type SimJob, toEmDateTime, toGuid, toSessionName } from './sim-model.js';
import type { SimStore } from './sim-store.js';

/** One backup run's restore point: the VM points it still holds. */
export interface SimRestorePoint {
  session: JobSessionRecord;
  backupName: string;
  job: SimJob;
  /** ms: its first VM's point */
  creation: number;
  points: SimReplicaPoint[];
}

export interface RestorePoints {
  /** every VM restore point EM shows at `now`, oldest first */
  vmPoints(now: number): SimReplicaPoint[];
  /** every restore point at `now`, oldest first */
  restorePoints(now: number): SimRestorePoint[];
  restorePointOf(point: SimReplicaPoint, now: number): SimRestorePoint | null;
  vmPointId(point: SimReplicaPoint): string;
  restorePointId(point: SimRestorePoint): string;
  backupId(backupName: string): string;
}

/** The backup a job writes: its own, or for an immediate copy worker (`<copy job>\<source>`) its copy job's. */
export const toBackupName = (job: SimJob): string => toParentJob(job.name, job.jobType ?? null).jobName;

export function createRestorePoints(options: ReplicaPointOptions): RestorePoints {
  const { store } = options;
  const vm = createReplicaPoints(options);
  let cache: {
    key: SimReplicaPoint[];
    points: SimRestorePoint[];
    bySession: Map<number, SimRestorePoint>;
  } | null = null;
  const compute = (now: number) => {
    const vmPoints = vm.points(now);
    if (cache?.key === vmPoints) return cache;
    const bySession = new Map<number, SimRestorePoint>();
    for (const point of vmPoints) {
      const session = point.task.jobSession;
      const known = bySession.get(session.serial);
      if (known) {
        known.points.push(point);
        continue;
      }
      bySession.set(session.serial, {
        session,
        backupName: toBackupName(session.job),
        job: session.job,
        creation: point.creation,
        points: [point],
      });
    }
    const points = [...bySession.values()].sort((a, b) => a.creation - b.creation);
    cache = { key: vmPoints, points, bySession };
    return cache;
  };
  const backupSerials = new Map<string, number>();
  return {
    vmPoints: (now) => vm.points(now),
    restorePoints: (now) => compute(now).points,
    restorePointOf: (point, now) => compute(now).bySession.get(point.task.jobSession.serial) ?? null,
    vmPointId: (point) => vm.pointId(point),
    restorePointId: (point) => toGuid(store.seed ^ 0x7e570e, 'jobSession', point.session.serial),
    backupId: (name) => {
      const key = name.toLowerCase();
      let serial = backupSerials.get(key);
      if (serial === undefined) {
        serial = backupSerials.size;
        backupSerials.set(key, serial);
      }
      return toGuid(store.seed, 'replica', serial);
    },
  };
}

// --- rendering --------------------------------------------------------------------------------------------------

export interface RestoreCtx {
  api: string;
  store: SimStore;
  points: RestorePoints;
  now: number;
}

const vmPointName = (ctx: RestoreCtx, point: SimReplicaPoint) =>
  toSessionName(point.vm.name, point.creation, ctx.store.withFraction);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** EM names a restore point after its date, `Oct  6 2016  1:59PM` (never parsed: CreationTime is the date). */
function restorePointName(point: SimRestorePoint): string {
  const d = new Date(point.creation);
  const hour = d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12;
  const pad = (n: number) => String(n).padStart(2, ' ');
  return `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${d.getUTCFullYear()} ${pad(hour)}:${String(d.getUTCMinutes()).padStart(2, '0')}${d.getUTCHours() < 12 ? 'AM' : 'PM'}`;
}

function vmPointType(point: SimReplicaPoint): { algorithm: string; pointType: string } {
  return point.full
    ? { algorithm: 'Full', pointType: 'Full' }
    : { algorithm: 'Incremental', pointType: 'Increment' };
}

function serverLink(ctx: RestoreCtx, job: SimJob): Link {
  return {
    rel: 'Up',
    type: 'BackupServerReference',
    href: `${ctx.api}/backupServers/${ctx.store.serverId(job.server)}`,
    name: job.server.name,
  };
}

function vmPointLinks(ctx: RestoreCtx, point: SimReplicaPoint): Link[] {
  const id = ctx.points.vmPointId(point);
  const restorePoint = ctx.points.restorePointOf(point, ctx.now);
  const links: Link[] = [
    { rel: 'Restore', href: `${ctx.api}/vmRestorePoints/${id}?action=restore` },
    serverLink(ctx, point.job),
  ];
  if (restorePoint) {
    links.push({
      rel: 'Up',
      type: 'RestorePointReference',
      href: `${ctx.api}/restorePoints/${ctx.points.restorePointId(restorePoint)}`,
      name: restorePointName(restorePoint),
    });
  }
  links.push({
    rel: 'Alternate',
    type: 'VmRestorePointReference',
    href: `${ctx.api}/vmRestorePoints/${id}`,
    name: vmPointName(ctx, point),
  });
  return links;
}

/** The VM's own reference, the same in every point of it (RestAPI.xsd's UidType allows no `.`: `_` joins). */
const hierarchyRef = (ctx: RestoreCtx, point: SimReplicaPoint) => {
  let hash = 0;
  for (const ch of point.vm.lower) hash = (Math.imul(hash, 31) + (ch.codePointAt(0) ?? 0)) >>> 0;
  return `urn:VMware:Vm:${ctx.store.serverId(point.job.server)}_vm-${1000 + (hash % 90_000)}`;
};

export function vmRestorePointXml(ctx: RestoreCtx, point: SimReplicaPoint, root = false): string {
  const id = ctx.points.vmPointId(point);
  const { algorithm, pointType } = vmPointType(point);
  return `${open(
    'VmRestorePoint',
    [
      ['Href', `${ctx.api}/vmRestorePoints/${id}?format=Entity`],
      ['Type', 'VmRestorePoint'],
      ['Name', vmPointName(ctx, point)],
      ['UID', `urn:veeam:VmRestorePoint:${id}`],
      ['VmDisplayName', point.vm.name],
    ],
    root,
  )}${linksXml(vmPointLinks(ctx, point))}${element('CreationTimeUTC', toEmDateTime(point.creation))}${element(
    'VmName',
    point.vm.name,
  )}${element('Algorithm', algorithm)}${element('PointType', pointType)}${element(
    'HierarchyObjRef',
    hierarchyRef(ctx, point),
  )}</VmRestorePoint>`;
}

export function vmRestorePointJson(ctx: RestoreCtx, point: SimReplicaPoint): Json {
  const id = ctx.points.vmPointId(point);
  const { algorithm, pointType } = vmPointType(point);
  return {
    CreationTimeUTC: toEmDateTime(point.creation),
    VmName: point.vm.name,
    Algorithm: algorithm,
    PointType: pointType,
    HierarchyObjRef: hierarchyRef(ctx, point),
    SqlInfo: null,
    VmDisplayName: point.vm.name,
    Name: vmPointName(ctx, point),
    UID: `urn:veeam:VmRestorePoint:${id}`,
    Links: linksJson(vmPointLinks(ctx, point)),
    Href: `${ctx.api}/vmRestorePoints/${id}?format=Entity`,
    Type: 'VmRestorePoint',
  };
}

function restorePointLinks(ctx: RestoreCtx, point: SimRestorePoint): Link[] {
  const id = ctx.points.restorePointId(point);
  return [
    serverLink(ctx, point.job),
    {
      rel: 'Up',
      type: 'BackupReference',
      href: `${ctx.api}/backups/${ctx.points.backupId(point.backupName)}`,
      name: point.backupName,
    },
    {
      rel: 'Alternate',
      type: 'RestorePointReference',
      href: `${ctx.api}/restorePoints/${id}`,
      name: restorePointName(point),
    },
    {
      rel: 'Down',
      type: 'VmRestorePointReferenceList',
      href: `${ctx.api}/restorePoints/${id}/vmRestorePoints`,
    },
  ];
}

export function restorePointXml(ctx: RestoreCtx, point: SimRestorePoint, root = false): string {
  const id = ctx.points.restorePointId(point);
  const name = restorePointName(point);
  // RestAPI.xsd's RestorePointEntityType: Ref (the point's own reference), then BackupDateUTC
  return `${open(
    'RestorePoint',
    [
      ['Href', `${ctx.api}/restorePoints/${id}?format=Entity`],
      ['Type', 'RestorePoint'],
      ['Name', name],
      ['UID', `urn:veeam:RestorePoint:${id}`],
    ],
    root,
  )}${linksXml(restorePointLinks(ctx, point))}<Ref UID="urn:veeam:RestorePoint:${id}" Name="${escapeXmlAttr(
    name,
  )}" Href="${ctx.api}/restorePoints/${id}" Type="RestorePointReference" />${element(
    'BackupDateUTC',
    toEmDateTime(point.creation),
  )}</RestorePoint>`;
}

export function restorePointJson(ctx: RestoreCtx, point: SimRestorePoint): Json {
  const id = ctx.points.restorePointId(point);
  return {
    Ref: null,
    BackupDateUTC: toEmDateTime(point.creation),
    Name: restorePointName(point),
    UID: `urn:veeam:RestorePoint:${id}`,
    Links: linksJson(restorePointLinks(ctx, point)),
    Href: `${ctx.api}/restorePoints/${id}?format=Entity`,
    Type: 'RestorePoint',
  };
}

// --- queries ----------------------------------------------------------------------------------------------------

function vmPointGetters(ctx: RestoreCtx): FieldGetters<SimReplicaPoint> {
  const restorePoint = (p: SimReplicaPoint) => ctx.points.restorePointOf(p, ctx.now);
  return {
    UID: (p) => `urn:veeam:vmrestorepoint:${ctx.points.vmPointId(p)}`,
    Name: (p) => vmPointName(ctx, p).toLowerCase(),
    CreationTime: (p) => p.creation,
    Type: (p) => vmPointType(p).pointType.toLowerCase(),
    Algorithm: (p) => vmPointType(p).algorithm.toLowerCase(),
    RestorePointId: (p) => {
      const rp = restorePoint(p);
      return rp === null ? null : `urn:veeam:restorepoint:${ctx.points.restorePointId(rp)}`;
    },
    RestorePointName: (p) => {
      const rp = restorePoint(p);
      return rp === null ? null : restorePointName(rp).toLowerCase();
    },
    VmDisplayName: (p) => p.vm.lower,
    BackupServerUid: (p) => `urn:veeam:backupserver:${ctx.store.serverId(p.job.server)}`,
    BackupServerName: (p) => p.job.server.lower,
  };
}

function restorePointGetters(ctx: RestoreCtx): FieldGetters<SimRestorePoint> {
  return {
    UID: (p) => `urn:veeam:restorepoint:${ctx.points.restorePointId(p)}`,
    Name: (p) => restorePointName(p).toLowerCase(),
    CreationTime: (p) => p.creation,
    BackupUid: (p) => `urn:veeam:backup:${ctx.points.backupId(p.backupName)}`,
    BackupName: (p) => p.backupName.toLowerCase(),
    BackupServerUid: (p) => `urn:veeam:backupserver:${ctx.store.serverId(p.job.server)}`,
    BackupServerName: (p) => p.job.server.lower,
  };
}

export type RestoreQueryType = 'VmRestorePoint' | 'RestorePoint';

export function toRestoreQueryType(typeParam: string): RestoreQueryType | null {
  const lower = typeParam.toLowerCase();
  return lower === 'vmrestorepoint' ? 'VmRestorePoint' : lower === 'restorepoint' ? 'RestorePoint' : null;
}

/** Answers one `GET /query?type=VmRestorePoint|RestorePoint`; throws EmFilterError for a filter EM would refuse. */
export function answerRestoreQuery(
  ctx: RestoreCtx,
  q: Omit<ProtectionQuery, 'type'> & { type: RestoreQueryType },
  json: boolean,
  replies: Replies,
): Reply {
  const vm = q.type === 'VmRestorePoint';
  const listKey = vm ? 'VmRestorePoints' : 'RestorePoints';
  let total: number;
  let entitiesXml: string[];
  let entitiesJs: Json[];
  let refs: Array<Parameters<typeof refXml>[0]>;
  if (vm) {
    const found = select('VmRestorePoint', ctx.points.vmPoints(q.now), vmPointGetters(ctx), q);
    total = found.total;
    const wantEntities = q.format === 'Entities';
    entitiesXml = wantEntities && !json ? found.rows.map((p) => vmRestorePointXml(ctx, p)) : [];
    entitiesJs = wantEntities && json ? found.rows.map((p) => vmRestorePointJson(ctx, p)) : [];
    refs = found.rows.map((p) => {
      const id = ctx.points.vmPointId(p);
      return {
        uid: `urn:veeam:VmRestorePoint:${id}`,
        name: vmPointName(ctx, p),
        href: `${ctx.api}/vmRestorePoints/${id}`,
        type: 'VmRestorePointReference',
        links: vmPointLinks(ctx, p).filter((link) => link.rel === 'Up'),
      };
    });
  } else {
    const found = select('RestorePoint', ctx.points.restorePoints(q.now), restorePointGetters(ctx), q);
    total = found.total;
    entitiesXml = found.rows.map((p) => restorePointXml(ctx, p));
    entitiesJs = found.rows.map((p) => restorePointJson(ctx, p));
    refs = found.rows.map((p) => {
      const id = ctx.points.restorePointId(p);
      return {
        uid: `urn:veeam:RestorePoint:${id}`,
        name: restorePointName(p),
        href: `${ctx.api}/restorePoints/${id}`,
        type: 'RestorePointReference',
        links: restorePointLinks(ctx, p).filter((link) => link.rel === 'Up'),
      };
    });
  }
  const pagesCount = Math.max(1, Math.ceil(total / q.pageSize));
  const paging = {
    pageNum: q.page,
    pageSize: q.pageSize,
    pagesCount,
    links: pageLinks(ctx.api, q, pagesCount),
  };
  if (json) {
    const body: { [key: string]: Json } = { Refs: null, Entities: null, Resources: null, Links: null };
    if (q.format === 'Entities') body.Entities = entitiesJson(listKey, entitiesJs);
    else body.Refs = { Refs: refs.map((ref) => refJson(ref)) };
    body.PagingInfo = pagingJson(paging);
    return replies.json(200, body);
  }
  const inner =
    q.format === 'Entities'
      ? `<Entities><${listKey}>${entitiesXml.join('')}</${listKey}></Entities>`
      : `<Refs>${refs.map((ref) => refXml(ref, 'Ref')).join('')}</Refs>`;
  return replies.xml(
    200,
    `${XML_DECL}<QueryResult xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0">${inner}${pagingXml(paging)}</QueryResult>`,
  );
}
