/**
 * RPO alerts, planned from one verdict: per channel and job one message for as long as the job has trouble (VMs
 * outside their RPO, no run on schedule, a run stuck in progress). It is posted when the trouble starts, edited
 * when what it says changes (another VM falls outside, a VM is back, the job runs again), and closed ("protected
 * again") when none is left. Ages growing by the minute are not a change: no edit every evaluation.
 */
import type { SessionKind } from '../../../core/backup-sessions.js';
import type { Mute } from '../../alerts/domain/alert-notice.js';
import { isMuted, matchesName } from '../../alerts/domain/subscription-filter.js';
import { type JobVerdict, jobTrouble, type RpoVerdict, type VmVerdict } from './evaluate-rpo.js';

export interface RpoSubscription {
  id: number;
  channelId: string;
  /** null: RPO_DEFAULT */
  rpoMs: number | null;
  job: string | null;
  vm: string | null;
  server: string | null;
  createdBy: string;
  createdAt: Date;
  /** what it watches: replicas (the default, also when absent) or backups (`subscribe rpo 24h backups`) */
  kind?: SessionKind;
}

/** The kind a subscription, an alert or a verdict is about (replication when it names none). */
export const toRpoKind = (item: { kind?: SessionKind }): SessionKind => item.kind ?? 'replication';

export interface RpoAlertVm {
  vmName: string;
  lastGoodAt: Date | null;
  /** the age when it was last written */
  ageMs: number;
  rpoMs: number;
  failedRuns: number;
  lastReason: string | null;
  /** when a new good copy brought it back within its RPO */
  backAt: Date | null;
  /** how long it went without a good copy, once back */
  gapMs: number | null;
  /** no longer alerted: gone from EM past the grace period, or muted in this channel */
  quiet: 'gone' | 'muted' | null;
}

export interface RpoAlertJob {
  trouble: 'stuck' | 'not-running' | null;
  lastRunAt: Date | null;
  usualIntervalMs: number;
  intervalLearned: boolean;
  stuckSince: Date | null;
  runsSince: number;
  failedRunsSince: number;
}

export interface RpoAlertContent {
  channelId: string;
  /** replicas when absent; backups: the alert speaks of backups and restore points */
  kind?: SessionKind;
  jobName: string;
  serverName: string | null;
  openedAt: Date;
  closedAt: Date | null;
  vms: RpoAlertVm[];
  job: RpoAlertJob;
}

export interface RpoAlert extends RpoAlertContent {
  id: number;
  /** one more for every edit: the outbox key of each edit */
  revision: number;
}

export type RpoAlertAction =
  | { kind: 'open'; content: RpoAlertContent }
  | { kind: 'update'; alertId: number; content: RpoAlertContent };

/** The RPO a channel holds a VM to: its strictest matching subscription, or null when none matches. */
export function toChannelRpo(
  subscriptions: readonly RpoSubscription[],
  vm: Pick<VmVerdict, 'jobName' | 'vmName' | 'serverName'>,
  defaultMs: number,
): number | null {
  let best: number | null = null;
  for (const sub of subscriptions) {
    if (!matchesName(sub.job, vm.jobName) || !matchesName(sub.vm, vm.vmName)) continue;
    if (sub.server !== null && !matchesName(sub.server, vm.serverName)) continue;
    const rpo = sub.rpoMs ?? defaultMs;
    best = best === null ? rpo : Math.min(best, rpo);
  }
  return best;
}

function toJob(job: JobVerdict | undefined): RpoAlertJob {
  return {
    trouble: job ? jobTrouble(job) : null,
    lastRunAt: job?.lastRunAt ?? null,
    usualIntervalMs: job?.usualIntervalMs ?? 0,
    intervalLearned: job?.intervalLearned ?? false,
    stuckSince: job?.stuckSince ?? null,
    runsSince: job?.runsSince ?? 0,
    failedRunsSince: job?.failedRunsSince ?? 0,
  };
}

/** What makes an edit worth it: which VMs are outside, back or quiet, and the job's trouble. */
function signature(content: RpoAlertContent): string {
  const vms = content.vms
    .map((vm) => `${vm.vmName}:${vm.backAt === null ? 'out' : 'back'}:${vm.quiet ?? ''}:${vm.failedRuns}`)
    .sort();
  return JSON.stringify([vms, content.job.trouble, content.closedAt !== null]);
}

const lower = (text: string) => text.toLowerCase();

/**
 * The posts and edits one evaluation asks for. `open` lists the alerts not yet closed; each channel's
 * subscriptions, mutes (the alerts' `/replicas mute`) and the verdict decide the rest.
 */
export function planRpoAlerts(input: {
  verdict: RpoVerdict;
  subscriptions: readonly RpoSubscription[];
  mutes: readonly Mute[];
  open: readonly RpoAlert[];
  defaultMs: number;
}): RpoAlertAction[] {
  const { verdict } = input;
  const now = verdict.at;
  // one kind per plan: the other kind's subscriptions, alerts and mutes are its own plan's
  const kind = toRpoKind(verdict);
  const mutes = input.mutes.filter((mute) => (mute.kind ?? 'replication') === kind);
  const subscriptions = input.subscriptions.filter((sub) => toRpoKind(sub) === kind);
  const open = input.open.filter((alert) => toRpoKind(alert) === kind);
  const jobs = new Map(verdict.jobs.map((job) => [lower(job.jobName), job]));
  const vmsByJob = new Map<string, VmVerdict[]>();
  for (const vm of verdict.vms) {
    const list = vmsByJob.get(lower(vm.jobName));
    if (list) list.push(vm);
    else vmsByJob.set(lower(vm.jobName), [vm]);
  }
  const byChannel = new Map<string, RpoSubscription[]>();
  for (const sub of subscriptions) {
    const list = byChannel.get(sub.channelId);
    if (list) list.push(sub);
    else byChannel.set(sub.channelId, [sub]);
  }
  const openByKey = new Map(open.map((alert) => [`${alert.channelId}\u0000${lower(alert.jobName)}`, alert]));
  const actions: RpoAlertAction[] = [];
  const handled = new Set<string>();

  for (const [channelId, subs] of byChannel) {
    for (const [jobKey, vms] of vmsByJob) {
      const key = `${channelId}\u0000${jobKey}`;
      const existing = openByKey.get(key);
      const watched: Array<{ vm: VmVerdict; rpoMs: number; quiet: RpoAlertVm['quiet'] }> = [];
      for (const vm of vms) {
        const rpoMs = toChannelRpo(subs, vm, input.defaultMs);
        if (rpoMs === null) continue;
        const quiet =
          vm.status === 'gone'
            ? 'gone'
            : isMuted(mutes, channelId, vm.jobName, vm.vmName, kind)
              ? 'muted'
              : null;
        watched.push({ vm, rpoMs, quiet });
      }
      if (watched.length === 0) continue;
      handled.add(key);
      const active = watched.filter((w) => w.quiet === null);
      const job = jobs.get(jobKey);
      const jobState = active.length > 0 ? toJob(job) : { ...toJob(job), trouble: null };
      const outside = active.filter((w) => w.vm.ageMs > w.rpoMs);
      const first = watched[0]?.vm;
      if (!existing) {
        if (outside.length === 0 && jobState.trouble === null) continue;
        actions.push({
          kind: 'open',
          content: {
            channelId,
            ...(kind === 'backup' ? { kind } : {}),
            jobName: first?.jobName ?? jobKey,
            serverName: job?.serverName ?? first?.serverName ?? null,
            openedAt: now,
            closedAt: null,
            vms: outside.map(({ vm, rpoMs }) => ({
              vmName: vm.vmName,
              lastGoodAt: vm.lastGoodAt,
              ageMs: vm.ageMs,
              rpoMs,
              failedRuns: vm.failedRuns,
              lastReason: vm.lastReason,
              backAt: null,
              gapMs: null,
              quiet: null,
            })),
            job: jobState,
          },
        });
        continue;
      }
      // an open alert: each VM it lists is still outside, back, or quiet now; new VMs outside join it
      const byVm = new Map(watched.map((w) => [lower(w.vm.vmName), w]));
      const listed = new Set<string>();
      const nextVms: RpoAlertVm[] = existing.vms.map((old) => {
        listed.add(lower(old.vmName));
        const now_ = byVm.get(lower(old.vmName));
        if (old.backAt !== null) return old;
        if (!now_) return { ...old, quiet: old.quiet ?? 'gone' };
        const { vm, rpoMs, quiet } = now_;
        if (quiet !== null) return { ...old, quiet, ageMs: vm.ageMs };
        const copyIsNewer =
          vm.lastGoodAt !== null && (old.lastGoodAt === null || vm.lastGoodAt > old.lastGoodAt);
        if (vm.ageMs <= rpoMs && copyIsNewer && vm.lastGoodAt !== null) {
          const from = old.lastGoodAt ?? existing.openedAt;
          return {
            ...old,
            quiet: null,
            backAt: vm.lastGoodAt,
            gapMs: vm.lastGoodAt.getTime() - from.getTime(),
            ageMs: vm.ageMs,
          };
        }
        return {
          ...old,
          quiet: null,
          ageMs: vm.ageMs,
          rpoMs,
          failedRuns: vm.failedRuns,
          lastReason: vm.lastReason,
        };
      });
      for (const { vm, rpoMs } of outside) {
        if (listed.has(lower(vm.vmName))) continue;
        nextVms.push({
          vmName: vm.vmName,
          lastGoodAt: vm.lastGoodAt,
          ageMs: vm.ageMs,
          rpoMs,
          failedRuns: vm.failedRuns,
          lastReason: vm.lastReason,
          backAt: null,
          gapMs: null,
          quiet: null,
        });
      }
      const stillOut = nextVms.some((vm) => vm.backAt === null && vm.quiet === null);
      const next: RpoAlertContent = {
        ...existing,
        vms: nextVms,
        job: jobState,
        closedAt: stillOut || jobState.trouble !== null ? null : now,
      };
      if (signature(next) !== signature(existing))
        actions.push({ kind: 'update', alertId: existing.id, content: next });
    }
  }
  // an open alert whose channel no longer subscribes (or whose job EM no longer lists at all) is closed quietly
  for (const alert of open) {
    const key = `${alert.channelId}\u0000${lower(alert.jobName)}`;
    if (handled.has(key)) continue;
    const vms = alert.vms.map((vm) =>
      vm.backAt === null && vm.quiet === null ? { ...vm, quiet: 'gone' as const } : vm,
    );
    actions.push({
      kind: 'update',
      alertId: alert.id,
      content: { ...alert, vms, job: { ...alert.job, trouble: null }, closedAt: now },
    });
  }
  return actions;
}
