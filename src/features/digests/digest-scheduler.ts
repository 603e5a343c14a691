/**
 * Runs the digest schedules: one croner job per schedule in the schedule's own time zone (so 08:00 stays 08:00
 * across DST changes), plus a catch-up pass at start and every minute (which also runs the schedules another
 * instance added: their croner jobs live only in the process that took the command).
 *
 * Every pass asks the same question of each schedule: "what is the latest time this schedule should have fired,
 * and has that period been dealt with?". The sent_digests row claimed before posting makes each period go out
 * once, whoever asks and however often; a period found more than the grace period late is recorded as skipped.
 *
 * A row still `sending` at a pass was left by an attempt that did not finish (the process died between claiming
 * and recording, or Slack's answer never came). Slack may have the message, so the pass looks for its metadata
 * key in the channel history first: found, it is recorded with its ts; not found, it is posted; history
 * unreadable, it is posted too (at least once, and the log says why).
 */
import { Cron } from 'croner';
import type { Clock } from '../../core/clock.js';
import { isReplibotError, toReplibotError } from '../../core/errors.js';
import type { EmApi } from '../../core/ports.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { Fence } from '../../store/lease.js';
import { collectDigest } from './collect-digest.js';
import type { DigestDelivery, DigestStore } from './digest-store.js';
import { type DigestSchedule, describeSchedule, toCronPattern } from './domain/digest-schedule.js';
import { toDigestWindow } from './domain/digest-window.js';
import { type Digest, hasDigestProblems } from './domain/summarize-digest.js';

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
  /**
   * how often the catch-up pass runs; default every minute at second 1. The pass reads the schedules from the
   * store, so it also runs the ones added through another instance (whose croner jobs live only there).
   */
  tickMs?: number;
  /**
   * Reads the channel history for deliveries left in `sending`. Without it such a delivery cannot be checked
   * and is posted again within the grace period (at least once).
   */
  recovery?: DigestRecovery;
  /** the one-writer lease (src/app/leadership.ts): asked before each post */
  fence?: Fence;
  /** told of each digest attempt's outcome (src/metrics.ts) */
  metrics?: Pick<Metrics, 'digestRun'>;
  /** VEEAM_CONCURRENCY: EM requests at once while a digest is collected; default 4 */
  concurrency?: number;
}

/** What the channel history says about a digest an unfinished attempt may have posted. */
export type DigestLookup =
  | { status: 'found'; ts: string }
  | { status: 'absent' }
  | { status: 'unknown'; reason: string };

/** Resolves deliveries left in `sending` by an attempt that did not finish (post-digest.ts in production). */
export interface DigestRecovery {
  /** the digest message carrying `key` in the schedule's channel, posted since `since`; never throws */
  findPosted(schedule: DigestSchedule, key: string, since: Date): Promise<DigestLookup>;
  /** adds the chart to the thread of a digest found that way, unless it is there already */
  completeChart(schedule: DigestSchedule, digest: Digest, ts: string): Promise<{ note: string | null }>;
}

export type DigestOutcome =
  | {
      scheduleId: number;
      periodEnd: Date;
      status: 'sent';
      late: boolean;
      ts: string;
      /** found in the channel history after an attempt that did not finish, rather than posted now */
      recovered?: true;
    }
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
  reload(): Promise<void>;
  /** deals with every schedule whose latest due time has not been dealt with; what it did, for tests and logs */
  runDue(): Promise<DigestOutcome[]>;
  /** the next time each schedule fires after `from` */
  nextRun(schedule: DigestSchedule, from?: Date): Date | null;
}

/** A digest sent this long after its time is "late" (replibot was down or EM was slow to answer). */
const LATE_AFTER_MS = 2 * 60_000;

/** The history is read from this long before the claim: allows for clock skew between this host and Slack. */
const LOOKBACK_MS = 10 * 60_000;

/** The metadata key of a digest message: the same for every attempt at one schedule's period. */
function digestKey(scheduleId: number, periodEnd: Date): string {
  return `digest:${scheduleId}:${periodEnd.toISOString()}`;
}

/** The latest time at or before `now` this schedule fires, in its zone; null if it never has. */
function latestOccurrence(schedule: DigestSchedule, now: Date): Date | null {
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
  let stopTick: () => void = () => undefined;
  let running: Promise<DigestOutcome[]> = Promise.resolve([]);
  let started = false;

  const lookUp = async (schedule: DigestSchedule, delivery: DigestDelivery): Promise<DigestLookup> => {
    if (options.recovery === undefined) return { status: 'unknown', reason: 'no channel history reader' };
    try {
      return await options.recovery.findPosted(
        schedule,
        digestKey(schedule.id, delivery.periodEnd),
        new Date(delivery.claimedAt.getTime() - LOOKBACK_MS),
      );
    } catch (error) {
      return { status: 'unknown', reason: toReplibotError(error).message };
    }
  };

  /** The history shows the message: record it with its ts, and add the chart to its thread if it is missing. */
  const recordFound = async (
    schedule: DigestSchedule,
    delivery: DigestDelivery,
    ts: string,
  ): Promise<DigestOutcome> => {
    let note: string | null = null;
    if (options.recovery !== undefined) {
      try {
        const digest = await collectDigest(em, {
          period: schedule.period,
          end: delivery.periodEnd,
          timeZone: schedule.timeZone,
          filters: schedule.filters,
          concurrency: options.concurrency,
        });
        note = (await options.recovery.completeChart(schedule, digest, ts)).note;
      } catch (error) {
        // the digest is out; only the chart could not be checked
        note = `chart not checked: ${toReplibotError(error).message}`;
      }
    }
    await store.deliveries.markSent(schedule.id, delivery.periodStart, ts, note, clock.now());
    await store.schedules.setError(schedule.id, null);
    logger.info(
      { scheduleId: schedule.id, channelId: schedule.channelId, periodEnd: delivery.periodEnd, ts },
      'digest found in the channel history: an earlier attempt posted it; recorded, not posted again',
    );
    return {
      scheduleId: schedule.id,
      periodEnd: delivery.periodEnd,
      status: 'sent',
      late: delivery.late,
      ts,
      recovered: true,
    };
  };

  const missedNote = (schedule: DigestSchedule, lookup: DigestLookup): string => {
    const why =
      schedule.lastError !== null
        ? `not delivered within ${options.graceMinutes} minutes of the time (${schedule.lastError})`
        : `replibot stopped while posting it and was not back within ${options.graceMinutes} minutes of the time`;
    return `missed: ${why}${lookup.status === 'unknown' ? `; could not check the channel history: ${lookup.reason}` : ''}`;
  };

  /** An older period left in `sending`: never posted now (only the latest period is), but recorded truly. */
  const settleOld = async (schedule: DigestSchedule, delivery: DigestDelivery): Promise<DigestOutcome> => {
    const lookup = await lookUp(schedule, delivery);
    if (lookup.status === 'found') return recordFound(schedule, delivery, lookup.ts);
    await store.deliveries.abandon(
      schedule.id,
      delivery.periodStart,
      missedNote(schedule, lookup),
      clock.now(),
    );
    return { scheduleId: schedule.id, periodEnd: delivery.periodEnd, status: 'skipped', reason: 'missed' };
  };

  const runOne = async (schedule: DigestSchedule, now: Date): Promise<DigestOutcome[]> => {
    const outcomes: DigestOutcome[] = [];
    const latest = latestOccurrence(schedule, now);
    // a schedule set up at 08:05 starts with tomorrow's digest, not a "missed" one for 08:00 today
    const periodEnd = latest !== null && latest.getTime() >= schedule.createdAt.getTime() ? latest : null;
    for (const stale of await store.deliveries.unfinished(schedule.id))
      if (periodEnd === null || stale.periodEnd.getTime() < periodEnd.getTime())
        outcomes.push(await settleOld(schedule, stale));
    if (periodEnd === null) return outcomes;
    const outcome = await runLatest(schedule, periodEnd, now);
    if (outcome !== null) outcomes.push(outcome);
    return outcomes;
  };

  const runLatest = async (
    schedule: DigestSchedule,
    periodEnd: Date,
    now: Date,
  ): Promise<DigestOutcome | null> => {
    const window = toDigestWindow(schedule.period, periodEnd, schedule.timeZone);
    const lateMs = now.getTime() - periodEnd.getTime();
    const base = { scheduleId: schedule.id, periodEnd };
    const late = lateMs > LATE_AFTER_MS;
    const existing = await store.deliveries.get(schedule.id, window.start);
    if (existing === null) {
      if (lateMs > graceMs) {
        const note = `missed: replibot was not running within ${options.graceMinutes} minutes of the time`;
        if (await store.deliveries.skip(schedule.id, window.start, periodEnd, note, now)) {
          logger.warn(
            { scheduleId: schedule.id, channelId: schedule.channelId, periodEnd },
            'digest skipped: missed beyond the grace period',
          );
          return { ...base, status: 'skipped', reason: 'missed' };
        }
        return null;
      }
      if (!(await store.deliveries.claim(schedule.id, window.start, periodEnd, late, now))) return null;
    } else if (existing.status !== 'sending') {
      return null;
    } else {
      // an attempt that did not finish (the process died, or Slack's answer never came): Slack may have the
      // message already, so look in the channel history before posting again
      const lookup = await lookUp(schedule, existing);
      if (lookup.status === 'found') return recordFound(schedule, existing, lookup.ts);
      if (lateMs > graceMs) {
        await store.deliveries.abandon(schedule.id, window.start, missedNote(schedule, lookup), now);
        logger.warn(
          { scheduleId: schedule.id, channelId: schedule.channelId, periodEnd },
          'digest skipped: an unfinished attempt, now beyond the grace period',
        );
        return { ...base, status: 'skipped', reason: 'missed' };
      }
      if (lookup.status === 'unknown')
        // at least once: a duplicate digest is better than a missing one
        logger.warn(
          { scheduleId: schedule.id, channelId: schedule.channelId, periodEnd, reason: lookup.reason },
          'cannot tell whether an unfinished attempt posted the digest (channel history unreadable); posting it, so it may appear twice',
        );
      if (!(await store.deliveries.resume(schedule.id, window.start, late))) return null;
    }
    return post(schedule, window.start, periodEnd, late);
  };

  const post = async (
    schedule: DigestSchedule,
    periodStart: Date,
    periodEnd: Date,
    late: boolean,
  ): Promise<DigestOutcome> => {
    const base = { scheduleId: schedule.id, periodEnd };
    const key = digestKey(schedule.id, periodEnd);
    let posting = false;
    try {
      const digest = await collectDigest(em, {
        period: schedule.period,
        end: periodEnd,
        timeZone: schedule.timeZone,
        filters: schedule.filters,
        concurrency: options.concurrency,
      });
      // a failed-only digest for a name EM does not know is posted all the same: it carries the warning
      if (schedule.filters.failedOnly && !hasDigestProblems(digest) && digest.unknownNames === undefined) {
        await store.deliveries.release(schedule.id, periodStart);
        await store.deliveries.skip(schedule.id, periodStart, periodEnd, 'nothing failed', clock.now());
        await store.schedules.setError(schedule.id, null);
        return { ...base, status: 'skipped', reason: 'nothing-to-report' };
      }
      if ((await options.fence?.()) === false)
        throw new Error('This process lost the lease; the leader posts the digest.');
      posting = true;
      const posted = await send(schedule, digest, { late, key });
      await store.deliveries.markSent(schedule.id, periodStart, posted.ts, posted.note, clock.now());
      await store.schedules.setError(schedule.id, null);
      logger.info(
        { scheduleId: schedule.id, channelId: schedule.channelId, periodEnd, late, ts: posted.ts },
        'digest sent',
      );
      return { ...base, status: 'sent', late, ts: posted.ts };
    } catch (error) {
      const e = toReplibotError(error);
      const message = isReplibotError(error) && e.hint ? `${e.message} ${e.hint}` : e.message;
      await store.schedules.setError(schedule.id, message);
      if (isPermanent(error)) {
        // retrying cannot help until someone fixes the channel; the list shows why
        await store.deliveries.release(schedule.id, periodStart);
        await store.deliveries.skip(schedule.id, periodStart, periodEnd, message, clock.now());
        logger.warn(
          { scheduleId: schedule.id, channelId: schedule.channelId, code: e.code, err: e },
          'digest refused',
        );
        return { ...base, status: 'skipped', reason: 'refused' };
      }
      // nothing reached Slack when EM failed: give the period back. After a failed post the message may have
      // reached Slack anyway (a timeout, a 5xx after accepting): the row stays `sending`, so the next pass looks
      // in the channel history before posting again.
      if (!posting) await store.deliveries.release(schedule.id, periodStart);
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
        for (const schedule of await store.schedules.list()) outcomes.push(...(await runOne(schedule, now)));
        for (const outcome of outcomes) options.metrics?.digestRun(outcome.status);
        return outcomes;
      });
    return running;
  };

  const fire = (): void => {
    runDue().catch((error: unknown) => logger.error({ err: error }, 'digest pass failed'));
  };

  const reload = async (): Promise<void> => {
    const schedules = !started || options.timers === false ? [] : await store.schedules.list();
    for (const job of jobs) job.stop();
    jobs = [];
    if (!started || options.timers === false) return;
    for (const schedule of schedules) {
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
      await reload();
      if (options.timers !== false) {
        if (options.tickMs !== undefined) {
          const interval = setInterval(fire, options.tickMs);
          interval.unref();
          stopTick = () => clearInterval(interval);
        } else {
          // every minute, one second past it: a schedule another instance added (its croner job exists only
          // there) still goes out within seconds of its time, not "late"
          const everyMinute = new Cron('1 * * * * *', { name: 'digest-catch-up', unref: true }, fire);
          stopTick = () => everyMinute.stop();
        }
      }
      await runDue();
    },
    async stop() {
      started = false;
      stopTick();
      stopTick = () => undefined;
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
