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
  /** event-loop delay in the child (the bot's process) during the collection, ms */
  loopP99Ms: number;
  loopMaxMs: number;
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

/**
 * A history of the bench: `taskSessions` over `days`. The generator makes enough jobs that none runs more often
 * than hourly (44 for 100,000 sessions in 30 days, about 140 sessions an hour), so 1,000,000 over 300 days is the
 * same estate running as often with ten times the history (equal density), and 1,000,000 over 30 days is ten
 * times the density (435 jobs).
 */
interface HistoryCase {
  taskSessions: number;
  days: number;
  /** run the copy path too (at 1,000,000 in 30 days it reads 1.1 GiB and takes minutes: off) */
  copy: boolean;
}

/** DIGEST_BENCH_SCALE=0.01 runs every case at a hundredth of its size (a quick check that the bench works). */
const SCALE = Number(process.env.DIGEST_BENCH_SCALE ?? '1');
const CASES: HistoryCase[] = [
  { taskSessions: 100_000, days: 30, copy: true },
  { taskSessions: 1_000_000, days: 300, copy: true },
  { taskSessions: 1_000_000, days: 30, copy: false },
];

async function todayVersusCounts(c: HistoryCase) {
  const now = new Date();
  const taskSessions = Math.round(c.taskSessions * SCALE);
  process.stderr.write(`bench digest: ${taskSessions} sessions over ${c.days} days: generating\n`);
  const sim = await startSimulator({
    port: 0,
    seed: 5,
    now: () => now,
    data: { taskSessions, days: c.days },
  });
  try {
    const jobs = sim.counts().jobs;
    let copy: ChildResult | null = null;
    if (c.copy) {
      process.stderr.write(`bench digest: ${taskSessions} sessions over ${c.days} days: copy\n`);
      copy = await collectInChild(sim.url, 'copy', now);
    }
    process.stderr.write(`bench digest: ${taskSessions} sessions over ${c.days} days: counts\n`);
    const counts = await collectInChild(sim.url, 'counts', now);
    return { copy, counts, jobs, taskSessions };
  } finally {
    await sim.close();
  }
}

export async function run(): Promise<string> {
  const lines: string[] = ['## Digests', ''];
  lines.push(
    'The weekly digest (Europe/Berlin, ending now) against the simulator over HTTP (XML, 1,000 rows a page), the',
    "collection run in a child process of its own so that its peak RSS and its event-loop delay are the bot's",
    'alone (the simulator runs in the parent, as EM is another machine). *Copy* is the path before counts: one',
    'query over the 30 days the digest reads, every row held, then summarizeDigest. *Counts* is collectDigest',
    '(docs/digests.md, "How a digest is read"): the current and previous week streamed through an accumulator, EM',
    'counts for the older chart days, per-replica history (bounded by the 30 days) only where a streak or a stopped',
    'replica needs it. Both give the same digest (the hash of its JSON). Event-loop delay: `monitorEventLoopDelay`',
    '(10 ms resolution) in the bot process over the whole collection.',
    '',
    '| EM history | sessions an hour | jobs | path | EM requests | received | time | peak RSS (bot process) | loop delay p99 / max | runs this week | same digest |',
    '|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|',
  );
  const idle = await collectInChild('http://127.0.0.1:9', 'idle', new Date());
  const results: Array<{ c: HistoryCase; counts: ChildResult }> = [];
  for (const c of CASES) {
    const r = await todayVersusCounts(c);
    results.push({ c, counts: r.counts });
    const history = `${r.taskSessions.toLocaleString('en-US')} over ${c.days} days`;
    const perHour = (r.taskSessions / (c.days * 24)).toFixed(0);
    for (const [label, x] of [
      ['copy', r.copy],
      ['counts', r.counts],
    ] as const) {
      if (x === null) {
        lines.push(`| ${history} | ${perHour} | ${r.jobs} | ${label} | not run | | | | | | |`);
        continue;
      }
      lines.push(
        `| ${history} | ${perHour} | ${r.jobs} | ${label} | ${x.requests.toLocaleString('en-US')} | ${f1(x.bytes / 2 ** 20)} MiB | ${f1(x.ms / 1000)} s | ${Math.round(x.peakRssBytes / 2 ** 20)} MiB | ${x.loopP99Ms.toFixed(0)} / ${x.loopMaxMs.toFixed(0)} ms | ${x.runs.toLocaleString('en-US')} | ${label === 'copy' ? '' : r.copy === null ? '(copy not run)' : r.copy.hash === r.counts.hash ? 'yes' : 'NO'} |`,
      );
    }
  }
  const ratio = (a: ChildResult, b: ChildResult) =>
    `requests ${(b.requests / a.requests).toFixed(2)}x, bytes ${(b.bytes / a.bytes).toFixed(2)}x, time ${(b.ms / a.ms).toFixed(2)}x, peak RSS ${(b.peakRssBytes / a.peakRssBytes).toFixed(2)}x`;
  const [base, flat, dense] = results.map((r) => r.counts);
  lines.push(
    '',
    `A child process that starts, loads the code and logs on to nothing peaks at ${Math.round(idle.peakRssBytes / 2 ** 20)} MiB RSS (the floor of every row above); idle for 5 s on this machine at this load, its event loop is late by ${idle.loopP99Ms.toFixed(0)} ms at p99 and ${idle.loopMaxMs.toFixed(0)} ms at most (the floor of the delay column: the scheduler, not the digest).`,
  );
  if (base && flat)
    lines.push(`Counts, 10x the history at equal density (the first two histories): ${ratio(base, flat)}.`);
  if (base && dense)
    lines.push(
      `Counts, 10x the density in the same 30 days (the first and the last): ${ratio(base, dense)}.`,
    );

  const end = new Date('2025-06-10T06:00:00Z');
  const window = toDigestWindow('week', end, 'Europe/Berlin');
  lines.push(
    '',
    'The pure summary on its own (median of 5 runs, 30 days of synthetic sessions, 500 VMs in 40 jobs):',
    '',
  );
  lines.push('| sessions | summarizeDigest |', '|---:|---:|');
  for (const count of [10_000, 100_000, 300_000].map((n) => Math.max(100, Math.round(n * SCALE)))) {
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
