/**
 * The RPO watch's leader service: on a clock-driven schedule (RPO_EVALUATE_MINUTES) it reads EM (collectRpo),
 * updates what it knows of each VM, judges them (evaluateRpo), plans the alerts (planRpoAlerts) and writes the
 * alerts with their outbox rows in one transaction; the alerts' outbox worker delivers them (once, FIFO per
 * channel, crash-safe), so an RPO alert has the same guarantees as a failure alert. It reads EM only while some
 * channel subscribes: with no RPO subscription there is nothing to say and EM is left alone.
 *
 * Questions, the digest and the App Home read `current()`: the same computation, from EM at most once a minute.
 */
import type { Button } from '@slack/types';
import type { SessionKind } from '../../core/backup-sessions.js';
import type { Clock } from '../../core/clock.js';
import type { EmApi } from '../../core/ports.js';
import type { Logger } from '../../logger.js';
import type { Fence } from '../../store/lease.js';
import type { AlertStore } from '../alerts/alert-store.js';
import { collectRpo } from './collect-rpo.js';
import {
  countRpo,
  evaluateRpo,
  mergeInventory,
  type RpoCount,
  type RpoPolicy,
  type RpoVerdict,
} from './domain/evaluate-rpo.js';
import {
  planRpoAlerts,
  type RpoAlert,
  type RpoAlertContent,
  type RpoSubscription,
  toChannelRpo,
  toRpoKind,
} from './domain/plan-rpo-alerts.js';
import type { RpoStore } from './rpo-store.js';
import { renderRpoMessage } from './slack/render-rpo-message.js';

export interface RpoServiceOptions {
  em: EmApi;
  store: RpoStore;
  alertStore: AlertStore;
  clock: Clock;
  logger: Logger;
  policy: RpoPolicy;
  lookbackMs: number;
  intervalMs: number;
  timeZone: string;
  /** the one-writer lease: asked inside the evaluation's transaction, before it commits */
  fence?: Fence;
  /** rows were queued: wake the outbox */
  onQueued?: () => void;
  /** false in tests: no timers; the test calls evaluateOnce() */
  timers?: boolean;
  /** the job action buttons of an open alert's job (src/app/job-buttons.ts); none when absent */
  jobButtons?: (alert: RpoAlertContent) => Promise<Button[]>;
}

export interface RpoHealth {
  lastEvaluationAt: Date | null;
  lastError: string | null;
  /** replicas */
  vmsOutside: number | null;
  vmsWatched: number | null;
  /** backups, once a backup RPO subscription made the watch look at them */
  backupsOutside: number | null;
  backupsWatched: number | null;
  /** the counts of the latest verdict of each kind (countRpo: VMs once, and per-job copies) */
  counts: Partial<Record<SessionKind, RpoCount>>;
}

export interface RpoService {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** one evaluation of a kind (replicas by default) now: read EM, judge, write alerts; the verdict */
  evaluateOnce(kind?: SessionKind): Promise<RpoVerdict>;
  /** the latest verdict of a kind, from EM at most once a minute (questions, digest, App Home); not written */
  current(kind?: SessionKind): Promise<RpoVerdict>;
  health(): RpoHealth;
}

/** Outbox key of an RPO alert's post, and of each of its edits. */
export const toRpoPostKey = (alertId: number) => `rpo:${alertId}`;
const toRpoUpdateKey = (alert: RpoAlert) => `rpo:${alert.id}:r${alert.revision}`;

const FRESH_MS = 60_000;

export function createRpoService(options: RpoServiceOptions): RpoService {
  const { em, store, alertStore, clock, logger, policy } = options;
  const timers = options.timers !== false;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let busy: Promise<unknown> | null = null;
  const cached = new Map<SessionKind, { at: number; verdict: Promise<RpoVerdict> }>();
  const health: RpoHealth = {
    lastEvaluationAt: null,
    lastError: null,
    vmsOutside: null,
    vmsWatched: null,
    backupsOutside: null,
    backupsWatched: null,
    counts: {},
  };

  /** The strictest RPO any subscription holds a VM to, else RPO_DEFAULT (what questions and the digest use). */
  const rpoFor = (subscriptions: readonly RpoSubscription[]) => (vm: Parameters<typeof toChannelRpo>[1]) =>
    toChannelRpo(subscriptions, vm, policy.defaultMs) ?? policy.defaultMs;

  async function judge(write: boolean, kind: SessionKind): Promise<RpoVerdict> {
    const now = clock.now();
    const inputs = await collectRpo(em, now, options.lookbackMs, kind);
    const known = mergeInventory(await store.vms.all(kind), inputs.copies, now);
    const subscriptions = await store.subscriptions.list();
    const verdict = evaluateRpo({
      now,
      vms: known,
      runs: inputs.runs,
      failures: inputs.failures,
      policy,
      rpoFor: rpoFor(subscriptions.filter((sub) => toRpoKind(sub) === kind)),
      kind,
    });
    if (!write) return verdict;
    const actions = planRpoAlerts({
      verdict,
      subscriptions,
      mutes: await alertStore.mutes.active(now),
      open: await store.alerts.open(),
      defaultMs: policy.defaultMs,
    });
    // the buttons are read from EM before the transaction: no EM call while the store's write lock is held
    const buttonsOf = new Map<string, Button[]>();
    const buttonKey = (a: RpoAlertContent) => `${a.channelId}\u0000${a.jobName}`;
    if (options.jobButtons) {
      for (const action of actions) {
        if (action.content.closedAt !== null || buttonsOf.has(buttonKey(action.content))) continue;
        const buttons = await options.jobButtons(action.content).catch((): Button[] => []);
        buttonsOf.set(buttonKey(action.content), buttons);
      }
    }
    let queued = 0;
    const written = await alertStore.transaction(async (tx) => {
      // not the writer any more: the new leader evaluates
      if (options.fence && !(await options.fence(tx.db))) return false;
      const { opened, updated } = await store.saveEvaluation(
        {
          at: now,
          kind,
          vms: known,
          opened: actions.flatMap((a) => (a.kind === 'open' ? [a.content] : [])),
          updated: actions.flatMap((a) =>
            a.kind === 'update' ? [{ alertId: a.alertId, content: a.content }] : [],
          ),
        },
        tx.db,
      );
      for (const alert of [...opened, ...updated]) {
        const message = renderRpoMessage(alert, options.timeZone, {
          buttons: buttonsOf.get(buttonKey(alert)) ?? [],
        });
        const isPost = opened.includes(alert);
        const added = await tx.outbox.enqueue(
          {
            key: isPost ? toRpoPostKey(alert.id) : toRpoUpdateKey(alert),
            channelId: alert.channelId,
            action: isPost ? 'post' : 'update',
            notice: {
              kind: 'prerendered',
              text: message.text,
              blocks: message.blocks,
              updatesKey: isPost ? null : toRpoPostKey(alert.id),
              plain: message.plain,
            },
          },
          now,
        );
        if (added) queued += 1;
      }
      return true;
    });
    if (!written) return verdict;
    if (queued > 0) {
      logger.info({ queued }, 'RPO alerts queued');
      options.onQueued?.();
    }
    cached.set(kind, { at: now.getTime(), verdict: Promise.resolve(verdict) });
    return verdict;
  }

  /** evaluations one at a time (a scheduled one and a driven one never write side by side) */
  let chain: Promise<unknown> = Promise.resolve();
  function evaluateOnce(kind: SessionKind = 'replication'): Promise<RpoVerdict> {
    const run = () => evaluateNow(kind);
    const next = chain.then(run, run);
    chain = next.catch(() => undefined);
    return next;
  }

  async function evaluateNow(kind: SessionKind): Promise<RpoVerdict> {
    try {
      const verdict = await judge(true, kind);
      health.lastEvaluationAt = verdict.at;
      health.lastError = null;
      const count = countRpo(verdict);
      health.counts[kind] = count;
      // machines, counted once however many jobs protect them
      const outside = count.vmsOutside;
      const watched = count.vms;
      if (kind === 'backup') {
        health.backupsOutside = outside;
        health.backupsWatched = watched;
      } else {
        health.vmsOutside = outside;
        health.vmsWatched = watched;
      }
      return verdict;
    } catch (error) {
      health.lastError = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  /** each kind some channel subscribes to, replicas first; none: EM is left alone */
  async function tick(): Promise<void> {
    const kinds = new Set((await store.subscriptions.list()).map(toRpoKind));
    for (const kind of ['replication', 'backup'] as const) if (kinds.has(kind)) await evaluateOnce(kind);
  }

  function schedule(): void {
    if (!running || !timers) return;
    timer = setTimeout(() => {
      timer = undefined;
      busy = tick()
        .catch((error: unknown) => {
          logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'RPO evaluation failed',
          );
        })
        .finally(() => {
          busy = null;
          schedule();
        });
    }, options.intervalMs);
  }

  return {
    name: 'rpo',
    async start() {
      if (running) return;
      running = true;
      if (!timers) return;
      // the first look soon after the start, then every interval
      busy = tick()
        .catch((error: unknown) => {
          logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'RPO evaluation failed',
          );
        })
        .finally(() => {
          busy = null;
          schedule();
        });
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await busy;
    },
    evaluateOnce,
    current(kind = 'replication') {
      const now = clock.now().getTime();
      const known = cached.get(kind);
      if (known !== undefined && now - known.at <= FRESH_MS && now >= known.at) return known.verdict;
      const verdict = judge(false, kind);
      cached.set(kind, { at: now, verdict });
      verdict.catch(() => {
        if (cached.get(kind)?.verdict === verdict) cached.delete(kind);
      });
      return verdict;
    },
    health: () => ({ ...health }),
  };
}
