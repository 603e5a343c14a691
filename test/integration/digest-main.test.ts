/**
 * Digests wired into replibot itself (src/main.ts FEATURES) in Slack mode: a schedule stored before the start is
 * picked up, a digest missed while replibot was down goes out late on start, and a second start sends nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDigestStore } from '../../src/features/digests/digest-store.js';
import { NO_DIGEST_FILTERS } from '../../src/features/digests/domain/summarize-digest.js';
import { startReplibot } from '../../src/main.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { openStore } from '../fakes/open-store.js';
import { TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';

const CHANNEL = 'C0MORNING';
let now = new Date('2025-03-26T09:00:00Z');
let dir: string;
let sim: RunningSimulator;
let slack: FakeSlackApi;

const quiet = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replibot-digest-main-'));
  sim = await startSimulator({ port: 0, seed: 9, now: () => now, data: { taskSessions: 800 } });
  slack = await startFakeSlackApi();
});

afterAll(async () => {
  await sim.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('replibot with digests', () => {
  it('sends the digest missed during downtime on start, once', async () => {
    const dbPath = join(dir, 'replibot.db');
    const seed = await openStore(dbPath);
    await createDigestStore(seed.db).schedules.add(
      CHANNEL,
      { period: 'day', weekday: null, hour: 8, minute: 0, timeZone: 'UTC', filters: NO_DIGEST_FILTERS },
      'U1',
      new Date('2025-03-25T12:00:00Z'),
    );
    await seed.close();
    const env = {
      VEEAM_URL: sim.url,
      VEEAM_USERNAME: 'replibot',
      VEEAM_PASSWORD: 'replibot',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DATABASE_PATH: dbPath,
      LOG_LEVEL: 'silent',
    };
    const start = () =>
      startReplibot({
        env,
        errorOutput: quiet(),
        clock: { now: () => now },
        slack: { host: '127.0.0.1', clientOptions: { retryConfig: { retries: 0 } } },
      });
    const digestPosts = () =>
      slack
        .callsTo('chat.postMessage')
        .filter(
          (c) => c.params.channel === CHANNEL && String(c.params.text).startsWith('Daily replication digest'),
        );

    const first = await start();
    await slack.waitFor(() => digestPosts().length === 1, 'the late digest');
    expect(String(digestPosts()[0]!.params.text)).toMatch(
      /^Daily replication digest · Wed 26 Mar \(late\): \d+ VM replications/,
    );
    await slack.waitForCall('files.completeUploadExternal');
    await first.stop();

    now = new Date('2025-03-26T09:30:00Z');
    const second = await start();
    await second.stop();
    expect(digestPosts()).toHaveLength(1);
    expect(slack.violations).toEqual([]);
  });
});
