/**
 * The simulator's backup jobs: one job of every EM backup job type (`BackupJobSession.JobType`) with their job
 * and task sessions over the last `days` days, deterministic for a seed, on the same clock as the replication
 * history. Kept in a second SimStore (entity `Backup`), so queries, paging, filters and the collection lag work
 * exactly as they do for replica sessions.
 *
 * - Backup, agent and file share jobs run on schedules, fail and warn now and then, and retry failed items.
 * - The periodic backup copy job has one session per 2-day copy interval that stays Working for most of it:
 *   a copy job that runs for days by design.
 * - The immediate copy job has a parent session per day (no tasks of its own) with a worker session
 *   (`ImmediateBackupCopyWorker`, named `<copy job>\<source job>` as EM names them) after each source job run.
 * - The agent job has a parent `AgentBackup` session per run and one `AgentManagement` child per machine.
 */
import type { KnownSessionResult as SessionResult } from '../core/sessions.js';
import { createRandom } from './create-random.js';
import type { GeneratedData } from './generate-data.js';
import type { JobSessionRecord, SimJob, SimServer, SimVm, TaskRecord } from './sim-model.js';

export interface BackupGeneratorOptions {
  /** at most this many backup task sessions (the oldest runs go first); default 1500; 0 gives no backups */
  taskSessions?: number;
  /** days of history before now; default 30 */
  days?: number;
  /** share of items that fail; default 0.05 */
  failureRate?: number;
  /** share of items that end with a warning; default 0.07 */
  warningRate?: number;
  /** the demo story (apache03 failed in last night's Nightly run, srv04's agent backup failed today); default true */
  demo?: boolean;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const GIB = 1024 ** 3;

interface ScheduledJob {
  name: string;
  type: 'Backup' | 'BackupCopy' | 'AgentBackup' | 'NasBackup';
  items: string[];
  everyHours: number;
  atHour: number;
  /** item duration range, minutes */
  minutes: [number, number];
}

/** Named jobs (the demo and tests rely on them); VM names shared with the replication jobs where it makes sense. */
const SCHEDULED: ScheduledJob[] = [
  {
    name: 'Nightly',
    type: 'Backup',
    items: ['apache02', 'apache03', 'nginx01', 'sql01', 'dc01', 'exch01'],
    everyHours: 24,
    atHour: 22,
    minutes: [3, 25],
  },
  {
    name: 'SQL Backup',
    type: 'Backup',
    items: ['sql 02', 'sql01', 'sqlreport03'],
    everyHours: 4,
    atHour: 1,
    minutes: [2, 12],
  },
  {
    name: 'Web Tier Backup',
    type: 'Backup',
    items: ['web-frontend-01', 'web-frontend-02', 'haproxy01'],
    everyHours: 12,
    atHour: 9,
    minutes: [2, 10],
  },
  {
    name: 'Backup Copy to DR',
    type: 'BackupCopy',
    items: ['sql01', 'sql 02', 'dc01', 'dc02'],
    everyHours: 48,
    atHour: 0,
    // copying restore points over a slow link: hours, the last one most of the interval
    minutes: [120, 40 * 60],
  },
  {
    name: 'Agent Backup Servers',
    type: 'AgentBackup',
    items: ['srv04', 'srv07', 'fileserver02'],
    everyHours: 24,
    atHour: 1,
    minutes: [5, 30],
  },
  {
    name: 'File Share Backup',
    type: 'NasBackup',
    items: ['\\\\fs01\\projects', '\\\\fs01\\home', '\\\\nas02\\finance'],
    everyHours: 24,
    atHour: 20,
    minutes: [5, 60],
  },
];

/** The immediate copy job and the source jobs whose runs it copies at once. */
const IMMEDIATE_COPY = { name: 'Offsite Copy', sources: ['Nightly', 'Web Tier Backup'] };

const FAILURES: Array<(item: string) => string> = [
  (item) =>
    `Processing ${item} Error: Failed to create VM snapshot. The operation is not allowed in the current state.`,
  (item) =>
    `Processing ${item} Error: There is not enough space on the disk. Backup repository Repo-01 has 2.1 GB free`,
  (item) => `Processing ${item} Error: VSSControl: Failed to prepare guest for freeze, wait timeout 900 sec.`,
  (item) =>
    `Processing ${item} Error: Connection reset by peer. Agent failed to process method {Stg.OpenWrite}.`,
  (item) => `${item} Error: Unable to connect to the Veeam Agent: the machine is offline.`,
];
const WARNINGS: Array<(item: string) => string> = [
  (item) =>
    `Processing ${item} Warning: Changed block tracking cannot be enabled: the VM has existing snapshots.`,
  (item) => `Processing ${item} Warning: Unable to truncate Microsoft SQL Server transaction logs.`,
  (item) => `${item} Warning: Some files were skipped because they are locked by another process.`,
];

export function generateBackupData(
  seed: number,
  now: number,
  servers: readonly SimServer[],
  options: BackupGeneratorOptions = {},
): GeneratedData {
  const r = createRandom(seed ^ 0x0bac0bac);
  const target = Math.max(0, Math.floor(options.taskSessions ?? 1500));
  const days = Math.max(1, options.days ?? 30);
  const failureRate = options.failureRate ?? 0.05;
  const warningRate = options.warningRate ?? 0.07;
  const empty: GeneratedData = { servers: [...servers], jobs: [], jobSessions: [], tasks: [] };
  if (target === 0 || servers.length === 0) return empty;

  const jobs: SimJob[] = [];
  const vms = new Map<string, SimVm>();
  const vmOf = (name: string): SimVm => {
    const known = vms.get(name);
    if (known) return known;
    const vm = { name, lower: name.toLowerCase(), size: r.pick([16, 40, 60, 100, 250]) * GIB };
    vms.set(name, vm);
    return vm;
  };
  const addJob = (name: string, jobType: string, items: readonly string[], serverIndex: number): SimJob => {
    const server = servers[serverIndex % servers.length] ?? servers[0];
    if (server === undefined) throw new Error('no backup server');
    const job: SimJob = {
      serial: jobs.length,
      name,
      lower: name.toLowerCase(),
      server,
      vms: items.map(vmOf),
      jobType,
    };
    jobs.push(job);
    return job;
  };

  const sessions: JobSessionRecord[] = [];
  const start = now - days * DAY_MS;

  const newSession = (job: SimJob, at: number, isRetry: boolean): JobSessionRecord => ({
    serial: 0,
    job,
    creation: at,
    isRetry,
    tasks: [],
    visibleFrom: at,
    endPad: r.int(2_000, 20_000),
  });

  /** Runs `items` one after another from `at`; a task still going at "now" shows InProgress. */
  const runItems = (
    session: JobSessionRecord,
    items: readonly SimVm[],
    minutes: [number, number],
    rates: { fail: number; warn: number },
  ): void => {
    let taskStart = session.creation + r.int(5_000, 20_000);
    for (const vm of items) {
      if (taskStart >= now) break;
      const end = taskStart + r.int(minutes[0] * 60_000, minutes[1] * 60_000);
      const roll = r.next();
      let result: SessionResult = 'Success';
      let reason = '';
      if (roll < rates.fail) {
        result = 'Failed';
        reason = r.pick(FAILURES)(vm.name);
      } else if (roll < rates.fail + rates.warn) {
        result = 'Warning';
        reason = r.pick(WARNINGS)(vm.name);
      }
      session.tasks.push({
        serial: 0,
        vm,
        jobSession: session,
        creation: taskStart,
        end,
        state: 'Completed',
        result,
        reason,
        totalSize: Math.floor(vm.size * (0.05 + r.next() * 0.3)),
        visibleFrom: taskStart,
        finishVisibleFrom: end,
      });
      taskStart += r.int(3_000, 30_000);
    }
  };

  const lastEnd = (session: JobSessionRecord): number =>
    Math.max(session.creation, ...session.tasks.map((t) => t.end ?? t.creation));

  /** The run times of a schedule: every `everyHours` from `atHour` (UTC), with a little jitter. */
  const runTimes = (everyHours: number, atHour: number): number[] => {
    const times: number[] = [];
    const firstDay = Math.floor(start / DAY_MS) * DAY_MS + atHour * HOUR_MS;
    for (let at = firstDay; at < now; at += everyHours * HOUR_MS) {
      if (at >= start) times.push(at + r.int(0, 90_000));
    }
    return times;
  };

  const runsOf = new Map<string, JobSessionRecord[]>();
  SCHEDULED.forEach((spec, index) => {
    const job = addJob(spec.name, spec.type, spec.items, index);
    const child: SimJob | null =
      spec.type === 'AgentBackup' ? { ...job, jobType: 'AgentManagement', vms: job.vms } : null;
    const runs: JobSessionRecord[] = [];
    for (const at of runTimes(spec.everyHours, spec.atHour)) {
      const rates = { fail: failureRate, warn: warningRate };
      if (child !== null) {
        // the agent job: a parent session per run, one child session per machine
        const parent = newSession(job, at, false);
        parent.children = [];
        parent.closesAt = at + 60_000;
        for (const vm of job.vms) {
          const childSession = newSession(child, at + r.int(10_000, 60_000), false);
          runItems(childSession, [vm], spec.minutes, rates);
          if (childSession.tasks.length === 0) continue;
          parent.children.push(childSession);
          sessions.push(childSession);
        }
        if (parent.children.length === 0) continue;
        sessions.push(parent);
        runs.push(parent);
        continue;
      }
      const session = newSession(job, at, false);
      runItems(session, job.vms, spec.minutes, rates);
      if (session.tasks.length === 0) continue;
      sessions.push(session);
      runs.push(session);
      // a failed run is retried for its failed items (backup copy jobs simply copy at the next interval)
      const failed = session.tasks.filter((t) => t.result === 'Failed').map((t) => t.vm);
      if (spec.type !== 'BackupCopy' && failed.length > 0 && r.chance(0.7)) {
        const retryAt = lastEnd(session) + session.endPad + r.int(5 * 60_000, 15 * 60_000);
        if (retryAt < now) {
          const retry = newSession(job, retryAt, true);
          runItems(retry, failed, spec.minutes, { fail: 0.4, warn: 0 });
          if (retry.tasks.length > 0) sessions.push(retry);
        }
      }
    }
    runsOf.set(spec.name, runs);
  });

  // the demo story: last night's Nightly run failed apache03, today's agent run failed srv04
  if (options.demo ?? true) {
    const nightly = runsOf.get('Nightly')?.at(-1);
    const apache03 = nightly?.tasks.find((t) => t.vm.name === 'apache03');
    if (apache03) {
      apache03.result = 'Failed';
      apache03.reason = `Processing apache03 Error: Failed to create VM snapshot. The operation is not allowed in the current state.`;
    }
    const agent = runsOf.get('Agent Backup Servers')?.at(-1);
    const srv04 = agent?.children
      ?.flatMap((c) => c.tasks)
      .find((t) => t.vm.name === 'srv04' && (t.end ?? now + 1) <= now);
    if (srv04) {
      srv04.result = 'Failed';
      srv04.reason = 'srv04 Error: Unable to connect to the Veeam Agent: the machine is offline.';
    }
  }

  // the immediate copy job: a parent session a day, a worker after every source run
  const copyParent = addJob(IMMEDIATE_COPY.name, 'ImmediateBackupCopy', [], 0);
  const parents: JobSessionRecord[] = [];
  for (let at = Math.floor(start / DAY_MS) * DAY_MS; at < now; at += DAY_MS) {
    if (at < start) continue;
    const parent = newSession(copyParent, at + r.int(0, 5_000), false);
    parent.children = [];
    parent.closesAt = parent.creation + DAY_MS;
    parents.push(parent);
    sessions.push(parent);
  }
  for (const sourceName of IMMEDIATE_COPY.sources) {
    const worker = addJob(
      `${IMMEDIATE_COPY.name}\\${sourceName}`,
      'ImmediateBackupCopyWorker',
      SCHEDULED.find((s) => s.name === sourceName)?.items ?? [],
      0,
    );
    for (const run of runsOf.get(sourceName) ?? []) {
      const at = lastEnd(run) + r.int(30_000, 120_000);
      const parent = parents.findLast((p) => p.creation <= at);
      if (at >= now || parent === undefined) continue;
      const session = newSession(worker, at, false);
      const copied = run.tasks.filter((t) => t.result !== 'Failed').map((t) => t.vm);
      runItems(session, copied, [2, 20], { fail: failureRate, warn: 0 });
      if (session.tasks.length === 0) continue;
      parent.children?.push(session);
      sessions.push(session);
    }
  }
  copyParent.vms = [
    ...new Set(jobs.filter((j) => j.name.startsWith(`${IMMEDIATE_COPY.name}\\`)).flatMap((j) => j.vms)),
  ];

  // the backup copy job's current interval is still copying: its last item runs on past "now"
  const copyRun = runsOf.get('Backup Copy to DR')?.at(-1);
  const copyTask = copyRun?.tasks.at(-1);
  if (copyTask && (copyTask.end ?? 0) <= now) copyTask.end = now + r.int(2 * HOUR_MS, 6 * HOUR_MS);
  if (copyTask) copyTask.finishVisibleFrom = copyTask.end ?? Number.POSITIVE_INFINITY;

  // one SQL backup running right now, so "which backups are running" has an answer
  const sqlJob = jobs.find((j) => j.name === 'SQL Backup');
  if (sqlJob) {
    const session = newSession(sqlJob, now - r.int(60_000, 4 * 60_000), false);
    runItems(session, sqlJob.vms, [5, 12], { fail: 0, warn: 0 });
    for (const task of session.tasks) {
      if (task.end !== null && task.end <= now) task.end = now + r.int(60_000, 10 * 60_000);
      task.finishVisibleFrom = task.end ?? Number.POSITIVE_INFINITY;
    }
    if (session.tasks.length > 0) sessions.push(session);
  }

  return finish(sessions, jobs, servers, target);
}

/** Sorts, keeps the newest runs within `target` task sessions, and numbers everything. */
function finish(
  all: JobSessionRecord[],
  jobs: SimJob[],
  servers: readonly SimServer[],
  target: number,
): GeneratedData {
  all.sort((a, b) => a.creation - b.creation);
  const kept: JobSessionRecord[] = [];
  let taskCount = 0;
  for (let i = all.length - 1; i >= 0; i--) {
    const session = all[i];
    if (session === undefined) continue;
    if (taskCount + session.tasks.length > target) break;
    taskCount += session.tasks.length;
    kept.push(session);
  }
  kept.reverse();
  const keptSet = new Set(kept);
  for (const session of kept) {
    if (session.children) session.children = session.children.filter((c) => keptSet.has(c));
  }
  const tasks: TaskRecord[] = kept.flatMap((s) => s.tasks);
  tasks.sort((a, b) => a.creation - b.creation);
  tasks.forEach((task, i) => {
    task.serial = i;
  });
  kept.forEach((session, i) => {
    session.serial = i;
  });
  return { servers: [...servers], jobs, jobSessions: kept, tasks };
}
