/**
 * Digests: what the weekly digest costs against EM histories of 100,000 and 1,000,000 task sessions, the copy
 * of the whole window beside collectDigest's counts and streams (each in a child process, for its peak RSS), and
 * the pure summary on its own.
 */

import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toDigestWindow } from '../src/features/digests/domain/digest-window.js';
import { summarizeDigest } from '../src/features/digests/domain/summarize-digest.js';
import { startSimulator } from '../src/simulator/index.js';
import { syntheticSessions } from './synthetic-sessions.js';

const here = dirname(fileURLToPath(import.meta.url));

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const f1 = (n: number) => n.toFixed(1);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface ChildResult {
  requests: number;
  bytes: number;
  ms: number;
  peakRssBytes: number;
  hash: string | null;
  runs: number;
}

/** One digest collection in a child process (its own peak RSS), against the simulator running here. */
function collectInChild(url: string, mode: 'copy' | 'counts' | 'idle', end: Date): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(here, 'digest-child.ts'),
        url,
        mode,
        'week',
        end.toISOString(),
        'Europe/Berlin',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`digest child (${mode}) exited with ${code}`));
      else resolve(JSON.parse(out.trim()) as ChildResult);
    });
  });
}

async function todayVersusCounts(taskSessions: number) {
  const now = new Date();
  process.stderr.write(`bench digest: ${taskSessions} sessions: generating\n`);
  const sim = await startSimulator({ port: 0, seed: 5, now: () => now, data: { taskSessions } });
  try {
    process.stderr.write(`bench digest: ${taskSessions} sessions: copy\n`);
    const copy = await collectInChild(sim.url, 'copy', now);
    process.stderr.write(`bench digest: ${taskSessions} sessions: counts\n`);
    const counts = await collectInChild(sim.url, 'counts', now);
    return { copy, counts };
  } finally {
    await sim.close();
  }
}

export async function run(): Promise<string> {
  const lines: string[] = ['## Digests', ''];
  lines.push(
    'The weekly digest (Europe/Berlin, ending now) against the simulator over HTTP (XML, 1,000 rows a page), the',
    "collection run in a child process of its own so that its peak RSS is the bot's alone (the simulator runs in",
    'the parent). *Copy* is the path before this change: one query over the 30 days the digest reads, every row',
    'held, then summarizeDigest. *Counts* is collectDigest now (docs/digests.md, "How a digest is read"): the current',
    'and previous week streamed through an accumulator, EM counts for the older chart days, per-replica history only',
    'where a streak or a stopped replica needs it. Both give the same digest (the hash of its JSON).',
    '',
    '| EM history (30 days) | path | EM requests | received | time | peak RSS (bot process) | runs this week | same digest |',
    '|---:|---|---:|---:|---:|---:|---:|---|',
  );
  const idle = await collectInChild('http://127.0.0.1:9', 'idle', new Date());
  const results: Array<[number, { copy: ChildResult; counts: ChildResult }]> = [];
  for (const size of [100_000, 1_000_000]) {
    const r = await todayVersusCounts(size);
    results.push([size, r]);
    for (const [label, x] of [
      ['copy', r.copy],
      ['counts', r.counts],
    ] as const) {
      lines.push(
        `| ${size.toLocaleString('en-US')} | ${label} | ${x.requests.toLocaleString('en-US')} | ${f1(x.bytes / 2 ** 20)} MiB | ${f1(x.ms / 1000)} s | ${Math.round(x.peakRssBytes / 2 ** 20)} MiB | ${x.runs.toLocaleString('en-US')} | ${label === 'copy' ? '' : r.copy.hash === r.counts.hash ? 'yes' : 'NO'} |`,
      );
    }
  }
  const [small, large] = [results[0]![1].counts, results[1]![1].counts];
  lines.push(
    '',
    `A child process that starts, loads the code and logs on to nothing peaks at ${Math.round(idle.peakRssBytes / 2 ** 20)} MiB RSS (the floor of every row above).`,
    `Counts from 100,000 to 1,000,000 sessions: requests ${(large.requests / small.requests).toFixed(2)}x, bytes ${(large.bytes / small.bytes).toFixed(2)}x, time ${(large.ms / small.ms).toFixed(2)}x, peak RSS ${(large.peakRssBytes / small.peakRssBytes).toFixed(2)}x.`,
  );

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
