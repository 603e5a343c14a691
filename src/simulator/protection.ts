/**
 * The failure modes that produce no failed session, and the live schedule they interrupt.
 *
 * With `live` on, every replication job keeps running on its schedule as the simulator's clock moves (its
 * interval is learned from the generated history: the median gap between its scheduled runs), so a replica
 * point appears for each VM after every run. Against that schedule the control API sets:
 * - a job `stopped` (disabled, deleted, licence gone): no new sessions at all from now on;
 * - a job `stuck`: its next run starts and stays Working (its tasks InProgress) until the job is set running;
 * - a backup server not collected: EM hears nothing from it (no sessions, no points) until it is collected
 *   again, then it learns every run it missed at once, as EM does after a collection;
 * - a VM removed from the inventory: no more runs for it, and its replica points are gone.
 *
 * Control routes: `POST /_sim/jobs/{name}` `{"state": "running"|"stopped"|"stuck"}`,
 * `POST /_sim/servers/{name}` `{"collected": true|false}`, `DELETE /_sim/vms/{name}` (and `POST
 * /_sim/vms/{name}` to put it back), `GET /_sim/protection`.
 */
import type { IncomingMessage } from 'node:http';
import type { GeneratedData } from './generate-data.js';
import type { Reply } from './replies.js';
import type { SimJob, SimVm } from './sim-model.js';
import { SimInputError, type SimStore } from './sim-store.js';

export type SimJobState = 'running' | 'stopped' | 'stuck';

const HOUR_MS = 3_600_000;
/** how long one VM of a live run takes, and the gap between two VMs of a run */
const TASK_MS = 4 * 60_000;
const TASK_GAP_MS = 30_000;

export interface Protection {
  /** true for a VM taken out of EM's inventory (its points are gone) */
  isRemoved(job: SimJob, vm: SimVm): boolean;
  /** changes whenever a VM is removed or put back */
  removedVersion(): number;
  /** brings the live schedule up to `now` (called before each /api request) */
  advance(now: number): void;
  /** a control request under /_sim this part answers, or null when it is not one of its routes */
  route(req: IncomingMessage, url: URL, body: () => Promise<Record<string, unknown>>): Promise<Reply | null>;
  status(): {
    jobs: Record<string, SimJobState>;
    uncollectedServers: string[];
    removedVms: string[];
  };
  /** true when `name` is one of its jobs, servers or VMs (combineProtections routes by it) */
  knows(what: 'jobs' | 'servers' | 'vms', name: string): boolean;
}

interface JobClock {
  job: SimJob;
  intervalMs: number;
  /** the creation of the latest scheduled run (made, skipped or waiting) */
  lastStart: number;
  state: SimJobState;
  /** task uids of the run stuck in progress */
  stuckTasks: string[];
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? null;
}

export function createProtection(options: {
  store: SimStore;
  data: GeneratedData;
  live: boolean;
  /** the interval of a job with too little history; default 6 h */
  defaultIntervalMs?: number;
  startMs: number;
  nowMs: () => number;
  /** the backup jobs' protection: parent sessions with no tasks of their own (immediate copy) have no live runs */
  kind?: 'replication' | 'backup';
}): Protection {
  const { store, data } = options;
  const kindWords = options.kind === 'backup' ? 'backup' : 'replication';
  let live = options.live;
  const removed = new Set<string>();
  let removedVersion = 0;
  const uncollected = new Set<string>();
  const clocks = new Map<string, JobClock>();
  for (const job of data.jobs) {
    // an immediate copy job's parent session has no tasks: its workers run (after their source jobs) instead
    if (job.jobType === 'ImmediateBackupCopy') continue;
    const starts = data.jobSessions
      .filter((s) => s.job === job && !s.isRetry)
      .map((s) => s.creation)
      .sort((a, b) => a - b);
    const gaps = starts.slice(1).map((at, i) => at - (starts[i] ?? at));
    const intervalMs = Math.max(HOUR_MS / 4, median(gaps) ?? options.defaultIntervalMs ?? 6 * HOUR_MS);
    const last = starts.at(-1) ?? options.startMs;
    clocks.set(job.lower, { job, intervalMs, lastStart: last, state: 'running', stuckTasks: [] });
  }
  const vmKey = (vm: string) => vm.toLowerCase();

  const runVms = (job: SimJob) => job.vms.filter((vm) => !removed.has(vm.lower));

  /** Adds one run of `clock.job` created at `at`, finished (Success) or left in progress. */
  const addRun = (clock: JobClock, at: number, now: number, finished: boolean): void => {
    let jobSessionUid: string | undefined;
    runVms(clock.job).forEach((vm, index) => {
      const creation = at + index * TASK_GAP_MS;
      const task = store.addTaskSession(
        {
          vm: vm.name,
          job: clock.job.name,
          creationTime: new Date(creation),
          ...(finished
            ? { result: 'Success', endTime: new Date(Math.min(now, creation + TASK_MS)) }
            : { state: 'InProgress' }),
          ...(jobSessionUid === undefined ? {} : { jobSessionUid }),
        },
        now,
      );
      jobSessionUid ??= store.toSimTaskSession(task).jobSessionUid;
      if (!finished) clock.stuckTasks.push(store.toSimTaskSession(task).uid);
    });
  };

  const runLength = (job: SimJob) => runVms(job).length * TASK_GAP_MS + TASK_MS;

  const advance = (now: number): void => {
    if (!live) return;
    for (const clock of clocks.values()) {
      if (uncollected.has(clock.job.server.lower)) continue;
      for (;;) {
        const at = clock.lastStart + clock.intervalMs;
        if (at > now) break;
        if (clock.state === 'stopped') {
          clock.lastStart = at;
          continue;
        }
        if (clock.state === 'stuck') {
          if (clock.stuckTasks.length === 0) addRun(clock, at, now, false);
          // a job runs once at a time: nothing more until the stuck run ends
          break;
        }
        // the run shows once it has ended (its points with it)
        if (at + runLength(clock.job) > now) break;
        addRun(clock, at, now, true);
        clock.lastStart = at;
      }
    }
  };

  const findClock = (name: string): JobClock => {
    const clock = clocks.get(name.toLowerCase());
    if (!clock) throw new SimInputError(`No ${kindWords} job named ${name}`, true);
    return clock;
  };

  const setJobState = (name: string, state: unknown, now: number): JobClock => {
    if (state !== 'running' && state !== 'stopped' && state !== 'stuck') {
      throw new SimInputError('state must be running, stopped or stuck');
    }
    const clock = findClock(name);
    advance(now);
    if (clock.state === 'stuck' && state !== 'stuck') {
      // the stuck run ends (stopped by the admin): failed, and the schedule resumes from now
      for (const uid of clock.stuckTasks) {
        store.finishTaskSession(uid, { result: 'Failed', reason: 'Job was stopped by user.' }, now);
      }
      clock.stuckTasks = [];
      clock.lastStart = Math.max(clock.lastStart, now - clock.intervalMs);
    }
    if (clock.state === 'stopped' && state === 'running') {
      // a job enabled again runs at once, not for every run it skipped
      clock.lastStart = now - clock.intervalMs;
    }
    clock.state = state;
    return clock;
  };

  const send = (status: number, value: unknown): Reply => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(value),
  });

  const status = () => ({
    jobs: Object.fromEntries([...clocks.values()].map((c) => [c.job.name, c.state])),
    uncollectedServers: [...uncollected],
    removedVms: [...removed],
  });

  const knows = (what: 'jobs' | 'servers' | 'vms', name: string): boolean => {
    const lower = name.toLowerCase();
    if (what === 'jobs') return clocks.has(lower);
    if (what === 'servers') return data.jobs.some((job) => job.server.lower === lower);
    return data.jobs.some((job) => job.vms.some((vm) => vm.lower === lower));
  };

  return {
    knows,
    isRemoved: (_job, vm) => removed.has(vm.lower),
    removedVersion: () => removedVersion,
    advance,
    status,
    async route(req, url, body) {
      const method = req.method ?? 'GET';
      const parts = url.pathname
        .split('/')
        .filter((s) => s !== '')
        .map((s) => decodeURIComponent(s));
      const kind = parts[1];
      const name = parts[2];
      if (kind === 'protection' && parts.length === 2 && method === 'GET') return send(200, status());
      if (kind === 'live' && parts.length === 2 && method === 'POST') {
        live = (await body()).enabled !== false;
        return send(200, { live });
      }
      if (name === undefined || parts.length !== 3) return null;
      if (kind === 'jobs' && method === 'POST') {
        // `{"state": ...}` is the protection's; the other job settings are src/simulator/jobs.ts's
        const { state } = await body();
        if (state === undefined) return null;
        const clock = setJobState(name, state, options.nowMs());
        return send(200, { job: clock.job.name, state: clock.state, intervalMs: clock.intervalMs });
      }
      if (kind === 'servers' && method === 'POST') {
        const collected = (await body()).collected;
        if (typeof collected !== 'boolean') throw new SimInputError('collected must be true or false');
        const known = data.jobs.some((job) => job.server.lower === name.toLowerCase());
        if (!known) throw new SimInputError(`No backup server named ${name}`, true);
        if (collected) uncollected.delete(name.toLowerCase());
        else {
          advance(options.nowMs());
          uncollected.add(name.toLowerCase());
        }
        return send(200, { server: name, collected });
      }
      if (kind === 'vms' && (method === 'DELETE' || method === 'POST')) {
        const known = data.jobs.some((job) => job.vms.some((vm) => vm.lower === vmKey(name)));
        if (!known) throw new SimInputError(`No VM named ${name}`, true);
        advance(options.nowMs());
        if (method === 'DELETE') removed.add(vmKey(name));
        else removed.delete(vmKey(name));
        removedVersion += 1;
        return send(200, { vm: name, inInventory: method === 'POST' });
      }
      return null;
    },
  };
}

/**
 * The replication and the backup protection behind one set of control routes: a job is the one that has it
 * (replication first), a backup server or a VM is set in every part that knows it.
 */
export function combineProtections(parts: readonly Protection[]): Protection {
  const [first] = parts;
  if (first === undefined) throw new Error('combineProtections needs a protection');
  const status = () => {
    const all = parts.map((p) => p.status());
    return {
      jobs: Object.assign({}, ...all.map((s) => s.jobs)),
      uncollectedServers: [...new Set(all.flatMap((s) => s.uncollectedServers))],
      removedVms: [...new Set(all.flatMap((s) => s.removedVms))],
    };
  };
  return {
    knows: (what, name) => parts.some((p) => p.knows(what, name)),
    isRemoved: (job, vm) => parts.some((p) => p.isRemoved(job, vm)),
    removedVersion: () => parts.reduce((sum, p) => sum + p.removedVersion(), 0),
    advance: (now) => {
      for (const p of parts) p.advance(now);
    },
    status,
    async route(req, url, body) {
      const parts_ = url.pathname
        .split('/')
        .filter((s) => s !== '')
        .map((s) => decodeURIComponent(s));
      const what = parts_[1];
      const name = parts_[2];
      if (what === 'protection' && parts_.length === 2) {
        return {
          status: 200,
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(status()),
        };
      }
      // control-routes.ts reads the body once, whoever asks
      const once = body;
      if (what === 'live' && name === undefined) {
        let reply: Reply | null = null;
        for (const part of parts) reply = (await part.route(req, url, once)) ?? reply;
        return reply;
      }
      if (name === undefined || (what !== 'jobs' && what !== 'servers' && what !== 'vms')) {
        return first.route(req, url, once);
      }
      const owners = parts.filter((p) => p.knows(what, name));
      if (owners.length === 0) return first.route(req, url, once);
      let reply: Reply | null = null;
      for (const owner of what === 'jobs' ? owners.slice(0, 1) : owners) {
        reply = (await owner.route(req, url, once)) ?? reply;
      }
      return reply;
    },
  };
}
