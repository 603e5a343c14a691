import { describe, expect, it } from 'vitest';
import {
  decodeAnswerCursor,
  decodeJobRunCursor,
  encodeAnswerCursor,
  encodeJobRunCursor,
  parseActionId,
  parseMuteValue,
} from '../../../src/slack/action-values.js';

const NON_CANONICAL = [
  '0x1',
  '1e0',
  ' 1',
  '1 ',
  '01',
  '1.0',
  '-1',
  '+1',
  '0',
  '',
  '1_0',
  '１',
  '9'.repeat(16),
];

describe('parseActionId', () => {
  it('reads a canonical positive decimal', () => {
    expect(parseActionId('1')).toBe(1);
    expect(parseActionId('4096')).toBe(4096);
  });

  it('refuses every other spelling of a number', () => {
    for (const text of NON_CANONICAL) expect(parseActionId(text), JSON.stringify(text)).toBeNull();
  });
});

describe('parseMuteValue', () => {
  it('reads an alert id and hours', () => {
    expect(parseMuteValue('12:4')).toEqual({ alertId: 12, hours: 4 });
  });

  it('refuses a non-canonical part or a wrong shape', () => {
    for (const text of NON_CANONICAL) {
      expect(parseMuteValue(`${text}:4`)).toBeNull();
      expect(parseMuteValue(`12:${text}`)).toBeNull();
    }
    expect(parseMuteValue('12')).toBeNull();
    expect(parseMuteValue('12:4:4')).toBeNull();
  });
});

describe('decodeAnswerCursor', () => {
  const cursor = {
    question: 'failed replicas today',
    offset: 10,
    timeZone: 'UTC',
    now: new Date('2026-11-23T12:00:00Z'),
    ephemeral: true,
  };

  it('reads back what encodeAnswerCursor wrote', () => {
    expect(decodeAnswerCursor(encodeAnswerCursor(cursor)!)).toEqual(cursor);
  });

  it('refuses a value we did not write: other spellings, other types, null, arrays', () => {
    const written = encodeAnswerCursor(cursor)!;
    for (const value of [
      written.replace('"o":10', '"o":1e1'),
      written.replace('"o":10', '"o":10.0'),
      written.replace('"o":10', '"o":"10"'),
      written.replace('"o":10', '"o":-10'),
      written.replace('"e":1', '"e":true'),
      written.replace('{', '{ '),
      'null',
      '[]',
      '10',
      'not json',
    ]) {
      expect(decodeAnswerCursor(value), value).toBeNull();
    }
  });
});

describe('decodeJobRunCursor', () => {
  it('reads back what encodeJobRunCursor wrote and refuses other spellings', () => {
    const cursor = { jobSessionId: 'abc-1', offset: 0, timeZone: 'UTC' };
    const written = encodeJobRunCursor(cursor);
    expect(decodeJobRunCursor(written)).toEqual(cursor);
    expect(decodeJobRunCursor(written.replace('"o":0', '"o":0.0'))).toBeNull();
    expect(decodeJobRunCursor(written.replace('"o":0', '"o":"0x0"'))).toBeNull();
    expect(decodeJobRunCursor('null')).toBeNull();
  });
});
