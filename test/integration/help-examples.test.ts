/**
 * The session examples of `help`, the README and docs/questions.md name sessions the built-in simulator has, so
 * a newcomer who copies one gets that session, not "Enterprise Manager has no such session". The demo data is
 * deterministic: the same seed gives the same session ids, whatever the day the demo starts.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createDefaultAnswerer } from '../../src/answers/create-default-answerer.js';
import { connectEm, type EmConnection } from '../../src/app/connect-em.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { EXAMPLE_QUESTIONS } from '../../src/question/help.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const SESSION_EXAMPLE = /session urn:veeam:Replica(?:Task|Job)Session:[0-9a-f-]{36}/g;

const examples = [
  ...EXAMPLE_QUESTIONS.filter((q) => q.startsWith('session ')),
  ...(read('README.md').match(SESSION_EXAMPLE) ?? []),
  ...(read('docs/questions.md').match(SESSION_EXAMPLE) ?? []),
];

let connection: EmConnection | undefined;
afterEach(async () => {
  await connection?.close();
  connection = undefined;
});

describe('the session examples', () => {
  it('are there to find', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  it.each(['2026-12-01T09:00:00Z', '2027-03-15T18:30:00Z'])(
    'name a session the built-in simulator has (demo started %s)',
    async (startedAt) => {
      const logger = createLogger('fatal');
      connection = await connectEm(loadConfig({}), logger, { now: () => new Date(startedAt) });
      const answerer = createDefaultAnswerer(connection.em);
      for (const example of new Set(examples)) {
        const reply = await answerer.ask(
          example,
          { userId: null, timeZone: 'UTC' },
          { now: new Date(startedAt), pageSize: 10 },
        );
        expect(reply.kind, example).toBe('answer');
        if (reply.kind === 'answer') expect(reply.total, example).toBe(1);
      }
    },
  );
});
