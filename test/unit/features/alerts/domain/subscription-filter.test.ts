import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isMuted,
  matchesName,
  parseDuration,
  parseMuteRequest,
  parseSubscriptionFilter,
} from '../../../../../src/features/alerts/domain/subscription-filter.js';

describe('parseSubscriptionFilter', () => {
  it('reads level, job, vm and server, with names of several words', () => {
    expect(parseSubscriptionFilter('warnings job SQL Prod vm sql01 server vbr01')).toEqual({
      ok: true,
      value: { level: 'warnings', job: 'SQL Prod', vm: 'sql01', server: 'vbr01' },
    });
    expect(parseSubscriptionFilter('')).toEqual({
      ok: true,
      value: { level: 'failed', job: null, vm: null, server: null },
    });
    expect(parseSubscriptionFilter('job "vm server"')).toMatchObject({
      ok: true,
      value: { job: 'vm server' },
    });
  });

  it('explains what it did not understand', () => {
    expect(parseSubscriptionFilter('everything')).toMatchObject({
      ok: false,
      error: expect.stringContaining('"everything"'),
    });
    expect(parseSubscriptionFilter('job')).toMatchObject({
      ok: false,
      error: expect.stringContaining('after "job"'),
    });
  });
});

describe('matchesName', () => {
  it('matches case-insensitively with * wildcards and never treats a name as a regex', () => {
    expect(matchesName('SQL*', 'sql-prod')).toBe(true);
    expect(matchesName('sql', 'sql-prod')).toBe(false);
    expect(matchesName('a.c', 'abc')).toBe(false);
    fc.assert(
      fc.property(fc.string(), (name) => matchesName(name.replaceAll('*', ''), name.replaceAll('*', ''))),
    );
  });
});

describe('parseDuration and parseMuteRequest', () => {
  it('reads durations people type', () => {
    expect(parseDuration('4h')).toBe(4 * 3_600_000);
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('2 days')).toBe(2 * 86_400_000);
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration('4x')).toBeNull();
  });

  it('reads a kind: backups mute backups, no kind word mutes replication only', () => {
    expect(parseMuteRequest('backups vm srv04 1d')).toEqual({
      ok: true,
      value: { scope: 'vm', name: 'srv04', durationMs: 86_400_000, kind: 'backup' },
    });
    expect(parseMuteRequest('backup job "Nightly" 4h')).toMatchObject({
      ok: true,
      value: { scope: 'job', name: 'Nightly', kind: 'backup' },
    });
    expect(parseMuteRequest('replicas vm apache02 4h')).toEqual({
      ok: true,
      value: { scope: 'vm', name: 'apache02', durationMs: 14_400_000 },
    });
    // a VM named "backups"
    expect(parseMuteRequest('backups 4h')).toEqual({
      ok: true,
      value: { scope: 'vm', name: 'backups', durationMs: 14_400_000 },
    });
    const mute = (kind?: 'backup') => ({
      id: 1,
      channelId: 'C1',
      scope: 'vm' as const,
      name: 'srv04',
      until: new Date(0),
      createdBy: 'U1',
      createdAt: new Date(0),
      ...(kind ? { kind } : {}),
    });
    expect(isMuted([mute('backup')], 'C1', 'Nightly', 'srv04', 'backup')).toBe(true);
    expect(isMuted([mute('backup')], 'C1', 'Nightly', 'srv04', 'replication')).toBe(false);
    expect(isMuted([mute()], 'C1', 'Nightly', 'srv04', 'backup')).toBe(false);
    expect(isMuted([mute()], 'C1', 'Nightly', 'srv04', 'replication')).toBe(true);
  });

  it('reads a VM or a job with a duration', () => {
    expect(parseMuteRequest('vm apache02 4h')).toEqual({
      ok: true,
      value: { scope: 'vm', name: 'apache02', durationMs: 14_400_000 },
    });
    expect(parseMuteRequest('job SQL Prod 1d')).toEqual({
      ok: true,
      value: { scope: 'job', name: 'SQL Prod', durationMs: 86_400_000 },
    });
    expect(parseMuteRequest('apache02 1h')).toMatchObject({
      ok: true,
      value: { scope: 'vm', name: 'apache02' },
    });
    expect(parseMuteRequest('apache02 forever')).toMatchObject({ ok: false });
    expect(parseMuteRequest('apache02 90d')).toMatchObject({
      ok: false,
      error: expect.stringContaining('30 days'),
    });
  });
});
