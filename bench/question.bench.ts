/**
 * Question parsing speed: the phrasing table of the tests (every grammar form, several zones), questions it
 * cannot read (each builds "did you mean" suggestions and re-parses them), and 1,000-character inputs, the
 * longest it accepts. A Slack reply has about 3 seconds; parsing must be a rounding error in that budget.
 */
import { parseQuestion } from '../src/question/parse-question.js';
import { NOW, PHRASINGS, ZONE } from '../test/unit/question/phrasings.js';

const MIN_MS = 1_000;

/** Runs each input once per round until MIN_MS have passed; returns per-call times in microseconds. */
function measure(inputs: ReadonlyArray<{ q: string; tz: string; now: Date }>): number[] {
  for (const input of inputs) parseQuestion(input.q, { now: input.now, timeZone: input.tz });
  const samples: number[] = [];
  const started = performance.now();
  while (performance.now() - started < MIN_MS) {
    for (const input of inputs) {
      const t0 = performance.now();
      parseQuestion(input.q, { now: input.now, timeZone: input.tz });
      samples.push((performance.now() - t0) * 1000);
    }
  }
  return samples.sort((a, b) => a - b);
}

function row(name: string, samples: number[]): string {
  const at = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return `| ${name} | ${samples.length.toLocaleString('en-US')} | ${mean.toFixed(1)} | ${at(0.5).toFixed(1)} | ${at(0.99).toFixed(1)} | ${Math.round(1e6 / mean).toLocaleString('en-US')} |`;
}

export async function run(): Promise<string> {
  const now = new Date(NOW);
  const table = PHRASINGS.map((p) => ({ q: p.q, tz: p.tz ?? ZONE, now: p.now ? new Date(p.now) : now }));
  const unreadable = [
    'apache02 faild today',
    'delete all replicas',
    'failed for SQL Srv 01 today',
    'what is the weather in Berlin',
    'faild replicsa yesterdya',
  ].map((q) => ({ q, tz: ZONE, now }));
  const words = 'failed replicas for apache02 in job "SQL Replica" on server srv02 since monday oldest first';
  const long = [
    { q: `${words} `.repeat(20).slice(0, 1000), tz: ZONE, now },
    { q: 'x'.repeat(1000), tz: ZONE, now },
    { q: 'last '.repeat(200), tz: ZONE, now },
  ];
  return [
    '## Question parser',
    '',
    `parseQuestion on one core, ${MIN_MS} ms per set after a warm-up; microseconds per question.`,
    '',
    '| Input | Questions parsed | Mean µs | p50 µs | p99 µs | Questions/s |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row(`phrasing table (${table.length} questions, 6 zones)`, measure(table)),
    row('not understood, with suggestions (5)', measure(unreadable)),
    row('1,000-character inputs (3)', measure(long)),
  ].join('\n');
}
