/**
 * A fake Slack Web API on node:http for tests: the real WebClient talks to it through
 * `clientOptions.slackApiUrl`, and Bolt's `respond()` posts to its `/response/<id>` URLs. It records every call,
 * answers like Slack, lets a test override any method (an error code, an HTTP 5xx, a 429 with Retry-After), and refuses any
 * message over a Block Kit limit, recording a violation so the test fails.
 * With `socketMode: true` it also stands in for Slack's Socket Mode WebSocket server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { findBlockKitViolations, type Surface } from '../../src/slack/limits.js';
import { waitFor } from './wait-for.js';

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  /** the bearer token the client sent, or null */
  token: string | null;
}

export interface RecordedResponse {
  id: string;
  body: Record<string, unknown>;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

export type FakeHandler = (
  params: Record<string, unknown>,
  call: RecordedCall,
) => FakeReply | Promise<FakeReply>;

export interface FakeUser {
  tz?: string;
  name?: string;
  deleted?: boolean;
}

export interface SocketAck {
  envelope_id: string;
  payload?: unknown;
}

export interface FakeSlackApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** for `clientOptions.slackApiUrl` */
  apiUrl: string;
  calls: RecordedCall[];
  responses: RecordedResponse[];
  uploads: Array<{ id: string; bytes: number }>;
  /** Block Kit problems seen; a test asserts this stays empty */
  violations: string[];
  botUserId: string;
  responseUrl(id: string): string;
  setUser(id: string, user: FakeUser): void;
  /** replaces a method's answer; `times` limits how often (then the default answer comes back) */
  override(method: string, handler: FakeHandler | FakeReply, times?: number): void;
  /** answers the next `times` calls of `method` with HTTP 429 and `Retry-After: seconds` */
  rateLimit(method: string, retryAfterSeconds: number, times?: number): void;
  /** answers the next `times` calls of `method` like Slack refusing it: `{ ok: false, error }` (HTTP 200) */
  failWith(method: string, error: string, times?: number): void;
  /** answers the next `times` calls of `method` with this HTTP status (a 5xx: Slack or a proxy in trouble) */
  failHttp(method: string, status: number, times?: number): void;
  /** makes `/response/<id>` posts fail with this status (Bolt 5 then throws RespondError) */
  failResponses(status: number | null): void;
  callsTo(method: string): RecordedCall[];
  waitFor<T>(
    find: () => T | undefined | null | false | Promise<T | undefined | null | false>,
    what: string,
    timeoutMs?: number,
  ): Promise<T>;
  waitForCall(method: string, predicate?: (call: RecordedCall) => boolean): Promise<RecordedCall>;
  waitForResponse(id: string, predicate?: (response: RecordedResponse) => boolean): Promise<RecordedResponse>;
  /** Socket Mode only: sends an envelope to the connected app and resolves with its ack */
  sendEnvelope(type: 'events_api' | 'slash_commands' | 'interactive', payload: unknown): Promise<SocketAck>;
  /** sends `message` as it is over the socket; waits for the ack of `envelopeId` when given */
  sendSocketText(message: string, envelopeId?: string): Promise<SocketAck | undefined>;
  /** Socket Mode only: resolves once the app is connected and has been sent `hello` */
  waitForSocket(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

const CHAT_METHODS = new Set([
  'chat.postMessage',
  'chat.update',
  'chat.postEphemeral',
  'chat.scheduleMessage',
]);
const VIEW_METHODS = new Set(['views.publish', 'views.open', 'views.update', 'views.push']);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseParams(raw: Buffer, contentType: string): Record<string, unknown> {
  const text = raw.toString('utf8');
  if (contentType.startsWith('application/json'))
    return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const params: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(text)) {
      // The WebClient sends nested values (blocks, view, files) as JSON strings.
      if (/^[[{]/.test(value)) {
        try {
          params[key] = JSON.parse(value);
          continue;
        } catch {
          // not JSON after all: keep the string
        }
      }
      params[key] = value;
    }
    return params;
  }
  return {};
}

export async function startFakeSlackApi(
  options: { socketMode?: boolean; botUserId?: string } = {},
): Promise<FakeSlackApi> {
  const botUserId = options.botUserId ?? 'UBOT';
  const calls: RecordedCall[] = [];
  const responses: RecordedResponse[] = [];
  const uploads: Array<{ id: string; bytes: number }> = [];
  const violations: string[] = [];
  const users = new Map<string, FakeUser>();
  const overrides = new Map<string, Array<{ handler: FakeHandler | FakeReply; left: number }>>();
  let responseFailure: number | null = null;
  let tsCounter = 0;
  let fileCounter = 0;
  const nextTs = () => `1700000000.${String(++tsCounter).padStart(6, '0')}`;
  let baseUrl = '';

  const check = (
    method: string,
    message: { text?: string; blocks?: unknown[] },
    surface: Surface,
  ): string[] => {
    const found = findBlockKitViolations(message, surface);
    for (const problem of found) violations.push(`${method}: ${problem}`);
    return found;
  };

  const defaultAnswer = (method: string, params: Record<string, unknown>): FakeReply => {
    const ok = (body: Record<string, unknown>): FakeReply => ({ body: { ok: true, ...body } });
    const channel = String(params.channel ?? params.channel_id ?? 'C111');
    switch (method) {
      case 'auth.test':
        return ok({
          url: 'https://fake.slack.com/',
          team: 'Fake',
          user: 'replibot',
          team_id: 'T111',
          user_id: botUserId,
          bot_id: 'BBOT',
          is_enterprise_install: false,
        });
      case 'chat.postMessage':
      case 'chat.scheduleMessage': {
        const ts = nextTs();
        return ok({
          channel,
          ts,
          message: {
            type: 'message',
            text: params.text,
            user: botUserId,
            bot_id: 'BBOT',
            ts,
            blocks: params.blocks,
          },
        });
      }
      case 'chat.update':
        return ok({
          channel,
          ts: params.ts,
          text: params.text,
          message: { text: params.text, blocks: params.blocks },
        });
      case 'chat.postEphemeral':
        return ok({ message_ts: nextTs() });
      case 'chat.delete':
        return ok({ channel, ts: params.ts });
      case 'users.info': {
        const id = String(params.user ?? '');
        const user = users.get(id);
        if (user === undefined) return { body: { ok: false, error: 'user_not_found' } };
        const tz = user.tz ?? 'UTC';
        return ok({
          user: {
            id,
            team_id: 'T111',
            name: user.name ?? id.toLowerCase(),
            deleted: user.deleted ?? false,
            real_name: user.name ?? id,
            tz,
            tz_label: tz,
            tz_offset: 0,
            is_bot: false,
            profile: { real_name: user.name ?? id, display_name: user.name ?? id },
          },
        });
      }
      case 'conversations.info':
        return ok({
          channel: {
            id: channel,
            name: channel.toLowerCase(),
            is_channel: channel.startsWith('C'),
            is_private: channel.startsWith('G'),
            is_im: channel.startsWith('D'),
            is_member: true,
          },
        });
      case 'conversations.open':
        return ok({ channel: { id: `D${String(params.users ?? 'X').replace(/^U/, '')}` } });
      case 'views.publish':
      case 'views.open':
      case 'views.update':
      case 'views.push':
        return ok({
          view: {
            id: 'V111',
            team_id: 'T111',
            type: (params.view as { type?: string })?.type ?? 'home',
            blocks: (params.view as { blocks?: unknown })?.blocks ?? [],
          },
        });
      case 'files.getUploadURLExternal': {
        const id = `F${++fileCounter}`;
        return ok({ upload_url: `${baseUrl}/upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal': {
        const files = Array.isArray(params.files)
          ? (params.files as Array<{ id: string; title?: string }>)
          : [];
        return ok({
          files: files.map((f) => ({
            id: f.id,
            title: f.title ?? f.id,
            permalink: `https://fake.slack.com/files/${f.id}`,
          })),
        });
      }
      case 'apps.connections.open':
        return options.socketMode
          ? ok({ url: `${baseUrl.replace(/^http/, 'ws')}/socket` })
          : { body: { ok: false, error: 'socket_mode_not_enabled' } };
      default:
        return ok({});
    }
  };

  const handleApi = async (method: string, req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const params = parseParams(raw, String(req.headers['content-type'] ?? ''));
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ')
      ? auth.slice(7)
      : typeof params.token === 'string'
        ? params.token
        : null;
    const call: RecordedCall = { method, params, token };
    calls.push(call);

    let reply: FakeReply | undefined;
    if (token === null || !/^xox[bp]-|^xapp-/.test(token))
      reply = { body: { ok: false, error: 'not_authed' } };
    const queue = overrides.get(method);
    if (reply === undefined && queue && queue.length > 0) {
      const entry = queue[0]!;
      entry.left -= 1;
      if (entry.left <= 0) queue.shift();
      reply = typeof entry.handler === 'function' ? await entry.handler(params, call) : entry.handler;
    }
    if (reply === undefined && CHAT_METHODS.has(method)) {
      const found = check(method, params as { text?: string; blocks?: unknown[] }, 'message');
      if (found.length > 0) reply = { body: { ok: false, error: 'invalid_blocks', errors: found } };
    }
    if (reply === undefined && VIEW_METHODS.has(method)) {
      const view = (params.view ?? {}) as { type?: string; blocks?: unknown[] };
      const found = check(method, { blocks: view.blocks ?? [] }, view.type === 'home' ? 'home' : 'modal');
      if (found.length > 0) reply = { body: { ok: false, error: 'invalid_blocks', errors: found } };
    }
    if (reply === undefined && method === 'files.completeUploadExternal' && Array.isArray(params.blocks)) {
      const found = check(method, { text: 'file', blocks: params.blocks }, 'message');
      if (found.length > 0) reply = { body: { ok: false, error: 'invalid_blocks', errors: found } };
    }
    reply ??= defaultAnswer(method, params);
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  };

  const handleResponseUrl = async (id: string, req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const body = parseParams(raw, String(req.headers['content-type'] ?? 'application/json'));
    responses.push({ id, body });
    if (responseFailure !== null) {
      res.writeHead(responseFailure, { 'content-type': 'text/plain' });
      res.end('failed');
      return;
    }
    if (body.delete_original !== true) {
      const found = check(`response_url ${id}`, body as { text?: string; blocks?: unknown[] }, 'message');
      if (found.length > 0) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('invalid_blocks');
        return;
      }
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const done = (error: unknown) => {
      violations.push(`fake Slack API failed on ${path}: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    };
    if (req.method === 'POST' && path.startsWith('/api/')) {
      handleApi(path.slice(5), req, res).catch(done);
    } else if (req.method === 'POST' && path.startsWith('/response/')) {
      handleResponseUrl(decodeURIComponent(path.slice(10)), req, res).catch(done);
    } else if (req.method === 'POST' && path.startsWith('/upload/')) {
      readBody(req)
        .then((raw) => {
          uploads.push({ id: path.slice(8), bytes: raw.length });
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(`OK - ${raw.length}`);
        })
        .catch(done);
    } else {
      res.writeHead(404);
      res.end();
    }
  });

  let wss: WebSocketServer | undefined;
  const sockets = new Set<WebSocket>();
  const acks = new Map<string, SocketAck>();
  let socketReady: Promise<void> = Promise.resolve();
  let markReady: () => void = () => {};
  if (options.socketMode) {
    socketReady = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    wss = new WebSocketServer({ server, path: '/socket' });
    wss.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('message', (data) => {
        try {
          const ack = JSON.parse(String(data)) as SocketAck;
          acks.set(ack.envelope_id, ack);
        } catch (error) {
          violations.push(`socket: unreadable ack ${String(error)}`);
        }
      });
      socket.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A111' } }));
      markReady();
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let envelopeCounter = 0;

  const api: FakeSlackApi = {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/`,
    calls,
    responses,
    uploads,
    violations,
    botUserId,
    responseUrl: (id) => `${baseUrl}/response/${encodeURIComponent(id)}`,
    setUser: (id, user) => {
      users.set(id, user);
    },
    override: (method, handler, times = Number.POSITIVE_INFINITY) => {
      const queue = overrides.get(method) ?? [];
      queue.push({ handler, left: times });
      overrides.set(method, queue);
    },
    rateLimit: (method, retryAfterSeconds, times = 1) => {
      api.override(
        method,
        {
          status: 429,
          headers: { 'retry-after': String(retryAfterSeconds) },
          body: { ok: false, error: 'ratelimited' },
        },
        times,
      );
    },
    failWith: (method, error, times = 1) => {
      api.override(method, { body: { ok: false, error } }, times);
    },
    failHttp: (method, status, times = 1) => {
      api.override(method, { status, body: { ok: false, error: 'fake_http_failure' } }, times);
    },
    failResponses: (status) => {
      responseFailure = status;
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitFor: (find, what, timeoutMs) => waitFor(find, `${what} (fake Slack API)`, { timeoutMs }),
    waitForCall: (method, predicate = () => true) =>
      api.waitFor(() => calls.find((c) => c.method === method && predicate(c)), `a ${method} call`),
    waitForResponse: (id, predicate = () => true) =>
      api.waitFor(() => responses.find((r) => r.id === id && predicate(r)), `a post to response_url ${id}`),
    sendEnvelope: async (type, payload) => {
      if (!wss) throw new Error('fake Slack API: started without socketMode');
      await socketReady;
      const envelopeId = `env-${++envelopeCounter}`;
      const message = JSON.stringify({
        envelope_id: envelopeId,
        type,
        accepts_response_payload: type !== 'events_api',
        retry_attempt: 0,
        retry_reason: '',
        payload,
      });
      for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.send(message);
      return api.waitFor(() => acks.get(envelopeId), `the ack of ${envelopeId}`);
    },
    sendSocketText: async (message, envelopeId) => {
      if (!wss) throw new Error('fake Slack API: started without socketMode');
      await socketReady;
      for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.send(message);
      return envelopeId === undefined
        ? undefined
        : api.waitFor(() => acks.get(envelopeId), `the ack of ${envelopeId}`);
    },
    waitForSocket: () => socketReady,
    reset: () => {
      calls.length = 0;
      responses.length = 0;
      uploads.length = 0;
      violations.length = 0;
      overrides.clear();
      responseFailure = null;
    },
    close: async () => {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
