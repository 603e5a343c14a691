/**
 * DATABASE_PATH in every mode: Slack with the built-in simulator keeps subscriptions, mutes and digest schedules in
 * the file it names (and says so at start); only without it does the demo keep them in memory, and says that.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplibot } from '../../src/main.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { createSlackSender, TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';

function collect(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

let dir: string;
let slack: FakeSlackApi;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replibot-dbpath-'));
  slack = await startFakeSlackApi();
});
afterAll(async () => {
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('DATABASE_PATH with the built-in simulator', () => {
  it('keeps Slack subscriptions, mutes and digests in the file across a restart, and says where at start', async () => {
    const dbPath = join(dir, 'demo.db');
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DATABASE_PATH: dbPath,
      LOG_LEVEL: 'info',
    };
    let counter = 0;
    const start = async () => {
      const log = collect();
      const running = await startReplibot({
        env,
        errorOutput: log.stream,
        slack: { host: '127.0.0.1', clientOptions: { retryConfig: { retries: 0 } } },
      });
      const sender = createSlackSender(`http://127.0.0.1:${running.slack!.port}/slack/events`);
      const command = async (text: string) => {
        counter += 1;
        const id = `db-${counter}`;
        await sender.command({
          text,
          channel_id: 'C0DEMO',
          user_id: 'U1',
          response_url: slack.responseUrl(id),
        });
        return String((await slack.waitForResponse(id)).body.text);
      };
      return { running, log, command };
    };

    const first = await start();
    expect(first.running.simulatorUrl).toBeDefined();
    expect(first.log.text()).toContain(`digest schedules and alert state are kept in ${dbPath}`);
    expect(await first.command('subscribe vm ubuntu88')).toContain('subscribed this channel');
    expect(await first.command('mute vm ubuntu88 4h')).toContain('muted the replication of VM *ubuntu88*');
    expect(await first.command('digest daily 08:00')).toContain('08:00');
    await first.running.stop();

    const second = await start();
    try {
      expect(await second.command('subscriptions')).toContain('failures of every job, VM ubuntu88');
      expect(await second.command('mutes')).toContain('VM *ubuntu88* until');
      expect(await second.command('digests')).toContain('08:00');
    } finally {
      await second.running.stop();
    }
  });

  it('says in the terminal banner that the demo keeps them in memory when DATABASE_PATH is not set', async () => {
    const input = new PassThrough();
    const output = collect();
    const running = await startReplibot({
      env: { DEFAULT_TIMEZONE: 'UTC' },
      input,
      output: output.stream,
      errorOutput: collect().stream,
      isTTY: false,
    });
    input.end('');
    await running.done;
    expect(output.text()).toContain(
      '\nreplibot: subscriptions, mutes and digest schedules are kept in memory and lost when replibot stops (set DATABASE_PATH to keep them in a file).\n',
    );
  });
});
