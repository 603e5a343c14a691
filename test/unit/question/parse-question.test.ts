import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { and, cmp, eq, toFilterString } from '../../../src/core/filter.js';
import { EXAMPLE_QUESTIONS } from '../../../src/question/help.js';
import { formatIn, isKnownTimeZone } from '../../../src/question/local-calendar.js';
import {
  describeDefaultWindow,
  MAX_QUESTION_LENGTH,
  parseQuestion,
} from '../../../src/question/parse-question.js';
import type { ParsedQuestion, QueryIntent } from '../../../src/question/query-intent.js';
import { KNOWN_WORDS, ORDINARY_WORDS } from '../../../src/question/vocabulary.js';

const NOW = new Date('2026-11-23T10:05:00.000Z');
const BERLIN = { now: NOW, timeZone: 'Europe/Berlin' };

function query(text: string, options = BERLIN): QueryIntent {
  const parsed = parseQuestion(text, options);
  if (parsed.kind !== 'query') throw new Error(`not a query: ${JSON.stringify(parsed)}`);
  return parsed.intent;
}

function notUnderstood(text: string, options = BERLIN): { error: string; suggestions: string[] } {
  const parsed = parseQuestion(text, options);
  if (parsed.kind !== 'not-understood') throw new Error(`understood: ${JSON.stringify(parsed)}`);
  return parsed;
}

describe('parseQuestion suggestions', () => {
  it('does not move a word behind "for" when the question already names a VM, job or server', () => {
    for (const text of ['mute vm apache02 1h', 'failed in job Exchange "DAG" Replica this week']) {
      const { suggestions } = notUnderstood(text);
      expect(
        suggestions.some((s) => / for (mute|"DAG")$/.test(s)),
        text,
      ).toBe(false);
      for (const suggestion of suggestions)
        expect(parseQuestion(suggestion, BERLIN).kind, suggestion).toBe('query');
    }
    expect(notUnderstood('failed in job Exchange "DAG" Replica this week').suggestions).not.toContain(
      'failed in job Exchange Replica this week for "DAG"',
    );
  });

  it('still offers an unknown word as a name when nothing else is named', () => {
    expect(notUnderstood('apache02 failed today').suggestions[0]).toBe('failed today for apache02');
  });
});

describe('parseQuestion date words', () => {
  // NOW is Monday 23 Nov 2026 11:05 in Berlin
  it('reads "2 days ago" as that calendar day in the asker\'s zone, not the last 48 hours', () => {
    const intent = query('failed 2 days ago');
    expect(intent.window).toEqual({
      from: new Date('2026-11-20T23:00:00.000Z'),
      to: new Date('2026-11-21T23:00:00.000Z'),
    });
    expect(intent.explanation).toContain('2 days ago, on Saturday 21 Nov 2026');
    expect(query('failed 1 day ago').window).toEqual(query('failed yesterday').window);
    expect(query('failed 3 hours ago').window).toEqual({
      from: new Date('2026-11-23T07:05:00.000Z'),
      to: null,
    });
  });

  it("reads a month name as that whole month in the asker's zone, with or without a year", () => {
    expect(query('failed in october').window).toEqual({
      from: new Date('2026-09-30T22:00:00.000Z'),
      to: new Date('2026-10-31T23:00:00.000Z'),
    });
    expect(query('failed in october').phrase).toBe('failed replicas in October');
    expect(query('failed in november').window).toEqual({
      from: new Date('2026-10-31T23:00:00.000Z'),
      to: null,
    });
    expect(query('failed in oct 2025').window?.from).toEqual(new Date('2025-09-30T22:00:00.000Z'));
    expect(query('failed in october 2025').phrase).toBe('failed replicas in October 2025');
  });

  it("reads a month still ahead this year as last year's, and refuses one ahead with a year", () => {
    expect(query('failed in december').window).toEqual({
      from: new Date('2025-11-30T23:00:00.000Z'),
      to: new Date('2025-12-31T23:00:00.000Z'),
    });
    expect(notUnderstood('failed in december 2026').error).toMatch(/in the future/);
  });

  it('does not take "may" alone for the month', () => {
    expect(query('failed in may').window?.from).toEqual(new Date('2026-04-30T22:00:00.000Z'));
    expect(parseQuestion('replicas that may fail', BERLIN).kind).toBe('not-understood');
  });
});

describe('parseQuestion', () => {
  it('keeps the order asked for in the header phrase ("biggest replicas")', () => {
    expect(query('biggest replicas this week').phrase).toBe('largest replicas this week');
    expect(query('smallest failed replicas today').phrase).toBe('smallest failed replicas today');
    expect(query('replicas today').phrase).toBe('replicas today');
  });

  it('explains the question the way the issue words it', () => {
    const intent = query('replicas failed today for apache02');
    expect(intent.explanation).toBe(
      'failed replication task sessions of apache02 since 00:00 today (Europe/Berlin)',
    );
    expect(intent.phrase).toBe('failed replicas for apache02 today');
    expect(intent.window).toEqual({ from: new Date('2026-11-22T23:00:00.000Z'), to: null });
    expect(intent.defaultWindow).toBe(false);
    expect(intent.beyondRetention).toBe(false);
    expect(intent.sessionId).toBeNull();
    expect(intent.timeZone).toBe('Europe/Berlin');
  });

  it('assumes the last 24 hours when no time is named, and names that window only', () => {
    const intent = query('failed replicas for apache02');
    expect(intent.defaultWindow).toBe(true);
    expect(intent.window).toEqual({ from: new Date('2026-11-22T10:05:00.000Z'), to: null });
    // the UI adds its own "no time was named" note when defaultWindow is set
    expect(intent.explanation).toBe(
      'failed replication task sessions of apache02 in the last 24 hours (since Sun 22 Nov 2026 11:05, Europe/Berlin)',
    );
    expect(intent.explanation).not.toMatch(/no time/i);
    expect(intent.phrase).toBe('failed replicas for apache02 in the last 24 hours');
    expect(describeDefaultWindow(intent, NOW)).toBe('the last 24 hours');
  });

  it('shows running and pending sessions whenever they started when no time is named', () => {
    for (const text of ['running replicas', 'pending replicas for apache02', 'running replication jobs']) {
      const intent = query(text);
      expect(intent.window, text).toBeNull();
      expect(intent.defaultWindow, text).toBe(false);
      expect(intent.beyondRetention, text).toBe(false);
      expect(intent.explanation, text).toMatch(/, whenever they started$/);
      expect(intent.explanation, text).not.toMatch(/no time|24 hours/i);
      expect(describeDefaultWindow(intent, NOW), text).toBeNull();
    }
    expect(query('running replicas').explanation).toBe(
      'running replication task sessions, whenever they started',
    );
    expect(query('running replicas').phrase).toBe('running replicas');
    // a named time still applies, and "failed or running" still needs a window for its failures
    expect(query('running replicas today').window?.from).toEqual(new Date('2026-11-22T23:00:00.000Z'));
    expect(query('failed or running').defaultWindow).toBe(true);
  });

  it("looks back over EM's 30 days for a count with no time words", () => {
    const intent = query('last 5 failures for apache02');
    expect(intent.limit).toBe(5);
    expect(intent.defaultWindow).toBe(true);
    expect(intent.beyondRetention).toBe(false);
    // 30 calendar days back: 11:05 local on 24 Oct, still summer time in Berlin
    expect(intent.window).toEqual({ from: new Date('2026-10-24T09:05:00.000Z'), to: null });
    expect(intent.explanation).toBe(
      'the 5 most recent failed replication task sessions of apache02 in the last 30 days (EM keeps 30 days), since Sat 24 Oct 2026 11:05 (Europe/Berlin)',
    );
    expect(intent.explanation).not.toMatch(/no time/i);
    expect(intent.phrase).toBe('failed replicas for apache02 in the last 30 days');
    expect(describeDefaultWindow(intent, NOW)).toBe('the last 30 days');
    expect(query('10 most recent replicas').window?.from).toEqual(new Date('2026-10-24T09:05:00.000Z'));
    // with a time, the count applies inside it
    expect(query('last 5 failures today').defaultWindow).toBe(false);
  });

  it('reads parts of the day with clear local bounds and names them', () => {
    expect(query('failed this morning').explanation).toBe(
      'failed replication task sessions this morning (06:00 to 12:00, Europe/Berlin)',
    );
    expect(query('failed yesterday evening').explanation).toBe(
      'failed replication task sessions yesterday evening (18:00 to 24:00, Europe/Berlin)',
    );
    expect(query('failed yesterday evening').phrase).toBe('failed replicas yesterday evening');
    expect(
      query('failed tonight', { now: new Date('2026-11-23T20:00:00.000Z'), timeZone: 'Europe/Berlin' })
        .explanation,
    ).toBe('failed replication task sessions tonight (18:00 today to 06:00 tomorrow, Europe/Berlin)');
    expect(query('failed friday night').explanation).toBe(
      'failed replication task sessions on the night of Friday 20 Nov 2026 (18:00 to 06:00 the next morning, Europe/Berlin)',
    );
  });

  it('reads "how did apache02 do" as every result of apache02', () => {
    const intent = query('how did apache02 do this week');
    expect(intent.filter).toEqual(
      and(eq('VmDisplayName', 'apache02'), cmp('CreationTime', '>=', new Date('2026-11-22T23:00:00.000Z'))),
    );
    expect(intent.explanation).toBe(
      'replication task sessions of apache02 this week (since Monday 23 Nov 2026 00:00, Europe/Berlin)',
    );
  });

  it('gives closed windows both bounds', () => {
    const intent = query('failed yesterday');
    expect(intent.window).toEqual({
      from: new Date('2026-11-21T23:00:00.000Z'),
      to: new Date('2026-11-22T23:00:00.000Z'),
    });
    expect(intent.explanation).toBe(
      'failed replication task sessions from 00:00 yesterday to 00:00 today (Europe/Berlin)',
    );
    expect(intent.phrase).toBe('failed replicas yesterday');
  });

  it('flags a window that reaches past the 30 days EM keeps, and keeps it', () => {
    expect(query('failed last 30 days').beyondRetention).toBe(false);
    const old = query('failed last 31 days');
    expect(old.beyondRetention).toBe(true);
    expect(old.window?.from).toEqual(new Date('2026-10-23T09:05:00.000Z'));
    expect(query('failed since Dec 25 2025').beyondRetention).toBe(true);
  });

  it('builds the filter from the typed builder, not from strings', () => {
    const intent = query('failed for apache02 today');
    expect(intent.filter).toEqual(
      and(
        eq('Result', 'Failed'),
        eq('VmDisplayName', 'apache02'),
        cmp('CreationTime', '>=', new Date('2026-11-22T23:00:00.000Z')),
      ),
    );
  });

  it('looks a session up by id, with no time window', () => {
    const intent = query('session 2F6D8C1E-3B1A-4C55-9E0B-6A7D2C9F1E42');
    expect(intent.sessionId).toBe('urn:veeam:ReplicaTaskSession:2f6d8c1e-3b1a-4c55-9e0b-6a7d2c9f1e42');
    expect(intent.window).toBeNull();
    expect(intent.defaultWindow).toBe(false);
    expect(intent.phrase).toBe('replica session 2f6d8c1e-3b1a-4c55-9e0b-6a7d2c9f1e42');
  });

  it('says how the answer is ordered and cut', () => {
    expect(query('3 oldest failures today').explanation).toBe(
      'the 3 oldest failed replication task sessions since 00:00 today (Europe/Berlin)',
    );
    expect(query('biggest replicas today').explanation).toBe(
      'replication task sessions since 00:00 today (Europe/Berlin), largest first',
    );
    expect(query('the latest failed replica for apache02').explanation).toMatch(
      /^the most recent failed replication task session of apache02 /,
    );
  });

  it('names job runs as such', () => {
    const intent = query('replication jobs failed today');
    expect(intent.type).toBe('ReplicaJobSession');
    expect(intent.explanation).toBe('failed replication job sessions since 00:00 today (Europe/Berlin)');
    expect(intent.phrase).toBe('failed replication job runs today');
  });

  it('shows the exact bounds of "last week" in the asker\'s zone', () => {
    expect(query('failed last week').explanation).toBe(
      'failed replication task sessions last week (Monday 16 Nov 00:00 to Monday 23 Nov 2026 00:00, Europe/Berlin)',
    );
  });
});

describe('parseQuestion help and refusals', () => {
  it.each(['help', 'HELP', '?', 'help me', 'What can you do?', 'hi'])('answers "%s" with help', (text) => {
    expect(parseQuestion(text, BERLIN)).toEqual({ kind: 'help' });
  });

  it('names the words it did not understand and suggests the repaired question', () => {
    const result = notUnderstood('apache02 failed today');
    expect(result.error).toContain('"apache02"');
    expect(result.error).toContain('for apache02');
    expect(result.suggestions[0]).toBe('failed today for apache02');
    expect(result.suggestions.length).toBeGreaterThanOrEqual(2);
    expect(result.suggestions.length).toBeLessThanOrEqual(3);
  });

  it('moves an unmarked name behind "for" in its suggestion', () => {
    expect(notUnderstood('failed in apache02').suggestions[0]).toBe('failed for apache02');
  });

  it('reads a typo as the one grammar word close to it, and says so', () => {
    const parsed = parseQuestion('faild replicas yesterday', BERLIN);
    if (parsed.kind !== 'query') throw new Error(JSON.stringify(parsed));
    expect(parsed.intent.corrections).toEqual([{ typed: 'faild', read: 'failed', kind: 'word' }]);
    expect(parsed.intent.explanation).toContain('I read "faild" as "failed"');
  });

  it('refuses a typo close to two different words ("worning": warning or morning)', () => {
    const result = notUnderstood('worning replicas yesterday');
    expect(result.error).toBe('I did not understand "worning".');
  });

  it('does not drop unknown words, even next to a readable question', () => {
    expect(notUnderstood('delete all failed replicas today').error).toContain('"delete"');
    expect(notUnderstood('what is the weather').error).toContain('"weather"');
  });

  it('suggests quotes for a name with spaces', () => {
    const result = notUnderstood('failed for SQL Srv 01 today');
    expect(result.error).toContain('put it in quotes');
    expect(result.suggestions[0]).toBe('failed for "SQL Srv 01" today');
    expect(parseQuestion(result.suggestions[0]!, BERLIN).kind).toBe('query');
  });

  it.each([
    ['failed today yesterday', 'two times'],
    ['failed since Feb 30', 'no date'],
    ['failed between Nov 22 and Nov 20', 'not after the start'],
    ['failed last 0 days', 'empty time window'],
    ['last 2000 failures', 'from 1 to 1000'],
    ['failed jobs for apache02', 'no VM name'],
    ['biggest replication jobs', 'per VM'],
    ['failed in job "SQL Replica', 'never closed'],
    ['urn:veeam:Job:2f6d8c1e-3b1a-4c55-9e0b-6a7d2c9f1e42', 'not a replication or backup session id'],
    ['failed since', 'could not read a time'],
    ['last 5 latest 3', 'two counts'],
    ['', 'Ask me about replication sessions'],
    ['failed on 11/20', 'day-first or month-first'],
    ['failed __proto__ constructor', '"__proto__" and "constructor"'],
    ['failed in apache02', '"apache02"'],
  ])('refuses "%s" (%s)', (text, fragment) => {
    const result = notUnderstood(text);
    expect(result.error).toContain(fragment);
    expect(result.suggestions.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses input over 1,000 characters with a clear message', () => {
    const long = `failed for ${'a'.repeat(MAX_QUESTION_LENGTH)}`;
    const result = notUnderstood(long);
    expect(result.error).toContain('up to 1,000 characters');
    expect(parseQuestion(`failed for ${'a'.repeat(MAX_QUESTION_LENGTH - 11)}`, BERLIN).kind).toBe('query');
  });

  it("refuses a bad time zone or clock as the caller's error", () => {
    expect(() => parseQuestion('failed', { now: NOW, timeZone: 'Mars/Olympus' })).toThrow(/IANA time zone/);
    expect(() => parseQuestion('failed', { now: NOW, timeZone: 'EST' })).toThrow(/IANA time zone/);
    expect(() => parseQuestion('failed', { now: new Date(Number.NaN), timeZone: 'UTC' })).toThrow(
      /valid `now`/,
    );
  });
});

describe('parseQuestion suggestions', () => {
  it('quotes two unknown words after "for" as one name, first, and offers no split of them', () => {
    const result = notUnderstood('any failures for sql 02?');
    expect(result.error).toContain('put it in quotes: "sql 02"');
    expect(result.suggestions[0]).toBe('any failures for "sql 02"');
    for (const suggestion of result.suggestions) expect(suggestion).not.toMatch(/for 02|sql for/);
    expect(notUnderstood('failures sql 02').suggestions[0]).toBe('failures for "sql 02"');
  });

  it.each([
    ['failed at dawn', 'dawn'],
    ['what happened this morning', 'happened'],
    ['failed replicas tomorrow', 'tomorrow'],
    ['failed yesterday weather', 'weather'],
  ])('never offers the ordinary word in "%s" as a name', (text, word) => {
    const result = notUnderstood(text);
    expect(result.error).not.toContain('is a name');
    for (const suggestion of result.suggestions) {
      expect(suggestion.toLowerCase()).not.toContain(word);
      expect(parseQuestion(suggestion, BERLIN).kind).toBe('query');
    }
  });

  it('offers only the general examples for gibberish', () => {
    const result = notUnderstood('asdkjh qwe zzz');
    expect(result.error).toBe('I did not understand "asdkjh", "qwe" and "zzz".');
    expect(result.suggestions.length).toBe(3);
    for (const suggestion of result.suggestions) expect(suggestion).not.toMatch(/asdkjh|qwe|zzz/);
  });

  it('still offers a host-name shaped word as a VM, without the question words around it', () => {
    expect(notUnderstood('apache02').suggestions[0]).toBe('for apache02');
    expect(notUnderstood('did apache02 fail today').suggestions[0]).toBe('fail today for apache02');
    expect(notUnderstood('exchange failed today').suggestions[0]).toBe('failed today for exchange');
  });

  it('refuses "stopped" rather than reading it as completed, and suggests what can be asked', () => {
    const result = notUnderstood('stopped replicas');
    expect(result.error).toContain('"stopped"');
    expect(result.error).toContain('stopped or cancelled');
    expect(result.suggestions.slice(0, 2)).toEqual(['finished replicas', 'failed replicas']);
    expect(notUnderstood('stopped replicas for apache02 today').suggestions.slice(0, 2)).toEqual([
      'finished replicas for apache02 today',
      'failed replicas for apache02 today',
    ]);
    expect(notUnderstood('cancelled jobs').suggestions.slice(0, 2)).toEqual(['finished jobs', 'failed jobs']);
    expect(notUnderstood('stopped').suggestions.slice(0, 2)).toEqual(['finished', 'failed']);
    expect(notUnderstood('aborted replicas yesterday').error).toContain('"aborted"');
  });

  it.each([
    'failed replicas tomorrow',
    'failed tomorrow morning',
    'failed next week',
    'failed in the next 3 days',
    'failed next 24h',
    'failed next monday',
    'failed since next monday',
    'failed on 2027-01-05',
    'failed since 2026-12-01',
    'failed this evening',
    'failed between 14:00 and 16:00',
  ])('refuses the future time in "%s" instead of answering an empty all-clear', (text) => {
    const result = notUnderstood(text);
    expect(result.error).toContain('that is in the future');
    for (const suggestion of result.suggestions) expect(suggestion).not.toMatch(/tomorrow|next/);
  });

  it('points "tonight" asked in the morning to "last night"', () => {
    const result = notUnderstood('failed tonight');
    expect(result.error).toContain('that is in the future');
    expect(result.error).toContain('"last night"');
  });
});

describe('parseQuestion text sources', () => {
  it('reads plain text as typed, so a name that looks like Slack markup is a name', () => {
    for (const options of [BERLIN, { ...BERLIN, source: 'plain' as const }]) {
      const intent = query('failed for "<!channel>" last 7 days', options);
      expect(intent.filter).toEqual(
        and(
          eq('Result', 'Failed'),
          eq('VmDisplayName', '<!channel>'),
          cmp('CreationTime', '>=', new Date('2026-11-16T10:05:00.000Z')),
        ),
      );
    }
  });

  it('undoes Slack markup only for text from Slack', () => {
    const slack = { ...BERLIN, source: 'slack' as const };
    expect(query('<@U0123ABCD> failed for R&amp;D today', slack).filter).toEqual(
      and(
        eq('Result', 'Failed'),
        eq('VmDisplayName', 'R&D'),
        cmp('CreationTime', '>=', new Date('2026-11-22T23:00:00.000Z')),
      ),
    );
    // from Slack, `<!channel>` is a special mention and is dropped, leaving empty quotes
    expect(notUnderstood('failed for "<!channel>" last 7 days', slack).error).toContain('empty name');
    // the same mention typed in a terminal is not a word replibot knows
    expect(notUnderstood('<@U0123ABCD> failed today').error).toContain('"<@U0123ABCD>"');
  });
});

describe('isKnownTimeZone', () => {
  it.each(['Europe/Berlin', 'America/Argentina/Buenos_Aires', 'UTC', 'GMT', 'Etc/UTC', 'Etc/GMT+5'])(
    'accepts the IANA zone %s',
    (zone) => {
      expect(isKnownTimeZone(zone)).toBe(true);
    },
  );

  it.each(['est', 'EST', 'CET', 'EST5EDT', 'PST8PDT', 'utc', 'Mars/Olympus', '', ' Europe/Berlin'])(
    'refuses %j, which is not a canonical IANA name',
    (zone) => {
      expect(isKnownTimeZone(zone)).toBe(false);
    },
  );
});

const VOCABULARY = [
  'failed',
  'warnings',
  'problems',
  'running',
  'in',
  'progress',
  'today',
  'yesterday',
  'last',
  'past',
  'since',
  'between',
  'and',
  'or',
  'on',
  'for',
  'of',
  'vm',
  'job',
  'jobs',
  'server',
  'backup',
  'runs',
  'latest',
  'oldest',
  'first',
  'biggest',
  'most',
  'recent',
  '5',
  '24h',
  '7d',
  'hours',
  'days',
  'week',
  'this',
  'monday',
  'Nov',
  '20',
  '2026-11-20',
  '08:00',
  '8am',
  'ago',
  'not',
  'successful',
  ',',
  '"',
  "'",
  'apache02',
  'SQL Replica',
  'help',
  'urn:veeam:ReplicaTaskSession:2f6d8c1e-3b1a-4c55-9e0b-6a7d2c9f1e42',
  '<@U1>',
  '__proto__',
  'constructor',
  'toString',
  '&amp;',
  '?',
  '(',
  ')',
  ';',
  '=',
];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Pacific/Auckland', 'Asia/Kolkata'];
const nowArb = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2090-12-31T00:00:00Z'),
  noInvalidDate: true,
});

function checkResult(result: ParsedQuestion): void {
  expect(['query', 'help', 'not-understood']).toContain(result.kind);
  if (result.kind === 'query') {
    const { intent } = result;
    // every query serialises, so EM can be asked
    if (intent.filter !== null) expect(typeof toFilterString(intent.type, intent.filter)).toBe('string');
    expect(intent.explanation.length).toBeGreaterThan(0);
  }
  if (result.kind === 'not-understood') {
    expect(result.error.length).toBeGreaterThan(0);
    expect(result.suggestions.length).toBeGreaterThanOrEqual(2);
    expect(result.suggestions.length).toBeLessThanOrEqual(3);
  }
}

describe('parseQuestion properties', () => {
  it('gives a query, help or not-understood for any string up to 1,000 characters', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 1000, unit: 'binary' }),
        fc.constantFrom(...ZONES),
        nowArb,
        (text, timeZone, now) => {
          checkResult(parseQuestion(text, { now, timeZone }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on word salad made of grammar words', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 40 }),
        fc.constantFrom(...ZONES),
        nowArb,
        (words, timeZone, now) => {
          checkResult(parseQuestion(words.join(' '), { now, timeZone }));
        },
      ),
      { numRuns: 2000 },
    );
  });

  // ordinary words that are not grammar words, with no "for"/"on" to mark a name: nothing there is a VM
  const ordinary = [...ORDINARY_WORDS].filter((w) => !KNOWN_WORDS.has(w) && w !== 'about');
  const saladWord = fc.oneof(
    fc.constantFrom(...ordinary),
    fc.constantFrom(
      'failed',
      'today',
      'yesterday',
      'last',
      '5',
      'warnings',
      'running',
      'this',
      'week',
      'evening',
    ),
    fc.constantFrom('apache02', 'srv-01', 'faild', 'zzq'),
  );

  it('offers only suggestions that run, and never an ordinary word as a VM name', () => {
    const examples = new Set(EXAMPLE_QUESTIONS);
    fc.assert(
      fc.property(fc.array(saladWord, { minLength: 1, maxLength: 8 }), (words) => {
        const result = parseQuestion(words.join(' '), BERLIN);
        if (result.kind !== 'not-understood') return;
        for (const suggestion of result.suggestions) {
          const parsed = parseQuestion(suggestion, BERLIN);
          expect(parsed.kind, `${words.join(' ')} -> ${suggestion}`).toBe('query');
          if (parsed.kind !== 'query' || examples.has(suggestion) || parsed.intent.filter === null) continue;
          const filter = toFilterString(parsed.intent.type, parsed.intent.filter);
          for (const [, value] of filter.matchAll(/VmDisplayName=="((?:[^"]|"")*)"/g)) {
            for (const part of value!.toLowerCase().split(' '))
              expect(ORDINARY_WORDS.has(part), `${words.join(' ')} -> ${suggestion}`).toBe(false);
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  // letters that cannot spell an entity such as &amp; (Slack's escaping is undone on purpose)
  const nameArb = fc
    .string({
      unit: fc.constantFrom('a', 'b', 'c', '0', '9', '-', '.', ' ', '"', "'", ';', ',', '(', ')', '&', '='),
      minLength: 1,
      maxLength: 30,
    })
    .filter((s) => s.trim() !== '' && s === s.trim());

  it('keeps names with " ; , ( ) & = inside one quoted literal that does not change the filter', () => {
    fc.assert(
      fc.property(
        nameArb,
        fc.constantFrom('"', "'"),
        fc.constantFrom('vm', 'job', 'server'),
        (name, quote, target) => {
          const quoted = `${quote}${name.replaceAll(quote, quote + quote)}${quote}`;
          const question =
            target === 'vm'
              ? `failed for ${quoted} today`
              : target === 'job'
                ? `failed in job ${quoted} today`
                : `failed on server ${quoted} today`;
          const parsed = parseQuestion(question, BERLIN);
          if (parsed.kind !== 'query') throw new Error(`${question}: ${JSON.stringify(parsed)}`);
          const field = target === 'vm' ? 'VmDisplayName' : target === 'job' ? 'JobName' : 'BackupServerName';
          const since = new Date('2026-11-22T23:00:00.000Z');
          // structural: exactly the three clauses, the name whole in one of them
          expect(parsed.intent.filter).toEqual(
            and(eq('Result', 'Failed'), eq(field, name), cmp('CreationTime', '>=', since)),
          );
          // and the wire form reads back to the same three clauses
          const clauses = splitTopLevel(toFilterString('ReplicaTaskSession', parsed.intent.filter!));
          expect(clauses).toEqual([
            'Result==Failed',
            `${field}==${emQuote(name)}`,
            `CreationTime>="${since.toISOString()}"`,
          ]);
          expect(unquoteEm(clauses[1]!.slice(field.length + 2))).toBe(name);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('puts "today" at 00:00 in the asker\'s zone and makes "yesterday" one calendar day long', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), nowArb, (timeZone, now) => {
        const today = query('today', { now, timeZone }).window!;
        const yesterday = query('yesterday', { now, timeZone }).window!;
        expect(formatIn(today.from, timeZone, 'HH:mm')).toBe('00:00');
        expect(today.from.getTime()).toBeLessThanOrEqual(now.getTime());
        expect(now.getTime() - today.from.getTime()).toBeLessThan(25 * 3_600_000);
        expect(yesterday.to).toEqual(today.from);
        const hours = (yesterday.to!.getTime() - yesterday.from.getTime()) / 3_600_000;
        expect([23, 23.5, 24, 24.5, 25]).toContain(hours);
      }),
      { numRuns: 500 },
    );
  });
});

function emQuote(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

function unquoteEm(literal: string): string {
  expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true);
  return literal.slice(1, -1).replaceAll('""', '"');
}

/** Splits an EM filter at the `;` outside quotes and parentheses, as EM reads it. */
function splitTopLevel(filter: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < filter.length; i++) {
    const ch = filter[i];
    if (inQuote) {
      if (ch === '"' && filter[i + 1] === '"') i++;
      else if (ch === '"') inQuote = false;
    } else if (ch === '"') inQuote = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ';' && depth === 0) {
      out.push(filter.slice(start, i));
      start = i + 1;
    }
  }
  out.push(filter.slice(start));
  expect(inQuote).toBe(false);
  expect(depth).toBe(0);
  return out;
}
