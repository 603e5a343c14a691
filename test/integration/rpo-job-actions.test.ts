/**
 * Job action buttons on an RPO alert, end to end: the composed app (alerts, the RPO watch and the job actions,
 * Slack HTTP mode, a real SQLite file) against the live simulator and the fake Slack Web API, on a clock the test
 * moves. A stopped job's "Not running" alert carries Start now and Pause schedule (signed for its channel, behind
 * a confirm); pressing Start now starts one run in EM and the note goes into the alert's thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureFactory } from '../../src/app/feature.js';
import { createActionsFeatureFactory } from '../../src/features/actions/feature.js';
import { decodeActionValue } from '../../src/features/actions/slack/action-value.js';
import { JOB_ACTION_IDS } from '../../src/features/actions/slack/render-action-buttons.js';
import { createAlertsFeature } from '../../src/features/alerts/feature.js';
import { createRpoFeature } from '../../src/features/rpo/feature.js';
import type { RpoService } from '../../src/features/rpo/rpo-service.js';
import { type RunningReplibot, startReplibot } from '../../src/main.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import {
  blockActionsPayload,
  createSlackSender,
  signSlackRequest,
  TEST_SIGNING_SECRET,
} from '../fakes/slack-requests.js';
import { waitFor } from '../fakes/wait-for.js';

const H = 3_600_000;
const CHANNEL = 'C0RPOACT';
const ANA = 'U0ANA';
const JOB = 'SQL Replica';
let now = Date.parse('2026-06-17T12:00:00Z');
const clock = { now: () => new Date(now) };

let dir: string;
let sim: RunningSimulator;
let slack: FakeSlackApi;
let app: RunningReplibot | undefined;
let rpo: RpoService | undefined;

const quiet = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

interface PostedButton {
  action_id: string;
  value: string;
  style?: string;
  confirm?: { text: { text: string }; style?: string };
}

function buttonsOf(blocks: unknown): PostedButton[] {
  const out: PostedButton[] = [];
  for (const block of (blocks as Array<{ type: string; elements?: PostedButton[] }>) ?? [])
    if (block.type === 'actions') out.push(...(block.elements ?? []));
  return out;
}

async function advance(ms: number): Promise<void> {
  const before = (await app?.leadership.status())?.token ?? 0;
  now += ms;
  await waitFor(async () => {
    const status = await app?.leadership.status();
    return status?.role === 'leader' && (status.token ?? 0) > before;
  }, 'the lease taken again after the clock moved');
}

function sender() {
  if (!app?.slack) throw new Error('no Slack app');
  return createSlackSender(`http://127.0.0.1:${app.slack.port}/slack/events`);
}

const posts = () =>
  slack
    .callsTo('chat.postMessage')
    .filter((call) => call.params.channel === CHANNEL && !call.params.thread_ts);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replibot-rpo-act-'));
  sim = await startSimulator({ seed: 7, now: () => new Date(now), live: true, data: { taskSessions: 2000 } });
  slack = await startFakeSlackApi();
  const captureRpo: FeatureFactory = async (ctx) => {
    const feature = await createRpoFeature(ctx);
    rpo = feature.rpo;
    return feature;
  };
  app = await startReplibot({
    env: {
      VEEAM_URL: sim.url,
      VEEAM_USERNAME: 'replibot',
      VEEAM_PASSWORD: 'replibot',
      VEEAM_ACTION_USERNAME: 'replibot',
      VEEAM_ACTION_PASSWORD: 'replibot',
      ACTION_USER_IDS: `start,pause:${ANA}`,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DATABASE_PATH: join(dir, 'replibot.db'),
      RPO_DEFAULT: '24h',
      RPO_EVALUATE_MINUTES: '1440',
      LEASE_SECONDS: '3',
      LOG_LEVEL: process.env.RPO_TEST_LOG ?? 'silent',
    },
    clock,
    features: [
      createAlertsFeature,
      captureRpo,
      createActionsFeatureFactory({ taskPollMs: 5, runPollMs: 10, resumeEveryMs: 0 }),
    ],
    errorOutput: process.env.RPO_TEST_LOG ? process.stderr : quiet(),
    slack: { host: '127.0.0.1', clientOptions: { retryConfig: { retries: 0 } } },
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await sim?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('job actions on an RPO alert', () => {
  it('offers Start now and Pause schedule on a stopped job, and Start now starts one run', async () => {
    await sender().command({
      text: `subscribe rpo job "${JOB}"`,
      channel_id: CHANNEL,
      response_url: slack.responseUrl('sub'),
    });
    await slack.waitForResponse('sub');
    await advance(H);
    await rpo?.evaluateOnce();
    const control = await fetch(`${sim.url}/_sim/jobs/${encodeURIComponent(JOB)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'stopped' }),
    });
    expect(control.status).toBe(200);
    await advance(14 * H);
    await rpo?.evaluateOnce();
    await waitFor(() => posts().length === 1, 'the RPO alert');
    const alert = posts()[0];
    if (alert === undefined) throw new Error('no RPO alert');
    expect(JSON.stringify(alert.params.blocks)).toContain(`Not running: ${JOB}`);
    const buttons = buttonsOf(alert.params.blocks);
    expect(buttons.map((b) => b.action_id)).toEqual([JOB_ACTION_IDS.start, JOB_ACTION_IDS.pause]);
    const [start, pause] = buttons;
    expect(pause?.confirm?.style).toBe('danger');
    expect(start?.confirm?.text.text).toContain(JOB);
    // signed for this channel and this job
    expect(decodeActionValue(start?.value ?? '', TEST_SIGNING_SECRET)).toMatchObject({
      action: 'start',
      channelId: CHANNEL,
      jobUid: expect.stringMatching(/^urn:veeam:Job:/),
    });
    const before = (await (await fetch(`${sim.url}/_sim/jobs/${encodeURIComponent(JOB)}`)).json()) as {
      actions: unknown[];
      runs: unknown[];
    };
    expect(before.actions).toEqual([]);

    // the fake Slack API numbers the ts of each chat.postMessage in order (test/fakes/fake-slack-api.ts)
    const index = slack.callsTo('chat.postMessage').indexOf(alert);
    const alertTs = `1700000000.${String(index + 1).padStart(6, '0')}`;
    const payload = blockActionsPayload({
      actionId: JOB_ACTION_IDS.start,
      value: start?.value ?? '',
      responseUrl: slack.responseUrl('press'),
      user: ANA,
      channel: CHANNEL,
      messageTs: alertTs,
    });
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const pressed = await sender().send(body, 'application/x-www-form-urlencoded', {
      ...signSlackRequest(body, TEST_SIGNING_SECRET),
    });
    expect(pressed.status).toBe(200);
    await waitFor(
      () =>
        slack
          .callsTo('chat.postMessage')
          .some((c) => c.params.thread_ts === alertTs && String(c.params.text).includes('Run started')),
      'the note in the alert thread',
    );
    const after = (await (await fetch(`${sim.url}/_sim/jobs/${encodeURIComponent(JOB)}`)).json()) as {
      actions: Array<{ action: string; userName: string }>;
      runs: unknown[];
    };
    expect(after.actions.map((a) => a.action)).toEqual(['start']);
    expect(after.runs.length).toBe(before.runs.length + 1);
    expect(slack.violations).toEqual([]);
  }, 120_000);
});
