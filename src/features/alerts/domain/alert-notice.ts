/**
 * The alert domain: what a channel subscribes to, what is muted, and the notices replibot sends.
 * Dates are `Date` here; the store keeps epoch milliseconds and the outbox keeps JSON (ISO strings),
 * so a notice read back from the outbox goes through `reviveNotice`.
 */

import { type SessionKind, toParentJob } from '../../../core/backup-sessions.js';

/** `failed`: failed VMs only; `warnings`: failed VMs and warnings. */
export type AlertLevel = 'failed' | 'warnings';

export interface SubscriptionFilter {
  level: AlertLevel;
  /** the sessions it hears about: replication (the default, also when absent) or backup */
  kind?: SessionKind;
  /** job name, case-insensitive; `*` matches any run of characters; null for every job */
  job: string | null;
  vm: string | null;
  server: string | null;
}

export interface Subscription extends SubscriptionFilter {
  id: number;
  channelId: string;
  /** Slack user id, or `ALERT_CHANNEL` for the default subscription from the configuration */
  createdBy: string;
  createdAt: Date;
}

export type MuteScope = 'vm' | 'job';

export interface Mute {
  id: number;
  channelId: string;
  scope: MuteScope;
  name: string;
  until: Date;
  createdBy: string;
  createdAt: Date;
  /** what it mutes: replication (the default, also when absent) or backup */
  kind?: SessionKind;
}

/** `Unknown`: a completed session with a result word replibot does not know (kept in `resultWord`). */
export type AlertResult = 'Failed' | 'Warning' | 'Unknown';

/** One VM of a job run in an alert. */
export interface AlertVm {
  taskUid: string;
  vmName: string;
  result: AlertResult;
  /** EM's own word when `result` is `Unknown` */
  resultWord?: string;
  reason: string;
  /** failed runs in a row, this one included (1 for a first failure; warnings keep the count of failures) */
  failedRuns: number;
  endTime: Date;
  recoveredAt: Date | null;
  /**
   * The job the VM ran in when it is not the alert's own: an immediate backup copy worker
   * (`Offsite Copy\Nightly`) grouped into its parent copy job's run. Absent otherwise.
   */
  jobName?: string;
}

/** How an alert line names the worker a VM was copied by: "copying Nightly" (the source job), else the worker's name. */
export function toVmWorkerNote(vm: Pick<AlertVm, 'jobName'>): string {
  if (vm.jobName === undefined) return '';
  const source = toParentJob(vm.jobName, 'ImmediateBackupCopyWorker').source;
  return source === null ? `worker ${vm.jobName}` : `copying ${source}`;
}

/** One alert message: the failures of one job run that one channel hears about. */
export interface JobRunAlert {
  id: number;
  channelId: string;
  jobSessionUid: string;
  jobName: string;
  /** EM's JobType of a backup run (`BackupCopy`...), null for replication; the kind is the job session URN's */
  jobType?: string | null;
  serverName: string | null;
  runStartedAt: Date;
  /** how long after its VMs ended EM reported them, when later than the regular poll looks back; else null */
  reportedLateMs?: number | null;
  vms: AlertVm[];
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  /** Slack ts once posted */
  ts: string | null;
}

/** One job run in a catch-up summary. */
export interface CatchUpRun {
  jobName: string;
  serverName: string | null;
  failed: number;
  warnings: number;
  /** a few VM names, for the eye; the counts are the truth */
  vmNames: string[];
}

export type AlertNotice =
  | { kind: 'job-run'; alert: JobRunAlert }
  | { kind: 'recovery'; alert: JobRunAlert; vmNames: string[]; recoveredAt: Date; byRetry: boolean | null }
  | { kind: 'catch-up'; since: Date; until: Date; runs: CatchUpRun[] }
  | { kind: 'em-unreachable'; since: Date; failedPolls: number; error: string }
  | { kind: 'em-reachable'; downSince: Date; at: Date }
  /**
   * A message another feature rendered itself (the RPO watch), sent through this outbox for its dedupe, lease and
   * crash recovery. `blocks` is Block Kit built by that feature's renderer; an update edits the message posted
   * under `updatesKey` (sent as a new message when that one never got out). `plain` is the terminal's text.
   */
  | { kind: 'prerendered'; text: string; blocks: unknown[]; updatesKey: string | null; plain?: string };

/** What the outbox hands to a Notifier. */
export interface OutboundNotification {
  /** stable and unique: the same notification always has the same key (outbox dedupe, Slack metadata) */
  key: string;
  channelId: string;
  /** `post` a new message, `update` the message at `ts`, `reply` in the thread of `ts` */
  action: 'post' | 'update' | 'reply';
  ts: string | null;
  notice: AlertNotice;
  timeZone: string;
  /** a line shown above the notice (e.g. "the original message was deleted, so this is a new copy") */
  note?: string;
}

const DATE_FIELDS = new Set([
  'since',
  'until',
  'recoveredAt',
  'downSince',
  'at',
  'endTime',
  'runStartedAt',
  'acknowledgedAt',
]);

/** JSON.parse of a stored notice with its dates turned back into `Date`s. */
export function reviveNotice(json: string): AlertNotice {
  // cast: the JSON is one replibot wrote from an AlertNotice (the outbox row), its dates revived here
  return JSON.parse(json, (key, value) =>
    DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value,
  ) as AlertNotice;
}

/** How an alert says what a VM ended with beyond its reason: "(warning)", "(ended with result Skipped)" or nothing. */
export function toAlertResultNote(vm: Pick<AlertVm, 'result' | 'resultWord'>): string {
  if (vm.result === 'Warning') return 'warning';
  if (vm.result === 'Unknown') return `ended with result ${vm.resultWord ?? 'Unknown'}`;
  return '';
}

/** The stored result text (EM's own word for an unknown one) back to the alert result. */
export function toAlertResult(stored: string): Pick<AlertVm, 'result' | 'resultWord'> {
  if (stored === 'Failed' || stored === 'Warning') return { result: stored };
  return { result: 'Unknown', resultWord: stored };
}

/** The text stored for a result: EM's own word for an unknown one. */
export function toStoredAlertResult(vm: Pick<AlertVm, 'result' | 'resultWord'>): string {
  return vm.result === 'Unknown' ? (vm.resultWord ?? 'Unknown') : vm.result;
}
