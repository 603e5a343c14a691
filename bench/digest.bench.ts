/**
 * Digests: what one scheduled digest costs end to end against EM histories of growing size (the EM query over
 * every page, the summary, the Block Kit message and the chart PNG), and the pure parts on their own.
 */

import type { ReplicaTaskSession } from '../src/core/sessions.js';
import { collectDigest } from '../src/features/digests/collect-digest.js';
import { toDigestWindow } from '../src/features/digests/domain/digest-window.js';
import { summarizeDigest } from '../src/features/digests/domain/summarize-digest.js';
import { renderDigestChart } from '../src/features/digests/render-digest-chart.js';
import { renderDigestBlocks } from '../src/features/digests/slack/render-digest-blocks.js';
import { silentLogger } from '../src/logger.js';
import { startSimulator } from '../src/simulator/index.js';
import { createEmClient } from '../src/veeam/em-client.js';

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const f1 = (n: number) => n.toFixed(1);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function endToEnd(taskSessions: number, period: 'day' | 'week') {
  const now = new Date();
  const sim = await startSimulator({ port: 0, seed: 5, now: () => now, data: { taskSessions } });
  const em = createEmClient({
    url: sim.url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format: 'xml',
    timeoutMs: 600_000,
    pageSize: 1000,
    logger: silentLogger,
  });
  try {
    const t0 = process.hrtime.bigint();
    const digest = await collectDigest(em, { period, end: now, timeZone: 'Europe/Berlin' });
    const collectMs = ms(t0);
    const t1 = process.hrtime.bigint();
    const message = renderDigestBlocks(digest, { chartInThread: true });
    const blocksMs = ms(t1);
    const t2 = process.hrtime.bigint();
    const chart = renderDigestChart(digest);
    const chartMs = ms(t2);
    const fetched = digest.perDay.reduce((n, d) => n + d.success + d.warning + d.failed, 0);
    return {
      fetched,
      requests: em.stats.requests,
      bytes: em.stats.bytesReceived,
      collectMs,
      blocksMs,
      chartMs,
      blocks: message.blocks.length,
      pngBytes: chart.png.length,
    };
  } finally {
    await em.close();
    await sim.close();
  }
}

function syntheticSessions(count: number, end: Date): ReplicaTaskSession[] {
  const sessions: ReplicaTaskSession[] = [];
  const span = 30 * 86_400_000;
  for (let i = 0; i < count; i++) {
    const t = end.getTime() - Math.floor((i / count) * span) - 1;
    const r = i % 17 === 0 ? 'Failed' : i % 11 === 0 ? 'Warning' : 'Success';
    sessions.push({
      uid: `urn:veeam:ReplicaTaskSession:${i}`,
      id: String(i),
      name: `vm${i % 500}@x`,
      vmDisplayName: `vm${i % 500}`,
      jobSessionUid: `urn:veeam:ReplicaJobSession:${Math.floor(i / 5)}`,
      jobName: `Job ${i % 40}`,
      backupServerName: 'vbr01',
      creationTime: new Date(t),
      endTime: new Date(t + 600_000),
      state: 'Completed',
      result: r,
      reason: r === 'Success' ? '' : 'Something went wrong on the target host',
      totalSize: (i % 97) * 1024 ** 3,
    });
  }
  return sessions;
}

export async function run(): Promise<string> {
  const lines: string[] = ['## Digests', ''];
  lines.push(
    'One scheduled digest end to end against the simulator over HTTP (XML, 1,000 rows a page): the EM query over',
    'every page of the window the digest needs (8 days for a daily digest with its 7-day chart, 30 days for a',
    'weekly one), the summary, the Block Kit message and the chart PNG (1600×800).',
    '',
    '| EM history (30 days) | digest | rows fetched | EM requests | received | collect + summarise | Block Kit | chart PNG | PNG size | blocks |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const [size, period] of [
    [3_000, 'day'],
    [3_000, 'week'],
    [30_000, 'day'],
    [30_000, 'week'],
    [100_000, 'week'],
  ] as const) {
    const r = await endToEnd(size, period);
    lines.push(
      `| ${size.toLocaleString('en-US')} | ${period === 'day' ? 'daily' : 'weekly'} | ${r.fetched.toLocaleString('en-US')} | ${r.requests} | ${f1(r.bytes / 2 ** 20)} MiB | ${f1(r.collectMs)} ms | ${f1(r.blocksMs)} ms | ${f1(r.chartMs)} ms | ${f1(r.pngBytes / 1024)} KiB | ${r.blocks} |`,
    );
  }

  const end = new Date('2025-06-10T06:00:00Z');
  const window = toDigestWindow('week', end, 'Europe/Berlin');
  lines.push(
    '',
    'The pure summary on its own (median of 5 runs, 30 days of synthetic sessions, 500 VMs in 40 jobs):',
    '',
  );
  lines.push('| sessions | summarizeDigest |', '|---:|---:|');
  for (const count of [10_000, 100_000, 300_000]) {
    const sessions = syntheticSessions(count, end);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = process.hrtime.bigint();
      summarizeDigest(sessions, window);
      times.push(ms(t));
    }
    lines.push(`| ${count.toLocaleString('en-US')} | ${f1(median(times))} ms |`);
  }
  return lines.join('\n');
}
