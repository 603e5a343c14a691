/** The control API under /_sim: add and finish task sessions, set faults, read and reset stats (tests and demos). */

import type { IncomingMessage } from 'node:http';
import { isRecord } from '../core/is-record.js';
import { type FaultOptions, toFaults } from './faults.js';
import type { SimJobs } from './jobs.js';
import { type SimulatorQuirks, toQuirks } from './quirks.js';
import type { Reply } from './replies.js';
import { type FinishTaskSession, type NewTaskSession, SimInputError, type SimStore } from './sim-store.js';

export interface ControlRouteOptions {
  store: SimStore;
  /** the backup sessions: `/_sim/backupSessions...` works as `/_sim/sessions...` on them */
  backupStore?: SimStore;
  nowMs: () => number;
  setFaults(faults: FaultOptions): void;
  setQuirks(quirks: SimulatorQuirks): void;
  stats: { requests: number; bytesSent: number; inFlight: number; maxInFlight: number };
  counts(): Record<string, number>;
  resetStats(): void;
  /** more control routes (protection.ts): a reply, or null when the path is not one of theirs */
  extra?: (
    req: IncomingMessage,
    url: URL,
    body: () => Promise<Record<string, unknown>>,
  ) => Promise<Reply | null>;
  /** `/_sim/jobs/...` (src/simulator/jobs.ts) */
  jobs?: SimJobs;
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
    if (!isRecord(value)) {
      throw new SimInputError('the body must be a JSON object');
    }
    return value;
  } catch (error) {
    if (error instanceof SimInputError) throw error;
    throw new SimInputError('the body is not valid JSON');
  }
}

function toNewTaskSession(body: Record<string, unknown>): NewTaskSession {
  // casts: the JSON is unchecked here; addTaskSession checks every field at run time (a SimInputError)
  const input: NewTaskSession = { vm: body.vm as string, job: body.job as string };
  for (const key of ['server', 'state', 'result', 'reason', 'jobSessionUid', 'jobType'] as const) {
    if (body[key] !== undefined) Object.assign(input, { [key]: body[key] });
  }
  if (body.totalSize !== undefined) input.totalSize = body.totalSize as number;
  if (body.isRetry !== undefined) input.isRetry = body.isRetry === true;
  if (body.creationTime !== undefined) input.creationTime = new Date(body.creationTime as string);
  if (body.endTime !== undefined) input.endTime = new Date(body.endTime as string);
  return input;
}

/** The /_sim router: `route(req, url)` answers one control request in JSON. */
export function createControlRoutes(options: ControlRouteOptions): {
  route(req: IncomingMessage, url: URL): Promise<Reply>;
} {
  const { nowMs, setFaults, setQuirks, stats, counts, resetStats } = options;

  const route = async (req: IncomingMessage, url: URL): Promise<Reply> => {
    const send = (status: number, value: unknown): Reply => ({
      status,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(value),
    });
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').filter((s) => s !== '');
    // read once: the extra routes may look at the body and leave the request to the routes below
    let bodyRead: Promise<Record<string, unknown>> | undefined;
    const readJson = (): Promise<Record<string, unknown>> => {
      bodyRead ??= readBody(req).then(parseJsonBody);
      return bodyRead;
    };
    const backups = parts[1]?.toLowerCase() === 'backupsessions' && options.backupStore !== undefined;
    const store = backups && options.backupStore ? options.backupStore : options.store;
    if (backups) parts[1] = 'sessions';
    try {
      const extra = await options.extra?.(req, url, readJson);
      if (extra) return extra;
      if (parts[1] === 'sessions' && parts.length === 2 && method === 'POST') {
        const body = await readJson();
        const task = store.addTaskSession(toNewTaskSession(body), nowMs());
        return send(201, store.toSimTaskSession(task));
      }
      if (parts[1] === 'sessions' && parts.length === 3 && method === 'GET') {
        const task = store.findTask(decodeURIComponent(parts[2] ?? ''));
        if (!task) return send(404, { error: `No task session ${parts[2]}` });
        return send(200, store.toSimTaskSession(task));
      }
      if (parts[1] === 'sessions' && parts.length === 4 && parts[3] === 'finish' && method === 'POST') {
        // casts: the JSON is unchecked here; finishTaskSession checks every field at run time (a SimInputError)
        const body = await readJson();
        const input: FinishTaskSession = { result: body.result as FinishTaskSession['result'] };
        if (body.reason !== undefined) input.reason = body.reason as string;
        if (body.endTime !== undefined) input.endTime = new Date(body.endTime as string);
        const task = store.finishTaskSession(decodeURIComponent(parts[2] ?? ''), input, nowMs());
        return send(200, store.toSimTaskSession(task));
      }
      if (parts[1] === 'jobs' && options.jobs) {
        const body = method === 'POST' ? await readJson() : {};
        const answer = options.jobs.control(method, parts, body);
        return send(answer.status, answer.value);
      }
      if (parts[1] === 'faults' && parts.length === 2 && method === 'POST') {
        const faults = toFaults(await readJson());
        setFaults(faults);
        return send(200, faults);
      }
      if (parts[1] === 'quirks' && parts.length === 2 && method === 'POST') {
        const quirks = toQuirks(await readJson());
        setQuirks(quirks);
        return send(200, quirks);
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
          'POST /_sim/backupSessions',
          'GET /_sim/backupSessions/{id}',
          'POST /_sim/backupSessions/{id}/finish',
          'POST /_sim/faults',
          'POST /_sim/quirks',
          'GET|POST /_sim/jobs/{name}',
          'POST /_sim/jobs/{name}/finish',
          'POST /_sim/jobs/options',
          'GET /_sim/stats',
          'POST /_sim/stats/reset',
          'POST /_sim/jobs/{name} {"state": "running"|"stopped"|"stuck"}',
          'POST /_sim/servers/{name} {"collected": true|false}',
          'DELETE /_sim/vms/{name}',
          'GET /_sim/protection',
        ],
      });
    } catch (error) {
      if (error instanceof SimInputError) return send(error.notFound ? 404 : 400, { error: error.message });
      throw error;
    }
  };

  return { route };
}
