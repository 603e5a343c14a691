/**
 * The EM simulator's HTTP(S) server: logon sessions, the query service, the replica session resources, a
 * control API under /_sim for tests and demos, and fault injection. Everything is in memory.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { createRandom } from './create-random.js';
import { type GeneratorOptions, generateData } from './generate-data.js';
import { EmFilterError, type EmFilterNode, parseEmFilter } from './parse-em-filter.js';
import {
  enterpriseManagerJson,
  enterpriseManagerXml,
  entitiesJson,
  errorJson,
  errorXml,
  type Json,
  jobSessionEntityJson,
  jobSessionEntityXml,
  type KeyStyle,
  type Link,
  type LogonSessionInfo,
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
  withKeyStyle,
  XML_DECL,
} from './render-em.js';
import type { JobSessionView, TaskView } from './sim-model.js';
import {
  createSimStore,
  type FinishTaskSession,
  type NewTaskSession,
  SimInputError,
  type SimStore,
  type SimTaskSession,
} from './sim-store.js';

export type { GeneratorOptions } from './generate-data.js';
export type { FinishTaskSession, NewTaskSession, SimTaskSession } from './sim-store.js';

export interface FaultOptions {
  /** added to every /api answer */
  latencyMs?: number;
  /** share (0..1) of /api requests answered with a 500 or 503 Error */
  errorRate?: number;
  /** which statuses errorRate picks from; default [500, 503] */
  errorStatuses?: number[];
  /** share (0..1) of /api answers whose body is cut in half (status and headers intact) */
  malformedRate?: number;
  /** share (0..1) of /api requests whose connection is destroyed without an answer */
  dropRate?: number;
  /** a logon session expires (401) once it has served this many requests */
  expireSessionsAfterRequests?: number;
}

export interface SimulatorOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** default 0 (a free port) */
  port?: number;
  /** deterministic data; default 1 */
  seed?: number;
  /** Basic credentials; default replibot / replibot */
  username?: string;
  password?: string;
  /** JSON key casing: v12 PascalCase (default) or v13 camelCase */
  keyStyle?: KeyStyle;
  /** HTTPS with a self-signed certificate generated at start */
  tls?: boolean;
  /** idle logon sessions expire after this; default 900 */
  sessionIdleSeconds?: number;
  /** sessions (new or finished) become visible only after this delay; default 0 */
  collectionLagSeconds?: number;
  data?: GeneratorOptions;
  /** the simulator's clock; history is generated relative to it; default real time */
  now?: () => Date;
  faults?: FaultOptions;
  /** prefix JSON bodies with a UTF-8 BOM, as some EM builds do */
  jsonBom?: boolean;
}

export interface SimulatorStats {
  requests: number;
  bytesSent: number;
}

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:PORT (no trailing /api) */
  url: string;
  port: number;
  /** the self-signed certificate (PEM) when tls */
  caPem?: string;
  stats: SimulatorStats;
  resetStats(): void;
  setFaults(faults: FaultOptions): void;
  addTaskSession(input: NewTaskSession): SimTaskSession;
  finishTaskSession(
    uidOrId: string,
    input: { result: 'Success' | 'Warning' | 'Failed'; reason?: string; endTime?: Date },
  ): SimTaskSession;
  /** counts of what the simulator holds */
  counts(): {
    taskSessions: number;
    jobSessions: number;
    jobs: number;
    servers: number;
    logonSessions: number;
  };
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface LogonState extends LogonSessionInfo {
  token: string;
  lastUsed: number;
  requests: number;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

const DAY_MS = 86_400_000;
/** EM's collection endpoints list only sessions created in the last 30 days */
const COLLECTION_DAYS = 30;
const DEFAULT_PAGE_SIZE = 100;

function wantsJson(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').toLowerCase().includes('application/json');
}

function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new SimInputError('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJsonBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new SimInputError('the body must be a JSON object');
    }
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof SimInputError) throw error;
    throw new SimInputError('the body is not valid JSON');
  }
}

function toFaults(input: Record<string, unknown>): FaultOptions {
  const faults: FaultOptions = {};
  const rate = (key: keyof FaultOptions) => {
    const value = input[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new SimInputError(`${key} must be a number from 0 to 1`);
    }
    return value;
  };
  const count = (key: keyof FaultOptions) => {
    const value = input[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new SimInputError(`${key} must be a whole number`);
    }
    return value;
  };
  const latencyMs = count('latencyMs');
  if (latencyMs !== undefined) faults.latencyMs = latencyMs;
  const errorRate = rate('errorRate');
  if (errorRate !== undefined) faults.errorRate = errorRate;
  const malformedRate = rate('malformedRate');
  if (malformedRate !== undefined) faults.malformedRate = malformedRate;
  const dropRate = rate('dropRate');
  if (dropRate !== undefined) faults.dropRate = dropRate;
  const expire = count('expireSessionsAfterRequests');
  if (expire !== undefined) faults.expireSessionsAfterRequests = expire;
  if (input.errorStatuses !== undefined) {
    const statuses = input.errorStatuses;
    if (!Array.isArray(statuses) || statuses.length === 0 || !statuses.every((s) => s === 500 || s === 503)) {
      throw new SimInputError('errorStatuses must be a list of 500 and/or 503');
    }
    faults.errorStatuses = statuses as number[];
  }
  return faults;
}

function toNewTaskSession(body: Record<string, unknown>): NewTaskSession {
  const input: NewTaskSession = { vm: body.vm as string, job: body.job as string };
  for (const key of ['server', 'state', 'result', 'reason', 'jobSessionUid'] as const) {
    if (body[key] !== undefined) (input as unknown as Record<string, unknown>)[key] = body[key];
  }
  if (body.totalSize !== undefined) input.totalSize = body.totalSize as number;
  if (body.isRetry !== undefined) input.isRetry = body.isRetry === true;
  if (body.creationTime !== undefined) input.creationTime = new Date(body.creationTime as string);
  if (body.endTime !== undefined) input.endTime = new Date(body.endTime as string);
  return input;
}

/** Starts an EM simulator; resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = options.seed ?? 1;
  const username = options.username ?? 'replibot';
  const password = options.password ?? 'replibot';
  const keyStyle: KeyStyle = options.keyStyle ?? 'v12';
  const idleMs = (options.sessionIdleSeconds ?? 900) * 1000;
  const lagMs = (options.collectionLagSeconds ?? 0) * 1000;
  const clock = options.now ?? (() => new Date());
  const nowMs = () => clock().getTime();
  const jsonBom = options.jsonBom === true;
  let faults: FaultOptions = { ...options.faults };
  const faultRandom = createRandom(seed ^ 0xfa17);

  const data = generateData(seed, nowMs(), options.data);
  const store: SimStore = createSimStore(data, { seed, withFraction: keyStyle === 'v13', lagMs });
  const logons = new Map<string, LogonState>();
  const stats: SimulatorStats = { requests: 0, bytesSent: 0 };

  const xmlReply = (status: number, body: string, headers: Record<string, string> = {}): Reply => ({
    status,
    headers: { 'content-type': 'application/xml; charset=utf-8', ...headers },
    body,
  });
  const jsonReply = (status: number, value: Json, headers: Record<string, string> = {}): Reply => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: (jsonBom ? '\uFEFF' : '') + JSON.stringify(withKeyStyle(value, keyStyle)),
  });
  const errorReply = (
    json: boolean,
    status: number,
    message: string,
    headers: Record<string, string> = {},
  ) =>
    json
      ? jsonReply(status, errorJson(status, message), headers)
      : xmlReply(status, errorXml(status, STATUS_TEXT[status] ?? 'Error', message), headers);
  const unauthorized = (json: boolean, message: string) =>
    errorReply(json, 401, message, { 'www-authenticate': 'Basic Realm=RestSvc' });

  const readToken = (req: IncomingMessage): string | undefined => {
    // EM prefers the cookie over the header when both are sent; so do we
    const cookie = req.headers.cookie;
    if (cookie) {
      const match = /(?:^|;\s*)X-RestSvcSessionId=([^;]+)/i.exec(cookie);
      if (match) return decodeURIComponent(match[1]!);
    }
    const header = req.headers['x-restsvcsessionid'];
    return Array.isArray(header) ? header[0] : header;
  };

  const authenticate = (req: IncomingMessage, json: boolean): LogonState | Reply => {
    const token = readToken(req);
    if (!token) return unauthorized(json, 'The authorization header has been expected but not found.');
    const logon = logons.get(token);
    if (!logon)
      return unauthorized(json, 'The authorization header was found but the session is expired or invalid.');
    const now = nowMs();
    const limit = faults.expireSessionsAfterRequests;
    if (now - logon.lastUsed > idleMs || (limit !== undefined && logon.requests >= limit)) {
      logons.delete(token);
      return unauthorized(json, 'The authorization header was found but the session is expired.');
    }
    logon.lastUsed = now;
    logon.requests++;
    return logon;
  };

  const logon = (req: IncomingMessage, url: URL, api: string, json: boolean): Reply => {
    const version = url.searchParams.get('v') ?? 'latest';
    if (!['latest', 'v1_5', 'v1_6', 'v1_7'].includes(version.toLowerCase())) {
      return errorReply(
        json,
        400,
        `Unsupported API version '${version}'. Supported: v1_5, v1_6, v1_7, latest.`,
      );
    }
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+(.+)$/i.exec(header);
    let user = '';
    let pass = '';
    if (match) {
      const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon !== -1) {
        user = decoded.slice(0, colon);
        pass = decoded.slice(colon + 1);
      }
    }
    if (!match || user !== username || pass !== password) {
      return unauthorized(json, 'Unable to log on: the user name or password is incorrect.');
    }
    const token = randomBytes(16).toString('base64');
    const info: LogonState = {
      token,
      sessionId: randomUUID(),
      userName: user,
      lastUsed: nowMs(),
      requests: 0,
    };
    logons.set(token, info);
    const headers = {
      'x-restsvcsessionid': token,
      'set-cookie': `X-RestSvcSessionId=${token}; Path=/api;`,
    };
    return json
      ? jsonReply(201, logonSessionJson(api, info), headers)
      : xmlReply(201, XML_DECL + logonSessionXml(api, info, true), headers);
  };

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

  const query = (url: URL, ctx: RenderContext, json: boolean): Reply => {
    const params = new Map<string, string>();
    for (const [key, value] of url.searchParams) params.set(key.toLowerCase(), value);
    const typeParam = params.get('type');
    if (!typeParam)
      return errorReply(json, 400, 'The query type is not specified: add type=ReplicaTaskSession.');
    const type =
      typeParam.toLowerCase() === 'replicatasksession'
        ? 'ReplicaTaskSession'
        : typeParam.toLowerCase() === 'replicajobsession'
          ? 'ReplicaJobSession'
          : null;
    if (!type) {
      return errorReply(
        json,
        400,
        `Unknown query type '${typeParam}'. This simulator answers ReplicaTaskSession and ReplicaJobSession.`,
      );
    }
    const formatParam = (params.get('format') ?? 'References').toLowerCase();
    if (formatParam !== 'references' && formatParam !== 'entities') {
      return errorReply(json, 400, `Unknown format '${params.get('format')}'; use References or Entities.`);
    }
    const format = formatParam === 'entities' ? 'Entities' : 'References';
    const intParam = (name: string, fallback: number): number | null => {
      const raw = params.get(name.toLowerCase());
      if (raw === undefined) return fallback;
      if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) return null;
      return Number(raw);
    };
    const pageSize = intParam('pageSize', DEFAULT_PAGE_SIZE);
    if (pageSize === null) return errorReply(json, 400, 'pageSize must be a whole number greater than 0.');
    const page = intParam('page', 1);
    if (page === null) return errorReply(json, 400, 'page must be a whole number greater than 0.');
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
      const filter: EmFilterNode | null = filterText.trim() === '' ? null : parseEmFilter(filterText);
      const request = { filter, sort, page, pageSize, now: nowMs() };
      answer = type === 'ReplicaTaskSession' ? store.queryTasks(request) : store.queryJobSessions(request);
    } catch (error) {
      if (error instanceof EmFilterError) return errorReply(json, 400, `Invalid query: ${error.message}`);
      throw error;
    }
    const pagesCount = Math.max(1, Math.ceil(answer.total / pageSize));
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
    const listKey = type === 'ReplicaTaskSession' ? 'ReplicaTaskSessions' : 'ReplicaJobSessions';
    if (json) {
      const body: { [key: string]: Json } = { Refs: null, Entities: null, Resources: null, Links: null };
      if (format === 'Entities') {
        const items = answer.rows.map((row) =>
          type === 'ReplicaTaskSession'
            ? taskEntityJson(ctx, row as TaskView)
            : jobSessionEntityJson(ctx, row as JobSessionView),
        );
        body.Entities = entitiesJson(listKey, items);
      } else {
        body.Refs = { Refs: answer.rows.map((row) => refJson(toRefParts(ctx, row))) };
      }
      body.PagingInfo = pagingJson(paging);
      return jsonReply(200, body);
    }
    let inner = '';
    if (format === 'Entities') {
      inner = `<Entities><${listKey}>`;
      for (const row of answer.rows) {
        inner +=
          type === 'ReplicaTaskSession'
            ? taskEntityXml(ctx, row as TaskView)
            : jobSessionEntityXml(ctx, row as JobSessionView);
      }
      inner += `</${listKey}></Entities>`;
    } else {
      inner = '<Refs>';
      for (const row of answer.rows) inner += refXml(toRefParts(ctx, row), 'Ref');
      inner += '</Refs>';
    }
    return xmlReply(
      200,
      `${XML_DECL}<QueryResult xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0">${inner}${pagingXml(paging)}</QueryResult>`,
    );
  };

  const collection = (
    rows: Array<TaskView | JobSessionView>,
    kind: 'task' | 'job',
    entity: boolean,
    ctx: RenderContext,
    json: boolean,
  ): Reply => {
    const listKey = kind === 'task' ? 'ReplicaTaskSessions' : 'ReplicaJobSessions';
    if (entity) {
      if (json) {
        return jsonReply(200, {
          [listKey]: rows.map((row) =>
            kind === 'task'
              ? taskEntityJson(ctx, row as TaskView)
              : jobSessionEntityJson(ctx, row as JobSessionView),
          ),
        });
      }
      let body = `${XML_DECL}<${listKey} xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0">`;
      for (const row of rows) {
        body +=
          kind === 'task'
            ? taskEntityXml(ctx, row as TaskView)
            : jobSessionEntityXml(ctx, row as JobSessionView);
      }
      return xmlReply(200, `${body}</${listKey}>`);
    }
    if (json) return jsonReply(200, { Refs: rows.map((row) => refJson(toRefParts(ctx, row))) });
    let body = `${XML_DECL}<EntityReferences xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0">`;
    for (const row of rows) body += refXml(toRefParts(ctx, row), 'Ref');
    return xmlReply(200, `${body}</EntityReferences>`);
  };

  const routeApi = async (req: IncomingMessage, url: URL, api: string): Promise<Reply> => {
    const json = wantsJson(req);
    const method = req.method ?? 'GET';
    const segments = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
    const lower = segments.map((s) => s.toLowerCase());
    const notAllowed = () => errorReply(json, 405, `Method ${method} is not allowed on ${url.pathname}.`);

    if (lower.length === 1) {
      if (method !== 'GET') return notAllowed();
      return json ? jsonReply(200, enterpriseManagerJson(api)) : xmlReply(200, enterpriseManagerXml(api));
    }
    if (lower[1] === 'sessionmngr' && lower.length === 2) {
      if (method !== 'POST') return notAllowed();
      return logon(req, url, api, json);
    }
    const auth = authenticate(req, json);
    if ('status' in auth) return auth;
    const ctx: RenderContext = { api, store };
    const entityFormat = (url.searchParams.get('format') ?? '').toLowerCase() === 'entity';
    const now = nowMs();
    const since = now - COLLECTION_DAYS * DAY_MS;

    switch (lower[1]) {
      case 'logonsessions': {
        if (lower.length === 2) {
          if (method !== 'GET') return notAllowed();
          const mine = [...logons.values()].filter((l) => l.userName === auth.userName);
          if (json) return jsonReply(200, { LogonSessions: mine.map((l) => logonSessionJson(api, l)) });
          return xmlReply(
            200,
            `${XML_DECL}<LogonSessions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0">${mine
              .map((l) => logonSessionXml(api, l, false))
              .join('')}</LogonSessions>`,
          );
        }
        if (lower.length !== 3) break;
        const target = [...logons.values()].find((l) => l.sessionId.toLowerCase() === lower[2]);
        if (!target) return errorReply(json, 404, `Logon session ${segments[2]} was not found.`);
        if (method === 'DELETE') {
          logons.delete(target.token);
          return { status: 204, headers: {}, body: '' };
        }
        if (method !== 'GET') return notAllowed();
        return json
          ? jsonReply(200, logonSessionJson(api, target))
          : xmlReply(200, XML_DECL + logonSessionXml(api, target, true));
      }
      case 'query':
        if (lower.length !== 2) break;
        if (method !== 'GET') return notAllowed();
        return query(url, ctx, json);
      case 'replicasessions': {
        if (method !== 'GET') return notAllowed();
        if (lower.length === 2)
          return collection(store.jobSessionsSince(since, now), 'job', entityFormat, ctx, json);
        const session = store.findJobSession(segments[2]!);
        if (!session || session.visibleFrom > now) {
          return errorReply(json, 404, `Replication job session ${segments[2]} was not found.`);
        }
        if (lower.length === 3) {
          const view = store.jobSessionsSince(session.creation, now).find((v) => v.record === session)!;
          if (entityFormat) {
            return json
              ? jsonReply(200, jobSessionEntityJson(ctx, view))
              : xmlReply(200, XML_DECL + jobSessionEntityXml(ctx, view, true));
          }
          const parts = toRefParts(ctx, view);
          return json ? jsonReply(200, refJson(parts)) : xmlReply(200, XML_DECL + refXml(parts, 'EntityRef'));
        }
        if (lower.length === 4 && lower[3] === 'replicatasksessions') {
          const views = store.tasksSince(since, now).filter((view) => view.record.jobSession === session);
          return collection(views, 'task', entityFormat, ctx, json);
        }
        break;
      }
      case 'replicatasksessions': {
        if (method !== 'GET') return notAllowed();
        if (lower.length === 2)
          return collection(store.tasksSince(since, now), 'task', entityFormat, ctx, json);
        if (lower.length !== 3) break;
        const task = store.findTask(segments[2]!);
        if (!task || task.visibleFrom > now) {
          return errorReply(json, 404, `Replication task session ${segments[2]} was not found.`);
        }
        const view = store.tasksSince(task.creation, now).find((v) => v.record === task)!;
        if (entityFormat) {
          return json
            ? jsonReply(200, taskEntityJson(ctx, view))
            : xmlReply(200, XML_DECL + taskEntityXml(ctx, view, true));
        }
        const parts = toRefParts(ctx, view);
        return json ? jsonReply(200, refJson(parts)) : xmlReply(200, XML_DECL + refXml(parts, 'EntityRef'));
      }
    }
    return errorReply(json, 404, `The resource ${url.pathname} was not found.`);
  };

  const routeControl = async (req: IncomingMessage, url: URL): Promise<Reply> => {
    const send = (status: number, value: unknown): Reply => ({
      status,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(value),
    });
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').filter((s) => s !== '');
    try {
      if (parts[1] === 'sessions' && parts.length === 2 && method === 'POST') {
        const body = parseJsonBody(await readBody(req));
        const task = store.addTaskSession(toNewTaskSession(body), nowMs());
        return send(201, store.toSimTaskSession(task));
      }
      if (parts[1] === 'sessions' && parts.length === 3 && method === 'GET') {
        const task = store.findTask(decodeURIComponent(parts[2]!));
        if (!task) return send(404, { error: `No task session ${parts[2]}` });
        return send(200, store.toSimTaskSession(task));
      }
      if (parts[1] === 'sessions' && parts.length === 4 && parts[3] === 'finish' && method === 'POST') {
        const body = parseJsonBody(await readBody(req));
        const input: FinishTaskSession = { result: body.result as FinishTaskSession['result'] };
        if (body.reason !== undefined) input.reason = body.reason as string;
        if (body.endTime !== undefined) input.endTime = new Date(body.endTime as string);
        const task = store.finishTaskSession(decodeURIComponent(parts[2]!), input, nowMs());
        return send(200, store.toSimTaskSession(task));
      }
      if (parts[1] === 'faults' && parts.length === 2 && method === 'POST') {
        faults = toFaults(parseJsonBody(await readBody(req)));
        return send(200, faults);
      }
      if (parts[1] === 'stats' && parts.length === 2 && method === 'GET') {
        return send(200, { ...stats, ...counts() });
      }
      if (parts[1] === 'stats' && parts[2] === 'reset' && method === 'POST') {
        resetStats();
        return send(200, stats);
      }
      return send(404, {
        error: `Unknown control endpoint ${method} ${url.pathname}`,
        endpoints: [
          'POST /_sim/sessions',
          'GET /_sim/sessions/{id}',
          'POST /_sim/sessions/{id}/finish',
          'POST /_sim/faults',
          'GET /_sim/stats',
          'POST /_sim/stats/reset',
        ],
      });
    } catch (error) {
      if (error instanceof SimInputError) return send(error.notFound ? 404 : 400, { error: error.message });
      throw error;
    }
  };

  const write = (res: ServerResponse, reply: Reply, countBytes: boolean) => {
    const body = Buffer.from(reply.body, 'utf8');
    if (countBytes) stats.bytesSent += body.length;
    res.writeHead(reply.status, {
      server: 'Microsoft-HTTPAPI/2.0',
      // the simulator's clock, as EM's own Date header gives EM's
      date: new Date(nowMs()).toUTCString(),
      ...reply.headers,
      ...(reply.status === 204 ? {} : { 'content-length': String(body.length) }),
    });
    res.end(reply.status === 204 ? undefined : body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const scheme = options.tls ? 'https' : 'http';
    const host = req.headers.host ?? `${options.host ?? '127.0.0.1'}:${port}`;
    const url = new URL(req.url ?? '/', `${scheme}://${host}`);
    const first = url.pathname.split('/')[1]?.toLowerCase();
    try {
      if (first === '_sim') {
        write(res, await routeControl(req, url), false);
        return;
      }
      stats.requests++;
      if (first !== 'api') {
        write(
          res,
          errorReply(
            wantsJson(req),
            404,
            `The resource ${url.pathname} was not found; the API is under /api/.`,
          ),
          true,
        );
        return;
      }
      if (faults.dropRate && faultRandom.chance(faults.dropRate)) {
        req.socket.destroy();
        return;
      }
      if (faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      if (faults.errorRate && faultRandom.chance(faults.errorRate)) {
        const status = faultRandom.pick(faults.errorStatuses ?? [500, 503]);
        const message =
          status === 503
            ? 'The service is temporarily overloaded or down for maintenance.'
            : 'Object reference not set to an instance of an object.';
        write(res, errorReply(wantsJson(req), status, message), true);
        return;
      }
      const reply = await routeApi(req, url, `${scheme}://${host}/api`);
      if (faults.malformedRate && reply.body !== '' && faultRandom.chance(faults.malformedRate)) {
        reply.body = reply.body.slice(0, Math.floor(reply.body.length / 2));
      }
      write(res, reply, true);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) write(res, errorReply(wantsJson(req), 500, `Simulator error: ${message}`), true);
      else res.destroy();
    }
  };

  let caPem: string | undefined;
  let server: http.Server | https.Server;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res);
  };
  if (options.tls) {
    const host = options.host ?? '127.0.0.1';
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            ...(host !== '127.0.0.1' && /^[\d.]+$/.test(host) ? [{ type: 7 as const, ip: host }] : []),
            ...(host !== 'localhost' && !/^[\d.:]+$/.test(host) ? [{ type: 2 as const, value: host }] : []),
          ],
        },
      ],
    });
    caPem = pems.cert;
    server = https.createServer({ key: pems.private, cert: pems.cert }, listener);
  } else {
    server = http.createServer(listener);
  }

  let port = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  const url = `${options.tls ? 'https' : 'http'}://${hostForUrl.includes(':') ? `[${hostForUrl}]` : hostForUrl}:${port}`;

  function counts() {
    return { ...store.counts(), logonSessions: logons.size };
  }
  function resetStats() {
    stats.requests = 0;
    stats.bytesSent = 0;
  }

  const running: RunningSimulator = {
    url,
    port,
    stats,
    resetStats,
    setFaults: (next) => {
      faults = toFaults(next as Record<string, unknown>);
    },
    addTaskSession: (input) => store.toSimTaskSession(store.addTaskSession(input, nowMs())),
    finishTaskSession: (uidOrId, input) =>
      store.toSimTaskSession(store.finishTaskSession(uidOrId, input, nowMs())),
    counts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  if (caPem !== undefined) running.caPem = caPem;
  return running;
}
