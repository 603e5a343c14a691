/**
 * A manual probe of the Slack front door (not part of `npm run bench`): floods the bot (as bench/slack.bench.ts
 * does, from another process) `SLACK_PROFILE_ROUNDS` times with `SLACK_PROFILE_COUNT` commands and prints each
 * round's ack p50/p99/max (`SLACK_PROFILE_MODE=ab`, the default: the guard acking and Bolt acking, taking
 * turns; `guard` or `bolt`: one of them). Run it under `node --cpu-prof --import tsx bench/slack-profile.ts` to see where the
 * bot's CPU goes between accept and ack. `SLACK_PROFILE_MODE=bare` floods a plain node:http server that reads
 * the body and answers 200 at once instead: the floor the flood itself (client, kernel, loopback) sets.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { floodRounds } from './slack.bench.js';

const here = dirname(fileURLToPath(import.meta.url));
const run$ = promisify(execFile);
const COUNT = Number(process.env.SLACK_PROFILE_COUNT ?? 200);
const ROUNDS = Number(process.env.SLACK_PROFILE_ROUNDS ?? 5);
const MODE = process.env.SLACK_PROFILE_MODE ?? 'ab';

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

if (MODE === 'bare') {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"response_type":"ephemeral","text":"ok"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  for (let round = 0; round < ROUNDS + 1; round++) {
    const { stdout } = await run$(process.execPath, [
      '--import',
      'tsx',
      join(here, process.env.SLACK_PROFILE_FLOOD ?? 'slack-flood.ts'),
      `http://127.0.0.1:${port}/slack/events`,
      String(COUNT),
      'http://127.0.0.1:1/r',
      'help',
    ]);
    // cast: slack-flood.ts prints this one JSON line
    const { acks } = JSON.parse(stdout) as { acks: number[] };
    if (round > 0)
      process.stdout.write(
        `bare ${COUNT}: p50 ${pct(acks, 50).toFixed(1)} p99 ${pct(acks, 99).toFixed(1)} max ${Math.max(...acks).toFixed(1)}\n`,
      );
  }
  server.close();
} else {
  // guard: the request guard acks (today); bolt: Bolt's receiver acks (before); ab: both, taking turns
  const variants = [
    { label: 'guard', work: {}, guardAcks: true },
    { label: 'bolt', work: {}, guardAcks: false },
  ].filter((v) => MODE === 'ab' || v.label === MODE);
  const results = await floodRounds(variants, { counts: [COUNT], rounds: ROUNDS });
  for (const { label, count, rounds } of results)
    for (const r of rounds)
      process.stdout.write(
        `${label} ${count}: p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} max ${r.max.toFixed(1)} busy ${r.busy}\n`,
      );
}
