/**
 * The late-report guarantees, as pure decisions for the poller: when the reconciling sweep runs and how far back
 * it reads, which rows belong to the window asked for, how late EM reported a session, when a seen-marker can be
 * forgotten, and what the health page warns about. See docs/alerts.md ("Late reports").
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** EM keeps session history this long (its default retention); a session older than that cannot come back. */
export const EM_RETENTION_DAYS = 30;
/** seen-markers are kept this much longer than EM's retention, for clock offsets and a retention set a bit longer */
const RETENTION_MARGIN_MS = DAY_MS;
/** the daily deep sweep reads this far back: a backup server out of contact with EM for up to a week */
const DEEP_SWEEP_DAYS = 7;
const DEEP_SWEEP_EVERY_MS = DAY_MS;

export type SweepKind = 'reconcile' | 'deep';

export interface SweepPlan {
  kind: SweepKind;
  /** read failures and warnings that ended at or after this */
  from: Date;
}

/**
 * Whether this poll also sweeps, and from when. The sweep never reads from before replibot started watching
 * (`watchingSince`): a failure that ended before the first poll is history, not an alert.
 */
export function planSweep(input: {
  now: Date;
  watchingSince: Date;
  lastSweepAt: Date | null;
  lastDeepSweepAt: Date | null;
  intervalMs: number;
  lookbackMs: number;
}): SweepPlan | null {
  const now = input.now.getTime();
  const floor = input.watchingSince.getTime();
  const deepDue =
    input.lastDeepSweepAt === null || now - input.lastDeepSweepAt.getTime() >= DEEP_SWEEP_EVERY_MS;
  const deepFrom = now - Math.max(DEEP_SWEEP_DAYS * DAY_MS, input.lookbackMs);
  // a deep sweep that would read no further than the regular one is just the regular one
  if (deepDue && deepFrom < now - input.lookbackMs && floor < now - input.lookbackMs)
    return { kind: 'deep', from: new Date(Math.max(deepFrom, floor)) };
  const due = input.lastSweepAt === null || now - input.lastSweepAt.getTime() >= input.intervalMs;
  if (!due) return null;
  return { kind: 'reconcile', from: new Date(Math.max(now - input.lookbackMs, floor)) };
}

/** Seen-markers of sessions that ended before this can go: EM no longer has them, and no sweep reads that far. */
export function toPruneBefore(now: Date, lookbackMs: number): Date {
  const keepMs = Math.max(
    EM_RETENTION_DAYS * DAY_MS + RETENTION_MARGIN_MS,
    lookbackMs,
    DEEP_SWEEP_DAYS * DAY_MS,
  );
  return new Date(now.getTime() - keepMs);
}

/**
 * How long after a session ended EM reported it: first seen (the bot's clock, moved to EM's by the offset) minus
 * its end time (EM's clock). Never negative.
 */
export function toReportLagMs(endTime: Date, seenAt: Date, clockOffsetMs: number): number {
  return Math.max(0, seenAt.getTime() + clockOffsetMs - endTime.getTime());
}

/** EM's clock minus the bot's, from EM's latest `Date` header; 0 within the header's one-second resolution. */
export function toClockOffsetMs(serverDate: Date | null, now: Date): number | null {
  if (serverDate === null) return null;
  const offset = serverDate.getTime() - now.getTime();
  return Math.abs(offset) < 2000 ? 0 : offset;
}

/**
 * The regular poll's look-back: POLL_OVERLAP_MINUTES, widened by how far EM's clock is behind the bot's (EM
 * stamps end times with its own clock, so a window in the bot's time would start too late).
 */
export function toEffectiveOverlapMinutes(overlapMinutes: number, clockOffsetMs: number | null): number {
  const behindMs = Math.max(0, -(clockOffsetMs ?? 0));
  return overlapMinutes + behindMs / 60_000;
}

/** What /healthz warns about: an EM clock or report lag the regular poll's overlap does not cover. */
export function toLateReportWarnings(input: {
  overlapMinutes: number;
  clockOffsetMs: number | null;
  largestLagMs: number | null;
}): string[] {
  const overlapMs = input.overlapMinutes * 60_000;
  const warnings: string[] = [];
  if (input.clockOffsetMs !== null && Math.abs(input.clockOffsetMs) > overlapMs)
    warnings.push(
      `EM's clock is ${formatReportLag(Math.abs(input.clockOffsetMs))} ${input.clockOffsetMs < 0 ? 'behind' : 'ahead of'} replibot's (more than POLL_OVERLAP_MINUTES); the poll window is widened to match. Check NTP on the EM server.`,
    );
  if (input.largestLagMs !== null && input.largestLagMs > overlapMs)
    warnings.push(
      `EM reported a session ${formatReportLag(input.largestLagMs)} after it ended (more than POLL_OVERLAP_MINUTES): such sessions are alerted by the reconciling sweep, up to RECONCILE_INTERVAL_SECONDS later. Raise POLL_OVERLAP_MINUTES if this is usual.`,
    );
  return warnings;
}

/** 7_800_000 -> "2 h 10 min"; under an hour "40 min"; over a day "3 days 4 h". */
export function formatReportLag(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days} ${days === 1 ? 'day' : 'days'}${hours > 0 ? ` ${hours} h` : ''}`;
  if (hours > 0) return `${hours} h${mins > 0 ? ` ${mins} min` : ''}`;
  return `${mins} min`;
}
