/**
 * The EM simulator: how long it takes to generate its history and start, and how fast it answers one filtered
 * page over HTTP, at 10,000 and 1,000,000 task sessions.
 */
import { startSimulator } from '../src/simulator/index.js';

const NOW = new Date('2026-06-17T12:00:00Z');
const BASIC = `Basic ${Buffer.from('replibot:replibot').toString('base64')}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

interface Shape {
  label: string;
  params: Record<string, string>;
  json: boolean;
}

const since = new Date(NOW.getTime() - 86_400_000).toISOString();
const SHAPES: Shape[] = [
  {
    label: 'last 24 h, Warning or Failed, newest first (XML)',
    params: { filter: `CreationTime>="${since}";(Result==Warning,Result==Failed)`, sortDesc: 'CreationTime' },
    json: false,
  },
  {
    label: 'last 24 h, Warning or Failed, newest first (JSON)',
    params: { filter: `CreationTime>="${since}";(Result==Warning,Result==Failed)`, sortDesc: 'CreationTime' },
    json: true,
  },
  {
    label: 'one VM (VM index), newest first (XML)',
    params: { filter: 'VmDisplayName=="apache02"', sortDesc: 'CreationTime' },
    json: false,
  },
  {
    label: 'Result==Failed over all history (full scan), newest first (XML)',
    params: { filter: 'Result==Failed', sortDesc: 'CreationTime' },
    json: false,
  },
];

async function measure(sessions: number, rounds: number): Promise<string[]> {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const sim = await startSimulator({ seed: 1, now: () => NOW, data: { taskSessions: sessions } });
  const startMs = performance.now() - started;
  const rssAfter = process.memoryUsage().rss;
  const rows: string[] = [];
  try {
    const logon = await fetch(`${sim.url}/api/sessionMngr/?v=latest`, {
      method: 'POST',
      headers: { authorization: BASIC },
    });
    const token = logon.headers.get('x-restsvcsessionid')!;
    rows.push(
      `| ${sessions.toLocaleString('en-US')} | generate + start | ${startMs.toFixed(0)} ms | | RSS +${((rssAfter - rssBefore) / 2 ** 20).toFixed(0)} MiB |`,
    );
    for (const shape of SHAPES) {
      const params = new URLSearchParams({
        type: 'ReplicaTaskSession',
        format: 'Entities',
        pageSize: '100',
        ...shape.params,
      });
      const headers: Record<string, string> = { 'x-restsvcsessionid': token };
      if (shape.json) headers.accept = 'application/json';
      const times: number[] = [];
      let bytes = 0;
      let pages = '';
      for (let i = 0; i < rounds + 2; i++) {
        const t0 = performance.now();
        const res = await fetch(`${sim.url}/api/query?${params}`, { headers });
        const text = await res.text();
        const ms = performance.now() - t0;
        if (res.status !== 200) throw new Error(`query answered ${res.status}: ${text.slice(0, 200)}`);
        if (i >= 2) times.push(ms); // the first two warm the JIT
        bytes = Buffer.byteLength(text);
        pages = /PagesCount"?[=:]"?(\d+)/i.exec(text)?.[1] ?? '?';
      }
      times.sort((a, b) => a - b);
      rows.push(
        `| ${sessions.toLocaleString('en-US')} | ${shape.label} | median ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms | ${pages} pages of 100 | ${(bytes / 1024).toFixed(0)} KiB per page |`,
      );
    }
  } finally {
    await sim.close();
  }
  return rows;
}

export async function run(): Promise<string> {
  const rows = [...(await measure(10_000, 30)), ...(await measure(1_000_000, 15))];
  return `## EM simulator

Generation of the deterministic history (seed 1, 30 days) and start of the HTTP server, then one filtered page
(\`pageSize=100\`) of \`GET /api/query?type=ReplicaTaskSession&format=Entities\` over local HTTP, logon session
reused. Time-bounded filters use binary search over sessions sorted by CreationTime; VM and job filters use their
indexes; the full-scan row is the worst case (no CreationTime bound, no index).

| task sessions | what | time | result | notes |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
}
