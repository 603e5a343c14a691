/** Fault injection for /api: latency, 500/503 errors, cut bodies, dropped connections, expiring logons. */
import type { IncomingMessage } from 'node:http';
import type { Random } from './create-random.js';
import { type Replies, type Reply, wantsJson } from './replies.js';
import { SimInputError } from './sim-store.js';

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

/** Checks fault options from the control API (or the RunningSimulator) and keeps only the known ones. */
export function toFaults(input: Record<string, unknown>): FaultOptions {
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
    if (
      !Array.isArray(statuses) ||
      statuses.length === 0 ||
      !statuses.every((s): s is 500 | 503 => s === 500 || s === 503)
    ) {
      throw new SimInputError('errorStatuses must be a list of 500 and/or 503');
    }
    faults.errorStatuses = statuses;
  }
  return faults;
}

/**
 * What the faults do to one /api request before it is routed: `drop` (the socket is already destroyed), a
 * Reply that stands in for the real one, or null to go on (after any latency).
 */
export async function applyFaultsBefore(
  faults: FaultOptions,
  random: Random,
  req: IncomingMessage,
  replies: Replies,
): Promise<'drop' | Reply | null> {
  if (faults.dropRate && random.chance(faults.dropRate)) {
    req.socket.destroy();
    return 'drop';
  }
  if (faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
  if (faults.errorRate && random.chance(faults.errorRate)) {
    const status = random.pick(faults.errorStatuses ?? [500, 503]);
    const message =
      status === 503
        ? 'The service is temporarily overloaded or down for maintenance.'
        : 'Object reference not set to an instance of an object.';
    return replies.error(wantsJson(req), status, message);
  }
  return null;
}

/** What the faults do to a routed reply: its body may be cut in half. */
export function applyFaultsAfter(faults: FaultOptions, random: Random, reply: Reply): Reply {
  if (faults.malformedRate && reply.body !== '' && random.chance(faults.malformedRate)) {
    reply.body = reply.body.slice(0, Math.floor(reply.body.length / 2));
  }
  return reply;
}
