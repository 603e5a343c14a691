/**
 * Names EM knows and computed answers. (1) Parse time per question with name resolution over 10,000 known
 * names (bare names, names with spaces, near misses, admin phrasings); (2) the EM cost of a ranking over 30 days
 * ("which VMs failed the most in the last 30 days") and of the name catalogue's first load, against the
 * simulator over HTTP at 100k task sessions: requests, bytes and milliseconds.
 *
 * `BENCH_NAMES_SESSIONS` sets the simulator size (default 100,000; a quick check: 5,000).
 */
import { createDefaultAnswerer } from '../src/answers/create-default-answerer.js';
import { createEmNameSource } from '../src/answers/domain/name-source.js';
import { createNameCatalogue, type KnownName } from '../src/question/name-catalogue.js';
import { parseQuestion } from '../src/question/parse-question.js';
import { startSimulator } from '../src/simulator/index.js';
import { createEmClient } from '../src/veeam/em-client.js';
import { ADMIN_PHRASINGS } from '../test/unit/question/phrasings-admin.js';

const MIN_MS = 1_000;
const NOW = new Date('2026-11-23T10:05:00.000Z');

function knownNames(count: number): KnownName[] {
  const names: KnownName[] = [
    { kind: 'vm', name: 'apache02' },
    { kind: 'vm', name: 'ubuntu88' },
    { kind: 'vm', name: 'SQL Server 01' },
    { kind: 'job', name: 'SQL Replica' },
    { kind: 'server', name: 'vbr01' },
  ];
  for (let i = 0; names.length < count; i++) {
    const kind = i % 10 === 0 ? 'job' : i % 97 === 0 ? 'server' : 'vm';
    names.push({ kind, name: kind === 'job' ? `Replica Job ${i}` : `host-${(i * 7919) % 100_000}-${i}` });
  }
  return names;
}

function percentiles(samples: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return {
    p50: at(0.5),
    p99: at(0.99),
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
  };
}

export async function run(): Promise<string> {
  const catalogue = createNameCatalogue(knownNames(10_000));
  const questions = [
    ...ADMIN_PHRASINGS.map((p) => p.q),
    'apache02 failures 2d',
    'failures for SQL Server 01 today',
    'apache2 failures today',
    'SQL Replica failures yesterday',
    'failed for host-123-x today',
  ];
  const options = { now: NOW, timeZone: 'Europe/Berlin', names: catalogue };
  for (const q of questions) parseQuestion(q, options);
  const samples: number[] = [];
  const started = performance.now();
  while (performance.now() - started < MIN_MS) {
    for (const q of questions) {
      const t0 = performance.now();
      parseQuestion(q, options);
      samples.push((performance.now() - t0) * 1000);
    }
  }
  const parse = percentiles(samples);

  const sessions = Number(process.env.BENCH_NAMES_SESSIONS ?? 100_000);
  const simNow = new Date('2026-11-20T12:00:00Z');
  const sim = await startSimulator({
    seed: 5,
    now: () => simNow,
    data: { taskSessions: sessions, days: 30 },
  });
  const em = createEmClient({
    url: sim.url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format: 'json',
    timeoutMs: 120_000,
    pageSize: 10_000,
  });
  const cost = async (what: () => Promise<unknown>) => {
    const requests = em.stats.requests;
    const bytes = em.stats.bytesReceived;
    const t0 = performance.now();
    await what();
    return {
      requests: em.stats.requests - requests,
      bytes: em.stats.bytesReceived - bytes,
      ms: performance.now() - t0,
    };
  };
  try {
    // the catalogue's first load on its own, then a ranking with the catalogue already loaded
    const load = await cost(() => createEmNameSource(em).catalogue(simNow));
    const answerer = createDefaultAnswerer(em);
    await answerer.ask('failed today', { userId: null, timeZone: 'UTC' }, { now: simNow, pageSize: 10 });
    const ranking = await cost(() =>
      answerer.ask(
        'which VMs failed the most in the last 30 days',
        { userId: null, timeZone: 'UTC' },
        { now: simNow, pageSize: 10 },
      ),
    );
    const mb = (n: number) => (n / 1e6).toFixed(1);
    return [
      '## Names EM knows and computed answers',
      '',
      `parseQuestion with a catalogue of 10,000 names, ${questions.length} questions (the admin phrasing table and bare/spaced/near-miss names), ${MIN_MS} ms after a warm-up:`,
      '',
      '| Questions parsed | Mean µs | p50 µs | p99 µs |',
      '| ---: | ---: | ---: | ---: |',
      `| ${samples.length.toLocaleString('en-US')} | ${parse.mean.toFixed(1)} | ${parse.p50.toFixed(1)} | ${parse.p99.toFixed(1)} |`,
      '',
      `EM cost against the simulator over HTTP (JSON, 10,000 rows a page) at ${sessions.toLocaleString('en-US')} task sessions over 30 days:`,
      '',
      '| What | Requests | MB received | ms |',
      '| --- | ---: | ---: | ---: |',
      `| name catalogue, first load (30 days of task and job sessions) | ${load.requests} | ${mb(load.bytes)} | ${Math.round(load.ms)} |`,
      `| ranking "which VMs failed the most in the last 30 days" (every failed session) | ${ranking.requests} | ${mb(ranking.bytes)} | ${Math.round(ranking.ms)} |`,
    ].join('\n');
  } finally {
    await em.close();
    await sim.close();
  }
}
