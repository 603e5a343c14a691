import { describe, expect, it } from 'vitest';
import { toDigestWindow } from '../../../../../src/features/digests/domain/digest-window.js';
import { summarizeDigest } from '../../../../../src/features/digests/domain/summarize-digest.js';
import { renderDigestBlocks } from '../../../../../src/features/digests/slack/render-digest-blocks.js';
import { renderDigestText } from '../../../../../src/features/digests/text/render-digest-text.js';
import { findBlockKitViolations } from '../../../../../src/slack/limits.js';
import { taskSession } from '../../../../fakes/task-session.js';

const END = new Date('2025-06-10T06:00:00Z');
const window = toDigestWindow('day', END, 'Europe/Berlin');
const at = (hhmm: string) => `2025-06-09T${hhmm}:00Z`;

function sampleDigest(failedOnly = false) {
  return summarizeDigest(
    [
      taskSession({
        vm: 'web01',
        job: 'Web',
        at: '2025-06-08T10:00:00Z',
        result: 'Failed',
        reason: 'Disk full',
      }),
      taskSession({ vm: 'web01', job: 'Web', at: at('10:00'), result: 'Failed', reason: 'Disk full' }),
      taskSession({ vm: 'web02', job: 'Web', at: at('10:00'), result: 'Warning', reason: 'CBT was reset' }),
      taskSession({ vm: 'db01', job: 'DB', at: '2025-06-07T10:00:00Z' }),
      taskSession({ vm: 'db01', job: 'DB', at: '2025-06-08T10:00:00Z' }),
      taskSession({ vm: 'app01', job: 'App', at: at('10:00'), minutes: 75, size: 300 * 1024 ** 3 }),
    ],
    window,
    { jobName: null, serverName: null, failedOnly },
  );
}

describe('renderDigestBlocks', () => {
  it('shows totals, failures by job, streaks, stopped replicas, warnings and the top runs', () => {
    const message = renderDigestBlocks(sampleDigest());
    const all = JSON.stringify(message.blocks);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Daily replication digest · Tue 10 Jun' },
    });
    expect(all).toContain('Mon 9 Jun 08:00 – Tue 10 Jun 08:00 (Europe/Berlin)');
    expect(all).toContain('*OK rate* (success or warning)\\n66.7%');
    expect(all).toContain(':x: *Failed in Web* (1 VM)');
    expect(all).toContain('• *web01* failed, last Mon 9 Jun 12:00 — Disk full');
    expect(all).toContain('*web01* (Web): at least 2 failed replications in a row');
    expect(all).toContain('*db01* (DB): last replicated Sun 8 Jun 12:00, success');
    expect(all).toContain('*web02* (Web) — CBT was reset');
    expect(all).toContain('1h 15m · app01 (App)');
    expect(all).toContain('300 GB · app01 (App)');
    expect(findBlockKitViolations(message)).toEqual([]);
    expect(message.text).toBe(
      'Daily replication digest · Tue 10 Jun: 3 VM replications, 66.7% ok, 1 failed, 1 with warnings, 1 stopped replicating. Still failing: web01 (Web).',
    );
  });

  it('leaves warnings and top runs out of a failures-only digest', () => {
    const all = JSON.stringify(renderDigestBlocks(sampleDigest(true)).blocks);
    expect(all).toContain('Failed in Web');
    expect(all).toContain('Filters: failures only');
    expect(all).not.toContain(':warning: *Warnings*');
    expect(all).not.toContain('Longest VM replications');
  });

  it('marks a late digest in the header and says why', () => {
    const message = renderDigestBlocks(sampleDigest(), { late: true });
    expect(JSON.stringify(message.blocks[0])).toContain('(late)');
    expect(JSON.stringify(message.blocks[1])).toContain('sent late');
    expect(message.text).toContain('(late)');
  });

  it('escapes names and reasons from EM so they cannot ping or link', () => {
    const digest = summarizeDigest(
      [
        taskSession({
          vm: '<!channel>',
          job: 'A&B <x>',
          at: at('10:00'),
          result: 'Failed',
          reason: '<https://evil|click>',
        }),
      ],
      window,
    );
    const message = renderDigestBlocks(digest);
    const all = JSON.stringify(message);
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<https://evil');
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).toContain('A&amp;B &lt;x&gt;');
  });

  it('warns, escaped and within limits, that a job or server EM does not know keeps the digest empty', () => {
    const empty = summarizeDigest([], window, {
      jobName: '<!here> job',
      serverName: 'srv02',
      failedOnly: false,
    });
    const message = renderDigestBlocks({
      ...empty,
      unknownNames: [
        { field: 'JobName', name: '<!here> job', suggestions: ['R&D <web>'] },
        { field: 'BackupServerName', name: 'srv02', suggestions: ['srv02.tech.local'], otherFields: [] },
        { field: 'JobName', name: 'x'.repeat(5000), suggestions: [] },
      ],
    });
    expect(message.blocks[2]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: expect.stringContaining(
          ':warning: Enterprise Manager has no job named &lt;!here&gt; job; did you mean R&amp;D &lt;web&gt;? This digest will stay empty until the name matches.\n:warning: Enterprise Manager has no backup server named srv02; did you mean srv02.tech.local? This digest will stay empty until the name matches.\n',
        ),
      },
    });
    expect(JSON.stringify(message.blocks)).not.toMatch(/<!here>|<web>/);
    expect(message.text).toContain(
      'Enterprise Manager has no backup server named srv02; did you mean srv02.tech.local?',
    );
    expect(message.text).not.toContain('<!here>');
    expect(findBlockKitViolations(message)).toEqual([]);
    expect(
      renderDigestBlocks(empty)
        .blocks.map((b) => JSON.stringify(b))
        .join(''),
    ).not.toContain('Enterprise Manager has no');
  });

  it('stays within Block Kit limits with hundreds of failing VMs in dozens of jobs', () => {
    const sessions = [];
    for (let j = 0; j < 60; j++)
      for (let v = 0; v < 40; v++)
        sessions.push(
          taskSession({
            vm: `vm-${j}-${v}-${'x'.repeat(60)}`,
            job: `Job ${j} ${'y'.repeat(80)}`,
            at: at('10:00'),
            result: v % 3 === 0 ? 'Warning' : 'Failed',
            reason: 'r'.repeat(900),
          }),
        );
    const message = renderDigestBlocks(summarizeDigest(sessions, window), { chartInThread: true });
    expect(findBlockKitViolations(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const footer = JSON.stringify(message.blocks.at(-1));
    expect(footer).toMatch(/\d+ more lines left out to fit Slack/);
    expect(footer).toContain('results per day in the thread');
    expect(message.text.length).toBeLessThanOrEqual(1000);
  });
});

describe('renderDigestText', () => {
  it('prints every section as plain text', () => {
    const text = renderDigestText(sampleDigest());
    expect(text).toContain('Daily replication digest · Tue 10 Jun\n');
    expect(text).toContain('3 VM replications (+1 vs 2 the day before) · 66.7% ok (+16.7 pts)');
    // one summary line, and a VM's task session is never called a "run" in the digest
    const summary = text.split('\n').filter((line) => /% ok/.test(line));
    expect(summary).toHaveLength(1);
    expect(text).not.toMatch(/\d+ runs?\b|\bRuns\b/);
    expect(text).toContain('    ✗ web01: failed, last Mon 9 Jun 12:00: Disk full');
    expect(text).toContain('Stopped replicating');
    expect(text).toContain('  2025-06-09  1 / 1 / 1');
  });
});
