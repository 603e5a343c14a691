import { describe, expect, it } from 'vitest';
import type { NameRow, RowsReply } from '../../../../src/answers/domain/reply.js';
import { renderReply } from '../../../../src/answers/slack/render-reply.js';
import { renderAskJson } from '../../../../src/answers/text/render-ask-json.js';
import { renderText } from '../../../../src/answers/text/render-text.js';
import type { QueryIntent } from '../../../../src/question/query-intent.js';
import { findBlockKitViolations } from '../../../../src/slack/limits.js';

const NOW = new Date('2026-11-20T12:00:00Z');

function intent(answer: QueryIntent['answer']): QueryIntent {
  return {
    type: 'ReplicaTaskSession',
    filter: null,
    sort: { field: 'CreationTime', direction: 'desc' },
    limit: null,
    explanation: 'VMs by count, counted over every page of failed replication task sessions this week',
    phrase: 'failed replicas this week',
    window: { from: new Date('2026-11-16T00:00:00Z'), to: null },
    defaultWindow: false,
    beyondRetention: false,
    sessionId: null,
    timeZone: 'UTC',
    corrections: [],
    answer,
  };
}

function row(name: string, failed: number, lastSuccess?: Date | null): NameRow {
  return {
    name,
    kind: 'vm',
    counts: { Success: 1, Warning: 0, Failed: failed, None: 0, Unknown: 0 },
    total: failed + 1,
    rate: 1 / (failed + 1),
    ...(lastSuccess !== undefined ? { lastSuccess } : {}),
  };
}

function reply(rows: NameRow[], answer: QueryIntent['answer']): RowsReply {
  return {
    kind: 'rows',
    question: 'q',
    intent: intent(answer),
    rows,
    totalRows: rows.length,
    scanned: 99,
    truncated: false,
    now: NOW,
    note: 'Counted over every page: 99 sessions read.',
  };
}

const RANKING = { kind: 'ranking', by: 'vm', top: null, moreThan: null, measure: 'count' } as const;

describe('rows in Slack and the terminal', () => {
  it('draws a ranking as a table within Block Kit limits, with hostile names inert', () => {
    const hostile = ['<!channel>', '*bold* `tick`', '<https://evil|click>', 'a'.repeat(300), 'ok01'];
    const many = Array.from({ length: 500 }, (_, i) => row(hostile[i % hostile.length] ?? 'x', 500 - i));
    const message = renderReply(reply(many, RANKING), { timeZone: 'UTC' });
    expect(findBlockKitViolations(message, 'message')).toEqual([]);
    const shown = JSON.stringify(message);
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<https://evil|click>');
    expect(message.text.length).toBeGreaterThan(0);
    expect(shown).toContain('more rows not shown');
    // what was read is the first context line
    const context = message.blocks.find((b) => b.type === 'context');
    expect(JSON.stringify(context)).toContain('VMs by count');
  });

  it('says "never in EM\'s 30 days" for a VM with no success, and the age of the others', () => {
    const answer = { kind: 'last-success', every: 'vm', olderThanMs: 86_400_000 } as const;
    const r = reply([row('new-vm', 0, null), row('old-vm', 0, new Date('2026-11-18T12:00:00Z'))], answer);
    const text = renderText(r, { color: false, timeZone: 'UTC' });
    expect(text).toContain('new-vm');
    expect(text).toContain("never in EM's 30 days");
    expect(text).toContain('2d ago');
    const json = renderAskJson(r) as { rows: Array<{ name: string; lastSuccess: string | null }> };
    expect(json.rows).toEqual([
      expect.objectContaining({ name: 'new-vm', lastSuccess: null }),
      expect.objectContaining({ name: 'old-vm', lastSuccess: '2026-11-18T12:00:00.000Z' }),
    ]);
  });

  it('keeps a terminal table free of control characters from EM names', () => {
    const text = renderText(reply([row('evil\u001b[31mred', 3)], RANKING), { color: false, timeZone: 'UTC' });
    expect(text).not.toContain('\u001b');
  });
});
