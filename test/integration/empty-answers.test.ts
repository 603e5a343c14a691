/**
 * Empty answers say what was asked, in the words of the question's kind: the real answerer and EM client against
 * a nearly empty simulator over HTTP, rendered for the terminal and for Slack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultAnswerer } from '../../src/answers/create-default-answerer.js';
import type { Answerer } from '../../src/answers/domain/create-answerer.js';
import { renderReply } from '../../src/answers/slack/render-reply.js';
import { renderText } from '../../src/answers/text/render-text.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient } from '../../src/veeam/em-client.js';
import { simEmOptions } from '../fakes/sim-em-options.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const H = 3_600_000;
let sim: RunningSimulator;
let em: EmClient;
let answerer: Answerer;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 2,
    now: () => NOW,
    data: { taskSessions: 0 },
    backups: { taskSessions: 0 },
  });
  // one good replica and one good backup an hour ago, nothing else
  const at = { creationTime: new Date(NOW.getTime() - H), endTime: new Date(NOW.getTime() - H / 2) };
  sim.addTaskSession({ vm: 'app01', job: 'App Replica', result: 'Success', ...at });
  sim.addBackupTaskSession({ vm: 'db01', job: 'Nightly', result: 'Success', ...at });
  em = createEmClient(simEmOptions(sim.url));
  answerer = createDefaultAnswerer(em);
});
afterAll(async () => {
  await em?.close();
  await sim?.close();
});

/** The terminal's last line and the Slack message, of one answer. */
async function ask(question: string): Promise<{ text: string; slack: string }> {
  const reply = await answerer.ask(question, { userId: null, timeZone: 'UTC' }, { now: NOW, pageSize: 10 });
  const text = renderText(reply, { color: false, timeZone: 'UTC' }).split('\n').at(-1) ?? '';
  return { text, slack: JSON.stringify(renderReply(reply, { timeZone: 'UTC' })) };
}

describe('empty answers', () => {
  it.each([
    [
      'which VMs have not replicated successfully for 24 hours',
      'No VM has gone 1d without a successful replica: every VM EM knows has a newer one.',
    ],
    [
      'which VMs have no successful backups for 24 hours',
      'No VM has gone 1d without a successful backup: every VM EM knows has a newer one.',
    ],
    [
      'which VMs have no successful backup copies for 24 hours',
      "No VM has a successful backup copy in EM's 30 days: EM has no backup copies to look at.",
    ],
    ['which VMs failed the most this week', 'No failed replicas this week, so no VMs to rank.'],
    ['which backups failed the most this week', 'No failed backups this week, so no VMs to rank.'],
    ['failures this week vs last week', 'No failed replicas this week, and none last week either.'],
    ['backup failures this week vs last week', 'No failed backups this week, and none last week either.'],
    ['backups took longer than 2 hours this week', 'None of the 1 backups this week took longer than 2h.'],
    ['failed backups today', 'No failed backups today.'],
    ['failed replicas today', 'No failed replicas today.'],
  ])('"%s" says "%s" in the terminal and in Slack', async (question, sentence) => {
    const answer = await ask(question);
    expect(answer.text).toBe(sentence);
    expect(answer.slack).toContain(sentence);
    expect(`${answer.text} ${answer.slack}`).not.toContain('Nothing to list');
  });

  it('never calls a replication VM a backup that never succeeded', async () => {
    const reply = await answerer.ask(
      'which VMs have no successful backups for 24 hours',
      { userId: null, timeZone: 'UTC' },
      { now: NOW, pageSize: 10 },
    );
    expect(JSON.stringify(reply)).not.toContain('app01');
  });
});
