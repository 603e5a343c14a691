/**
 * The Enterprise Manager client for job actions, with its own EM account (VEEAM_ACTION_USERNAME, a Portal
 * Administrator: EM lets nobody else near /jobs), so the reading account stays a Portal User.
 *
 * Rules that keep an action from happening twice:
 * - A POST is sent once. There are no retries for it, not on a network error, not on a 500, not after a 401
 *   (a 401 means EM did nothing; the person is told to press again). `toggleScheduleEnabled` flips the state,
 *   so a resent toggle would undo itself.
 * - Reads (a job, a task) may log on again once after a 401; nothing else is retried.
 * - A task belongs to the logon session that created it: `readTask` asks with that very session and says
 *   `session-expired` when EM no longer knows it (401, or 404 for another session), instead of logging on
 *   again, so the caller looks for the job session the action started instead.
 */
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import axios, { type AxiosInstance } from 'axios';
import type { VeeamConfig } from '../config.js';
import { ReplibotError } from '../core/errors.js';
import {
  type EmJob,
  type EmJobAction,
  type EmTaskState,
  toEmJobType,
  toJobNameFilter,
} from '../core/jobs.js';
import type { EmActionTicket, EmJobActionsApi } from '../core/ports.js';
import { type Logger, silentLogger } from '../logger.js';
import { parseEmBody } from './parse-em-body.js';
import { type RequestContext, toHttpError, toTransportError } from './to-em-error.js';

export interface EmActionsClientOptions
  extends Pick<VeeamConfig, 'url' | 'caPem' | 'insecureTls' | 'format' | 'timeoutMs' | 'caFile'> {
  username: string;
  password: string;
  logger?: Logger;
}

export interface EmActionsClientStats {
  requests: number;
  logons: number;
  /** POSTs sent (each at most once) */
  actionsSent: number;
}

const SESSION_HEADER = 'X-RestSvcSessionId';
const ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;
const TASK_ID_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;

interface Session {
  token: string;
  sessionId: string | null;
}

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: Buffer;
}

type Tree = Record<string, unknown>;
const isTree = (value: unknown): value is Tree =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isTree(value) && typeof value['#text'] === 'string') return value['#text'];
  return null;
};
const bool = (value: unknown): boolean => text(value)?.toLowerCase() === 'true';

export function createEmActionsClient(
  options: EmActionsClientOptions,
): EmJobActionsApi & { stats: EmActionsClientStats } {
  const logger = (options.logger ?? silentLogger).child({ component: 'em-actions' });
  const baseUrl = options.url.replace(/\/+$/, '').replace(/\/api$/i, '');
  const accept = options.format === 'json' ? 'application/json' : 'application/xml';
  const basicAuth = `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;
  const stats: EmActionsClientStats = { requests: 0, logons: 0, actionsSent: 0 };
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const httpsAgent = new https.Agent({
    keepAlive: true,
    maxSockets: 4,
    rejectUnauthorized: !options.insecureTls,
    ...(options.caPem ? { ca: [...rootCertificates, options.caPem] } : {}),
  });
  const transport: AxiosInstance = axios.create({
    baseURL: baseUrl,
    timeout: options.timeoutMs,
    httpAgent,
    httpsAgent,
    maxRedirects: 0,
    proxy: false,
    responseType: 'arraybuffer',
    maxContentLength: 8 * 1024 * 1024,
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true },
  });
  let session: Session | null = null;
  const secrets = new Set<string>([options.password, basicAuth.slice('Basic '.length)]);
  /** EM could echo a header back in its Message: passwords and session tokens never leave this client. */
  const scrub = (error: unknown): unknown => {
    if (!(error instanceof ReplibotError)) return error;
    let message = error.message;
    for (const secret of secrets) if (secret.length >= 4) message = message.split(secret).join('[redacted]');
    if (message === error.message) return error;
    return new ReplibotError(error.code, message, {
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(error.status === undefined ? {} : { status: error.status }),
      cause: error.cause,
    });
  };
  const scrubbed =
    <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await run(...args);
      } catch (error) {
        throw scrub(error);
      }
    };

  const context = (what: string, notFound?: string): RequestContext => ({
    what,
    baseUrl,
    timeoutMs: options.timeoutMs,
    username: options.username,
    ...(notFound ? { notFound } : {}),
  });

  async function send(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    headers: Record<string, string>,
    ctx: RequestContext,
  ): Promise<Answer> {
    stats.requests += 1;
    try {
      const response = await transport.request<ArrayBuffer>({
        method,
        url: path,
        headers: { Accept: accept, ...headers, ...(method === 'POST' ? { 'Content-Length': '0' } : {}) },
      });
      const body = Buffer.from(response.data ?? new ArrayBuffer(0));
      logger.debug(
        { method, path: path.replace(/(logonSessions\/)[^?]+/i, '$1[redacted]'), status: response.status },
        'EM request',
      );
      // axios' header object is a plain record of strings and string lists
      return { status: response.status, headers: response.headers as Record<string, unknown>, body };
    } catch (error) {
      throw toTransportError(error, ctx);
    }
  }

  async function logon(): Promise<Session> {
    const ctx = context('the logon of the action account');
    const answer = await send('POST', '/api/sessionMngr/?v=latest', { Authorization: basicAuth }, ctx);
    if (answer.status !== 201 && answer.status !== 200)
      throw toHttpError(answer.status, answer.body, { ...ctx, phase: 'logon' });
    const token = headerValue(answer.headers, SESSION_HEADER);
    if (!token)
      throw new ReplibotError(
        'em_bad_response',
        `Enterprise Manager at ${baseUrl} sent no ${SESSION_HEADER} header.`,
      );
    let sessionId: string | null = null;
    try {
      const tree = parseEmBody(answer.body, 'the logon').tree;
      const root = isTree(tree) && isTree(tree.logonsession) ? tree.logonsession : tree;
      sessionId = isTree(root) ? text(root.sessionid) : null;
    } catch {
      sessionId = null;
    }
    secrets.add(token);
    if (sessionId !== null) secrets.add(sessionId);
    stats.logons += 1;
    logger.info({ user: options.username }, 'logged on to Enterprise Manager for job actions');
    return { token, sessionId };
  }

  const current = async (): Promise<Session> => {
    session ??= await logon();
    return session;
  };

  /** A GET with the action account's session; a 401 logs on once more. Nothing else is retried. */
  async function get(path: string, ctx: RequestContext): Promise<unknown> {
    let used = await current();
    let answer = await send('GET', path, { [SESSION_HEADER]: used.token }, ctx);
    if (answer.status === 401) {
      if (session === used) session = null;
      used = await current();
      answer = await send('GET', path, { [SESSION_HEADER]: used.token }, ctx);
    }
    if (answer.status === 403) throw forbidden(ctx);
    if (answer.status !== 200) throw toHttpError(answer.status, answer.body, { ...ctx, phase: 'request' });
    return parseEmBody(answer.body, ctx.what).tree;
  }

  const forbidden = (ctx: RequestContext) =>
    new ReplibotError(
      'em_forbidden',
      `Enterprise Manager at ${baseUrl} does not let the action account ${JSON.stringify(options.username)} use ${ctx.what}.`,
      {
        hint: 'Job actions need the Portal Administrator role for VEEAM_ACTION_USERNAME (EM web UI > Configuration > Roles).',
        status: 403,
      },
    );

  function toJob(value: unknown, what: string): EmJob {
    const root = isTree(value) && isTree(value.job) ? value.job : value;
    if (!isTree(root))
      throw new ReplibotError(
        'em_bad_response',
        `Enterprise Manager sent ${what} in a shape replibot cannot read.`,
      );
    const uid = text(root.uid) ?? '';
    const id = uid.slice(uid.lastIndexOf(':') + 1);
    const name = text(root.name);
    if (!ID_PATTERN.test(id) || name === null)
      throw new ReplibotError(
        'em_bad_response',
        `Enterprise Manager sent ${what} without a job UID or name.`,
      );
    const links = isTree(root.links) ? root.links.link : root.links;
    const linkList = Array.isArray(links) ? links : links === undefined ? [] : [links];
    const up = linkList.find((l) => isTree(l) && text(l.rel)?.toLowerCase() === 'up');
    const nextRunText = text(root.nextrun);
    const nextRun = nextRunText ? new Date(nextRunText) : null;
    const typeWord = text(root.jobtype) ?? '';
    return {
      id,
      uid: `urn:veeam:Job:${id}`,
      name,
      type: toEmJobType(typeWord),
      typeWord,
      serverName: isTree(up) ? text(up.name) : null,
      scheduleConfigured: bool(root.scheduleconfigured),
      scheduleEnabled: bool(root.scheduleenabled),
      nextRun: nextRun && !Number.isNaN(nextRun.getTime()) ? nextRun : null,
    };
  }

  function toTask(tree: unknown, what: string): EmTaskState {
    const root = isTree(tree) && isTree(tree.task) ? tree.task : tree;
    if (!isTree(root))
      throw new ReplibotError(
        'em_bad_response',
        `Enterprise Manager sent ${what} in a shape replibot cannot read.`,
      );
    const taskId = text(root.taskid);
    if (taskId === null || !TASK_ID_PATTERN.test(taskId))
      throw new ReplibotError('em_bad_response', `Enterprise Manager sent ${what} without a usable TaskId.`);
    const stateWord = (text(root.state) ?? '').toLowerCase();
    const state =
      stateWord === 'running'
        ? 'Running'
        : stateWord === 'operationfinished'
          ? 'OperationFinished'
          : stateWord === 'finished'
            ? 'Finished'
            : 'Unknown';
    const result = isTree(root.result) ? root.result : null;
    return {
      taskId,
      state,
      operation: text(root.operation) ?? '',
      success: result === null ? null : bool(result.success),
      message: result === null ? null : (text(result.message) ?? null),
    };
  }

  return {
    stats,
    findJobByName: scrubbed(async (name: string, serverName?: string | null) => {
      const ctx = context(`the job "${name.slice(0, 100)}"`);
      const params = new URLSearchParams({
        type: 'Job',
        format: 'Entities',
        filter: toJobNameFilter(name),
        pageSize: '10',
        page: '1',
      });
      const tree = await get(`/api/query?${params.toString()}`, ctx);
      const root = isTree(tree) && isTree(tree.queryresult) ? tree.queryresult : tree;
      const entities = isTree(root) ? root.entities : null;
      const jobs = isTree(entities) ? entities.jobs : null;
      const members = isTree(jobs) ? (jobs.job ?? jobs.jobs) : jobs;
      const list = Array.isArray(members)
        ? members
        : members === undefined || members === null || members === ''
          ? []
          : [members];
      const found = list.map((row) => toJob(row, ctx.what));
      // EM compares names without regard to case; the exact spelling wins when two differ only in case
      const onServer =
        serverName === undefined || serverName === null
          ? found
          : found.filter((job) => job.serverName?.toLowerCase() === serverName.toLowerCase());
      return onServer.find((job) => job.name === name) ?? onServer[0] ?? null;
    }),
    getJob: scrubbed(async (id: string) => {
      const bare = id.slice(id.lastIndexOf(':') + 1);
      if (!ID_PATTERN.test(bare)) throw new ReplibotError('em_not_found', 'That is not a job id.');
      const ctx = context(`the job ${bare}`, `No job ${bare} in Enterprise Manager.`);
      return toJob(await get(`/api/jobs/${encodeURIComponent(bare)}?format=Entity`, ctx), ctx.what);
    }),
    sendAction: scrubbed(async (jobId: string, action: EmJobAction): Promise<EmActionTicket> => {
      const bare = jobId.slice(jobId.lastIndexOf(':') + 1);
      if (!ID_PATTERN.test(bare)) throw new ReplibotError('em_not_found', 'That is not a job id.');
      const ctx = context(`the ${action} of job ${bare}`, `No job ${bare} in Enterprise Manager.`);
      const used = await current();
      stats.actionsSent += 1;
      // sent once: a transport failure here is reported as "unknown whether EM did it", never resent
      let answer: Answer;
      try {
        answer = await send(
          'POST',
          `/api/jobs/${encodeURIComponent(bare)}?action=${action}`,
          { [SESSION_HEADER]: used.token },
          ctx,
        );
      } catch (error) {
        const failure = error instanceof ReplibotError ? error : toTransportError(error, ctx);
        throw new ReplibotError(
          failure.code,
          `${failure.message} replibot does not send it again: EM may or may not have started it.`,
          {
            hint: 'Look at the job in EM before pressing again.',
            cause: error,
          },
        );
      }
      if (answer.status === 401) {
        if (session === used) session = null;
        throw new ReplibotError(
          'em_logon_refused',
          `Enterprise Manager's logon session of the action account had expired, so EM did nothing.`,
          {
            hint: 'Press the button again; replibot logs on afresh.',
            status: 401,
          },
        );
      }
      if (answer.status === 403) throw forbidden(ctx);
      if (answer.status !== 202 && answer.status !== 200)
        throw toHttpError(answer.status, answer.body, { ...ctx, phase: 'request' });
      const task = toTask(parseEmBody(answer.body, ctx.what).tree, ctx.what);
      return { taskId: task.taskId, session: used.token };
    }),
    readTask: scrubbed(async (ticket: EmActionTicket) => {
      const ctx = context(`the task ${ticket.taskId}`);
      if (!TASK_ID_PATTERN.test(ticket.taskId))
        throw new ReplibotError('internal', 'A task id replibot cannot use.');
      // the session the task was created on, never a fresh one: EM's tasks belong to it
      const answer = await send(
        'GET',
        `/api/tasks/${encodeURIComponent(ticket.taskId)}`,
        { [SESSION_HEADER]: ticket.session },
        ctx,
      );
      if (answer.status === 401 || answer.status === 404) return 'session-expired';
      if (answer.status !== 200) throw toHttpError(answer.status, answer.body, { ...ctx, phase: 'request' });
      return toTask(parseEmBody(answer.body, ctx.what).tree, ctx.what);
    }),
    async close() {
      const active = session;
      session = null;
      try {
        if (active?.sessionId) {
          await send(
            'DELETE',
            `/api/logonSessions/${encodeURIComponent(active.sessionId)}`,
            { [SESSION_HEADER]: active.token },
            context('the logoff'),
          ).catch(() => undefined);
        }
      } finally {
        httpAgent.destroy();
        httpsAgent.destroy();
      }
    },
  };
}

function headerValue(headers: Record<string, unknown>, name: string): string | null {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== lower) continue;
    const found = Array.isArray(value) ? value[0] : value;
    return typeof found === 'string' && found.trim() !== '' ? found.trim() : null;
  }
  return null;
}
