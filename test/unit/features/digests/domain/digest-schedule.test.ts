import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeSchedule,
  parseDigestCommand,
  parseTimeOfDay,
  toCronPattern,
} from '../../../../../src/features/digests/domain/digest-schedule.js';

const options = {
  defaultTimeZone: 'Europe/Berlin',
  isTimeZone: (zone: string) => ['UTC', 'Europe/Berlin', 'America/New_York'].includes(zone),
};
const parse = (text: string) => parseDigestCommand(text, options);

describe('parseDigestCommand', () => {
  it('reads a daily digest in the default zone', () => {
    expect(parse('daily 08:00')).toEqual({
      kind: 'add',
      spec: {
        period: 'day',
        weekday: null,
        hour: 8,
        minute: 0,
        timeZone: 'Europe/Berlin',
        filters: { jobName: null, serverName: null, failedOnly: false },
      },
    });
  });

  it('reads a weekly digest with quoted and unquoted names, failed-only and a zone, in any order', () => {
    const command = parse(
      'weekly Monday 7:30pm failed-only tz America/New_York job “Web tier DR” server vbr 01',
    );
    expect(command).toEqual({
      kind: 'add',
      spec: {
        period: 'week',
        weekday: 1,
        hour: 19,
        minute: 30,
        timeZone: 'America/New_York',
        filters: { jobName: 'Web tier DR', serverName: 'vbr 01', failedOnly: true },
      },
    });
    if (command.kind !== 'add') throw new Error('not add');
    expect(toCronPattern(command.spec)).toBe('30 19 * * 1');
    expect(describeSchedule(command.spec)).toBe(
      'weekly on Monday at 19:30 (America/New_York), job "Web tier DR", server vbr 01, failures only',
    );
  });

  it('reads off, list, help and a preview', () => {
    expect(parse('off 3')).toEqual({ kind: 'off', id: 3 });
    expect(parse('off #12')).toEqual({ kind: 'off', id: 12 });
    expect(parse('list')).toEqual({ kind: 'list' });
    expect(parse('')).toEqual({ kind: 'help' });
    expect(parse('now weekly failed-only')).toMatchObject({
      kind: 'preview',
      period: 'week',
      filters: { failedOnly: true },
      timeZone: 'Europe/Berlin',
    });
    expect(parse('now')).toMatchObject({ kind: 'preview', period: 'day' });
  });

  it('explains each mistake instead of guessing', () => {
    const error = (text: string) => {
      const c = parse(text);
      return c.kind === 'invalid' ? c.error : `not invalid: ${c.kind}`;
    };
    expect(error('weekly 08:00')).toContain('needs a day');
    expect(error('weekly money 08:00')).toContain('needs a day');
    expect(error('daily')).toContain('Say when');
    expect(error('daily 24:00')).toContain('Say when');
    expect(error('daily 08:00 tz Mars/Olympus')).toContain('not a time zone');
    expect(error('daily 08:00 job')).toContain('`job` needs a value');
    expect(error('daily 08:00 hourly')).toContain("I don't understand `hourly`");
    expect(error('monthly 08:00')).toContain("I don't know `digest monthly`");
    expect(error('off')).toContain('digest off 2');
  });
});

describe('parseTimeOfDay', () => {
  it('reads 24-hour and am/pm times', () => {
    expect(parseTimeOfDay('08:00')).toEqual({ hour: 8, minute: 0 });
    expect(parseTimeOfDay('8')).toEqual({ hour: 8, minute: 0 });
    expect(parseTimeOfDay('12am')).toEqual({ hour: 0, minute: 0 });
    expect(parseTimeOfDay('12:15pm')).toEqual({ hour: 12, minute: 15 });
    expect(parseTimeOfDay('20h')).toEqual({ hour: 20, minute: 0 });
    expect(parseTimeOfDay('13pm')).toBeNull();
    expect(parseTimeOfDay('7:5')).toBeNull();
  });

  it('reads back every time of day it writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (hour, minute) => {
        const text = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
        expect(parseTimeOfDay(text)).toEqual({ hour, minute });
      }),
    );
  });

  it('never throws on any input', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = parse(text);
        expect(['add', 'list', 'off', 'preview', 'help', 'invalid']).toContain(result.kind);
      }),
    );
  });
});
