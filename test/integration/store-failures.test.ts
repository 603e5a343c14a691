/** How store failures are named: a real SQLite file that is damaged, and SQLite's own error codes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openReplibotDatabase } from '../../src/app/database.js';
import { isReplibotError, ReplibotError } from '../../src/core/errors.js';
import { toStoreProblem } from '../../src/store/open-database.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('toStoreProblem', () => {
  it('names a file that is not a database as damaged, not as unwritable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replibot-corrupt-'));
    dirs.push(dir);
    const path = join(dir, 'replibot.db');
    writeFileSync(path, 'this is a spreadsheet, not a database '.repeat(200));
    let caught: unknown;
    try {
      await openReplibotDatabase(path);
    } catch (error) {
      caught = error;
    }
    expect(isReplibotError(caught)).toBe(true);
    const e = caught as Error & { hint?: string };
    expect(e.message).toBe(`Cannot open the database at ${path}.`);
    expect(e.hint).toBe(
      'The file at DATABASE_PATH is not a replibot database or is damaged; restore it from a backup or move it aside.',
    );
  });

  it("tells disk full, locked, damaged and unwritable apart, and ignores errors that are not SQLite's", () => {
    const kind = (code: string) => toStoreProblem(Object.assign(new Error('x'), { code }))?.kind;
    expect(kind('SQLITE_FULL')).toBe('full');
    expect(kind('SQLITE_BUSY')).toBe('locked');
    expect(kind('SQLITE_LOCKED_SHAREDCACHE')).toBe('locked');
    expect(kind('SQLITE_CORRUPT')).toBe('corrupt');
    expect(kind('SQLITE_NOTADB')).toBe('corrupt');
    expect(kind('SQLITE_READONLY')).toBe('unwritable');
    expect(kind('SQLITE_IOERR_WRITE')).toBe('unwritable');
    expect(kind('SQLITE_MISMATCH')).toBe('other');
    // a refused connection is the database's (PostgreSQL's) only if it is not an EM failure already read as one
    expect(toStoreProblem(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))?.kind).toBe('unwritable');
    expect(toStoreProblem(new ReplibotError('em_unreachable', 'EM refused the connection'))).toBeNull();
    expect(toStoreProblem(new Error('SQLITE_FULL'))).toBeNull();
    // PostgreSQL: a cut connection (pg_terminate_backend), a full disk, a lock; the message names DATABASE_URL
    expect(kind('57P01')).toBe('unwritable');
    expect(kind('08006')).toBe('unwritable');
    expect(kind('53100')).toBe('full');
    expect(kind('40P01')).toBe('locked');
    expect(toStoreProblem(new Error('Connection terminated unexpectedly'))?.message).toContain(
      'DATABASE_URL',
    );
  });
});
