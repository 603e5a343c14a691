/**
 * Persistence for digests: the schedules a channel set up, and one row per schedule and period that makes each
 * digest go out once, across restarts. Works on the shared database (SQLite or PostgreSQL) through Kysely.
 */

import type { Generated, Kysely, Selectable } from 'kysely';
import type { StoreDb } from '../../store/open-database.js';
import type { DigestSchedule, DigestScheduleSpec } from './domain/digest-schedule.js';
import type { DigestPeriod } from './domain/digest-window.js';

export type DigestDeliveryStatus = 'sending' | 'sent' | 'skipped';

export interface DigestDelivery {
  scheduleId: number;
  periodStart: Date;
  periodEnd: Date;
  status: DigestDeliveryStatus;
  late: boolean;
  claimedAt: Date;
  doneAt: Date | null;
  /** the Slack message ts, once posted */
  ts: string | null;
  /** why it was skipped, or what went wrong with the chart */
  note: string | null;
}

export interface DigestStore {
  schedules: {
    add(channelId: string, spec: DigestScheduleSpec, createdBy: string, now: Date): Promise<DigestSchedule>;
    get(id: number): Promise<DigestSchedule | null>;
    /** every schedule, or one channel's, oldest first */
    list(channelId?: string): Promise<DigestSchedule[]>;
    /** removes a schedule of that channel (a channel cannot remove another's); false when there is none */
    remove(id: number, channelId: string): Promise<boolean>;
    setError(id: number, error: string | null): Promise<void>;
  };
  deliveries: {
    /**
     * Takes the period for this schedule; false when it was already taken (sent, being sent or skipped).
     * This insert is the exactly-once guard: only the caller that gets true may post.
     */
    claim(scheduleId: number, periodStart: Date, periodEnd: Date, late: boolean, now: Date): Promise<boolean>;
    markSent(
      scheduleId: number,
      periodStart: Date,
      ts: string,
      note: string | null,
      now: Date,
    ): Promise<void>;
    /** records a period that will not be posted (missed beyond the grace period, nothing to report) */
    skip(scheduleId: number, periodStart: Date, periodEnd: Date, note: string, now: Date): Promise<boolean>;
    /** gives a claimed period back after a failed post, so a later attempt may send it */
    release(scheduleId: number, periodStart: Date): Promise<void>;
    /**
     * Takes over a period left in `sending` by an attempt that did not finish (a process that died, a post whose
     * answer never came), once the channel history showed it was not posted; `late` is the new attempt's.
     * False when the row is no longer `sending`.
     */
    resume(scheduleId: number, periodStart: Date, late: boolean): Promise<boolean>;
    /** records a period left in `sending` as skipped (not posted, and too late to post now) */
    abandon(scheduleId: number, periodStart: Date, note: string, now: Date): Promise<boolean>;
    get(scheduleId: number, periodStart: Date): Promise<DigestDelivery | null>;
    /** the schedule's periods still in `sending`, oldest first */
    unfinished(scheduleId: number): Promise<DigestDelivery[]>;
    latest(scheduleId: number): Promise<DigestDelivery | null>;
    list(scheduleId: number): Promise<DigestDelivery[]>;
  };
}

/** The digests' tables (migrations.ts), as Kysely sees them. */
export type DigestTables = {
  digest_schedules: {
    id: Generated<number>;
    channel_id: string;
    period: string;
    weekday: number | null;
    hour: number;
    minute: number;
    time_zone: string;
    job: string | null;
    server: string | null;
    failed_only: number;
    /** migration 250: 'replication' or 'backup' */
    kind: Generated<string>;
    created_by: string;
    created_at: number;
    last_error: string | null;
  };
  sent_digests: {
    schedule_id: number;
    period_start: number;
    period_end: number;
    status: string;
    late: number;
    claimed_at: number;
    done_at: number | null;
    ts: string | null;
    note: string | null;
  };
};

type ScheduleRecord = Selectable<DigestTables['digest_schedules']>;
type DeliveryRecord = Selectable<DigestTables['sent_digests']>;

const toSchedule = (r: ScheduleRecord): DigestSchedule => ({
  id: r.id,
  channelId: r.channel_id,
  // cast: the column holds only what this store wrote (a DigestPeriod / DigestDeliveryStatus); replibot is its only writer
  period: r.period as DigestPeriod,
  weekday: r.weekday,
  hour: r.hour,
  minute: r.minute,
  timeZone: r.time_zone,
  filters: {
    jobName: r.job,
    serverName: r.server,
    failedOnly: r.failed_only === 1,
    // replication is the default and is left out, so schedules read as they did before backups
    ...(r.kind === 'backup' ? { kind: 'backup' as const } : {}),
  },
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
  lastError: r.last_error,
});

const toDelivery = (r: DeliveryRecord): DigestDelivery => ({
  scheduleId: r.schedule_id,
  periodStart: new Date(r.period_start),
  periodEnd: new Date(r.period_end),
  status: r.status as DigestDeliveryStatus,
  late: r.late === 1,
  claimedAt: new Date(r.claimed_at),
  doneAt: r.done_at === null ? null : new Date(r.done_at),
  ts: r.ts,
  note: r.note,
});

const count = (result: {
  numUpdatedRows?: bigint;
  numDeletedRows?: bigint;
  numInsertedOrUpdatedRows?: bigint;
}) => Number(result.numUpdatedRows ?? result.numDeletedRows ?? result.numInsertedOrUpdatedRows ?? 0n);

export function createDigestStore(store: StoreDb): DigestStore {
  const db: Kysely<DigestTables> = store.withTables<DigestTables>();
  const delivery = (scheduleId: number, periodStart: Date) =>
    db
      .selectFrom('sent_digests')
      .selectAll()
      .where('schedule_id', '=', scheduleId)
      .where('period_start', '=', periodStart.getTime());
  const claimRow = (
    executor: Kysely<DigestTables>,
    row: { scheduleId: number; periodStart: Date; periodEnd: Date; status: string; late: boolean; now: Date },
  ) =>
    executor
      .insertInto('sent_digests')
      .values({
        schedule_id: row.scheduleId,
        period_start: row.periodStart.getTime(),
        period_end: row.periodEnd.getTime(),
        status: row.status,
        late: row.late ? 1 : 0,
        claimed_at: row.now.getTime(),
      })
      .onConflict((c) => c.columns(['schedule_id', 'period_start']).doNothing())
      .executeTakeFirst();
  const getSchedule = async (id: number): Promise<DigestSchedule | null> => {
    const r = await db.selectFrom('digest_schedules').selectAll().where('id', '=', id).executeTakeFirst();
    return r === undefined ? null : toSchedule(r);
  };
  return {
    schedules: {
      add: async (channelId, spec, createdBy, now) =>
        toSchedule(
          await db
            .insertInto('digest_schedules')
            .values({
              channel_id: channelId,
              period: spec.period,
              weekday: spec.weekday,
              hour: spec.hour,
              minute: spec.minute,
              time_zone: spec.timeZone,
              job: spec.filters.jobName,
              server: spec.filters.serverName,
              failed_only: spec.filters.failedOnly ? 1 : 0,
              kind: spec.filters.kind ?? 'replication',
              created_by: createdBy,
              created_at: now.getTime(),
            })
            .returningAll()
            .executeTakeFirstOrThrow(),
        ),
      get: getSchedule,
      list: async (channelId) => {
        let query = db.selectFrom('digest_schedules').selectAll().orderBy('id');
        if (channelId !== undefined) query = query.where('channel_id', '=', channelId);
        return (await query.execute()).map(toSchedule);
      },
      remove: async (id, channelId) =>
        count(
          await db
            .deleteFrom('digest_schedules')
            .where('id', '=', id)
            .where('channel_id', '=', channelId)
            .executeTakeFirst(),
        ) > 0,
      setError: async (id, error) => {
        await db
          .updateTable('digest_schedules')
          .set({ last_error: error === null ? null : error.slice(0, 300) })
          .where('id', '=', id)
          .execute();
      },
    },
    deliveries: {
      claim: async (scheduleId, periodStart, periodEnd, late, now) =>
        count(await claimRow(db, { scheduleId, periodStart, periodEnd, status: 'sending', late, now })) > 0,
      markSent: async (scheduleId, periodStart, ts, note, now) => {
        await db
          .updateTable('sent_digests')
          .set({ status: 'sent', ts, note, done_at: now.getTime() })
          .where('schedule_id', '=', scheduleId)
          .where('period_start', '=', periodStart.getTime())
          .execute();
      },
      skip: (scheduleId, periodStart, periodEnd, note, now) =>
        db.transaction().execute(async (trx) => {
          const taken =
            count(
              await claimRow(trx, {
                scheduleId,
                periodStart,
                periodEnd,
                status: 'skipped',
                late: false,
                now,
              }),
            ) > 0;
          if (taken)
            await trx
              .updateTable('sent_digests')
              .set({ note, done_at: now.getTime() })
              .where('schedule_id', '=', scheduleId)
              .where('period_start', '=', periodStart.getTime())
              .execute();
          return taken;
        }),
      release: async (scheduleId, periodStart) => {
        await db
          .deleteFrom('sent_digests')
          .where('schedule_id', '=', scheduleId)
          .where('period_start', '=', periodStart.getTime())
          .where('status', '=', 'sending')
          .execute();
      },
      resume: async (scheduleId, periodStart, late) =>
        count(
          await db
            .updateTable('sent_digests')
            .set({ late: late ? 1 : 0 })
            .where('schedule_id', '=', scheduleId)
            .where('period_start', '=', periodStart.getTime())
            .where('status', '=', 'sending')
            .executeTakeFirst(),
        ) > 0,
      abandon: async (scheduleId, periodStart, note, now) =>
        count(
          await db
            .updateTable('sent_digests')
            .set({ status: 'skipped', note, done_at: now.getTime() })
            .where('schedule_id', '=', scheduleId)
            .where('period_start', '=', periodStart.getTime())
            .where('status', '=', 'sending')
            .executeTakeFirst(),
        ) > 0,
      get: async (scheduleId, periodStart) => {
        const r = await delivery(scheduleId, periodStart).executeTakeFirst();
        return r === undefined ? null : toDelivery(r);
      },
      unfinished: async (scheduleId) =>
        (
          await db
            .selectFrom('sent_digests')
            .selectAll()
            .where('schedule_id', '=', scheduleId)
            .where('status', '=', 'sending')
            .orderBy('period_start')
            .execute()
        ).map(toDelivery),
      latest: async (scheduleId) => {
        const r = await db
          .selectFrom('sent_digests')
          .selectAll()
          .where('schedule_id', '=', scheduleId)
          .orderBy('period_start', 'desc')
          .limit(1)
          .executeTakeFirst();
        return r === undefined ? null : toDelivery(r);
      },
      list: async (scheduleId) =>
        (
          await db
            .selectFrom('sent_digests')
            .selectAll()
            .where('schedule_id', '=', scheduleId)
            .orderBy('period_start')
            .execute()
        ).map(toDelivery),
    },
  };
}
