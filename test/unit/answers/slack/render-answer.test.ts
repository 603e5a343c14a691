import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionListReply, SessionRow } from '../../../../src/answers/domain/reply.js';
import { renderAnswer } from '../../../../src/answers/slack/render-answer.js';
import type { QueryIntent } from '../../../../src/question/query-intent.js';
import { decodeAnswerCursor } from '../../../../src/slack/action-values.js';
import { findBlockKitViolations } from '../../../../src/slack/limits.js';

const NOW = new Date('2024-05-14T10:00:00Z');

function intent(overrides: Partial<QueryIntent> = {}): QueryIntent {
  return {
    type: 'ReplicaTaskSession',
    filter: null,
    sort: { field: 'CreationTime', direction: 'desc' },
    limit: null,
    explanation: 'failed replication task sessions of apache02 since 00:00 today (Europe/Berlin)',
    phrase: 'failed replicas for apache02 today',
    window: { from: new Date('2024-05-13T22:00:00Z'), to: null },
    defaultWindow: false,
    beyondRetention: false,
    sessionId: null,
    timeZone: 'Europe/Berlin',
    corrections: [],
    answer: { kind: 'list' },
    ...overrides,
  };
}

function row(overrides: Partial<SessionRow> = {}): SessionRow {
  return {
    kind: 'task',
    uid: 'urn:veeam:ReplicaTaskSession:1',
    id: '1',
    vmDisplayName: 'apache02',
    jobName: 'Web replicas',
    backupServerName: 'vbr01',
    jobSessionId: 'job-1',
    creationTime: new Date('2024-05-14T07:03:00Z'),
    endTime: new Date('2024-05-14T07:15:30Z'),
    state: 'Completed',
    result: 'Failed',
    reason: 'Failed to connect to host esx01',
    totalSize: 4.2 * 1024 ** 3,
    running: false,
    ...overrides,
  };
}

function reply(sessions: SessionRow[], overrides: Partial<SessionListReply> = {}): SessionListReply {
  return {
    kind: 'answer',
    question: 'replicas failed today for apache02',
    intent: intent(),
    total: sessions.length,
    counts: {
      None: 0,
      Success: sessions.filter((s) => s.result === 'Success').length,
      Warning: sessions.filter((s) => s.result === 'Warning').length,
      Unknown: 0,
      Failed: sessions.filter((s) => s.result === 'Failed').length,
    },
    sessions,
    offset: 0,
    pageSize: 10,
    now: NOW,
    truncated: false,
    ...overrides,
  };
}

describe('renderAnswer', () => {
  it('says plainly when nothing matched', () => {
    const message = renderAnswer(reply([]), { timeZone: 'Europe/Berlin' });
    expect(message.text).toBe('No failed replicas for apache02 today.');
    expect(JSON.stringify(message.blocks)).toContain('No failed replicas for apache02 today.');
  });

  it('names what was asked in the header and shows the window as Slack dates', () => {
    const message = renderAnswer(reply([row()]), { timeZone: 'Europe/Berlin' });
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Failed replicas for apache02 today', emoji: false },
    });
    expect(JSON.stringify(message.blocks[1])).toContain(
      '<!date^1715637600^{date_short_pretty} {time}|2024-05-14 00:00 CEST>',
    );
  });

  it('shows VM, job, server, start, duration, size and the reason of a failed session', () => {
    const text = JSON.stringify(renderAnswer(reply([row()]), { timeZone: 'Europe/Berlin' }).blocks);
    for (const part of [
      '*apache02*',
      'job Web replicas',
      'on vbr01',
      '2024-05-14 09:03',
      'took 12m 30s',
      '4.2 GB',
      '> Failed to connect to host esx01',
      ':x:',
    ])
      expect(text).toContain(part);
  });

  it('escapes names and reasons from EM so they ping nobody', () => {
    const message = renderAnswer(
      reply([
        row({ vmDisplayName: '<!channel>', jobName: '<https://evil|click>', reason: '<!here> & <@U1>' }),
      ]),
      { timeZone: 'UTC' },
    );
    const text = JSON.stringify(message);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil|click>');
    expect(text).not.toContain('<!here>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('&lt;https://evil|click&gt;');
  });

  it('offers the next page with the question, offset, zone, a fixed now and the totals in the button', () => {
    const sessions = Array.from({ length: 10 }, (_, i) => row({ id: String(i) }));
    const counts = { None: 2, Success: 40, Warning: 5, Failed: 10, Unknown: 0 };
    const message = renderAnswer(reply(sessions, { total: 57, counts }), {
      timeZone: 'Europe/Berlin',
      ephemeral: true,
    });
    const actions = message.blocks.at(-1) as { elements: Array<{ action_id: string; value: string }> };
    const more = actions.elements.find((e) => e.action_id === 'replibot_show_more')!;
    expect(decodeAnswerCursor(more.value)).toEqual({
      question: 'replicas failed today for apache02',
      offset: 10,
      timeZone: 'Europe/Berlin',
      now: NOW,
      ephemeral: true,
      known: { total: 57, counts },
    });
    expect(actions.elements.map((e) => e.action_id)).toContain('replibot_post_to_channel');
  });

  it('reads a button whose totals were tampered with as one without totals', () => {
    const value = (c: unknown) =>
      JSON.stringify({ q: 'failed today', o: 10, z: 'UTC', n: NOW.toISOString(), e: 0, c });
    expect(decodeAnswerCursor(value([57, 2, 40, 5, 10, 0]))?.known).toEqual({
      total: 57,
      counts: { None: 2, Success: 40, Warning: 5, Failed: 10, Unknown: 0 },
    });
    for (const bad of [[57, 2, 40, 5, 10], [57, -1, 40, 5, 10, 0], [57, 2, 40, 5, 10, 0.5], 'x'])
      expect(decodeAnswerCursor(value(bad))).toEqual({
        question: 'failed today',
        offset: 10,
        timeZone: 'UTC',
        now: NOW,
        ephemeral: false,
      });
  });

  it('stays within every Block Kit limit whatever EM returns', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 4000 });
    const arbitraryRow = fc.record({
      vmDisplayName: text,
      jobName: fc.option(text),
      backupServerName: fc.option(text),
      reason: text,
      result: fc.constantFrom('Success', 'Warning', 'Failed', 'None' as const),
    });
    fc.assert(
      fc.property(
        fc.array(arbitraryRow, { minLength: 0, maxLength: 10 }),
        fc.string({ maxLength: 1000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (rows, question, extra) => {
          const sessions = rows.map((r, i) => row({ ...r, id: String(i) }));
          const message = renderAnswer(
            reply(sessions, {
              question,
              total: sessions.length + extra,
              intent: intent({ phrase: question || 'replicas', explanation: question }),
            }),
            { timeZone: 'UTC', ephemeral: true, askedBy: 'U123' },
          );
          expect(findBlockKitViolations(message)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('renderAnswer counts', () => {
  it('says "warnings" for more than one warning, and "warning" for one', () => {
    const two = renderAnswer(reply([row({ result: 'Warning' }), row({ result: 'Warning', uid: 'u2' })]), {
      timeZone: 'UTC',
    });
    expect(JSON.stringify(two.blocks)).toContain('2 warnings');
    expect(two.text).toContain('2 warnings');
    const one = renderAnswer(reply([row({ result: 'Warning' })]), { timeZone: 'UTC' });
    expect(JSON.stringify(one.blocks)).toMatch(/1 warning(?!s)/);
  });
});

describe('renderAnswer for names EM does not know', () => {
  it('escapes the typed name and every suggestion, and stays within Block Kit limits for many names', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      field: 'VmDisplayName' as const,
      name: `<!channel> ${'x'.repeat(300)} ${i}`,
      suggestions: ['<https://evil|click>', 'a & b', 'c > d'],
    }));
    const message = renderAnswer(reply([], { unknownNames: many, knownNames: [] }), {
      timeZone: 'UTC',
    });
    const raw = JSON.stringify(message);
    expect(raw).not.toContain('<!channel>');
    expect(raw).not.toContain('<https://evil|click>');
    expect(raw).toContain('Did you mean &lt;https://evil|click&gt;, a &amp; b or c &gt; d?');
    expect(raw).not.toContain('No failed replicas');
    expect(findBlockKitViolations(message)).toEqual([]);
  });

  it('adds the plain "No ..." line when some of the names exist', () => {
    const message = renderAnswer(
      reply([], {
        unknownNames: [{ field: 'JobName', name: 'Web replicaz', suggestions: ['Web replicas'] }],
        knownNames: [{ field: 'VmDisplayName', name: 'apache02' }],
      }),
      { timeZone: 'UTC' },
    );
    expect(message.text).toBe(
      'Enterprise Manager has no job named Web replicaz in its 30 days of history. Did you mean Web replicas? No failed replicas for apache02 today.',
    );
  });
});
