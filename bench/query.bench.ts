/**
 * A full query of 10,000 replica task sessions through the real EM client against the local simulator (same
 * process, plain HTTP on 127.0.0.1): wall time, requests, bytes and peak RSS, for XML and JSON and two page sizes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../src/simulator/index.js';
import { createEmClient } from '../src/veeam/em-client.js';

const TASKS = 10_000;

interface Figure {
  format: 'xml' | 'json';
  pageSize: number;
  ms: number;
  rows: number;
  requests: number;
  bytes: number;
  peakRssMiB: number;
}

async function measure(
  format: 'xml' | 'json',
  pageSize: number,
  url: string,
  concurrency = 4,
  expected = TASKS,
): Promise<Figure> {
  const client = createEmClient({
    url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format,
    timeoutMs: 60_000,
    pageSize,
    concurrency,
  });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const started = performance.now();
  let rows = 0;
  try {
    for await (const _task of client.queryTaskSessions({ sort: { field: 'CreationTime', direction: 'asc' } }))
      rows += 1;
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - started;
  peak = Math.max(peak, process.memoryUsage().rss);
  const { requests, bytesReceived } = client.stats;
  await client.close();
  if (rows !== expected) throw new Error(`expected ${expected} rows, got ${rows}`);
  return { format, pageSize, ms, rows, requests, bytes: bytesReceived, peakRssMiB: peak / 2 ** 20 };
}

const RUNS = 3;
const SLOW_TASKS = 100_000;
const SLOW_PAGE_SIZE = 1_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(): Promise<string> {
  const figures: Figure[] = [];
  for (const keyStyle of ['v12'] as const) {
    const sim = await startSimulator({ port: 0, seed: 1, keyStyle, data: { taskSessions: TASKS } });
    try {
      // one untimed pass warms the JIT and the simulator's indexes
      await measure('json', 500, sim.url);
      for (const format of ['xml', 'json'] as const) {
        for (const pageSize of [100, 500]) {
          // the median run by wall time: the machine is shared, so one run can be far off
          const runs: Figure[] = [];
          for (let i = 0; i < RUNS; i += 1) runs.push(await measure(format, pageSize, sim.url));
          const middle = median(runs.map((f) => f.ms));
          figures.push(runs.find((f) => f.ms === middle)!);
        }
      }
    } finally {
      await sim.close();
    }
  }
  const lines = [
    '## Full query of 10,000 task sessions',
    '',
    `\`queryTaskSessions\` over every one of ${TASKS.toLocaleString('en-US')} replica task sessions (sorted by CreationTime), real client against the simulator in the same process over HTTP on 127.0.0.1, pages fetched 4 at a time (the default \`VEEAM_CONCURRENCY\`). Wall time includes logon, every page, the simulator rendering each page, decoding and row validation. Peak RSS is the whole process (client and simulator), sampled every 5 ms. Each row is the median of ${RUNS} runs by wall time.`,
    '',
    '| format | page size | wall time | requests | received | task sessions/s | peak RSS |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const f of figures) {
    lines.push(
      `| ${f.format.toUpperCase()} | ${f.pageSize} | ${(f.ms / 1000).toFixed(2)} s | ${f.requests} | ${(f.bytes / 2 ** 20).toFixed(1)} MiB | ${Math.round((f.rows / f.ms) * 1000).toLocaleString('en-US')} | ${f.peakRssMiB.toFixed(0)} MiB |`,
    );
  }
  lines.push(
    '',
    "Requests = one logon + one per page (the client never relies on EM's default page size of 100).",
  );

  if (process.env.BENCH_SLOW_EM !== '0') lines.push('', ...(await slowEm()));
  return lines.join('\n');
}

/**
 * A simulator in a child process, as a real EM is another machine: its rendering does not take the client's
 * thread. Answers wait `latencyMs`; `stop` ends the process.
 */
async function startSlowEm(tasks: number, latencyMs: number): Promise<{ url: string; stop: () => void }> {
  const simulator = fileURLToPath(new URL('../src/simulator/index.js', import.meta.url));
  const code = `const { startSimulator } = await import(${JSON.stringify(simulator)});
const sim = await startSimulator({ port: 0, seed: 1, data: { taskSessions: ${tasks} }, faults: { latencyMs: ${latencyMs} } });
process.stdout.write(sim.url + '\\n');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { url: chunk.toString('utf8').trim(), stop: () => child.kill() };
}

/** A 100,000-row query from an EM that takes 200 ms or 1 s per answer: one page at a time against 4 side by side. */
async function slowEm(): Promise<string[]> {
  const rows: string[] = [];
  for (const latencyMs of [200, 1_000]) {
    const em = await startSlowEm(SLOW_TASKS, latencyMs);
    try {
      const today = await measure('xml', SLOW_PAGE_SIZE, em.url, 1, SLOW_TASKS);
      const side = await measure('xml', SLOW_PAGE_SIZE, em.url, 4, SLOW_TASKS);
      rows.push(
        `| ${latencyMs.toLocaleString('en-US')} ms | ${(today.ms / 1000).toFixed(1)} s | ${(side.ms / 1000).toFixed(1)} s | ${(today.ms / side.ms).toFixed(1)}x | ${today.peakRssMiB.toFixed(0)} / ${side.peakRssMiB.toFixed(0)} MiB |`,
      );
    } finally {
      em.stop();
    }
  }
  return [
    "### A slow EM: 100,000 task sessions, today's path vs pages side by side",
    '',
    `\`queryTaskSessions\` over ${SLOW_TASKS.toLocaleString('en-US')} replica task sessions in XML, ${SLOW_PAGE_SIZE.toLocaleString('en-US')} rows a page (${SLOW_TASKS / SLOW_PAGE_SIZE} pages), with the simulator in its own process (as EM is another machine) waiting the given time before every answer (\`latencyMs\`). Today's path is one page after another (\`VEEAM_CONCURRENCY=1\`); new is 4 pages in flight. One run each: the waiting dominates, so load on the machine moves these little. Peak RSS is the client's process only.`,
    '',
    '| latency per request | today (1 at a time) | new (4 side by side) | faster | peak RSS (1 / 4) |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ];
}
