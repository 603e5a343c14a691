/**
 * The Enterprise Manager REST client: one logon session shared by every call, paging to the last page, XML or
 * JSON in v12 or v13 key style, retries for idempotent reads, and errors that say what to check.
 *
 * Wire rules (see docs/ and the EM reference): logon `POST /api/sessionMngr/?v=latest` with Basic auth answers
 * 201 and the token in the `X-RestSvcSessionId` header, which goes back in that header (never a cookie: EM
 * prefers a stale cookie over a fresh header). Logoff is `DELETE /api/logonSessions/{SessionId}` with the
 * SessionId of the logon body.
 */
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import axios, { type AxiosInstance } from 'axios';
import type { VeeamConfig } from '../config.js';
import type { SessionKind } from '../core/backup-sessions.js';
import { ReplibotError } from '../core/errors.js';
import type { EmQueryType } from '../core/filter.js';
import { isRecord } from '../core/is-record.js';
import type { EmApi, EmPage, EmQuery } from '../core/ports.js';
import type { Replica, VmReplicaPoint } from '../core/replica-points.js';
import type { RestorePoint, VmRestorePoint } from '../core/restore-points.js';
import { type ReplicaJobSession, type ReplicaTaskSession, toSessionId } from '../core/sessions.js';
import { type Logger, silentLogger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import {
  type EntityByType,
  parseEmError,
  parseEntity,
  parseEntityList,
  parseLogonSession,
  parseQueryPage,
  type UnreadableRow,
} from './em-schemas.js';
import { parseEmBody, toBodyText } from './parse-em-body.js';
import { readQueryPage } from './read-query-page.js';
import { type RequestContext, readEmError, toHttpError, toTransportError } from './to-em-error.js';
import { toPageSize, toQueryPath } from './to-query-path.js';

export interface EmClientOptions extends VeeamConfig {
  logger?: Logger;
  /** tries of an idempotent GET (including the first) and the first backoff; default 4 tries from 250 ms */
  retry?: { attempts: number; baseDelayMs: number };
  /** told of every HTTP exchange (the process's metrics, src/metrics.ts) */
  metrics?: Pick<Metrics, 'emRequest'>;
}

/** Pages of one query fetched side by side once page 1 tells how many there are (1: one after another). */
const DEFAULT_CONCURRENCY = 4;

export interface EmClientStats {
  /** HTTP requests sent, logon and logoff included */
  requests: number;
  /** response body bytes received */
  bytesReceived: number;
  logons: number;
  /** the `Date` header of EM's latest answer (its clock, to the second); null before the first or when absent */
  lastServerDate: Date | null;
  /** rows EM sent that could not be read (left out of their page; each one is logged with its UID and field) */
  unreadableRows: number;
}

/** The backup session methods, optional on the port (older fakes), always there on the client. */
type BackupMethods =
  | 'queryBackupTaskSessions'
  | 'queryBackupJobSessions'
  | 'countBackupTaskSessions'
  | 'countBackupJobSessions'
  | 'queryBackupTaskSessionPage'
  | 'queryBackupJobSessionPage'
  | 'getBackupJobSession'
  | 'getBackupJobSessionTasks'
  | 'getBackupTaskSession';

export interface EmClient extends Omit<EmApi, BackupMethods>, Required<Pick<EmApi, BackupMethods>> {
  readonly stats: EmClientStats;
  /** `GET /api/` (no logon): v13 answers JSON in camelCase, v12 in PascalCase. */
  probe(): Promise<{ version: 'v12' | 'v13' | 'unknown' }>;
  queryReplicaPoints(query: EmQuery): AsyncIterable<VmReplicaPoint>;
  queryReplicas(query: EmQuery): AsyncIterable<Replica>;
  queryVmRestorePoints(query: EmQuery): AsyncIterable<VmRestorePoint>;
  queryRestorePoints(query: EmQuery): AsyncIterable<RestorePoint>;
  /** The pages of a query as EM sends them (rows seen on an earlier page are left out), up to `limit` rows. */
  queryPages<T extends EmQueryType>(type: T, query: EmQuery): AsyncIterable<EmPage<EntityByType[T]>>;
}

interface Session {
  token: string;
  /** null when the logon body carried none; logoff is then skipped (the session expires after 15 minutes) */
  sessionId: string | null;
  /** requests sent with it: a fresh session that others used too may have been spent by them */
  served: number;
}

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: Buffer;
}

const SESSION_HEADER = 'X-RestSvcSessionId';
const MAX_BACKOFF_MS = 5_000;
/** logons one GET may ask for after a 401: one, and two more only when other requests shared the fresh session */
const MAX_RELOGONS = 3;
const ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;
const DEFAULT_MAX_RESPONSE_MB = 64;
const DEFAULT_MAX_PAGES = 2000;
/** EM's words on a 500 that mean the request was wrong (a filter or sort EM could not read), not that EM is down */
const BAD_QUERY_WORDS = /\bfilter\b|\bsort(?:asc|desc)?\b|\bparse\b|\bsyntax\b/i;

export function createEmClient(options: EmClientOptions): EmClient {
  const logger = (options.logger ?? silentLogger).child({ component: 'em-client' });
  const baseUrl = toBaseUrl(options.url);
  const retry = {
    attempts: Math.max(1, Math.trunc(options.retry?.attempts ?? 4)),
    baseDelayMs: Math.max(0, options.retry?.baseDelayMs ?? 250),
  };
  const accept = options.format === 'json' ? 'application/json' : 'application/xml';
  const basicAuth = `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;
  const stats: EmClientStats = {
    requests: 0,
    bytesReceived: 0,
    logons: 0,
    unreadableRows: 0,
    lastServerDate: null,
  };
  const maxResponseMb = options.maxResponseMb ?? DEFAULT_MAX_RESPONSE_MB;
  const maxResponseBytes = Math.max(1, Math.trunc(maxResponseMb * 1024 * 1024));
  const maxPages = Math.max(1, Math.trunc(options.maxPages ?? DEFAULT_MAX_PAGES));
  const concurrency = Math.max(1, Math.trunc(options.concurrency ?? DEFAULT_CONCURRENCY));

  const secrets = new Set<string>([options.password, basicAuth, basicAuth.slice('Basic '.length)]);
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const ca = options.caPem;
  const httpsAgent = new https.Agent({
    keepAlive: true,
    maxSockets: 8,
    rejectUnauthorized: !options.insecureTls,
    // the EM CA joins the public roots, so an EM with a public certificate keeps working too
    ...(ca ? { ca: [...rootCertificates, ca] } : {}),
  });
  if (options.insecureTls) {
    logger.warn(
      { url: baseUrl },
      'VEEAM_INSECURE_TLS=true: the Enterprise Manager certificate is NOT verified, so anyone on the network path could read the EM password. Set VEEAM_CA_FILE to the EM certificate instead.',
    );
  }
  if (baseUrl.startsWith('http:')) {
    logger.warn(
      { url: baseUrl },
      'VEEAM_URL uses plain HTTP: the EM password and session token travel unencrypted.',
    );
  }

  const transport: AxiosInstance = axios.create({
    baseURL: baseUrl,
    timeout: options.timeoutMs,
    httpAgent,
    httpsAgent,
    // EM never redirects; following one would resend the Basic credentials to wherever it points
    maxRedirects: 0,
    // EM sits on the LAN; axios' HTTP(S)_PROXY support breaks TLS to self-signed EMs, so proxies are not used
    proxy: false,
    responseType: 'arraybuffer',
    // a body larger than this is refused while it streams in, before it costs memory
    maxContentLength: maxResponseBytes,
    maxBodyLength: maxResponseBytes,
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true },
  });

  let session: Session | null = null;
  let logonInFlight: Promise<Session> | null = null;

  const context = (what: string, notFound?: string): RequestContext => ({
    what,
    baseUrl,
    timeoutMs: options.timeoutMs,
    username: options.username,
    ...(notFound ? { notFound } : {}),
  });

  /** Replaces anything secret in an error's words; EM could echo a header back in its Message. */
  function scrub(error: ReplibotError): ReplibotError {
    const clean = (text: string): string => {
      let out = text;
      for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
      return out;
    };
    const message = clean(error.message);
    // hints are replibot's own fixed words (never EM's), so they stay readable even when a password is a word
    const hint = error.hint;
    if (message === error.message && hint === error.hint) return error;
    return new ReplibotError(error.code, message, {
      ...(hint === undefined ? {} : { hint }),
      ...(error.status === undefined ? {} : { status: error.status }),
      cause: error.cause,
    });
  }

  /** One HTTP exchange. Transport failures become ReplibotErrors; every HTTP status is returned. */
  async function send(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    headers: Record<string, string>,
    ctx: RequestContext,
    signal?: AbortSignal,
  ): Promise<Answer> {
    if (signal?.aborted) throw abandoned(ctx);
    stats.requests += 1;
    const started = performance.now();
    try {
      const response = await transport.request<ArrayBuffer>({
        method,
        url: path,
        headers: { Accept: accept, ...headers, ...(method === 'POST' ? { 'Content-Length': '0' } : {}) },
        signal: signal
          ? AbortSignal.any([AbortSignal.timeout(options.timeoutMs), signal])
          : AbortSignal.timeout(options.timeoutMs),
      });
      const body = Buffer.from(response.data ?? new ArrayBuffer(0));
      stats.bytesReceived += body.length;
      observe(method, path, String(response.status), started, body.length);
      const date = Date.parse(String(response.headers.date ?? ''));
      if (Number.isFinite(date)) stats.lastServerDate = new Date(date);
      logger.debug(
        {
          method,
          path: logPath(path),
          status: response.status,
          bytes: body.length,
          ms: Math.round(performance.now() - started),
        },
        'EM request',
      );
      const answerHeaders: Record<string, unknown> = response.headers;
      return { status: response.status, headers: answerHeaders, body };
    } catch (error) {
      // the caller gave the request up (an early stop of a query): nobody reads this answer
      if (signal?.aborted) throw abandoned(ctx);
      if (isTooLarge(error)) {
        observe(method, path, 'em_response_too_large', started, 0);
        logger.warn({ method, path: logPath(path), maxResponseMb }, 'EM answer too large');
        throw new ReplibotError(
          'em_response_too_large',
          `Enterprise Manager at ${baseUrl} sent more than ${maxResponseMb} MB for ${ctx.what}; replibot stopped reading it.`,
          {
            hint: `Raise VEEAM_MAX_RESPONSE_MB (now ${maxResponseMb}) or lower VEEAM_PAGE_SIZE so each page is smaller.`,
          },
        );
      }
      const failure = scrub(toTransportError(error, ctx));
      observe(method, path, failure.code, started, 0);
      logger.debug({ method, path: logPath(path), code: failure.code }, 'EM request failed');
      throw failure;
    }
  }

  function observe(method: string, path: string, status: string, started: number, bytes: number): void {
    options.metrics?.emRequest({
      type: toEmRequestType(method, path),
      status,
      seconds: (performance.now() - started) / 1000,
      bytes,
    });
  }

  /** Sends with bounded exponential backoff and jitter on transport failures, 500 and 503. */
  async function withRetry(
    run: () => Promise<Answer>,
    ctx: RequestContext,
    signal?: AbortSignal,
  ): Promise<Answer> {
    for (let attempt = 1; ; attempt += 1) {
      let answer: Answer;
      try {
        answer = await run();
      } catch (error) {
        // a timeout is not retried: the asker already waited timeoutMs once. A logon answered 500/503 is.
        const retryable =
          error instanceof ReplibotError &&
          (error.code === 'em_unreachable' ||
            (error.code === 'em_error' && (error.status === 500 || error.status === 503)));
        if (!retryable || attempt >= retry.attempts || signal?.aborted) throw error;
        await backoff(attempt, ctx, error.code, signal);
        continue;
      }
      // a 500 whose EM Error names the filter or query is the request's fault: asking again gives the same answer
      if (answer.status === 500 && isBadQueryAnswer(answer.body)) return answer;
      if ((answer.status === 500 || answer.status === 503) && attempt < retry.attempts) {
        await backoff(attempt, ctx, `HTTP ${answer.status}`, signal);
        continue;
      }
      return answer;
    }
  }

  async function backoff(
    attempt: number,
    ctx: RequestContext,
    reason: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const ceiling = Math.min(retry.baseDelayMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
    const delayMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    logger.warn({ what: ctx.what, attempt, delayMs, reason }, 'EM request failed; retrying');
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(abandoned(ctx));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, delayMs);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async function logon(): Promise<Session> {
    const ctx = context('the logon');
    // not retried here: it runs inside the retry of the GET that needed it, and never again after a 401
    const answer = await send('POST', '/api/sessionMngr/?v=latest', { Authorization: basicAuth }, ctx);
    if (answer.status !== 201 && answer.status !== 200) {
      throw scrub(toHttpError(answer.status, answer.body, { ...ctx, phase: 'logon' }));
    }
    const token = headerValue(answer.headers, SESSION_HEADER);
    if (!token) {
      throw new ReplibotError(
        'em_bad_response',
        `Enterprise Manager at ${baseUrl} accepted the logon but sent no ${SESSION_HEADER} header.`,
        {
          hint: 'Check that VEEAM_URL points at the Enterprise Manager REST API (https://host:9398), not a proxy or another service.',
        },
      );
    }
    secrets.add(token);
    let sessionId: string | null = null;
    try {
      sessionId = parseLogonSession(parseEmBody(answer.body, 'the logon').tree).sessionId;
      secrets.add(sessionId);
    } catch {
      logger.warn(
        'EM logon body had no SessionId; replibot cannot log off and the session will expire by itself',
      );
    }
    stats.logons += 1;
    logger.info({ url: baseUrl, user: options.username }, 'logged on to Enterprise Manager');
    return { token, sessionId, served: 0 };
  }

  /** The current session, or the one logon in flight that every concurrent caller shares. */
  function currentSession(): Promise<Session> {
    if (session) return Promise.resolve(session);
    if (!logonInFlight) {
      logonInFlight = logon()
        .then((fresh) => {
          session = fresh;
          return fresh;
        })
        .finally(() => {
          logonInFlight = null;
        });
    }
    return logonInFlight;
  }

  /** A GET with the session: on 401 (expired or revoked) logs on again and sends once more. */
  async function authedGet(path: string, ctx: RequestContext, signal?: AbortSignal): Promise<Answer> {
    return withRetry(
      async () => {
        let used = await currentSession();
        used.served += 1;
        let answer = await send('GET', path, { [SESSION_HEADER]: used.token }, ctx, signal);
        // a fresh session refused is the end, unless pages side by side shared it (and may have spent it)
        for (let relogons = 0; answer.status === 401 && relogons < MAX_RELOGONS; relogons += 1) {
          if (relogons > 0 && used.served <= 1) break;
          logger.info({ what: ctx.what }, 'EM session expired or was revoked; logging on again');
          // only the first caller to see the stale token drops it; the others join its logon
          if (session === used) session = null;
          used = await currentSession();
          used.served += 1;
          answer = await send('GET', path, { [SESSION_HEADER]: used.token }, ctx, signal);
        }
        return answer;
      },
      ctx,
      signal,
    );
  }

  /** A GET that must answer 200; its body parsed into the lower-case tree. An EM Error body on a 200 is an error. */
  async function getTree(path: string, ctx: RequestContext, signal?: AbortSignal): Promise<unknown> {
    return toTree(await getBody(path, ctx, signal), ctx);
  }

  /** A GET that must answer 200: its body. */
  async function getBody(path: string, ctx: RequestContext, signal?: AbortSignal): Promise<Buffer> {
    const answer = await authedGet(path, ctx, signal);
    if (answer.status === 500 && isBadQueryAnswer(answer.body)) {
      throw scrub(toHttpError(400, answer.body, { ...ctx, phase: 'request' }));
    }
    if (answer.status !== 200)
      throw scrub(toHttpError(answer.status, answer.body, { ...ctx, phase: 'request' }));
    return answer.body;
  }

  /**
   * A query page: XML pages of sessions are read in one pass (read-query-page.ts); every other body, and any
   * page that pass leaves alone, goes through the tree, which gives the same rows and words every error.
   */
  async function getQueryPage<T extends EmQueryType>(
    type: T,
    path: string,
    ctx: RequestContext,
    signal?: AbortSignal,
  ): Promise<EmPage<EntityByType[T]> & { unreadable: UnreadableRow[] }> {
    const body = await getBody(path, ctx, signal);
    return readQueryPage(type, body) ?? parseQueryPage(type, toTree(body, ctx), ctx.what);
  }

  /** A 200 body parsed into the lower-case tree. An EM Error body on a 200 is an error. */
  function toTree(body: Buffer, ctx: RequestContext): unknown {
    const tree = parseEmBody(body, ctx.what).tree;
    if (isErrorDocument(tree)) {
      const said = readEmError(body)?.message;
      throw scrub(
        new ReplibotError(
          'em_error',
          `Enterprise Manager at ${baseUrl} answered ${ctx.what} with an error instead of data${said ? `. EM said: "${said}"` : ''}.`,
          {
            hint: 'The EM server log (Svc.Veeam.EM.RestAPI.log) has the details; if the error names the query, please report it with the EM version.',
            status: 200,
          },
        ),
      );
    }
    return tree;
  }

  /** Logs the rows EM sent that could not be read (UID and field, never a value) and counts them. */
  function reportUnreadable(rows: readonly UnreadableRow[], what: string, query?: EmQuery): void {
    for (const row of rows) {
      stats.unreadableRows += 1;
      logger.warn(
        { what, uid: row.uid, field: row.field, problem: row.problem },
        'EM row could not be read; left out',
      );
      query?.onUnreadableRow?.();
    }
  }

  /** One page of a query, checked to be the page asked for (EM's empty answer may say page 1 of 0). */
  async function fetchQueryPage<T extends EmQueryType>(
    type: T,
    query: EmQuery,
    page: number,
    pageSize: number,
    signal?: AbortSignal,
  ): Promise<EmPage<EntityByType[T]> & { unreadable: UnreadableRow[] }> {
    const ctx = context(`the query for ${type} (page ${page})`);
    const parsed = await getQueryPage(type, toQueryPath(type, query, page, pageSize), ctx, signal);
    if (parsed.pageNum !== page && !(parsed.pagesCount === 0 && page === 1)) {
      throw new ReplibotError(
        'em_bad_response',
        `Enterprise Manager sent page ${parsed.pageNum} when asked for page ${page} of a ${type} query.`,
        {
          hint: 'Check that VEEAM_URL points at Enterprise Manager 12 or 13 directly, not through a caching proxy.',
        },
      );
    }
    return parsed;
  }

  /**
   * The pages of a query, in order. Page 1 comes alone (it tells PagesCount); after it up to `concurrency`
   * pages are requested side by side, never more than that ahead of the consumer, so a slow consumer holds at
   * most `concurrency` pages in memory. Each page is retried and bounded as any GET; rows seen on an earlier
   * page are left out. When the consumer stops early (break, `limit`, an error), the requests still running are
   * aborted and awaited before the generator returns, so none is left running unobserved.
   */
  async function* queryPages<T extends EmQueryType>(
    type: T,
    query: EmQuery,
  ): AsyncGenerator<EmPage<EntityByType[T]>, void, undefined> {
    type Fetched = EmPage<EntityByType[T]> & { unreadable: UnreadableRow[] };
    const limit = query.limit ?? null;
    if (limit !== null && limit <= 0) return;
    const pageSize = toPageSize(query.pageSize, options.pageSize, limit);
    // rows move between pages while EM inserts new sessions; the same row is never handed out twice
    const seen = new Set<string>();
    const controller = new AbortController();
    // the pages requested and not yet handed out, in page order
    const ahead: Array<Promise<Fetched>> = [];
    let delivered = 0;
    // the PagesCount of the latest page read; pages past it are not requested
    let pagesCount = 1;
    let nextToRequest = 2;

    const request = (page: number): void => {
      const pending = fetchQueryPage(type, query, page, pageSize, controller.signal);
      // handled here so an aborted or failed page nobody reads is never an unhandled rejection; it still
      // rejects for the consumer that reaches it
      pending.catch(() => undefined);
      ahead.push(pending);
    };
    /** Requests pages until `concurrency` are ahead, as far as PagesCount, VEEAM_MAX_PAGES and `limit` allow. */
    const topUp = (): void => {
      while (
        ahead.length < concurrency &&
        nextToRequest <= pagesCount &&
        nextToRequest <= maxPages &&
        // with a limit, only as many pages as the rows still wanted can fill
        (limit === null || ahead.length * pageSize < limit - delivered)
      ) {
        request(nextToRequest);
        nextToRequest += 1;
      }
    };

    try {
      for (let page = 1; ; page += 1) {
        const ctx = context(`the query for ${type} (page ${page})`);
        let pending = page === 1 ? undefined : ahead.shift();
        if (pending === undefined) {
          // page 1, or one-at-a-time paging (concurrency 1, or a page count that grew past what was asked)
          nextToRequest = Math.max(nextToRequest, page + 1);
          pending = fetchQueryPage(type, query, page, pageSize, controller.signal);
        }
        const fetched = await pending;
        const { unreadable, ...parsed } = fetched;
        reportUnreadable(unreadable, ctx.what, query);
        const items: Array<EntityByType[T]> = [];
        for (const item of parsed.items) {
          if (seen.has(item.uid)) continue;
          seen.add(item.uid);
          items.push(item);
          if (limit !== null && delivered + items.length >= limit) break;
        }
        delivered += items.length;
        const done =
          (limit !== null && delivered >= limit) ||
          parsed.pageNum >= parsed.pagesCount ||
          (items.length === 0 && unreadable.length === 0);
        if (!done && concurrency > 1) {
          // the next pages are on their way while the consumer reads this one
          pagesCount = parsed.pagesCount;
          topUp();
        }
        yield { ...parsed, items };
        if (limit !== null && delivered >= limit) return;
        if (parsed.pageNum >= parsed.pagesCount) return;
        if (items.length === 0 && unreadable.length === 0) {
          // an EM that claims more pages but sends nothing new would be paged for ever
          logger.warn(
            { what: ctx.what, pagesCount: parsed.pagesCount },
            'EM page brought no new rows; the query stops here',
          );
          return;
        }
        if (page >= maxPages) {
          throw new ReplibotError(
            'em_too_many_pages',
            `Enterprise Manager claims ${parsed.pagesCount.toLocaleString('en-US')} pages for a ${type} query; replibot stopped after ${maxPages.toLocaleString('en-US')}.`,
            {
              hint: `Ask about a shorter time or fewer VMs, or raise VEEAM_MAX_PAGES (now ${maxPages}) or VEEAM_PAGE_SIZE.`,
            },
          );
        }
      }
    } finally {
      if (ahead.length > 0) {
        controller.abort();
        await Promise.allSettled(ahead);
      }
    }
  }

  /** One page of a query, as EM sends it (rows that cannot be read are left out and reported). */
  async function fetchPage<T extends EmQueryType>(
    type: T,
    query: EmQuery,
    page: number,
    pageSize: number,
  ): Promise<EmPage<EntityByType[T]>> {
    const ctx = context(`the query for ${type} (page ${page})`);
    const { unreadable, ...parsed } = await getQueryPage(type, toQueryPath(type, query, page, pageSize), ctx);
    reportUnreadable(unreadable, ctx.what, query);
    return parsed;
  }

  async function count(type: EmQueryType, query: Pick<EmQuery, 'filter'>): Promise<number> {
    // pageSize=1: PagesCount is the number of matching rows; EM says 1 page for an empty result too
    const first = await fetchPage(type, { filter: query.filter ?? null }, 1, 1);
    if (first.pagesCount > 1) return first.pagesCount;
    return first.items.length > 0 ? 1 : 0;
  }

  async function page<T extends EmQueryType>(
    type: T,
    query: EmQuery,
    pageNum: number,
  ): Promise<EmPage<EntityByType[T]>> {
    if (!Number.isInteger(pageNum) || pageNum < 1)
      throw new ReplibotError('internal', `replibot asked for page ${pageNum} of a ${type} query.`);
    return fetchPage(type, query, pageNum, toPageSize(query.pageSize, options.pageSize, null));
  }

  async function* rows<T extends EmQueryType>(type: T, query: EmQuery): AsyncGenerator<EntityByType[T]> {
    for await (const page of queryPages(type, query)) yield* page.items;
  }

  function checkedId(id: string, kind: string): string {
    const bare = toSessionId(id.trim());
    if (!ID_PATTERN.test(bare)) {
      throw new ReplibotError('em_not_found', `"${bare.slice(0, 80)}" is not a ${kind} id.`, {
        hint: 'Session ids are GUIDs such as 0bcf5a1e-866c-4b40-8bc3-ce64753b9a6b (or urn:veeam:...:<GUID>).',
      });
    }
    return bare;
  }

  /** EM's names for the session resources of a kind (the backup ones: get_backupsessions_id*.md). */
  const RESOURCES = {
    replication: {
      words: 'replication',
      job: 'ReplicaJobSession',
      task: 'ReplicaTaskSession',
      jobPath: 'replicaSessions',
      tasksOfJob: 'replicaTaskSessions',
      taskPath: 'replicaTaskSessions',
    },
    backup: {
      words: 'backup',
      job: 'BackupJobSession',
      task: 'BackupTaskSession',
      jobPath: 'backupSessions',
      tasksOfJob: 'taskSessions',
      taskPath: 'backupTaskSessions',
    },
  } as const;

  async function getJobSession(id: string, kind: SessionKind = 'replication'): Promise<ReplicaJobSession> {
    const r = RESOURCES[kind];
    const bare = checkedId(id, `${r.words} job session`);
    const ctx = context(
      `the ${r.words} job session ${bare}`,
      `No ${r.words} job session ${bare} in Enterprise Manager.`,
    );
    const tree = await getTree(`/api/${r.jobPath}/${encodeURIComponent(bare)}?format=Entity`, ctx);
    return parseEntity(r.job, tree, ctx.what);
  }

  async function getJobSessionTasks(
    id: string,
    kind: SessionKind = 'replication',
  ): Promise<ReplicaTaskSession[]> {
    const r = RESOURCES[kind];
    const bare = checkedId(id, `${r.words} job session`);
    const ctx = context(
      `the task sessions of ${r.words} job session ${bare}`,
      `No ${r.words} job session ${bare} in Enterprise Manager.`,
    );
    const tree = await getTree(
      `/api/${r.jobPath}/${encodeURIComponent(bare)}/${r.tasksOfJob}?format=Entity`,
      ctx,
    );
    const { items: tasks, unreadable } = parseEntityList(r.task, tree, ctx.what);
    reportUnreadable(unreadable, ctx.what);
    if (tasks.some((task) => task.jobName === null)) {
      // older EMs name the Up link without the job; the job session itself always has it
      const job = await getJobSession(bare, kind);
      return tasks.map((task) => (task.jobName === null ? { ...task, jobName: job.jobName } : task));
    }
    return tasks;
  }

  async function getTaskSession(id: string, kind: SessionKind = 'replication'): Promise<ReplicaTaskSession> {
    const r = RESOURCES[kind];
    const bare = checkedId(id, `${r.words} task session`);
    const ctx = context(
      `the ${r.words} task session ${bare}`,
      `No ${r.words} task session ${bare} in Enterprise Manager.`,
    );
    const tree = await getTree(`/api/${r.taskPath}/${encodeURIComponent(bare)}?format=Entity`, ctx);
    return parseEntity(r.task, tree, ctx.what);
  }

  async function probe(): Promise<{ version: 'v12' | 'v13' | 'unknown' }> {
    const ctx = context('the API entry point (GET /api/)');
    const answer = await withRetry(() => send('GET', '/api/', { Accept: 'application/json' }, ctx), ctx);
    if (answer.status !== 200)
      throw scrub(toHttpError(answer.status, answer.body, { ...ctx, phase: 'logon' }));
    try {
      const raw: unknown = JSON.parse(toBodyText(answer.body));
      if (raw !== null && typeof raw === 'object') {
        if ('supportedVersions' in raw) return { version: 'v13' };
        if ('SupportedVersions' in raw) return { version: 'v12' };
      }
    } catch {
      // XML or something else: EM answered, but the key style cannot be told
    }
    return { version: 'unknown' };
  }

  async function close(): Promise<void> {
    const pending = logonInFlight ? await logonInFlight.catch(() => null) : null;
    const active = session ?? pending;
    session = null;
    try {
      if (active?.sessionId) {
        const ctx = context('the logoff');
        try {
          const answer = await send(
            'DELETE',
            `/api/logonSessions/${encodeURIComponent(active.sessionId)}`,
            { [SESSION_HEADER]: active.token },
            ctx,
          );
          // 401/404: the session had already expired, which is what logoff wants anyway
          if (answer.status >= 300 && answer.status !== 401 && answer.status !== 404) {
            logger.warn(
              { status: answer.status },
              'EM logoff was not accepted; the session will expire by itself',
            );
          }
        } catch (error) {
          logger.warn(
            { code: error instanceof ReplibotError ? error.code : 'unknown' },
            'EM logoff failed; the session will expire by itself',
          );
        }
      }
    } finally {
      httpAgent.destroy();
      httpsAgent.destroy();
    }
  }

  return {
    stats,
    serverDate: () => stats.lastServerDate,
    probe,
    queryPages,
    queryTaskSessions: (query) => rows('ReplicaTaskSession', query),
    queryJobSessions: (query) => rows('ReplicaJobSession', query),
    queryReplicaPoints: (query) => rows('VmReplicaPoint', query),
    queryReplicas: (query) => rows('Replica', query),
    queryVmRestorePoints: (query) => rows('VmRestorePoint', query),
    queryRestorePoints: (query) => rows('RestorePoint', query),
    countTaskSessions: (query) => count('ReplicaTaskSession', query),
    countJobSessions: (query) => count('ReplicaJobSession', query),
    queryTaskSessionPage: (query, pageNum) => page('ReplicaTaskSession', query, pageNum),
    queryJobSessionPage: (query, pageNum) => page('ReplicaJobSession', query, pageNum),
    getJobSession: (id) => getJobSession(id),
    getJobSessionTasks: (id) => getJobSessionTasks(id),
    getTaskSession: (id) => getTaskSession(id),
    queryBackupTaskSessions: (query) => rows('BackupTaskSession', query),
    queryBackupJobSessions: (query) => rows('BackupJobSession', query),
    countBackupTaskSessions: (query) => count('BackupTaskSession', query),
    countBackupJobSessions: (query) => count('BackupJobSession', query),
    queryBackupTaskSessionPage: (query, pageNum) => page('BackupTaskSession', query, pageNum),
    queryBackupJobSessionPage: (query, pageNum) => page('BackupJobSession', query, pageNum),
    getBackupJobSession: (id) => getJobSession(id, 'backup'),
    getBackupJobSessionTasks: (id) => getJobSessionTasks(id, 'backup'),
    getBackupTaskSession: (id) => getTaskSession(id, 'backup'),
    close,
  };
}

/** The error of a request given up by its caller; nobody reads it (its promise is handled where it starts). */
function abandoned(ctx: RequestContext): ReplibotError {
  return new ReplibotError('internal', `replibot gave up ${ctx.what}: the query stopped early.`);
}

/** axios' refusal of a body past maxContentLength (or a request past maxBodyLength). */
function isTooLarge(error: unknown): boolean {
  return (
    error instanceof Error &&
    /maxContentLength|maxBodyLength|max(?:imum)? content length/i.test(error.message) &&
    !/timeout/i.test(error.message)
  );
}

/** An EM `Error` document rather than data: an XML `<Error>` root, or JSON with Message and StatusCode. */
function isErrorDocument(tree: unknown): boolean {
  if (!isRecord(tree)) return false;
  const root = tree;
  if ('error' in root && Object.keys(root).length === 1) return true;
  return (
    'message' in root &&
    ('statuscode' in root || 'firstchanceexceptionmessage' in root) &&
    !('entities' in root)
  );
}

/** A 500 whose EM Error says the filter or query was wrong. */
function isBadQueryAnswer(body: Buffer): boolean {
  try {
    const em = parseEmError(parseEmBody(body).tree);
    return em?.message != null && BAD_QUERY_WORDS.test(em.message);
  } catch {
    return false;
  }
}

/** `https://em:9398/`, `https://em:9398/api` -> `https://em:9398`; credentials in the URL are refused. */
function toBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ReplibotError('config_invalid', 'VEEAM_URL is not a URL.', {
      hint: 'Use the EM address, such as https://em.example.local:9398.',
    });
  }
  if (parsed.username || parsed.password) {
    throw new ReplibotError('config_invalid', 'VEEAM_URL must not carry a user name or password.', {
      hint: 'Put them in VEEAM_USERNAME and VEEAM_PASSWORD (or VEEAM_PASSWORD_FILE).',
    });
  }
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\/api$/i, '');
  return `${parsed.protocol}//${parsed.host}${path}`;
}

function headerValue(headers: Record<string, unknown>, name: string): string | null {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== lower) continue;
    const text = Array.isArray(value) ? value[0] : value;
    return typeof text === 'string' && text.trim() !== '' ? text.trim() : null;
  }
  return null;
}

/** A metric label for one request: never an id (the logoff path carries the SessionId, an entity path its UID). */
export function toEmRequestType(method: string, path: string): string {
  if (method === 'DELETE') return 'logoff';
  if (method === 'POST') return 'logon';
  const [resource = '', query = ''] = path.replace(/^\/api\/?/i, '').split('?');
  if (resource === '') return 'probe';
  if (resource === 'query') {
    const type = new URLSearchParams(query).get('type') ?? '';
    return /^[A-Za-z]{1,40}$/.test(type) ? `query:${type}` : 'query';
  }
  const segments = resource.split('/');
  const first = segments[0] ?? '';
  if (!/^[A-Za-z]{1,40}$/.test(first)) return 'other';
  // replicaSessions/{id}/taskSessions: the collection under an entity, without the id
  const sub = segments[2];
  return sub !== undefined && /^[A-Za-z]{1,40}$/.test(sub) ? `${first}/${sub}` : first;
}

/** The logoff path carries the SessionId, which stays out of logs. */
function logPath(path: string): string {
  return path.replace(/(\/api\/logonSessions\/)[^?]+/i, '$1[redacted]');
}
