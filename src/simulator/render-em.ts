/**
 * EM's wire shapes, in XML (the default, namespace http://www.veeam.com/ent/v1.0, shaped to RestAPI.xsd) and in
 * JSON as EM maps it: root element dropped, list wrappers doubled, missing values as null, derived-type members
 * first; v12 keeps PascalCase keys, v13 turns them into camelCase.
 */
import type { JobSessionView, TaskView } from './sim-model.js';
import { toEmDateTime } from './sim-model.js';
import type { SimStore } from './sim-store.js';

export type KeyStyle = 'v12' | 'v13';
export type Json = null | string | number | boolean | Json[] | { [key: string]: Json };

export interface Link {
  rel: string;
  href: string;
  name?: string | null;
  type?: string | null;
}

export interface RenderContext {
  /** `http://127.0.0.1:9399/api`, from the request's Host header */
  api: string;
  store: SimStore;
}

const NS =
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0"';
export const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\n';

export function escapeXmlAttr(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

export function escapeXmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

export function attrs(pairs: Array<[string, string | number | null | undefined]>): string {
  let out = '';
  for (const [key, value] of pairs) {
    if (value === null || value === undefined) continue;
    out += ` ${key}="${escapeXmlAttr(String(value))}"`;
  }
  return out;
}

export function element(tag: string, text: string | number): string {
  const body = escapeXmlText(String(text));
  return body === '' ? `<${tag} />` : `<${tag}>${body}</${tag}>`;
}

/** Opening tag; `root` adds the namespace declarations EM puts on every document root. */
export function open(
  tag: string,
  pairs: Array<[string, string | number | null | undefined]>,
  root: boolean,
): string {
  return `<${tag}${root ? ` ${NS}` : ''}${attrs(pairs)}>`;
}

export function linksXml(links: readonly Link[]): string {
  let out = '<Links>';
  for (const link of links) {
    out += `<Link${attrs([
      ['Href', link.href],
      ['Name', link.name],
      ['Type', link.type],
      ['Rel', link.rel],
    ])} />`;
  }
  return `${out}</Links>`;
}

export function linksJson(links: readonly Link[]): Json {
  return links.map((link) => ({
    Rel: link.rel,
    Href: link.href,
    Name: link.name ?? null,
    Type: link.type ?? null,
  }));
}

// --- key style ---------------------------------------------------------------------------------------------------

const camelCache = new Map<string, string>();

/** PascalCase to EM v13's camelCase: `UID` -> `uid`, `VmDisplayName` -> `vmDisplayName`, `NASJobs` -> `nasJobs`. */
function toCamelKey(key: string): string {
  const cached = camelCache.get(key);
  if (cached !== undefined) return cached;
  let run = 0;
  while (run < key.length && /[A-Z]/.test(key.charAt(run))) run++;
  let out: string;
  if (run === 0) out = key;
  else if (run === key.length) out = key.toLowerCase();
  else if (run === 1) out = key.charAt(0).toLowerCase() + key.slice(1);
  else out = key.slice(0, run - 1).toLowerCase() + key.slice(run - 1);
  camelCache.set(key, out);
  return out;
}

export function withKeyStyle(value: Json, style: KeyStyle): Json {
  if (style === 'v12' || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => withKeyStyle(item, style));
  const out: { [key: string]: Json } = {};
  for (const [key, item] of Object.entries(value)) out[toCamelKey(key)] = withKeyStyle(item, style);
  return out;
}

/** EM's names for the sessions a store holds (replica or backup: the same shapes under other names). */
function namesOf(ctx: RenderContext): {
  task: string;
  job: string;
  taskPath: string;
  jobPath: string;
  tasksOfJob: string;
} {
  return ctx.store.entity === 'Backup' ? BACKUP_NAMES : REPLICA_NAMES;
}
const REPLICA_NAMES = {
  task: 'ReplicaTaskSession',
  job: 'ReplicaJobSession',
  taskPath: 'replicaTaskSessions',
  jobPath: 'replicaSessions',
  tasksOfJob: 'replicaTaskSessions',
};
const BACKUP_NAMES = {
  task: 'BackupTaskSession',
  job: 'BackupJobSession',
  taskPath: 'backupTaskSessions',
  jobPath: 'backupSessions',
  tasksOfJob: 'taskSessions',
};

// --- task sessions -----------------------------------------------------------------------------------------------

function taskLinks(ctx: RenderContext, view: TaskView): Link[] {
  const { store, api } = ctx;
  const n = namesOf(ctx);
  const task = view.record;
  const session = task.jobSession;
  const id = store.taskId(task);
  return [
    {
      rel: 'Up',
      type: 'BackupServerReference',
      href: `${api}/backupServers/${store.serverId(session.job.server)}`,
      name: session.job.server.name,
    },
    {
      rel: 'Up',
      type: `${n.job}Reference`,
      href: `${api}/${n.jobPath}/${store.jobSessionId(session)}`,
      name: store.jobSessionName(session),
    },
    {
      rel: 'Alternate',
      type: `${n.task}Reference`,
      href: `${api}/${n.taskPath}/${id}`,
      name: store.taskName(task),
    },
  ];
}

export function taskEntityXml(ctx: RenderContext, view: TaskView, root = false): string {
  const { store, api } = ctx;
  const n = namesOf(ctx);
  const task = view.record;
  const id = store.taskId(task);
  return `${open(
    n.task,
    [
      ['Href', `${api}/${n.taskPath}/${id}?format=Entity`],
      ['Type', n.task],
      ['Name', store.taskName(task)],
      ['UID', `urn:veeam:${n.task}:${id}`],
      ['VmDisplayName', task.vm.name],
    ],
    root,
  )}${linksXml(taskLinks(ctx, view))}${element(
    'JobSessionUid',
    `urn:veeam:${n.job}:${store.jobSessionId(task.jobSession)}`,
  )}${element('CreationTimeUTC', toEmDateTime(view.creation))}${
    view.end === null ? '' : element('EndTimeUTC', toEmDateTime(view.end))
  }${element('State', view.state)}${element('Result', view.result)}${element('Reason', view.reason)}${element(
    'TotalSize',
    task.totalSize,
  )}</${n.task}>`;
}

export function taskEntityJson(ctx: RenderContext, view: TaskView): Json {
  const { store, api } = ctx;
  const n = namesOf(ctx);
  const task = view.record;
  const id = store.taskId(task);
  return {
    JobSessionUid: `urn:veeam:${n.job}:${store.jobSessionId(task.jobSession)}`,
    CreationTimeUTC: toEmDateTime(view.creation),
    EndTimeUTC: view.end === null ? null : toEmDateTime(view.end),
    State: view.state,
    Result: view.result,
    Reason: view.reason,
    TotalSize: task.totalSize,
    VmDisplayName: task.vm.name,
    Name: store.taskName(task),
    UID: `urn:veeam:${n.task}:${id}`,
    Links: linksJson(taskLinks(ctx, view)),
    Href: `${api}/${n.taskPath}/${id}?format=Entity`,
    Type: n.task,
  };
}

function taskRefParts(ctx: RenderContext, view: TaskView) {
  const { store, api } = ctx;
  const n = namesOf(ctx);
  const id = store.taskId(view.record);
  const links = taskLinks(ctx, view).filter((link) => link.rel === 'Up');
  links.push({
    rel: 'Alternate',
    type: n.task,
    href: `${api}/${n.taskPath}/${id}?format=Entity`,
    name: store.taskName(view.record),
  });
  return {
    uid: `urn:veeam:${n.task}:${id}`,
    name: store.taskName(view.record),
    href: `${api}/${n.taskPath}/${id}`,
    type: `${n.task}Reference`,
    links,
  };
}

// --- job sessions ------------------------------------------------------------------------------------------------

function jobSessionLinks(ctx: RenderContext, view: JobSessionView): Link[] {
  const { store, api } = ctx;
  const n = namesOf(ctx);
  const session = view.record;
  const id = store.jobSessionId(session);
  return [
    {
      rel: 'Up',
      type: 'BackupServerReference',
      href: `${api}/backupServers/${store.serverId(session.job.server)}`,
      name: session.job.server.name,
    },
    {
      rel: 'Up',
      type: 'JobReference',
      href: `${api}/jobs/${store.jobId(session.job)}`,
      name: session.job.name,
    },
    {
      rel: 'Alternate',
      type: `${n.job}Reference`,
      href: `${api}/${n.jobPath}/${id}`,
      name: store.jobSessionName(session),
    },
    {
      rel: 'Down',
      type: `${n.task}ReferenceList`,
      href: `${api}/${n.jobPath}/${id}/${n.tasksOfJob}`,
    },
  ];
}

export function jobSessionEntityXml(ctx: RenderContext, view: JobSessionView, root = false): string {
  const { store, api } = ctx;
  const n = namesOf(ctx);
  const session = view.record;
  const id = store.jobSessionId(session);
  return `${open(
    n.job,
    [
      ['Href', `${api}/${n.jobPath}/${id}?format=Entity`],
      ['Type', n.job],
      ['Name', store.jobSessionName(session)],
      ['UID', `urn:veeam:${n.job}:${id}`],
    ],
    root,
  )}${linksXml(jobSessionLinks(ctx, view))}${element('JobUid', `urn:veeam:Job:${store.jobId(session.job)}`)}${element(
    'JobName',
    session.job.name,
  )}${element('JobType', session.job.jobType ?? 'Replica')}${element('CreationTimeUTC', toEmDateTime(view.creation))}${
    view.end === null ? '' : element('EndTimeUTC', toEmDateTime(view.end))
  }${element('State', view.state)}${element('Result', view.result)}${element('Progress', view.progress)}${element(
    'FailureMessage',
    view.failureMessage,
  )}${element('IsRetry', session.isRetry ? 'true' : 'false')}</${n.job}>`;
}

export function jobSessionEntityJson(ctx: RenderContext, view: JobSessionView): Json {
  const { store, api } = ctx;
  const n = namesOf(ctx);
  const session = view.record;
  const id = store.jobSessionId(session);
  return {
    IsRetry: session.isRetry,
    JobUid: `urn:veeam:Job:${store.jobId(session.job)}`,
    JobName: session.job.name,
    JobType: session.job.jobType ?? 'Replica',
    CreationTimeUTC: toEmDateTime(view.creation),
    EndTimeUTC: view.end === null ? null : toEmDateTime(view.end),
    State: view.state,
    Result: view.result,
    Progress: view.progress,
    FailureMessage: view.failureMessage === '' ? null : view.failureMessage,
    Name: store.jobSessionName(session),
    UID: `urn:veeam:${n.job}:${id}`,
    Links: linksJson(jobSessionLinks(ctx, view)),
    Href: `${api}/${n.jobPath}/${id}?format=Entity`,
    Type: n.job,
  };
}

function jobSessionRefParts(ctx: RenderContext, view: JobSessionView) {
  const { store, api } = ctx;
  const n = namesOf(ctx);
  const id = store.jobSessionId(view.record);
  const links = jobSessionLinks(ctx, view).filter((link) => link.rel !== 'Alternate');
  links.push({
    rel: 'Alternate',
    type: n.job,
    href: `${api}/${n.jobPath}/${id}?format=Entity`,
    name: store.jobSessionName(view.record),
  });
  return {
    uid: `urn:veeam:${n.job}:${id}`,
    name: store.jobSessionName(view.record),
    href: `${api}/${n.jobPath}/${id}`,
    type: `${n.job}Reference`,
    links,
  };
}

// --- references ---------------------------------------------------------------------------------------------------

type RefParts = ReturnType<typeof taskRefParts>;

const isTaskView = (view: TaskView | JobSessionView): view is TaskView => 'vm' in view.record;

export function toRefParts(ctx: RenderContext, view: TaskView | JobSessionView): RefParts {
  return isTaskView(view) ? taskRefParts(ctx, view) : jobSessionRefParts(ctx, view);
}

/** `<Ref>` inside a list, or `<EntityRef>` as a document root. */
export function refXml(parts: RefParts, tag: 'Ref' | 'EntityRef'): string {
  return `${open(
    tag,
    [
      ['UID', parts.uid],
      ['Name', parts.name],
      ['Href', parts.href],
      ['Type', parts.type],
    ],
    tag === 'EntityRef',
  )}${linksXml(parts.links)}</${tag}>`;
}

export function refJson(parts: RefParts): Json {
  return {
    Links: linksJson(parts.links),
    UID: parts.uid,
    Name: parts.name,
    Href: parts.href,
    Type: parts.type,
  };
}

// --- documents ---------------------------------------------------------------------------------------------------

export function errorXml(status: number, statusText: string, message: string): string {
  return `${XML_DECL}<Error ${NS}${attrs([
    ['Message', message],
    ['StatusCode', status],
    ['Status', statusText],
  ])} />`;
}

export function errorJson(status: number, message: string): Json {
  return {
    FirstChanceExceptionMessage: null,
    Message: message,
    StackTrace: null,
    Status: null,
    StatusCode: status,
  };
}

const VERSIONS = ['v1_5', 'v1_6', 'v1_7'];

export function enterpriseManagerXml(api: string): string {
  const top: Link[] = [
    { rel: 'Down', type: 'LogonSessionList', href: `${api}/logonSessions` },
    { rel: 'Create', type: 'LogonSession', href: `${api}/sessionMngr/?v=latest` },
  ];
  let versions = '<SupportedVersions>';
  for (const v of VERSIONS) {
    versions += `<SupportedVersion Name="${v}">${linksXml([
      { rel: 'Create', type: 'LogonSession', href: `${api}/sessionMngr/?v=${v}` },
    ])}</SupportedVersion>`;
  }
  versions += '</SupportedVersions>';
  return `${XML_DECL}${open(
    'EnterpriseManager',
    [
      ['Href', `${api}/`],
      ['Type', 'EnterpriseManager'],
    ],
    true,
  )}${linksXml(top)}${versions}</EnterpriseManager>`;
}

export function enterpriseManagerJson(api: string): Json {
  return {
    SupportedVersions: {
      SupportedVersions: VERSIONS.map((v) => ({
        Links: linksJson([{ rel: 'Create', type: 'LogonSession', href: `${api}/sessionMngr/?v=${v}` }]),
        Name: v,
      })),
    },
    Links: linksJson([
      { rel: 'Down', type: 'LogonSessionList', href: `${api}/logonSessions` },
      { rel: 'Create', type: 'LogonSession', href: `${api}/sessionMngr/?v=latest` },
    ]),
    Href: null,
    Type: null,
  };
}

function logonLinks(api: string, sessionId: string): Link[] {
  return [
    { rel: 'Up', type: 'EnterpriseManager', href: `${api}/` },
    { rel: 'Down', type: 'BackupServerReferenceList', href: `${api}/backupServers` },
    { rel: 'Down', type: 'ReplicaJobSessionReferenceList', href: `${api}/replicaSessions` },
    { rel: 'Down', type: 'ReplicaTaskSessionReferenceList', href: `${api}/replicaTaskSessions` },
    { rel: 'Down', type: 'QueryService', href: `${api}/querySvc` },
    { rel: 'Down', type: 'ReplicaJobSessionList', href: `${api}/replicaSessions?format=Entity` },
    { rel: 'Down', type: 'ReplicaTaskSessionList', href: `${api}/replicaTaskSessions?format=Entity` },
    { rel: 'Delete', href: `${api}/logonSessions/${sessionId}` },
  ];
}

export interface LogonSessionInfo {
  sessionId: string;
  userName: string;
}

export function logonSessionXml(api: string, session: LogonSessionInfo, root: boolean): string {
  return `${open(
    'LogonSession',
    [
      ['Href', `${api}/logonSessions/${session.sessionId}`],
      ['Type', 'LogonSession'],
    ],
    root,
  )}${linksXml(logonLinks(api, session.sessionId))}${element('UserName', session.userName)}${element(
    'SessionId',
    session.sessionId,
  )}</LogonSession>`;
}

export function logonSessionJson(api: string, session: LogonSessionInfo): Json {
  return {
    UserName: session.userName,
    SessionId: session.sessionId,
    Links: linksJson(logonLinks(api, session.sessionId)),
    Href: `${api}/logonSessions/${session.sessionId}`,
    Type: 'LogonSession',
  };
}

/** The `Entities` members a v12/v13 server lists (all null but the one asked for), in the servers' order. */
const ENTITY_LIST_KEYS = [
  'Jobs',
  'FailoverPlans',
  'Backups',
  'Replicas',
  'Repositories',
  'RestorePoints',
  'VmRestorePoints',
  'VAppRestorePoints',
  'VmReplicaPoints',
  'BackupJobSessions',
  'ReplicaJobSessions',
  'ReplicaTaskSessions',
  'RestoreSessions',
  'HierarchyRoots',
  'BackupTaskSessions',
  'BackupServers',
  'ManagedServers',
  'EnterpiseRoles',
  'EnterpiseAccounts',
  'WanAccelerators',
  'CloudGateways',
  'CloudTenants',
  'CloudReplicas',
  'VCloudOrganizationConfigs',
  'BackupFiles',
  'VSphereSelfServiceConfigs',
  'CloudPublicIps',
  'CloudHardwarePlans',
  'CloudVmReplicaPoints',
  'AgentRestorePoints',
  'AgentBackupJob',
  'CloudGatewayPools',
  'CloudFailoverPlans',
  'ExternalRepositories',
  'VlanConfigurations',
  'CloudFailoverSessions',
  'AgentProtectionGroups',
  'DiscoveredComputers',
  'FileServers',
  'NASJobs',
  'CdpReplicas',
  'CdpReplicaVms',
  'CdpPolicies',
  'CdpReplicaSessions',
  'CdpReplicaTaskSessions',
  'VAppReplicaPoints',
  'VmCdpReplicas',
  'VAppCdpReplicas',
  'VAppCdpReplicaVms',
  'SystemSessions',
];

export interface PagingInfo {
  pageNum: number;
  pageSize: number;
  pagesCount: number;
  links: Link[];
}

export function pagingXml(paging: PagingInfo): string {
  return `<PagingInfo${attrs([
    ['PageNum', paging.pageNum],
    ['PageSize', paging.pageSize],
    ['PagesCount', paging.pagesCount],
  ])}>${linksXml(paging.links)}</PagingInfo>`;
}

export function pagingJson(paging: PagingInfo): Json {
  return {
    Links: linksJson(paging.links),
    PageNum: paging.pageNum,
    PageSize: paging.pageSize,
    PagesCount: paging.pagesCount,
  };
}

export function entitiesJson(listKey: string, items: Json[]): Json {
  const entities: { [key: string]: Json } = {};
  for (const key of ENTITY_LIST_KEYS) entities[key] = key === listKey ? { [listKey]: items } : null;
  return entities;
}
