/**
 * The gate in front of Bolt. Bolt trusts the shape of a correctly signed body: a signed `null`, an array, an
 * `event_callback` without `event` or a `payload=` form field that is not a JSON object throws inside its
 * receiver, outside any listener, and takes the process down. Bolt also only refuses timestamps from the past.
 * So every request to `/slack/events` (and every Socket Mode envelope) passes here first:
 *
 * 1. HTTP only: the body is read with a size limit (413 beyond it), the signature is checked and the
 *    `X-Slack-Request-Timestamp` must be within 5 minutes of now, before or after (401 otherwise).
 * 2. The body must have the shape Bolt relies on (`checkSlackBody`), else 400 at once (Socket Mode: the
 *    envelope is acked and logged, never thrown).
 * 3. An `event_callback` whose `event_id` was already handed to Bolt within the last hour is acked with 200 and
 *    not answered again (Slack's retries carry `X-Slack-Retry-Num`).
 * 4. Acks first (`early`): a request whose ack carries no body (a slash command named in `early.commands`, whose
 *    listener acks with nothing before any work, and every event but `function_executed`, which Bolt itself acks
 *    at once) is acked here, with the empty HTTP 200 Bolt's `ack()` sends, as soon as it is verified. Its body
 *    goes to `early.dispatch` (Bolt's `App.processEvent` with a no-op `ack`) on a later turn of the event loop,
 *    one request a turn, so the acks of a whole burst go out before Bolt's middleware runs for any of them.
 *    Everything else (buttons, views whose ack may carry `response_action`, options, url_verification,
 *    ssl_check) goes on to Bolt's receiver, which acks it as before. Socket Mode does the same with the
 *    envelopes of those commands and events: acked with an empty payload, then handed to `early.dispatch`.
 *
 * Every POST to `path` is routed here exactly as Bolt's HTTPReceiver routes its endpoint (method upper-cased, the
 * pathname of the URL), so nothing reaches Bolt's endpoint unverified, and src/slack/app.ts turns Bolt's own
 * second check of the same signature off (one HMAC and one parse less before each ack). An `ssl_check` form is
 * handed on as `ssl_check=1` only, as Bolt itself does, so an unsigned one can smuggle nothing in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/error-message.js';
import { isRecord } from '../core/is-record.js';
import type { Logger } from '../logger.js';
import type { RecentIds } from './recent-ids.js';

/** Slack's own tolerance: a request older or newer than this is a replay or a broken clock. */
const MAX_REQUEST_SKEW_SECONDS = 5 * 60;
/** Slack's payloads are far smaller (a full Block Kit message is under 200 kB). */
export const SLACK_BODY_LIMIT = 1024 * 1024;

const FORM = 'application/x-www-form-urlencoded';

const isObject = isRecord;
const isText = (value: unknown): value is string => typeof value === 'string';

/**
 * Why Bolt must not see `body`, or null when its shape is one Bolt and our listeners can read: a JSON object
 * with a string `type` (events, interactivity) or a slash command's string fields.
 */
export function checkSlackBody(body: unknown): string | null {
  if (!isObject(body)) return 'the body is not a JSON object';
  if ('command' in body) {
    for (const field of ['command', 'user_id', 'channel_id', 'text', 'response_url'])
      if (!isText(body[field])) return `slash command field ${field} is not one string`;
    return null;
  }
  if (!isText(body.type)) return 'the body has no type';
  switch (body.type) {
    case 'url_verification':
      return isText(body.challenge) ? null : 'url_verification without a challenge';
    case 'event_callback':
      if (!isText(body.event_id)) return 'event_callback without an event_id';
      if (!isObject(body.event) || !isText(body.event.type)) return 'event_callback without an event';
      return null;
    case 'block_actions': {
      if (!isObject(body.user) || !isText(body.user.id)) return 'block_actions without a user';
      if (!Array.isArray(body.actions) || body.actions.length === 0) return 'block_actions without actions';
      if (!body.actions.every((a) => isObject(a) && isText(a.action_id)))
        return 'block_actions with an action that has no action_id';
      if ('channel' in body && body.channel !== null && !(isObject(body.channel) && isText(body.channel.id)))
        return 'block_actions with an unreadable channel';
      if ('container' in body && !isObject(body.container))
        return 'block_actions with an unreadable container';
      return null;
    }
    default:
      return null;
  }
}

/** The body as Bolt will read it (a form, a form's `payload` field, or JSON), or a reason it cannot be read. */
export function parseSlackBody(
  raw: string,
  contentType: string | undefined,
): { ok: true; body: unknown } | { ok: false; reason: string } {
  try {
    if (contentType === FORM) {
      const form = parseQueryString(raw);
      if (Object.values(form).some((v) => Array.isArray(v)))
        return { ok: false, reason: 'a form field is repeated' };
      const payload: unknown = 'payload' in form ? JSON.parse(String(form.payload)) : { ...form };
      return { ok: true, body: payload };
    }
    const body: unknown = JSON.parse(raw);
    return { ok: true, body };
  } catch {
    return { ok: false, reason: 'the body is not valid JSON' };
  }
}

/** `X-Slack-Retry-Num` as Bolt reads it (`parseInt`, NaN when unreadable). */
function retryNumber(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number.parseInt(value, 10);
}

/** Null when `rawBody` is signed with `secret` at a timestamp within the skew of `nowMs`, else why not. */
export function checkSlackSignature(
  rawBody: string,
  headers: IncomingMessage['headers'],
  secret: string,
  nowMs: number,
): string | null {
  const timestamp = headers['x-slack-request-timestamp'];
  const signature = headers['x-slack-signature'];
  if (!isText(timestamp) || !/^[1-9][0-9]{0,11}$/.test(timestamp)) return 'no readable request timestamp';
  if (!isText(signature) || !/^v0=[0-9a-f]{64}$/.test(signature)) return 'no readable signature';
  const skew = Number(timestamp) - Math.floor(nowMs / 1000);
  if (skew < -MAX_REQUEST_SKEW_SECONDS) return 'the request timestamp is more than 5 minutes old';
  if (skew > MAX_REQUEST_SKEW_SECONDS) return 'the request timestamp is more than 5 minutes in the future';
  const expected = createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest();
  const given = Buffer.from(signature.slice(3), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? null
    : 'the signature does not match';
}

export interface RequestGuardOptions {
  path: string;
  signingSecret: string;
  /** the clock request timestamps are checked against (the system clock in production) */
  clock: Clock;
  recentEvents: RecentIds;
  logger: Logger;
  bodyLimit?: number;
  /** acks first (step 4 above); absent, every verified request goes on to Bolt's receiver */
  early?: EarlyAcks;
}

/** A verified request the guard has acked, as Bolt's receiver would hand it to `App.processEvent`. */
export interface AckedRequest {
  body: Record<string, unknown>;
  retryNum: number | undefined;
  retryReason: string | undefined;
}

export interface EarlyAcks {
  /** the slash commands whose listener acks with no body before anything else */
  commands: ReadonlySet<string>;
  /** runs the acked request's listeners (their `ack` a no-op); a failure is logged */
  dispatch(request: AckedRequest): Promise<void>;
}

/** True when the ack of `body` (checked by checkSlackBody) is an empty 200 whatever its listener does. */
function acksEmpty(body: Record<string, unknown>, commands: ReadonlySet<string>): boolean {
  if ('command' in body) return commands.has(String(body.command));
  return body.type === 'event_callback' && isObject(body.event) && body.event.type !== 'function_executed';
}

/** The first value of a header, as Bolt reads `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`. */
function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** While acks keep coming this close together, the acked requests wait (a burst is acked first). */
const BURST_GAP_MS = 2;
/** ...but never longer than this after the first of them was acked. */
const BURST_HOLD_MS = 250;

/**
 * Runs jobs one per turn of the event loop (each on its own `setImmediate`), in the order given: between two of
 * them the loop reads whatever requests have arrived, so their acks never wait behind this queue. While a burst
 * is arriving (the last ack less than BURST_GAP_MS ago) nothing runs, for at most BURST_HOLD_MS until the queue
 * is next empty (so a steady stream still drains one job a turn): a job
 * (Bolt's middleware, a listener starting an answer) costs more than an ack, and run between the acks of a
 * burst it would delay the rest of them. A lone request waits about BURST_GAP_MS more for its answer.
 */
function oneEachTurn(log: Logger): (job: () => Promise<void>) => void {
  const jobs: Array<(() => Promise<void>) | undefined> = [];
  let head = 0;
  let scheduled = false;
  // monotonic milliseconds (scheduling of this process's own work, not the domain's time)
  let lastAckAt = 0;
  let holdingSince: number | null = null;
  const runOne = () => {
    const now = performance.now();
    if (now - lastAckAt < BURST_GAP_MS && now - (holdingSince ?? now) < BURST_HOLD_MS) {
      holdingSince ??= now;
      setTimeout(runOne, BURST_GAP_MS);
      return;
    }
    const job = jobs[head];
    // the slot is cleared for the GC; under a steady stream the array is compacted now and then
    jobs[head] = undefined;
    head += 1;
    if (head === jobs.length) {
      jobs.length = 0;
      head = 0;
      scheduled = false;
      // held at most BURST_HOLD_MS per busy spell: under a steady stream the queue drains as before
      holdingSince = null;
    } else {
      if (head > 1024 && head * 2 > jobs.length) {
        jobs.splice(0, head);
        head = 0;
      }
      setImmediate(runOne);
    }
    job?.().catch((error: unknown) => {
      log.error({ err: errorMessage(error) }, 'a Slack request failed after its ack');
    });
  };
  return (job) => {
    jobs.push(job);
    lastAckAt = performance.now();
    if (scheduled) return;
    scheduled = true;
    setImmediate(runOne);
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too large' | 'aborted'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolve('too large');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    // the client went away mid-body: nothing to answer
    req.on('close', () => {
      if (done) return;
      done = true;
      resolve('aborted');
    });
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, text?: string): void {
  if (res.headersSent) return;
  res.writeHead(status, text ? { 'content-type': 'text/plain; charset=utf-8' } : {});
  res.end(text);
}

/**
 * Hands an acked request to Bolt; an event only the first time its `event_id` is seen within the hour (a retry
 * is dropped). When the memory of handled events cannot answer, the event is answered rather than lost.
 */
async function handOver(
  early: EarlyAcks,
  request: AckedRequest,
  options: { recentEvents: RecentIds; logger: Logger },
): Promise<void> {
  if (request.body.type === 'event_callback') {
    const eventId = String(request.body.event_id);
    let first: boolean;
    try {
      first = await options.recentEvents.remember(eventId);
    } catch (error) {
      options.logger.warn(
        { err: errorMessage(error) },
        'cannot check whether an event was handled; answering it',
      );
      first = true;
    }
    if (!first) {
      options.logger.info(
        { eventId, retryNum: request.retryNum },
        'acked a Slack event already handled (a retry)',
      );
      return;
    }
  }
  await early.dispatch(request);
}

/**
 * Wraps Bolt's HTTP request listener: requests to `path` are read, verified and checked here, then handed to
 * Bolt with the body already buffered (Bolt reads `rawBody` instead of the stream); other paths pass through.
 */
export function withRequestGuard(next: RequestListener, options: RequestGuardOptions): RequestListener {
  const limit = options.bodyLimit ?? SLACK_BODY_LIMIT;
  const log = options.logger;
  const later = oneEachTurn(log);
  const guard = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req, limit);
    if (body === 'aborted') return;
    if (body === 'too large') {
      log.warn({ limit }, 'refused a Slack request over the size limit');
      return answer(res, 413);
    }
    const raw = body.toString('utf8');
    const contentType = req.headers['content-type'];
    const parsed = parseSlackBody(raw, contentType);
    const sslCheck =
      parsed.ok && isObject(parsed.body) && parsed.body.ssl_check === '1' && contentType === FORM;
    if (!sslCheck) {
      const unsigned = checkSlackSignature(
        raw,
        req.headers,
        options.signingSecret,
        options.clock.now().getTime(),
      );
      if (unsigned !== null) {
        log.warn({ reason: unsigned }, 'refused an unsigned or stale Slack request');
        return answer(res, 401);
      }
      const malformed = parsed.ok ? checkSlackBody(parsed.body) : parsed.reason;
      if (malformed !== null) {
        log.warn({ reason: malformed }, 'refused a malformed Slack request');
        return answer(res, 400, 'malformed Slack request');
      }
      // checkSlackBody accepted it, so it is an object
      const event = parsed.ok && isObject(parsed.body) ? parsed.body : {};
      const early = options.early;
      if (early && acksEmpty(event, early.commands)) {
        // the empty 200 of Bolt's ack() (no content type, no body), before any of Bolt's work
        answer(res, 200);
        const request: AckedRequest = {
          body: event,
          retryNum: retryNumber(headerText(req.headers['x-slack-retry-num'])),
          retryReason: headerText(req.headers['x-slack-retry-reason']),
        };
        later(() => handOver(early, request, options));
        return;
      }
      if (event.type === 'event_callback' && !(await options.recentEvents.remember(String(event.event_id)))) {
        log.info(
          { eventId: event.event_id, retryNum: req.headers['x-slack-retry-num'] },
          'acked a Slack event already handled (a retry)',
        );
        return answer(res, 200);
      }
    }
    // an unsigned ssl_check carries nothing else to Bolt (what Bolt's own check did before it was turned off)
    Object.assign(req, { rawBody: sslCheck ? Buffer.from('ssl_check=1') : body });
    next(req, res);
  };
  const query = `${options.path}?`;
  return (req, res) => {
    const url = req.url ?? '/';
    // the endpoint as Slack calls it needs no URL parse: its pathname is `path` itself
    const path =
      url === options.path || url.startsWith(query)
        ? options.path
        : new URL(url, 'http://localhost').pathname;
    // the same test as Bolt's HTTPReceiver: a request it would take as an event is always checked here
    if (req.method?.toUpperCase() !== 'POST' || path !== options.path) return next(req, res);
    guard(req, res).catch((error: unknown) => {
      log.error({ err: errorMessage(error) }, 'could not read a Slack request');
      answer(res, 400);
    });
  };
}

/** The parts of @slack/socket-mode's client (an event emitter) the guard uses. */
interface SocketClient {
  listeners(event: 'ws_message'): Array<(data: unknown, isBinary: boolean) => unknown>;
  removeAllListeners(event: 'ws_message'): unknown;
  on(event: 'ws_message', listener: (data: unknown, isBinary: boolean) => void): unknown;
}
/** `send(envelopeId)` acks an envelope; public in the JavaScript, marked private in its types. */
type SocketSender = { send(envelopeId: string, body?: Record<string, unknown>): Promise<void> };

const SOCKET_CONTROL = new Set(['hello', 'disconnect']);

/**
 * Socket Mode: each WebSocket message is checked before the Socket Mode client reads it. A malformed envelope
 * is acked (when it has an envelope id, so Slack does not resend it) and logged; a repeated event is acked and
 * dropped; with `early`, an envelope whose ack is empty (step 4 above) is acked here and handed to
 * `early.dispatch` a turn later instead of to the client; everything else goes on unchanged.
 */
export function guardSocketMessages(
  client: SocketClient,
  options: { recentEvents: RecentIds; logger: Logger; early?: EarlyAcks },
): void {
  const originals = client.listeners('ws_message');
  client.removeAllListeners('ws_message');
  const log = options.logger;
  const later = oneEachTurn(log);
  const ackEnvelope = (envelopeId: string) =>
    // cast: send() is public in @slack/socket-mode's JavaScript, private in its types (SocketSender above)
    (client as unknown as SocketSender).send(envelopeId).catch((error: unknown) => {
      log.warn({ err: errorMessage(error) }, 'could not ack a Socket Mode envelope');
    });
  const ackAndDrop = (envelopeId: unknown, reason: string, level: 'warn' | 'info') => {
    log[level]({ reason }, 'dropped a Socket Mode envelope');
    if (isText(envelopeId))
      // cast: send() is public in @slack/socket-mode's JavaScript, private in its types (SocketSender above)
      (client as unknown as SocketSender).send(envelopeId).catch((error: unknown) => {
        log.warn({ err: errorMessage(error) }, 'could not ack a dropped Socket Mode envelope');
      });
  };
  client.on('ws_message', (data, isBinary) => {
    const pass = () => {
      for (const original of originals) {
        Promise.resolve(original(data, isBinary)).catch((error: unknown) => {
          log.error({ err: errorMessage(error) }, 'a Socket Mode message failed');
        });
      }
    };
    if (isBinary) return pass();
    let envelope: unknown;
    try {
      // cast: ws hands a text frame over as a Buffer; anything else makes decode throw, caught as not JSON
      envelope = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer));
    } catch {
      return ackAndDrop(undefined, 'the message is not JSON', 'warn');
    }
    if (!isObject(envelope) || !isText(envelope.type))
      return ackAndDrop(isObject(envelope) ? envelope.envelope_id : undefined, 'not an envelope', 'warn');
    if (SOCKET_CONTROL.has(envelope.type)) return pass();
    if (!isText(envelope.envelope_id))
      return ackAndDrop(undefined, 'an envelope without an envelope_id', 'warn');
    const malformed = checkSlackBody(envelope.payload);
    if (malformed !== null) return ackAndDrop(envelope.envelope_id, malformed, 'warn');
    // checkSlackBody accepted it, so it is an object
    const payload = isObject(envelope.payload) ? envelope.payload : {};
    if (envelope.type === 'events_api' && payload.type !== 'event_callback')
      return ackAndDrop(envelope.envelope_id, 'an events_api envelope without an event_callback', 'warn');
    const early = options.early;
    const kindAcksEmpty =
      envelope.type === 'events_api' || (envelope.type === 'slash_commands' && 'command' in payload);
    if (early && kindAcksEmpty && acksEmpty(payload, early.commands)) {
      // what Bolt's ack() with nothing sends (an empty payload), before any of Bolt's work; step 4 above
      void ackEnvelope(envelope.envelope_id);
      const request: AckedRequest = {
        body: payload,
        retryNum: typeof envelope.retry_attempt === 'number' ? envelope.retry_attempt : undefined,
        retryReason: isText(envelope.retry_reason) ? envelope.retry_reason : undefined,
      };
      later(() => handOver(early, request, options));
      return;
    }
    if (payload.type !== 'event_callback') return pass();
    const envelopeId = envelope.envelope_id;
    // the memory of handled events may be the store, shared by every instance (src/slack/stored-event-ids.ts)
    Promise.resolve(options.recentEvents.remember(String(payload.event_id))).then(
      (first) => (first ? pass() : ackAndDrop(envelopeId, 'an event already handled (a retry)', 'info')),
      (error: unknown) => {
        log.warn({ err: errorMessage(error) }, 'cannot check whether an event was handled; answering it');
        pass();
      },
    );
  });
}
