/** The EM REST routes under /api: the entry point, logon sessions, the query service and the replica session resources. */
import type { IncomingMessage } from 'node:http';
import { must } from '../core/must.js';
import type { SimJobs } from './jobs.js';
import type { LogonSessions } from './logon-sessions.js';
import { EmFilterError, type EmFilterNode, parseEmFilter } from './parse-em-filter.js';
import { applyRowQuirksJson, applyRowQuirksXml, type SimulatorQuirks, toQuirkView } from './quirks.js';
import {
  enterpriseManagerJson,
  enterpriseManagerXml,
  entitiesJson,
  type Json,
  jobSessionEntityJson,
  jobSessionEntityXml,
  type Link,
  logonSessionJson,
  logonSessionXml,
  type PagingInfo,
  pagingJson,
  pagingXml,
  type RenderContext,
  refJson,
  refXml,
  taskEntityJson,
  taskEntityXml,
  toRefParts,
  XML_DECL,
} from './render-em.js';
import {
  answerProtectionQuery,
  answerProtectionResource,
  type ProtectionQueryType,
  type ReplicaPoints,
  toProtectionQueryType,
} from './replica-points.js';
import { type Replies, type Reply, wantsJson } from './replies.js';
import {
  answerRestoreQuery,
  type RestorePoints,
  type RestoreQueryType,
  toRestoreQueryType,
} from './restore-points.js';
import { type JobSessionView, type TaskView, viewJobSession, viewTask } from './sim-model.js';
import type { SimStore } from './sim-store.js';

const DAY_MS = 86_400_000;
/** EM's collection endpoints list only sessions created in the last 30 days */
const COLLECTION_DAYS = 30;
const DEFAULT_PAGE_SIZE = 100;
const QUERY_TYPES = [
  'ReplicaTaskSession',
  'ReplicaJobSession',
  'BackupTaskSession',
  'BackupJobSession',
] as const;

export interface ApiRouteOptions {
  store: SimStore;
  logons: LogonSessions;
  replies: Replies;
  nowMs: () => number;
  /** read on every request: the control API may change them */
  quirks?: () => SimulatorQuirks;
  /** the backup sessions (backup-sessions.ts); absent: EM knows none */
  backupStore?: SimStore;
  /** replica points and replicas (replica-points.ts) */
  points?: ReplicaPoints;
  /** restore points of the backups (restore-points.ts); with `backupStore` */
  restorePoints?: RestorePoints;
  /** jobs, job actions and tasks (src/simulator/jobs.ts) */
  jobs?: SimJobs;
}

/** The /api router: `route(req, url, api)` answers one request (`api` is the absolute /api URL). */
export function createApiRoutes(options: ApiRouteOptions): {
  route(req: IncomingMessage, url: URL, api: string): Promise<Reply>;
} {
  const { store, logons, replies, nowMs } = options;
  const quirksOf = options.quirks ?? ((): SimulatorQuirks => ({}));

  const pageLinks = (
    api: string,
    type: string,
    format: string,
    sort: { field: string; direction: 'asc' | 'desc' } | null,
    filter: string | null,
    pageSize: number,
    page: number,
    pagesCount: number,
  ): Link[] => {
    let base = `${api}/query?type=${type}&format=${format}`;
    if (sort)
      base += `&${sort.direction === 'asc' ? 'sortAsc' : 'sortDesc'}=${encodeURIComponent(sort.field)}`;
    if (filter) base += `&filter=${encodeURIComponent(filter)}`;
    const at = (n: number) => `${base}&pageSize=${pageSize}&page=${n}`;
    const links: Link[] = [{ rel: 'First', href: at(1) }];
    if (page > 1) links.push({ rel: 'Previous', href: at(Math.min(page - 1, pagesCount)) });
    if (page < pagesCount) links.push({ rel: 'Next', href: at(page + 1) });
    links.push({ rel: 'Last', href: at(pagesCount) });
    return links;
  };

  const query = (url: URL, queryCtx: RenderContext, json: boolean): Reply => {
    let ctx = queryCtx;
    const quirks = quirksOf();
    const params = new Map<string, string>();
    for (const [key, value] of url.searchParams) params.set(key.toLowerCase(), value);
    const typeParam = params.get('type');
    if (!typeParam)
      return replies.error(json, 400, 'The query type is not specified: add type=ReplicaTaskSession.');
    const restoreType = options.restorePoints ? toRestoreQueryType(typeParam) : null;
    if (restoreType !== null) return protectionQuery(restoreType, params, ctx, json);
    const protectionType = options.points ? toProtectionQueryType(typeParam) : null;
    if (protectionType !== null && options.points) return protectionQuery(protectionType, params, ctx, json);
    const type = QUERY_TYPES.find((t) => t.toLowerCase() === typeParam.toLowerCase()) ?? null;
    if (!type) {
      return replies.error(
        json,
        400,
        `Unknown query type '${typeParam}'. This simulator answers ${QUERY_TYPES.join(', ')}.`,
      );
    }
    const isTask = type === 'ReplicaTaskSession' || type === 'BackupTaskSession';
    const typeStore = type.startsWith('Backup') ? options.backupStore : store;
    if (typeStore === undefined) return replies.error(json, 400, `Unknown query type '${typeParam}'.`);
    ctx = { ...ctx, store: typeStore };
    const formatParam = (params.get('format') ?? 'References').toLowerCase();
    if (formatParam !== 'references' && formatParam !== 'entities') {
      return replies.error(
        json,
        400,
        `Unknown format '${params.get('format')}'; use References or Entities.`,
      );
    }
    const format = formatParam === 'entities' ? 'Entities' : 'References';
    const intParam = (name: string, fallback: number): number | null => {
      const raw = params.get(name.toLowerCase());
      if (raw === undefined) return fallback;
      if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) return null;
      return Number(raw);
    };
    const pageSize = intParam('pageSize', DEFAULT_PAGE_SIZE);
    if (pageSize === null) return replies.error(json, 400, 'pageSize must be a whole number greater than 0.');
    const page = intParam('page', 1);
    if (page === null) return replies.error(json, 400, 'page must be a whole number greater than 0.');
    const sortAsc = params.get('sortasc');
    const sortDesc = params.get('sortdesc');
    const sort = sortAsc
      ? { field: sortAsc, direction: 'asc' as const }
      : sortDesc
        ? { field: sortDesc, direction: 'desc' as const }
        : null;
    const filterText = params.get('filter') ?? '';
    let answer: { rows: Array<TaskView | JobSessionView>; total: number };
    try {
      const unknown = quirks.unknownFilterFields?.find((field) => mentionsField(filterText, field));
      if (unknown !== undefined) throw new EmFilterError(`this EM has no field '${unknown}'`);
      const filter: EmFilterNode | null = filterText.trim() === '' ? null : parseEmFilter(filterText);
      const request = { filter, sort, page, pageSize, now: nowMs() };
      answer = isTask ? typeStore.queryTasks(request) : typeStore.queryJobSessions(request);
    } catch (error) {
      if (error instanceof EmFilterError) {
        return quirks.badFilter500
          ? replies.error(json, 500, `Failed to parse the filter expression: ${error.message}`)
          : replies.error(json, 400, `Invalid query: ${error.message}`);
      }
      throw error;
    }
    if (quirks.errorOn200) return { ...replies.error(json, 500, quirks.errorOn200), status: 200 };
    const empty = answer.rows.length === 0;
    const pagesCount =
      quirks.pagesCount ??
      (answer.total === 0 && quirks.emptyPagesCount === 0
        ? 0
        : Math.max(1, Math.ceil(answer.total / pageSize)));
    const taskJson = (row: TaskView, index: number) =>
      applyRowQuirksJson(taskEntityJson(ctx, toQuirkView(row, quirks)), quirks, index === 0);
    const taskXml = (row: TaskView, index: number) =>
      applyRowQuirksXml(taskEntityXml(ctx, toQuirkView(row, quirks)), quirks, index === 0);
    const paging: PagingInfo = {
      pageNum: page,
      pageSize,
      pagesCount,
      links: pageLinks(
        ctx.api,
        type,
        format,
        sort,
        filterText === '' ? null : filterText,
        pageSize,
        page,
        pagesCount,
      ),
    };
    const listKey = `${type}s`;
    if (json) {
      const body: { [key: string]: Json } = { Refs: null, Entities: null, Resources: null, Links: null };
      if (format === 'Entities') {
        const items = answer.rows.map((row, index) =>
          // cast: isTask says which view the rows are (the query type chose the row source)
          isTask ? taskJson(row as TaskView, index) : jobSessionEntityJson(ctx, row as JobSessionView),
        );
        body.Entities =
          empty && quirks.emptyEntities === 'null'
            ? null
            : empty && quirks.emptyEntities === 'self-closing'
              ? {}
              : entitiesJson(listKey, items);
      } else {
        body.Refs = { Refs: answer.rows.map((row) => refJson(toRefParts(ctx, row))) };
      }
      body.PagingInfo = pagingJson(paging);
      return replies.json(200, body);
    }
    let inner = '';
    if (format === 'Entities' && empty && quirks.emptyEntities === 'self-closing') {
      inner = '<Entities />';
    } else if (format === 'Entities' && empty && quirks.emptyEntities === 'null') {
      inner = '<Entities xsi:nil="true" />';
    } else if (format === 'Entities') {
      inner = `<Entities><${listKey}>`;
      answer.rows.forEach((row, index) => {
        // cast: isTask says which view the rows are (the query type chose the row source)
        inner += isTask ? taskXml(row as TaskView, index) : jobSessionEntityXml(ctx, row as JobSessionView);
      });
      inner += `</${listKey}></Entities>`;
    } else {
      inner = '<Refs>';
      for (const row of answer.rows) inner += refXml(toRefParts(ctx, row), 'Ref');
      inner += '</Refs>';
    }
    return replies.xml(
      200,
      `${XML_DECL}<QueryResult xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0">${inner}${pagingXml(paging)}</QueryResult>`,
    );
  };

  const protectionQuery = (
    type: ProtectionQueryType | RestoreQueryType,
    params: Map<string, string>,
    ctx: RenderContext,
    json: boolean,
  ): Reply => {
    const points = options.points;
    const restorePoints = options.restorePoints;
    if (!points && !restorePoints) return replies.error(json, 400, `Unknown query type '${type}'.`);
    const format =
      (params.get('format') ?? 'References').toLowerCase() === 'entities' ? 'Entities' : 'References';
    const int = (name: string, fallback: number) => {
      const raw = params.get(name);
      return raw === undefined ? fallback : /^\d+$/.test(raw.trim()) && Number(raw) >= 1 ? Number(raw) : null;
    };
    const pageSize = int('pagesize', DEFAULT_PAGE_SIZE);
    const page = int('page', 1);
    if (pageSize === null || page === null)
      return replies.error(json, 400, 'page and pageSize must be whole numbers greater than 0.');
    const sortAsc = params.get('sortasc');
    const sortDesc = params.get('sortdesc');
    const sort = sortAsc
      ? { field: sortAsc, direction: 'asc' as const }
      : sortDesc
        ? { field: sortDesc, direction: 'desc' as const }
        : null;
    const q = {
      type,
      format,
      filterText: params.get('filter') ?? '',
      sort,
      page,
      pageSize,
      now: nowMs(),
    } as const;
    try {
      if (type === 'VmRestorePoint' || type === 'RestorePoint') {
        if (!restorePoints || !options.backupStore)
          return replies.error(json, 400, `Unknown query type '${type}'.`);
        const restoreCtx = { api: ctx.api, store: options.backupStore, points: restorePoints, now: q.now };
        return answerRestoreQuery(restoreCtx, { ...q, type }, json, replies);
      }
      if (!points) return replies.error(json, 400, `Unknown query type '${type}'.`);
      return answerProtectionQuery({ api: ctx.api, store, points }, { ...q, type }, json, replies);
    } catch (error) {
      if (error instanceof EmFilterError) return replies.error(json, 400, `Invalid query: ${error.message}`);
      throw error;
    }
  };

  const collection = (
    rows: Array<TaskView | JobSessionView>,
    kind: 'task' | 'job',
    entity: boolean,
    ctx: RenderContext,
    json: boolean,
  ): Reply => {
    const listKey = `${ctx.store.entity}${kind === 'task' ? 'TaskSessions' : 'JobSessions'}`;
    if (entity) {
      if (json) {
        return replies.json(200, {
          [listKey]: rows.map((row) =>
            kind === 'task'
              ? // cast: isTask says which view the row is (the resource path chose the row source)
                taskEntityJson(ctx, row as TaskView)
              : jobSessionEntityJson(ctx, row as JobSessionView),
          ),
        });
      }
      let body = `${XML_DECL}<${listKey} xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0">`;
      for (const row of rows) {
        body +=
          kind === 'task'
            ? // cast: isTask says which view the row is (the resource path chose the row source)
              taskEntityXml(ctx, row as TaskView)
            : jobSessionEntityXml(ctx, row as JobSessionView);
      }
      return replies.xml(200, `${body}</${listKey}>`);
    }
    if (json) return replies.json(200, { Refs: rows.map((row) => refJson(toRefParts(ctx, row))) });
    let body = `${XML_DECL}<EntityReferences xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0">`;
    for (const row of rows) body += refXml(toRefParts(ctx, row), 'Ref');
    return replies.xml(200, `${body}</EntityReferences>`);
  };

  /** The backup session resources (the replica ones below keep their own code and wording). */
  const sessionResource = (
    target: SimStore,
    lower: string[],
    segments: string[],
    entityFormat: boolean,
    json: boolean,
    apiCtx: RenderContext,
    since: number,
    now: number,
    method: string,
  ): Reply => {
    if (method !== 'GET') return replies.error(json, 405, `Method ${method} is not allowed here.`);
    const ctx: RenderContext = { ...apiCtx, store: target };
    const one = <V extends TaskView | JobSessionView>(view: V, entity: () => Reply): Reply => {
      if (entityFormat) return entity();
      const parts = toRefParts(ctx, view);
      return json
        ? replies.json(200, refJson(parts))
        : replies.xml(200, XML_DECL + refXml(parts, 'EntityRef'));
    };
    if (lower[1] === 'backupsessions') {
      if (lower.length === 2)
        return collection(target.jobSessionsSince(since, now), 'job', entityFormat, ctx, json);
      const session = target.findJobSession(segments[2] ?? '');
      if (!session || session.visibleFrom > now) {
        return replies.error(json, 404, `Backup job session ${segments[2]} was not found.`);
      }
      if (lower.length === 3) {
        const view = viewJobSession(session, now);
        return one(view, () =>
          json
            ? replies.json(200, jobSessionEntityJson(ctx, view))
            : replies.xml(200, XML_DECL + jobSessionEntityXml(ctx, view, true)),
        );
      }
      if (lower.length === 4 && lower[3] === 'tasksessions') {
        const views = target.tasksSince(since, now).filter((view) => view.record.jobSession === session);
        return collection(views, 'task', entityFormat, ctx, json);
      }
      return replies.error(json, 404, `The resource ${segments.join('/')} was not found.`);
    }
    if (lower.length === 2) return collection(target.tasksSince(since, now), 'task', entityFormat, ctx, json);
    const task = lower.length === 3 ? target.findTask(segments[2] ?? '') : null;
    if (!task || task.visibleFrom > now) {
      return replies.error(json, 404, `Backup task session ${segments[2]} was not found.`);
    }
    const view = viewTask(task, now);
    return one(view, () =>
      json
        ? replies.json(200, taskEntityJson(ctx, view))
        : replies.xml(200, XML_DECL + taskEntityXml(ctx, view, true)),
    );
  };

  const routeApi = async (req: IncomingMessage, url: URL, api: string): Promise<Reply> => {
    const json = wantsJson(req);
    const method = req.method ?? 'GET';
    const segments = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
    const lower = segments.map((s) => s.toLowerCase());
    const notAllowed = () => replies.error(json, 405, `Method ${method} is not allowed on ${url.pathname}.`);

    if (lower.length === 1) {
      if (method !== 'GET') return notAllowed();
      return json
        ? replies.json(200, enterpriseManagerJson(api))
        : replies.xml(200, enterpriseManagerXml(api));
    }
    if (lower[1] === 'sessionmngr' && lower.length === 2) {
      if (method !== 'POST') return notAllowed();
      return logons.logon(req, url, api, json);
    }
    const auth = logons.authenticate(req, json);
    if ('status' in auth) return auth;
    const ctx: RenderContext = { api, store };
    const entityFormat = (url.searchParams.get('format') ?? '').toLowerCase() === 'entity';
    const now = nowMs();
    const since = now - COLLECTION_DAYS * DAY_MS;

    switch (lower[1]) {
      case 'logonsessions': {
        if (lower.length === 2) {
          if (method !== 'GET') return notAllowed();
          const mine = [...logons.all.values()].filter((l) => l.userName === auth.userName);
          if (json) return replies.json(200, { LogonSessions: mine.map((l) => logonSessionJson(api, l)) });
          return replies.xml(
            200,
            `${XML_DECL}<LogonSessions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0">${mine
              .map((l) => logonSessionXml(api, l, false))
              .join('')}</LogonSessions>`,
          );
        }
        if (lower.length !== 3) break;
        const target = [...logons.all.values()].find((l) => l.sessionId.toLowerCase() === lower[2]);
        if (!target) return replies.error(json, 404, `Logon session ${segments[2]} was not found.`);
        if (method === 'DELETE') {
          logons.all.delete(target.token);
          return { status: 204, headers: {}, body: '' };
        }
        if (method !== 'GET') return notAllowed();
        return json
          ? replies.json(200, logonSessionJson(api, target))
          : replies.xml(200, XML_DECL + logonSessionXml(api, target, true));
      }
      case 'query':
        if (lower.length !== 2) break;
        if (method !== 'GET') return notAllowed();
        if (options.jobs && (url.searchParams.get('type') ?? '').toLowerCase() === 'job')
          return options.jobs.query(url, api, json, auth);
        return query(url, ctx, json);
      case 'jobs':
      case 'tasks': {
        const answered = options.jobs?.route(req, url, api, json, auth);
        if (answered) return answered;
        break;
      }
      case 'replicasessions': {
        if (method !== 'GET') return notAllowed();
        if (lower.length === 2)
          return collection(store.jobSessionsSince(since, now), 'job', entityFormat, ctx, json);
        const session = store.findJobSession(segments[2] ?? '');
        if (!session || session.visibleFrom > now) {
          return replies.error(json, 404, `Replication job session ${segments[2]} was not found.`);
        }
        if (lower.length === 3) {
          const view = must(
            store.jobSessionsSince(session.creation, now).find((v) => v.record === session),
            'a visible job session is listed from its own creation time',
          );
          if (entityFormat) {
            return json
              ? replies.json(200, jobSessionEntityJson(ctx, view))
              : replies.xml(200, XML_DECL + jobSessionEntityXml(ctx, view, true));
          }
          const parts = toRefParts(ctx, view);
          return json
            ? replies.json(200, refJson(parts))
            : replies.xml(200, XML_DECL + refXml(parts, 'EntityRef'));
        }
        if (lower.length === 4 && lower[3] === 'replicatasksessions') {
          const views = store.tasksSince(since, now).filter((view) => view.record.jobSession === session);
          return collection(views, 'task', entityFormat, ctx, json);
        }
        break;
      }
      case 'backupsessions':
      case 'backuptasksessions': {
        // EM's backup sessions: /backupSessions[/{ID}[/taskSessions]], /backupTaskSessions[/{ID}]
        if (options.backupStore === undefined) break;
        return sessionResource(
          options.backupStore,
          lower,
          segments,
          entityFormat,
          json,
          ctx,
          since,
          now,
          method,
        );
      }
      case 'vmreplicapoints':
      case 'replicas': {
        if (method !== 'GET' || !options.points || lower.length !== 3) break;
        const found = answerProtectionResource(
          { api, store, points: options.points },
          lower[1],
          segments[2] ?? '',
          entityFormat,
          now,
          json,
          replies,
        );
        return found ?? replies.error(json, 404, `The resource ${url.pathname} was not found.`);
      }
      case 'replicatasksessions': {
        if (method !== 'GET') return notAllowed();
        if (lower.length === 2)
          return collection(store.tasksSince(since, now), 'task', entityFormat, ctx, json);
        if (lower.length !== 3) break;
        const task = store.findTask(segments[2] ?? '');
        if (!task || task.visibleFrom > now) {
          return replies.error(json, 404, `Replication task session ${segments[2]} was not found.`);
        }
        const view = must(
          store.tasksSince(task.creation, now).find((v) => v.record === task),
          'a visible task session is listed from its own creation time',
        );
        if (entityFormat) {
          return json
            ? replies.json(200, taskEntityJson(ctx, view))
            : replies.xml(200, XML_DECL + taskEntityXml(ctx, view, true));
        }
        const parts = toRefParts(ctx, view);
        return json
          ? replies.json(200, refJson(parts))
          : replies.xml(200, XML_DECL + refXml(parts, 'EntityRef'));
      }
    }
    return replies.error(json, 404, `The resource ${url.pathname} was not found.`);
  };

  return { route: routeApi };
}

/** Whether a filter compares `field` (a field name right before an operator). */
function mentionsField(filter: string, field: string): boolean {
  const escaped = field.replace(/[^A-Za-z0-9]/g, '');
  return new RegExp(`(?:^|[;,(])\\s*${escaped}\\s*(?:==|!=|<|>)`, 'i').test(filter);
}
