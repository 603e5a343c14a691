/**
 * A full query of 10,000 replica task sessions through the real EM client against the local simulator (same
 * process, plain HTTP on 127.0.0.1): wall time, requests, bytes and peak RSS, for XML and JSON and two page sizes.
 */
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

async function measure(format: 'xml' | 'json', pageSize: number, url: string): Promise<Figure> {
  const client = createEmClient({
    url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format,
    timeoutMs: 60_000,
    pageSize,
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
  if (rows !== TASKS) throw new Error(`expected ${TASKS} rows, got ${rows}`);
  return { format, pageSize, ms, rows, requests, bytes: bytesReceived, peakRssMiB: peak / 2 ** 20 };
}

export async function run(): Promise<string> {
  const figures: Figure[] = [];
  for (const keyStyle of ['v12'] as const) {
    const sim = await startSimulator({ port: 0, seed: 1, keyStyle, data: { taskSessions: TASKS } });
    try {
      // one untimed pass warms the JIT and the simulator's indexes
      await measure('json', 500, sim.url);
      for (const format of ['xml', 'json'] as const) {
        for (const pageSize of [100, 500]) figures.push(await measure(format, pageSize, sim.url));
      }
    } finally {
      await sim.close();
    }
  }
  const lines = [
    '## Full query of 10,000 task sessions',
    '',
    `\`queryTaskSessions\` over every one of ${TASKS.toLocaleString('en-US')} replica task sessions (sorted by CreationTime), real client against the simulator in the same process over HTTP on 127.0.0.1. Wall time includes logon, every page, the simulator rendering each page, decoding and row validation. Peak RSS is the whole process (client and simulator), sampled every 5 ms.`,
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
  return lines.join('\n');
}
