/**
 * Persistence for digests: the schedules a channel set up, and one row per schedule and period that makes each
 * digest go out once, across restarts. Works on the shared SQLite database opened by `openStore`.
 */

import type { SqliteDatabase } from '../../store/open-database.js';
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
    add(channelId: string, spec: DigestScheduleSpec, createdBy: string, now: Date): DigestSchedule;
    get(id: number): DigestSchedule | null;
    /** every schedule, or one channel's, oldest first */
    list(channelId?: string): DigestSchedule[];
    /** removes a schedule of that channel (a channel cannot remove another's); false when there is none */
    remove(id: number, channelId: string): boolean;
    setError(id: number, error: string | null): void;
  };
  deliveries: {
    /**
     * Takes the period for this schedule; false when it was already taken (sent, being sent or skipped).
     * This insert is the exactly-once guard: only the caller that gets true may post.
     */
    claim(scheduleId: number, periodStart: Date, periodEnd: Date, late: boolean, now: Date): boolean;
    markSent(scheduleId: number, periodStart: Date, ts: string, note: string | null, now: Date): void;
    /** records a period that will not be posted (missed beyond the grace period, nothing to report) */
    skip(scheduleId: number, periodStart: Date, periodEnd: Date, note: string, now: Date): boolean;
    /** gives a claimed period back after a failed post, so a later attempt may send it */
    release(scheduleId: number, periodStart: Date): void;
    /**
     * Takes over a period left in `sending` by an attempt that did not finish (a process that died, a post whose
     * answer never came), once the channel history showed it was not posted; `late` is the new attempt's.
     * False when the row is no longer `sending`.
     */
    resume(scheduleId: number, periodStart: Date, late: boolean): boolean;
    /** records a period left in `sending` as skipped (not posted, and too late to post now) */
    abandon(scheduleId: number, periodStart: Date, note: string, now: Date): boolean;
    get(scheduleId: number, periodStart: Date): DigestDelivery | null;
    /** the schedule's periods still in `sending`, oldest first */
    unfinished(scheduleId: number): DigestDelivery[];
    latest(scheduleId: number): DigestDelivery | null;
    list(scheduleId: number): DigestDelivery[];
  };
}

interface ScheduleRecord {
  id: number;
  channel_id: string;
  period: string;
  weekday: number | null;
  hour: number;
  minute: number;
  time_zone: string;
  job: string | null;
  server: string | null;
  failed_only: number;
  /** migration 250 */
  kind?: string;
  created_by: string;
  created_at: number;
  last_error: string | null;
}

interface DeliveryRecord {
  schedule_id: number;
  period_start: number;
  period_end: number;
  status: string;
  late: number;
  claimed_at: number;
  done_at: number | null;
  ts: string | null;
  note: string | null;
}

const toSchedule = (r: ScheduleRecord): DigestSchedule => ({
  id: r.id,
  channelId: r.channel_id,
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

export function createDigestStore(db: SqliteDatabase): DigestStore {
  const q = {
    insert: db.prepare(
      `INSERT INTO digest_schedules (channel_id, period, weekday, hour, minute, time_zone, job, server, failed_only,
       created_by, created_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    byId: db.prepare('SELECT * FROM digest_schedules WHERE id = ?'),
    all: db.prepare('SELECT * FROM digest_schedules ORDER BY id'),
    channel: db.prepare('SELECT * FROM digest_schedules WHERE channel_id = ? ORDER BY id'),
    remove: db.prepare('DELETE FROM digest_schedules WHERE id = ? AND channel_id = ?'),
    setError: db.prepare('UPDATE digest_schedules SET last_error = ? WHERE id = ?'),
    claim: db.prepare(
      `INSERT INTO sent_digests (schedule_id, period_start, period_end, status, late, claimed_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (schedule_id, period_start) DO NOTHING`,
    ),
    sent: db.prepare(
      "UPDATE sent_digests SET status = 'sent', ts = ?, note = ?, done_at = ? WHERE schedule_id = ? AND period_start = ?",
    ),
    skipNote: db.prepare(
      'UPDATE sent_digests SET note = ?, done_at = ? WHERE schedule_id = ? AND period_start = ?',
    ),
    release: db.prepare(
      "DELETE FROM sent_digests WHERE schedule_id = ? AND period_start = ? AND status = 'sending'",
    ),
    resume: db.prepare(
      "UPDATE sent_digests SET late = ? WHERE schedule_id = ? AND period_start = ? AND status = 'sending'",
    ),
    abandon: db.prepare(
      `UPDATE sent_digests SET status = 'skipped', note = ?, done_at = ?
       WHERE schedule_id = ? AND period_start = ? AND status = 'sending'`,
    ),
    get: db.prepare('SELECT * FROM sent_digests WHERE schedule_id = ? AND period_start = ?'),
    unfinished: db.prepare(
      "SELECT * FROM sent_digests WHERE schedule_id = ? AND status = 'sending' ORDER BY period_start",
    ),
    latest: db.prepare('SELECT * FROM sent_digests WHERE schedule_id = ? ORDER BY period_start DESC LIMIT 1'),
    list: db.prepare('SELECT * FROM sent_digests WHERE schedule_id = ? ORDER BY period_start'),
  };
  return {
    schedules: {
      add: (channelId, spec, createdBy, now) => {
        const id = Number(
          q.insert.run(
            channelId,
            spec.period,
            spec.weekday,
            spec.hour,
            spec.minute,
            spec.timeZone,
            spec.filters.jobName,
            spec.filters.serverName,
            spec.filters.failedOnly ? 1 : 0,
            createdBy,
            now.getTime(),
            spec.filters.kind ?? 'replication',
          ).lastInsertRowid,
        );
        return toSchedule(q.byId.get(id) as ScheduleRecord);
      },
      get: (id) => {
        const r = q.byId.get(id) as ScheduleRecord | undefined;
        return r === undefined ? null : toSchedule(r);
      },
      list: (channelId) =>
        ((channelId === undefined ? q.all.all() : q.channel.all(channelId)) as ScheduleRecord[]).map(
          toSchedule,
        ),
      remove: (id, channelId) => q.remove.run(id, channelId).changes > 0,
      setError: (id, error) => {
        q.setError.run(error === null ? null : error.slice(0, 300), id);
      },
    },
    deliveries: {
      claim: (scheduleId, periodStart, periodEnd, late, now) =>
        q.claim.run(
          scheduleId,
          periodStart.getTime(),
          periodEnd.getTime(),
          'sending',
          late ? 1 : 0,
          now.getTime(),
        ).changes > 0,
      markSent: (scheduleId, periodStart, ts, note, now) => {
        q.sent.run(ts, note, now.getTime(), scheduleId, periodStart.getTime());
      },
      skip: (scheduleId, periodStart, periodEnd, note, now) =>
        db.transaction(() => {
          const taken =
            q.claim.run(scheduleId, periodStart.getTime(), periodEnd.getTime(), 'skipped', 0, now.getTime())
              .changes > 0;
          if (taken) q.skipNote.run(note, now.getTime(), scheduleId, periodStart.getTime());
          return taken;
        })(),
      release: (scheduleId, periodStart) => {
        q.release.run(scheduleId, periodStart.getTime());
      },
      resume: (scheduleId, periodStart, late) =>
        q.resume.run(late ? 1 : 0, scheduleId, periodStart.getTime()).changes > 0,
      abandon: (scheduleId, periodStart, note, now) =>
        q.abandon.run(note, now.getTime(), scheduleId, periodStart.getTime()).changes > 0,
      get: (scheduleId, periodStart) => {
        const r = q.get.get(scheduleId, periodStart.getTime()) as DeliveryRecord | undefined;
        return r === undefined ? null : toDelivery(r);
      },
      unfinished: (scheduleId) => (q.unfinished.all(scheduleId) as DeliveryRecord[]).map(toDelivery),
      latest: (scheduleId) => {
        const r = q.latest.get(scheduleId) as DeliveryRecord | undefined;
        return r === undefined ? null : toDelivery(r);
      },
      list: (scheduleId) => (q.list.all(scheduleId) as DeliveryRecord[]).map(toDelivery),
    },
  };
}
