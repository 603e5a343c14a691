import { describe, expect, it } from 'vitest';
import { toRpoStatusKind } from '../../../../src/features/rpo/slack/rpo-subcommands.js';

describe('toRpoStatusKind (`/replicas rpo [replicas | backups]`)', () => {
  it('reads nothing and replicas as replication, backups as backups', () => {
    expect(toRpoStatusKind('')).toBe('replication');
    expect(toRpoStatusKind('  Replicas ')).toBe('replication');
    expect(toRpoStatusKind('replication')).toBe('replication');
    expect(toRpoStatusKind('backups')).toBe('backup');
    expect(toRpoStatusKind('BACKUP')).toBe('backup');
  });

  it('refuses any other words instead of ignoring them', () => {
    for (const args of ['4h', 'job Nightly', 'backups job Nightly', 'foo'])
      expect(toRpoStatusKind(args)).toBeNull();
  });
});
