import { describe, expect, it } from 'vitest';
import {
  describeRpoSubscription,
  isRpoSubscribe,
  parseRpoSubscription,
} from '../../../../../src/features/rpo/domain/parse-rpo-subscription.js';

const H = 3_600_000;

describe('parseRpoSubscription: backups', () => {
  it('reads the kind after the duration or before rpo, and says backups', () => {
    const nightly = { rpoMs: 24 * H, job: 'Nightly', vm: null, server: null, kind: 'backup' };
    expect(parseRpoSubscription('rpo 24h backups job "Nightly"')).toEqual({ ok: true, value: nightly });
    expect(parseRpoSubscription('backups rpo 24h job Nightly')).toEqual({ ok: true, value: nightly });
    expect(isRpoSubscribe('backups rpo 24h')).toBe(true);
    expect(isRpoSubscribe('backups job Nightly')).toBe(false);
    expect(parseRpoSubscription('rpo backups vm srv04')).toEqual({
      ok: true,
      value: { rpoMs: null, job: null, vm: 'srv04', server: null, kind: 'backup' },
    });
    expect(parseRpoSubscription('rpo 4h')).toEqual({
      ok: true,
      value: { rpoMs: 4 * H, job: null, vm: null, server: null },
    });
    expect(
      describeRpoSubscription({ rpoMs: null, job: null, vm: null, server: null, kind: 'backup' }, 24 * H),
    ).toBe('RPO alerts: backups older than 1d (the default) for every backed-up VM');
  });
});

describe('parseRpoSubscription', () => {
  it('reads a duration and the names, quotes kept together', () => {
    expect(parseRpoSubscription('rpo 4h job "SQL Replica"')).toEqual({
      ok: true,
      value: { rpoMs: 4 * H, job: 'SQL Replica', vm: null, server: null },
    });
    expect(parseRpoSubscription('rpo server srv02 vm web*')).toEqual({
      ok: true,
      value: { rpoMs: null, job: null, vm: 'web*', server: 'srv02' },
    });
  });

  it('refuses a word that is not a duration, and a failure level, saying what to type', () => {
    const bad = parseRpoSubscription('rpo soon job x');
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.error).toContain('/replicas subscribe rpo 4h job "SQL Replica"');
    expect(parseRpoSubscription('rpo warnings').ok).toBe(false);
  });

  it('takes only the subscribe texts that start with rpo', () => {
    expect(isRpoSubscribe('rpo 4h')).toBe(true);
    expect(isRpoSubscribe('RPO')).toBe(true);
    expect(isRpoSubscribe('failed job rpo-sync')).toBe(false);
    expect(isRpoSubscribe('rpo-sync')).toBe(false);
  });

  it('describes the policy in the house duration words', () => {
    expect(describeRpoSubscription({ rpoMs: null, job: 'SQL Replica', vm: null, server: null }, 24 * H)).toBe(
      'RPO alerts: replicas older than 1d (the default) for job SQL Replica',
    );
    expect(describeRpoSubscription({ rpoMs: 90 * 60_000, job: null, vm: null, server: null }, 24 * H)).toBe(
      'RPO alerts: replicas older than 1h 30m for every replicated VM',
    );
  });
});
