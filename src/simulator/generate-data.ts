/**
 * The deterministic history generator: backup servers, replication jobs with their VMs, and job runs on
 * schedules over the last `days` days, with failures, warnings, retries that fix some failures, and runs still
 * in progress at "now". The same seed and options always give the same data.
 */

import { must } from '../core/must.js';
import type { KnownSessionResult as SessionResult } from '../core/sessions.js';
import { createRandom, type Random } from './create-random.js';
import type { JobSessionRecord, SimJob, SimServer, SimVm, TaskRecord } from './sim-model.js';

export interface GeneratorOptions {
  /** how many task sessions to generate (exactly); default 3000; 0 gives an empty EM */
  taskSessions?: number;
  /** days of history before now; default 30 */
  days?: number;
  /** backup servers; default 3 */
  servers?: number;
  /** replication jobs; default 8, or more when the session count needs more than hourly runs */
  jobs?: number;
  /** average VMs per job; default 4 */
  vmsPerJob?: number;
  /** share of tasks that fail; default 0.06 */
  failureRate?: number;
  /** share of tasks that end with a warning; default 0.08 */
  warningRate?: number;
  /** chance that a run with failures is retried (IsRetry); default 0.7 */
  retryRate?: number;
  /** chance that a retried VM succeeds; default 0.6 */
  retryFixRate?: number;
  /** jobs forced to be running at "now"; default 1 */
  running?: number;
  /**
   * add the demo story: a run of apache02's job that finished shortly before "now" with apache02 failed, so
   * "replicas failed today for apache02" has an answer in the demo; default true
   */
  demo?: boolean;
}

export interface GeneratedData {
  servers: SimServer[];
  jobs: SimJob[];
  /** sorted by creation */
  jobSessions: JobSessionRecord[];
  /** sorted by creation */
  tasks: TaskRecord[];
}

const SERVER_NAMES = [
  'srv02.tech.local',
  'enterprise06.tech.local',
  'vbr-dr01.tech.local',
  'srv05.tech.local',
];

/** Named jobs first (some hostile on purpose: quotes, `&`, `<`, `>`), with the VMs tests and demos rely on. */
const NAMED_JOBS: Array<{ name: string; vms: string[] }> = [
  { name: 'SQL Replica', vms: ['sql 02', 'sql01', 'sqlreport03'] },
  { name: 'Replication Job 1', vms: ['ubuntu88', 'ubuntu90', 'centos07'] },
  { name: 'Replication Job 2', vms: ['apache02', 'apache03', 'nginx01'] },
  { name: 'Fileserver02 Replication', vms: ['srv04', 'fileserver02', 'dfs01'] },
  { name: 'Exchange "DAG" Replica', vms: ['exch01', 'exch02', '<https://evil|click>'] },
  { name: 'R&D <lab> replicas', vms: ['<!channel>', 'lab "quoted" vm', 'rnd&dev01'] },
  { name: 'Web Tier DR', vms: ['web-frontend-01', 'web-frontend-02', 'haproxy01'] },
  { name: 'Domain Controllers', vms: ['dc01', 'dc02'] },
];

const VM_PREFIXES = [
  'web',
  'app',
  'db',
  'sql',
  'exch',
  'file',
  'mail',
  'k8s-node',
  'ubuntu',
  'centos',
  'win2k19-',
  'oracle',
  'sap',
  'jira',
  'git',
  'proxy',
  'vpn',
  'print',
];

const DATASTORES = ['DR-DS01', 'DR-DS02', 'vsanDatastore-DR', 'NetApp-Replica-03'];
const GIB = 1024 ** 3;
const SIZES_GIB = [8, 16, 40, 60, 100, 127, 250, 500];

const FAILURE_REASONS: Array<(vm: string, job: SimJob, r: Random) => string> = [
  (vm) =>
    `Processing ${vm} Error: An error occurred while quiescing the virtual machine. See the virtual machine's event log for details. (An error occurred while saving the snapshot: Failed to quiesce the virtual machine.)`,
  (vm) =>
    `Processing ${vm} Error: Failed to create VM snapshot. The operation is not allowed in the current state.`,
  (vm, job) =>
    `Processing ${vm} Error: Failed to connect to the target host esx-dr0${(job.serial % 4) + 1}.tech.local: The network path was not found. Failed to open VDDK disk [${DATASTORES[job.serial % DATASTORES.length]}] ${vm}_replica/${vm}.vmdk`,
  (vm, job, r) =>
    `Processing ${vm} Error: There is not enough space on the disk. Target datastore ${DATASTORES[job.serial % DATASTORES.length]} has ${r.int(1, 9)}.${r.int(0, 9)} GB free`,
  (vm) =>
    `Processing ${vm} Error: Connection reset by peer. Failed to upload disk '${vm}.vmdk'. Agent failed to process method {DataTransfer.SyncDisk}.`,
  (vm) =>
    `Processing ${vm} Error: VSSControl: Failed to prepare guest for freeze, wait timeout 900 sec. Unable to perform application-aware processing.`,
  (vm) =>
    `Processing ${vm} Error: Cannot find VM ${vm} in the virtual infrastructure. The VM might have been removed or renamed.`,
  (vm) =>
    `Processing ${vm} Error: Replica VM is locked by another task. Task failed because the object is in use.`,
];

const WARNING_REASONS: Array<(vm: string, job: SimJob, r: Random) => string> = [
  (vm) =>
    `Processing ${vm} Warning: Changed block tracking cannot be enabled: the VM has existing snapshots. Full disk scan will be used.`,
  (vm) =>
    `Processing ${vm} Warning: Unable to truncate Microsoft SQL Server transaction logs. Details: Failed to call RPC function 'Vss.TruncateSqlLogs'.`,
  (vm, job, r) =>
    `Processing ${vm} Warning: Low free space on target datastore ${DATASTORES[job.serial % DATASTORES.length]}: ${r.int(10, 60)} GB left.`,
  (vm) => `Processing ${vm} Warning: VMware Tools are not running, guest processing skipped.`,
  (vm) => `Processing ${vm} Warning: Snapshot consolidation is needed on the source VM.`,
];

const DAY_MS = 86_400_000;

export function generateData(seed: number, now: number, options: GeneratorOptions = {}): GeneratedData {
  const r = createRandom(seed);
  const target = Math.max(0, Math.floor(options.taskSessions ?? 3000));
  const days = Math.max(1, options.days ?? 30);
  const avgVms = Math.max(1, options.vmsPerJob ?? 4);
  const failureRate = options.failureRate ?? 0.06;
  const warningRate = options.warningRate ?? 0.08;
  const retryRate = options.retryRate ?? 0.7;
  const retryFixRate = options.retryFixRate ?? 0.6;

  const servers: SimServer[] = [];
  const serverCount = Math.max(1, options.servers ?? 3);
  for (let i = 0; i < serverCount; i++) {
    const name = SERVER_NAMES[i] ?? `vbr${String(i + 1).padStart(2, '0')}.tech.local`;
    servers.push({ serial: i, name, lower: name.toLowerCase() });
  }

  // enough jobs that none runs more often than hourly
  const neededJobs = Math.ceil(target / (days * 24 * avgVms * 0.8));
  const jobCount = Math.max(1, options.jobs ?? Math.max(NAMED_JOBS.length, neededJobs));
  const usedVmNames = new Set<string>();
  let overflow = 0;
  const makeVm = (name: string): SimVm => {
    usedVmNames.add(name);
    return { name, lower: name.toLowerCase(), size: r.pick(SIZES_GIB) * GIB };
  };
  const jobs: SimJob[] = [];
  for (let i = 0; i < jobCount; i++) {
    const named = NAMED_JOBS[i];
    const server = must(servers[i % servers.length], 'generateData makes at least one server');
    const name = named?.name ?? (i % 3 === 0 ? `DR Site ${i}` : `Replica Job ${i}`);
    const vms: SimVm[] = [];
    if (named) {
      for (const vm of named.vms) vms.push(makeVm(vm));
    }
    const wanted = named ? vms.length : r.int(Math.max(1, avgVms - 2), avgVms + 2);
    while (vms.length < wanted) {
      let vmName = '';
      // a random name like web042; past 20 collisions (a big estate uses up the prefixes x 999 names) a numbered
      // one past 999, so generating 20,000 VMs ends instead of hunting the last free names for ever
      for (let attempt = 0; attempt < 20 && (vmName === '' || usedVmNames.has(vmName)); attempt++)
        vmName = `${r.pick(VM_PREFIXES)}${String(r.int(1, 999)).padStart(2, '0')}`;
      while (vmName === '' || usedVmNames.has(vmName)) vmName = `${r.pick(VM_PREFIXES)}${1000 + overflow++}`;
      vms.push(makeVm(vmName));
    }
    jobs.push({ serial: i, name, lower: name.toLowerCase(), server, vms });
  }

  const jobSessions: JobSessionRecord[] = [];
  const tasks: TaskRecord[] = [];
  if (target === 0) return { servers, jobs, jobSessions, tasks };

  const totalVms = jobs.reduce((sum, job) => sum + job.vms.length, 0);
  // retries add roughly failureRate * retryRate more tasks; overshoot a little, then trim the oldest
  const runsPerJob = Math.max(1, Math.ceil(target / (totalVms * (1 + failureRate * retryRate * 0.5))));
  const span = days * DAY_MS;
  const interval = span / runsPerJob;
  const start = now - span;

  const runJob = (
    job: SimJob,
    at: number,
    vms: readonly SimVm[],
    isRetry: boolean,
  ): JobSessionRecord | null => {
    const session: JobSessionRecord = {
      serial: 0,
      job,
      creation: at,
      isRetry,
      tasks: [],
      visibleFrom: at,
      endPad: r.int(2_000, 20_000),
    };
    let taskStart = at + r.int(5_000, 15_000);
    for (const vm of vms) {
      if (taskStart >= now) break;
      const duration = r.int(60_000, 25 * 60_000);
      const end = taskStart + duration;
      let result: SessionResult = 'Success';
      let reason = '';
      const roll = r.next();
      const failRate = isRetry ? 1 - retryFixRate : failureRate;
      if (roll < failRate) {
        result = 'Failed';
        reason = r.pick(FAILURE_REASONS)(vm.name, job, r);
      } else if (!isRetry && roll < failRate + warningRate) {
        result = 'Warning';
        reason = r.pick(WARNING_REASONS)(vm.name, job, r);
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
        totalSize: vm.size,
        visibleFrom: taskStart,
        // a task whose end lies ahead of "now" shows as InProgress until then
        finishVisibleFrom: end,
      });
      taskStart += r.int(3_000, 40_000);
    }
    if (session.tasks.length === 0) return null;
    jobSessions.push(session);
    for (const task of session.tasks) tasks.push(task);
    return session;
  };

  for (const job of jobs) {
    const phase = r.next() * interval;
    for (let at = start + phase; at < now; at += interval) {
      const session = runJob(job, Math.floor(at + r.int(0, 4_000)), job.vms, false);
      if (!session) continue;
      const failed = session.tasks.filter((task) => task.result === 'Failed');
      if (failed.length > 0 && r.chance(retryRate)) {
        const lastEnd = Math.max(...session.tasks.map((task) => task.end ?? task.creation));
        const retryAt = lastEnd + session.endPad + r.int(5 * 60_000, 15 * 60_000);
        if (retryAt < now) {
          runJob(
            job,
            retryAt,
            failed.map((task) => task.vm),
            true,
          );
        }
      }
    }
  }

  // the demo story: apache02 failed in a run that finished minutes ago
  const demoJob = jobs.find((job) => job.vms.some((vm) => vm.name === 'apache02'));
  if ((options.demo ?? true) && demoJob && target >= 50) {
    const session = runJob(demoJob, now - 45 * 60_000, demoJob.vms, false);
    const task = session?.tasks.find((t) => t.vm.name === 'apache02');
    if (task) {
      task.result = 'Failed';
      task.reason = must(FAILURE_REASONS[0], 'FAILURE_REASONS is a non-empty literal')(
        task.vm.name,
        demoJob,
        r,
      );
    }
  }

  // some runs in progress right now, so "what is running?" has answers
  const running = Math.min(jobs.length, Math.max(0, options.running ?? 1));
  for (let i = 0; i < running; i++) {
    const job = must(jobs[i], 'running is at most jobs.length');
    const at = now - r.int(60_000, 5 * 60_000);
    const session = runJob(job, at, job.vms, false);
    if (session) {
      for (const task of session.tasks) {
        if (task.end !== null && task.end <= now) task.end = now + r.int(60_000, 10 * 60_000);
        task.finishVisibleFrom = task.end ?? Number.POSITIVE_INFINITY;
      }
    }
  }

  tasks.sort((a, b) => a.creation - b.creation);
  jobSessions.sort((a, b) => a.creation - b.creation);
  if (tasks.length > target) {
    const dropped = tasks.splice(0, tasks.length - target);
    const droppedSet = new Set(dropped);
    for (const task of dropped) {
      const session = task.jobSession;
      session.tasks = session.tasks.filter((t) => !droppedSet.has(t));
    }
    let write = 0;
    for (const session of jobSessions) {
      if (session.tasks.length > 0) jobSessions[write++] = session;
    }
    jobSessions.length = write;
  }
  for (const [i, task] of tasks.entries()) task.serial = i;
  for (const [i, session] of jobSessions.entries()) session.serial = i;
  return { servers, jobs, jobSessions, tasks };
}
