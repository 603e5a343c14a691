/**
 * Where the shared reference material (EM's XSD, Slack's manifest schema) is: REPLIBOT_REFERENCE_DIR, else
 * `../shared/reference` beside the repository (how CI checks it out). Tests that need it say in their name why
 * they skip when it is not there, so a skipped test never reads as a silent pass.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export const REFERENCE_DIR = process.env.REPLIBOT_REFERENCE_DIR ?? join(REPO, '..', 'shared', 'reference');

/** The file's path under the reference directory, and the "(skipped: ...)" to add to a test name without it. */
export function findReferenceFile(relative: string): { path: string; found: boolean; skipNote: string } {
  const path = join(REFERENCE_DIR, relative);
  const found = existsSync(path);
  return {
    path,
    found,
    skipNote: found
      ? ''
      : ` (skipped: ${path} not found; set REPLIBOT_REFERENCE_DIR to the shared reference folder to run it)`,
  };
}
