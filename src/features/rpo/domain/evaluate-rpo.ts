/**
 * The RPO computation, pure: how old each replicated VM's last good copy is, against its policy, what happened
 * since (failed runs, no runs, a run stuck in progress), and which jobs have stopped running on their schedule.
 * Alerts, questions, the digest and the App Home all read this one result.
 *
 * A VM's last good copy is its newest VM replica point (`type=VmReplicaPoint`, its CreationTimeUTC), not the end
 * of its newest successful task session: the point is what a failover can use, it exists only when the run left
 * one (a warning run does, a failed one does not), it disappears when the replica is deleted, and EM keeps
 * points for as long as the replica keeps them, while task sessions age out of EM after its session retention.
 */
import { isLongRunningByDesign, type SessionKind } from '../../../core/backup-sessions.js';
import type { JobState, SessionResult } from '../../../core/sessions.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The newest replica point EM shows for one VM of one job. */
export interface VmCopy {
  jobName: string;
  vmName: string;
  serverName: string | null;
  lastGoodAt: Date;
}

/** What replibot remembers of a VM: when it last saw it in EM, and since when it is gone. */
export interface KnownVm {
  jobName: string;
  vmName: string;
  serverName: string | null;
  lastGoodAt: Date | null;
  firstSeenAt: Date;
  /** set when EM stopped listing the VM's replica points (removed from the job, replica deleted) */
  goneSince: Date | null;
}

/** One run of a replication job (a ReplicaJobSession). */
export interface JobRun {
  jobName: string;
  serverName: string | null;
  creationTime: Date;
  endTime: Date | null;
  state: JobState;
  result: SessionResult;
  isRetry: boolean;
  /** EM's JobType of a backup run (`BackupCopy`...): a copy job's run that lasts days is never stuck */
  jobType?: string | null;
}

/** A failed task session of one VM. */
export interface VmFailure {
  jobName: string;
  vmName: string;
  endTime: Date;
  reason: string;
}

export type VmStatus = 'within' | 'outside' | 'gone';

export interface VmVerdict {
  jobName: string;
  vmName: string;
  serverName: string | null;
  lastGoodAt: Date | null;
  /** now minus the last good copy (or the first sighting, for a VM that never had one) */
  ageMs: number;
  rpoMs: number;
  status: VmStatus;
  goneSince: Date | null;
  /** failed runs of this VM since its last good copy, and the latest reason */
  failedRuns: number;
  lastReason: string | null;
}

export interface JobVerdict {
  jobName: string;
  serverName: string | null;
  /** the median gap between its scheduled runs, or the policy when its history is too short */
  usualIntervalMs: number;
  intervalLearned: boolean;
  lastRunAt: Date | null;
  /** it has not started a run for longer than its usual interval allows */
  overdue: boolean;
  /** the start of a run that has stayed in progress far longer than usual */
  stuckSince: Date | null;
  /** runs since the oldest last good copy of its VMs, and how many of them failed */
  runsSince: number;
  failedRunsSince: number;
}

export interface RpoVerdict {
  at: Date;
  /** what it judged: replicas (the default, also when absent) or backups */
  kind?: SessionKind;
  vms: VmVerdict[];
  jobs: JobVerdict[];
}

export interface RpoPolicy {
  /** RPO_DEFAULT */
  defaultMs: number;
  /** a VM gone from EM longer than this stops alerting (RPO_GONE_GRACE) */
  graceMs: number;
}

/** A late run is not overdue at once: half an interval more, plus EM's collection lag. */
export function toOverdueAfter(intervalMs: number): number {
  return intervalMs * 1.5 + 30 * MINUTE;
}

const vmKey = (job: string, vm: string) => `${job.toLowerCase()}\u0000${vm.toLowerCase()}`;

/**
 * What replibot knows after one look at EM: VMs EM lists get their newest copy (a copy never goes back in time),
 * VMs it no longer lists are marked gone from that moment, a VM listed again is back.
 */
export function mergeInventory(previous: readonly KnownVm[], seen: readonly VmCopy[], now: Date): KnownVm[] {
  const byKey = new Map<string, KnownVm>();
  for (const vm of previous) byKey.set(vmKey(vm.jobName, vm.vmName), { ...vm });
  const listed = new Set<string>();
  for (const copy of seen) {
    const key = vmKey(copy.jobName, copy.vmName);
    listed.add(key);
    const known = byKey.get(key);
    if (!known) {
      byKey.set(key, { ...copy, firstSeenAt: now, goneSince: null });
      continue;
    }
    known.serverName = copy.serverName ?? known.serverName;
    if (known.lastGoodAt === null || copy.lastGoodAt > known.lastGoodAt) known.lastGoodAt = copy.lastGoodAt;
    known.goneSince = null;
  }
  for (const [key, vm] of byKey) if (!listed.has(key) && vm.goneSince === null) vm.goneSince = now;
  return [...byKey.values()];
}

export interface PointLike {
  jobName: string | null;
  vmDisplayName: string;
  backupServerName: string | null;
  creationTime: Date;
}

/** Keeps `point` in `into` when it is the newest of its VM and job so far (a stream reduced one row at a time). */
export function keepNewest(into: Map<string, VmCopy>, point: PointLike): void {
  const jobName = point.jobName ?? '(unknown replica)';
  const key = vmKey(jobName, point.vmDisplayName);
  const known = into.get(key);
  if (!known || point.creationTime > known.lastGoodAt) {
    into.set(key, {
      jobName,
      vmName: point.vmDisplayName,
      serverName: point.backupServerName,
      lastGoodAt: point.creationTime,
    });
  }
}

/** The newest replica point per VM and job. */
export function newestCopies(points: Iterable<PointLike>): VmCopy[] {
  const out = new Map<string, VmCopy>();
  for (const point of points) keepNewest(out, point);
  return [...out.values()];
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? null;
}

function judgeJob(
  jobName: string,
  serverName: string | null,
  runs: readonly JobRun[],
  oldestCopy: number | null,
  policyMs: number,
  now: number,
): JobVerdict {
  // an immediate copy's worker sessions run whenever a source job leaves a point: they are not the copy job's
  // own starts, so its usual interval and its last start come from its parent sessions only
  const own = runs.filter((r) => r.jobType !== 'ImmediateBackupCopyWorker');
  const scheduled = own.filter((r) => !r.isRetry).map((r) => r.creationTime.getTime());
  scheduled.sort((a, b) => a - b);
  const gaps = scheduled.slice(1).map((at, i) => at - (scheduled[i] ?? at));
  // three runs (two gaps) before a learned interval counts
  const learned = gaps.length >= 2 ? median(gaps) : null;
  const usualIntervalMs = learned !== null && learned > 0 ? learned : policyMs;
  const starts = own.map((r) => r.creationTime.getTime());
  const lastRun = starts.length === 0 ? null : Math.max(...starts);
  const durations = runs
    .filter((r) => r.endTime !== null)
    .map((r) => (r.endTime?.getTime() ?? 0) - r.creationTime.getTime());
  const usualDuration = median(durations) ?? HOUR;
  const stuckAfter = Math.max(usualIntervalMs, 3 * usualDuration, HOUR);
  let stuckSince: Date | null = null;
  for (const run of runs) {
    if (run.state === 'Stopped' || run.endTime !== null) continue;
    // periodic and immediate copy sessions stay Working for their whole interval by design: not stuck
    if (run.jobType != null && isLongRunningByDesign(run.jobType)) continue;
    if (
      now - run.creationTime.getTime() > stuckAfter &&
      (stuckSince === null || run.creationTime < stuckSince)
    )
      stuckSince = run.creationTime;
  }
  // a copy job whose parent session is Working is running (its session spans the whole copy interval)
  const runningByDesign = own.some(
    (r) =>
      r.state !== 'Stopped' && r.endTime === null && r.jobType != null && isLongRunningByDesign(r.jobType),
  );
  const since = runs.filter((r) => oldestCopy === null || r.creationTime.getTime() >= oldestCopy);
  return {
    jobName,
    serverName,
    usualIntervalMs,
    intervalLearned: learned !== null && learned > 0,
    lastRunAt: lastRun === null ? null : new Date(lastRun),
    // a stuck run is the job's trouble; counting it as "not run" as well would say it twice
    overdue:
      stuckSince === null &&
      !runningByDesign &&
      (lastRun === null || now - lastRun > toOverdueAfter(usualIntervalMs)),
    stuckSince,
    runsSince: since.length,
    failedRunsSince: since.filter((r) => r.result === 'Failed').length,
  };
}

/**
 * Judges every known VM and every job with a known VM at `now`. `rpoFor` gives a VM's policy (the strictest
 * subscription that names it, else RPO_DEFAULT); gone VMs are `gone` once the grace period has passed and are
 * judged as before until then.
 */
export function evaluateRpo(input: {
  now: Date;
  vms: readonly KnownVm[];
  runs: readonly JobRun[];
  failures: readonly VmFailure[];
  policy: RpoPolicy;
  rpoFor?: (vm: KnownVm) => number;
  /** replication when absent */
  kind?: SessionKind;
}): RpoVerdict {
  const now = input.now.getTime();
  const rpoFor = input.rpoFor ?? (() => input.policy.defaultMs);
  const failuresByVm = new Map<string, VmFailure[]>();
  for (const failure of input.failures) {
    const key = vmKey(failure.jobName, failure.vmName);
    const list = failuresByVm.get(key);
    if (list) list.push(failure);
    else failuresByVm.set(key, [failure]);
  }
  const vms: VmVerdict[] = input.vms.map((vm) => {
    const rpoMs = rpoFor(vm);
    const base = (vm.lastGoodAt ?? vm.firstSeenAt).getTime();
    const ageMs = Math.max(0, now - base);
    const gone = vm.goneSince !== null && now - vm.goneSince.getTime() > input.policy.graceMs;
    const since = (failuresByVm.get(vmKey(vm.jobName, vm.vmName)) ?? []).filter(
      (f) => vm.lastGoodAt === null || f.endTime > vm.lastGoodAt,
    );
    since.sort((a, b) => a.endTime.getTime() - b.endTime.getTime());
    return {
      jobName: vm.jobName,
      vmName: vm.vmName,
      serverName: vm.serverName,
      lastGoodAt: vm.lastGoodAt,
      ageMs,
      rpoMs,
      status: gone ? 'gone' : ageMs > rpoMs ? 'outside' : 'within',
      goneSince: vm.goneSince,
      failedRuns: since.length,
      lastReason: since.at(-1)?.reason ?? null,
    };
  });
  const runsByJob = new Map<string, JobRun[]>();
  for (const run of input.runs) {
    const key = run.jobName.toLowerCase();
    const list = runsByJob.get(key);
    if (list) list.push(run);
    else runsByJob.set(key, [run]);
  }
  const jobs = new Map<
    string,
    { name: string; server: string | null; oldest: number | null; policy: number }
  >();
  for (const vm of vms) {
    if (vm.status === 'gone') continue;
    const key = vm.jobName.toLowerCase();
    const copy = vm.lastGoodAt?.getTime() ?? null;
    const known = jobs.get(key);
    if (!known) {
      jobs.set(key, { name: vm.jobName, server: vm.serverName, oldest: copy, policy: vm.rpoMs });
      continue;
    }
    if (copy !== null && (known.oldest === null || copy < known.oldest)) known.oldest = copy;
    known.policy = Math.min(known.policy, vm.rpoMs);
  }
  const jobVerdicts = [...jobs.entries()].map(([key, job]) =>
    judgeJob(job.name, job.server, runsByJob.get(key) ?? [], job.oldest, job.policy, now),
  );
  jobVerdicts.sort((a, b) => a.jobName.localeCompare(b.jobName));
  vms.sort((a, b) => b.ageMs - a.ageMs || a.vmName.localeCompare(b.vmName));
  return {
    at: input.now,
    ...(input.kind === 'backup' ? { kind: 'backup' as const } : {}),
    vms,
    jobs: jobVerdicts,
  };
}

/**
 * How many machines the verdict watches and how many are outside their RPO, counted once per VM (by name) even
 * when several jobs protect it (a VM in a backup job and a backup copy job), beside the per-job copies (a VM of a
 * job: one replica, or one backup, in Veeam's words). A VM is outside when any of its copies is. Gone VMs are not
 * counted. Every count people read (answers, summary, digest, App Home) comes from here.
 */
export interface RpoCount {
  vms: number;
  vmsOutside: number;
  copies: number;
  copiesOutside: number;
}

export function countRpo(verdict: Pick<RpoVerdict, 'vms'>): RpoCount {
  const outsideByVm = new Map<string, boolean>();
  let copies = 0;
  let copiesOutside = 0;
  for (const vm of verdict.vms) {
    if (vm.status === 'gone') continue;
    copies += 1;
    const outside = vm.status === 'outside';
    if (outside) copiesOutside += 1;
    const key = vm.vmName.toLowerCase();
    outsideByVm.set(key, (outsideByVm.get(key) ?? false) || outside);
  }
  let vmsOutside = 0;
  for (const outside of outsideByVm.values()) if (outside) vmsOutside += 1;
  return { vms: outsideByVm.size, vmsOutside, copies, copiesOutside };
}

/** A job's trouble in words people use: "has not run since ..." is the caller's; this is the kind. */
export function jobTrouble(job: JobVerdict): 'stuck' | 'not-running' | null {
  if (job.stuckSince !== null) return 'stuck';
  return job.overdue ? 'not-running' : null;
}
