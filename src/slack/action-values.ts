/**
 * The `action_id`s of replibot's buttons and what their `value` carries. A "Next page" value holds the question,
 * the offset, the asker's zone and the fixed `now` of the first answer, so page 2 reads "today" the same way as
 * page 1 did even if it is clicked after midnight.
 */

export const ACTION_SHOW_MORE = 'replibot_show_more';
export const ACTION_DETAILS = 'replibot_details';
export const ACTION_POST_TO_CHANNEL = 'replibot_post_to_channel';
export const ACTION_JOB_RUN_MORE = 'replibot_job_run_more';

/** Slack's limit on a button value is 2000 characters; stay below it with room for JSON quoting. */
const MAX_ACTION_VALUE = 1900;

export interface AnswerCursor {
  question: string;
  offset: number;
  timeZone: string;
  now: Date;
  /** true on an ephemeral slash-command answer, where "Post to channel" is offered */
  ephemeral: boolean;
}

export interface JobRunCursor {
  jobSessionId: string;
  offset: number;
  timeZone: string;
}

/** The button value, or null when the question is too long to carry (the button is then left out). */
export function encodeAnswerCursor(cursor: AnswerCursor): string | null {
  const value = JSON.stringify({
    q: cursor.question,
    o: cursor.offset,
    z: cursor.timeZone,
    n: cursor.now.toISOString(),
    e: cursor.ephemeral ? 1 : 0,
  });
  return value.length <= MAX_ACTION_VALUE ? value : null;
}

export function decodeAnswerCursor(value: string): AnswerCursor | null {
  try {
    const raw = JSON.parse(value) as Record<string, unknown>;
    const now = new Date(String(raw.n));
    if (typeof raw.q !== 'string' || typeof raw.z !== 'string' || Number.isNaN(now.getTime())) return null;
    const offset = Number(raw.o);
    if (!Number.isInteger(offset) || offset < 0) return null;
    return { question: raw.q, offset, timeZone: raw.z, now, ephemeral: raw.e === 1 };
  } catch {
    return null;
  }
}

export function encodeJobRunCursor(cursor: JobRunCursor): string {
  return JSON.stringify({ j: cursor.jobSessionId, o: cursor.offset, z: cursor.timeZone });
}

export function decodeJobRunCursor(value: string): JobRunCursor | null {
  try {
    const raw = JSON.parse(value) as Record<string, unknown>;
    const offset = Number(raw.o);
    if (typeof raw.j !== 'string' || !/^[\w:.-]{1,200}$/.test(raw.j) || typeof raw.z !== 'string')
      return null;
    if (!Number.isInteger(offset) || offset < 0) return null;
    return { jobSessionId: raw.j, offset, timeZone: raw.z };
  } catch {
    return null;
  }
}
