/**
 * A manual probe of the Slack front door (not part of `npm run bench`): floods the bot as bench/slack.bench.ts
 * does (from another process) `SLACK_PROFILE_ROUNDS` times with `SLACK_PROFILE_COUNT` commands and prints each
 * round's ack p50/p99/max, for the builds named in `SLACK_PROFILE_MODE` (comma-separated, taking turns round by
 * round; all three by default): `guard` (the request guard acks, today), `bolt` (Bolt's receiver acks, before)
 * and `bare` (a plain node:http server: the floor the flood itself sets). Run it under
 * `node --cpu-prof --import tsx bench/slack-profile.ts` to see where the bot's CPU goes between accept and ack.
 */
import { type FloodVariant, floodRounds } from './slack.bench.js';

const COUNT = Number(process.env.SLACK_PROFILE_COUNT ?? 200);
const ROUNDS = Number(process.env.SLACK_PROFILE_ROUNDS ?? 5);
const MODES = (process.env.SLACK_PROFILE_MODE ?? 'guard,bolt,bare').split(',');

const variants: FloodVariant[] = [
  { label: 'guard', work: {}, guardAcks: true },
  { label: 'bolt', work: {}, guardAcks: false },
  { label: 'bare', bare: true as const },
].filter((v) => MODES.includes(v.label));
const results = await floodRounds(variants, { counts: [COUNT], rounds: ROUNDS });
for (const { label, count, rounds } of results)
  for (const r of rounds)
    process.stdout.write(
      `${label} ${count}: p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} max ${r.max.toFixed(1)} busy ${r.busy}\n`,
    );
