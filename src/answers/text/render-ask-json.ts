/**
 * `replibot ask --format json`: the query sent and every matching session, for scripts. On an empty answer to a
 * question naming VMs, jobs or servers EM has never seen, `unknownNames` lists them with look-alikes, so a
 * script can tell a typo from an all-clear.
 */

import { toFilterString } from '../../core/filter.js';
import type { SessionType } from '../../core/sessions.js';
import type { QueryIntent } from '../../question/query-intent.js';
import type { NameRow, Reply } from '../domain/reply.js';

/** The EM query type the answer read: a backup question reads EM's backup sessions, not its replica ones. */
export function toShownType(intent: QueryIntent): SessionType {
  if (intent.kind !== 'backup') return intent.type;
  if (intent.type === 'ReplicaTaskSession') return 'BackupTaskSession';
  if (intent.type === 'ReplicaJobSession') return 'BackupJobSession';
  return intent.type;
}

/** The query part every answer shows: what was sent to EM and how the question was read. */
function toQueryJson(intent: QueryIntent): Record<string, unknown> {
  return {
    type: toShownType(intent),
    filter: intent.filter ? toFilterString(toShownType(intent), intent.filter) : null,
    sort: intent.sort,
    limit: intent.limit,
    sessionId: intent.sessionId,
    window: intent.window
      ? { from: intent.window.from.toISOString(), to: intent.window.to?.toISOString() ?? null }
      : null,
    defaultWindow: intent.defaultWindow,
    beyondRetention: intent.beyondRetention,
    timeZone: intent.timeZone,
    explanation: intent.explanation,
    phrase: intent.phrase,
    answer: intent.answer,
  };
}

function withoutAnswerKind(query: Record<string, unknown>): Record<string, unknown> {
  const { answer: _kind, ...rest } = query;
  return rest;
}

function toRowJson(row: NameRow): Record<string, unknown> {
  return {
    name: row.name,
    kind: row.kind,
    counts: row.counts,
    total: row.total,
    rate: row.rate,
    ...(row.lastSuccess !== undefined ? { lastSuccess: row.lastSuccess?.toISOString() ?? null } : {}),
  };
}

export function renderAskJson(reply: Reply): unknown {
  switch (reply.kind) {
    case 'rows':
      return {
        query: toQueryJson(reply.intent),
        corrections: reply.intent.corrections,
        rows: reply.rows.map(toRowJson),
        totalRows: reply.totalRows,
        scanned: reply.scanned,
        truncated: reply.truncated,
        note: reply.note,
      };
    case 'compare':
      return {
        query: toQueryJson(reply.intent),
        corrections: reply.intent.corrections,
        compare: {
          current: reply.current,
          previous: reply.previous,
          change: reply.current - reply.previous,
          newNames: reply.newNames,
          nameKind: reply.nameKind,
        },
        truncated: reply.truncated,
      };
    case 'answer': {
      const { intent } = reply;
      return {
        ...(reply.verdict ? { answer: reply.verdict.answer, verdict: reply.verdict.line } : {}),
        corrections: intent.corrections,
        ...(reply.note ? { note: reply.note } : {}),
        // the answer kind is not repeated here: `answer` above is the verdict
        query: withoutAnswerKind(toQueryJson(intent)),
        total: reply.total,
        truncated: reply.truncated,
        unreadableRows: reply.unreadableRows ?? 0,
        counts: reply.counts,
        unknownNames: (reply.unknownNames ?? []).map((u) => ({
          field: u.field,
          name: u.name,
          suggestions: u.suggestions,
          ...(u.otherFields?.length ? { otherFields: u.otherFields } : {}),
        })),
        sessions: reply.sessions.map((row) => ({
          uid: row.uid,
          vmDisplayName: row.vmDisplayName,
          jobName: row.jobName,
          backupServerName: row.backupServerName,
          state: row.state,
          result: row.result,
          reason: row.reason,
          creationTime: row.creationTime.toISOString(),
          endTime: row.endTime?.toISOString() ?? null,
          totalSize: row.totalSize,
        })),
      };
    }
    case 'job-run':
      return {
        jobRun: { uid: reply.job.uid, jobName: reply.job.jobName, result: reply.job.result },
        total: reply.total,
      };
    case 'help':
      return { help: reply.help };
    case 'notice':
      return { notice: { title: reply.title, lines: reply.lines } };
    case 'not-understood':
      return {
        notUnderstood: { question: reply.question, error: reply.error, suggestions: reply.suggestions },
      };
    case 'error':
      return {
        error: {
          code: reply.error.code,
          message: reply.error.message,
          hint: reply.error.hint ?? null,
          referenceId: reply.referenceId,
        },
      };
    default: {
      const unhandled: never = reply;
      return unhandled;
    }
  }
}
