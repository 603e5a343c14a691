/**
 * Runs the digest schedules: one croner job per schedule in the schedule's own time zone (so 08:00 stays 08:00
 * across DST changes), plus a catch-up pass at start and every few minutes.
 *
 * Every pass asks the same question of each schedule: "what is the latest time this schedule should have fired,
 * and has that period been dealt with?". The sent_digests row claimed before posting makes each period go out
 * once, whoever asks and however often; a period found more than the grace period late is recorded as skipped.
 */
import { Cron } from 'croner';
import { type DigestSchedule, describeSchedule, toCronPattern } from '../core/digest/digest-schedule.js';
import { toDigestWindow } from '../core/digest/digest-window.js';
import { type Digest, hasDigestProblems } from '../core/digest/summarize-digest.js';
import { isReplibotError, toReplibotError } from '../core/errors.js';
import type { Clock, EmApi } from '../core/ports.js';
import type { Logger } from '../logger.js';
import type { DigestStore } from '../store/digest-store.js';
import { collectDigest } from './collect-digest.js';

/** Delivers one digest to a channel (src/slack/digest/post-digest.ts in production). */
export type DigestSender = (
  schedule: DigestSchedule,
  digest: Digest,
  options: { late: boolean; key: string },
) => Promise<{ ts: string; note: string | null }>;

export interface DigestSchedulerOptions {
  store: DigestStore;
  em: EmApi;
  send: DigestSender;
  clock: Clock;
  logger: Logger;
  /** DIGEST_GRACE_MINUTES: how late a missed digest may still go out */
  graceMinutes: number;
  /** tells a permanent failure (bot not in channel) from one worth retrying */
  isPermanentError?: (error: unknown) => boolean;
  /** false in tests, which drive `runDue` with their own clock */
  timers?: boolean;
  /** how often the catch-up pass runs; default 5 minutes */
  tickMs?: number;
}

export type DigestOutcome =
  | { scheduleId: number; periodEnd: Date; status: 'sent'; late: boolean; ts: string }
  | {
      scheduleId: number;
      periodEnd: Date;
      status: 'skipped';
      reason: 'missed' | 'nothing-to-report' | 'refused';
    }
  | { scheduleId: number; periodEnd: Date; status: 'failed'; error: string };

export interface DigestScheduler {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** re-reads the schedules (after one was added or removed) */
  reload(): void;
  /** deals with every schedule whose latest due time has not been dealt with; what it did, for tests and logs */
  runDue(): Promise<DigestOutcome[]>;
  /** the next time each schedule fires after `from` */
  nextRun(schedule: DigestSchedule, from?: Date): Date | null;
}

/** A digest sent this long after its time is "late" (replibot was down or EM was slow to answer). */
const LATE_AFTER_MS = 2 * 60_000;

/** The latest time at or before `now` this schedule fires, in its zone; null if it never has. */
export function latestOccurrence(schedule: DigestSchedule, now: Date): Date | null {
  const cron = new Cron(toCronPattern(schedule), { timezone: schedule.timeZone, paused: true });
  // previousRuns is strictly before its reference; +1 ms makes "exactly now" count
  const [latest] = cron.previousRuns(1, new Date(now.getTime() + 1));
  return latest ?? null;
}

export function createDigestScheduler(options: DigestSchedulerOptions): DigestScheduler {
  const { store, em, send, clock, logger } = options;
  const graceMs = options.graceMinutes * 60_000;
  const isPermanent = options.isPermanentError ?? (() => false);
  let jobs: Cron[] = [];
  let tick: NodeJS.Timeout | undefined;
  let running: Promise<DigestOutcome[]> = Promise.resolve([]);
  let started = false;

  const runOne = async (schedule: DigestSchedule, now: Date): Promise<DigestOutcome | null> => {
    const periodEnd = latestOccurrence(schedule, now);
    // a schedule set up at 08:05 starts with tomorrow's digest, not a "missed" one for 08:00 today
    if (periodEnd === null || periodEnd.getTime() < schedule.createdAt.getTime()) return null;
    const window = toDigestWindow(schedule.period, periodEnd, schedule.timeZone);
    const lateMs = now.getTime() - periodEnd.getTime();
    const base = { scheduleId: schedule.id, periodEnd };
    if (lateMs > graceMs) {
      const note = `missed: replibot was not running within ${options.graceMinutes} minutes of the time`;
      if (store.deliveries.skip(schedule.id, window.start, periodEnd, note, now)) {
        logger.warn(
          { scheduleId: schedule.id, channelId: schedule.channelId, periodEnd },
          'digest skipped: missed beyond the grace period',
        );
        return { ...base, status: 'skipped', reason: 'missed' };
      }
      return null;
    }
    const late = lateMs > LATE_AFTER_MS;
    if (!store.deliveries.claim(schedule.id, window.start, periodEnd, late, now)) return null;
    const key = `digest:${schedule.id}:${periodEnd.toISOString()}`;
    try {
      const digest = await collectDigest(em, {
        period: schedule.period,
        end: periodEnd,
        timeZone: schedule.timeZone,
        filters: schedule.filters,
      });
      if (schedule.filters.failedOnly && !hasDigestProblems(digest)) {
        store.deliveries.release(schedule.id, window.start);
        store.deliveries.skip(schedule.id, window.start, periodEnd, 'nothing failed', clock.now());
        store.schedules.setError(schedule.id, null);
        return { ...base, status: 'skipped', reason: 'nothing-to-report' };
      }
      const posted = await send(schedule, digest, { late, key });
      store.deliveries.markSent(schedule.id, window.start, posted.ts, posted.note, clock.now());
      store.schedules.setError(schedule.id, null);
      logger.info(
        { scheduleId: schedule.id, channelId: schedule.channelId, periodEnd, late, ts: posted.ts },
        'digest sent',
      );
      return { ...base, status: 'sent', late, ts: posted.ts };
    } catch (error) {
      const e = toReplibotError(error);
      const message = isReplibotError(error) && e.hint ? `${e.message} ${e.hint}` : e.message;
      store.schedules.setError(schedule.id, message);
      store.deliveries.release(schedule.id, window.start);
      if (isPermanent(error)) {
        // retrying cannot help until someone fixes the channel; the list shows why
        store.deliveries.skip(schedule.id, window.start, periodEnd, message, clock.now());
        logger.warn(
          { scheduleId: schedule.id, channelId: schedule.channelId, code: e.code, err: e },
          'digest refused',
        );
        return { ...base, status: 'skipped', reason: 'refused' };
      }
      logger.error(
        { scheduleId: schedule.id, channelId: schedule.channelId, code: e.code, err: e },
        'digest failed; tried again on the next pass within the grace period',
      );
      return { ...base, status: 'failed', error: message };
    }
  };

  const runDue = (): Promise<DigestOutcome[]> => {
    // one pass at a time: a cron firing during the catch-up pass waits instead of racing it
    running = running
      .catch(() => [])
      .then(async () => {
        const now = clock.now();
        const outcomes: DigestOutcome[] = [];
        for (const schedule of store.schedules.list()) {
          const outcome = await runOne(schedule, now);
          if (outcome !== null) outcomes.push(outcome);
        }
        return outcomes;
      });
    return running;
  };

  const fire = (): void => {
    runDue().catch((error: unknown) => logger.error({ err: error }, 'digest pass failed'));
  };

  const reload = (): void => {
    for (const job of jobs) job.stop();
    jobs = [];
    if (!started || options.timers === false) return;
    for (const schedule of store.schedules.list()) {
      jobs.push(
        new Cron(
          toCronPattern(schedule),
          { timezone: schedule.timeZone, name: `digest-${schedule.id}` },
          fire,
        ),
      );
      logger.debug({ scheduleId: schedule.id, schedule: describeSchedule(schedule) }, 'digest scheduled');
    }
  };

  return {
    async start() {
      started = true;
      reload();
      if (options.timers !== false) {
        tick = setInterval(fire, options.tickMs ?? 5 * 60_000);
        tick.unref();
      }
      await runDue();
    },
    async stop() {
      started = false;
      if (tick !== undefined) clearInterval(tick);
      tick = undefined;
      for (const job of jobs) job.stop();
      jobs = [];
      await running.catch(() => undefined);
    },
    reload,
    runDue,
    nextRun(schedule, from = clock.now()) {
      return new Cron(toCronPattern(schedule), { timezone: schedule.timeZone, paused: true }).nextRun(from);
    },
  };
}
