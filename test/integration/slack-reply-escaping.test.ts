/**
 * Every `/replicas` subcommand's replies through the real app (the built-in simulator, the fake Slack Web API,
 * signed requests): no `<` or `>` reaches Slack unescaped unless it is markup we meant (a mention, a channel, a
 * date, a link), so `unsubscribe <n>` and `tz <IANA zone>` show as written instead of vanishing. And the App
 * Home of the same app, whose times are shown in each reader's zone.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureFactory } from '../../src/app/feature.js';
import type { AlertService } from '../../src/features/alerts/alert-service.js';
import { FEATURES, type RunningReplibot, startReplibot } from '../../src/main.js';
import type { SlashSubcommand } from '../../src/slack/subcommands.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { createSlackSender, TEST_SIGNING_SECRET } from '../fakes/slack-requests.js';

const quiet = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

/** The `<...>` Slack reads as markup that replies may carry on purpose. */
const MEANT_MARKUP = /<(?:@U[A-Z0-9]+|#C[A-Z0-9]+|!date\^[^<>]*|!here|!channel|https?:\/\/[^<>\s]+)>/g;

/** Every mrkdwn string of a reply: its text (unless mrkdwn is off) and each mrkdwn field of its blocks. */
function mrkdwnOf(body: Record<string, unknown>): string[] {
  const found: string[] = [];
  if (typeof body.text === 'string' && body.mrkdwn !== false) found.push(body.text);
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') found.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(body.blocks);
  return found;
}

let slack: FakeSlackApi;
let running: RunningReplibot;
const registered: SlashSubcommand[] = [];
let alertService: AlertService | undefined;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  // the app's own features, recording the subcommands each one registers
  const features: FeatureFactory[] = FEATURES.map((factory) => async (ctx) => {
    const feature = await factory(ctx);
    registered.push(...(feature.subcommands ?? []));
    if ('service' in feature) alertService = feature.service as AlertService;
    return { ...feature, services: [] };
  });
  running = await startReplibot({
    env: {
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      LOG_LEVEL: 'silent',
    },
    errorOutput: quiet(),
    features,
    slack: { host: '127.0.0.1', clientOptions: { retryConfig: { retries: 0 } } },
  });
});

afterAll(async () => {
  await running.stop();
  await slack.close();
});

describe('/replicas replies', () => {
  it('escape every < and > that is not a mention, date or link, for every registered subcommand', async () => {
    const sender = createSlackSender(`http://127.0.0.1:${running.slack!.port}/slack/events`);
    let n = 0;
    const ask = async (text: string) => {
      n += 1;
      const id = `escape-${n}`;
      await sender.command({ text, channel_id: 'C0ESC', user_id: 'U1', response_url: slack.responseUrl(id) });
      return (await slack.waitForResponse(id)).body as Record<string, unknown>;
    };
    // set-up first, so the lists have lines to show
    await ask('subscribe vm ubuntu88');
    await ask('mute vm ubuntu88 1h');
    await ask('digest daily 08:00');
    expect(registered.map((s) => s.name)).toEqual(
      expect.arrayContaining(['subscribe', 'subscriptions', 'mutes', 'unmute', 'digest', 'digests']),
    );

    const problems: string[] = [];
    for (const sub of registered) {
      for (const args of ['', 'nonsense <words>', '99', 'help']) {
        const text = `${sub.name} ${args}`.trim();
        for (const mrkdwn of mrkdwnOf(await ask(text))) {
          const stray = mrkdwn.replace(MEANT_MARKUP, '').match(/[<>].{0,20}/g);
          if (stray) problems.push(`/replicas ${text}: ${stray.join(' | ')}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // the placeholders are still there, as text Slack shows
    expect(mrkdwnOf(await ask('subscriptions')).join('\n')).toContain('`/replicas unsubscribe &lt;n&gt;`');
  });
});

describe('App Home', () => {
  it("shows the last successful poll as a Slack date (the reader's zone) whose fallback names its zone", async () => {
    expect((await alertService!.poller.pollOnce()).ok).toBe(true);
    const sender = createSlackSender(`http://127.0.0.1:${running.slack!.port}/slack/events`);
    await sender.event({ type: 'app_home_opened', user: 'U1', channel: 'D1', tab: 'home', event_ts: '1.2' });
    const call = await slack.waitForCall('views.publish');
    expect(JSON.stringify(call.params.view)).toMatch(
      /last successful poll <!date\^\d+\^\{date_short_pretty\} \{time\}\|\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC>/,
    );
  });
});
