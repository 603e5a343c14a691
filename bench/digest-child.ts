/**
 * One digest collection in a process of its own, so its peak RSS is the bot's alone (the simulator runs in the
 * parent, bench/digest.bench.ts). Prints one JSON line: requests, bytes, time, peak RSS, event-loop delay and a digest hash.
 * Usage: node --import tsx bench/digest-child.ts <em url> copy|counts|idle day|week <end ISO> <time zone>
 * (DIGEST_CHILD_PAGE_SIZE: rows per EM page, default 1,000)
 */
import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { and, cmp } from '../src/core/filter.js';
import type { ReplicaTaskSession } from '../src/core/sessions.js';
import { collectDigest } from '../src/features/digests/collect-digest.js';
import { type DigestPeriod, toDigestWindow } from '../src/features/digests/domain/digest-window.js';
import { type Digest, summarizeDigest } from '../src/features/digests/domain/summarize-digest.js';
import { silentLogger } from '../src/logger.js';
import { createEmClient } from '../src/veeam/em-client.js';

const [url, mode, period, endText, timeZone] = process.argv.slice(2) as [
  string,
  'copy' | 'counts' | 'idle',
  DigestPeriod,
  string,
  string,
];
const end = new Date(endText);
const em = createEmClient({
  url,
  username: 'replibot',
  password: 'replibot',
  caFile: undefined,
  insecureTls: false,
  format: 'xml',
  timeoutMs: 600_000,
  pageSize: Number(process.env.DIGEST_CHILD_PAGE_SIZE ?? '1000'),
  logger: silentLogger,
});

/** Today's path before counts: one query over the whole window, every row held, then summarised. */
async function copyWindow(): Promise<Digest> {
  const window = toDigestWindow(period, end, timeZone);
  const sessions: ReplicaTaskSession[] = [];
  for await (const session of em.queryTaskSessions({
    filter: and(cmp('CreationTime', '>=', window.fetchStart), cmp('CreationTime', '<', window.end)),
    sort: { field: 'CreationTime', direction: 'asc' },
  }))
    sessions.push(session);
  return summarizeDigest(sessions, window);
}

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const t0 = performance.now();
const digest =
  mode === 'idle'
    ? // five seconds of nothing: the event-loop delay the loaded machine alone causes
      await new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000))
    : mode === 'copy'
      ? await copyWindow()
      : await collectDigest(em, { period, end, timeZone });
const ms = performance.now() - t0;
loop.disable();
await em.close();
process.stdout.write(
  `${JSON.stringify({
    requests: em.stats.requests,
    bytes: em.stats.bytesReceived,
    ms,
    // resourceUsage().maxRSS is in KiB: the peak over the whole process life
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    hash:
      digest === null ? null : createHash('sha256').update(JSON.stringify(digest)).digest('hex').slice(0, 12),
    runs: digest?.current.totals.runs ?? 0,
    // the histogram is in ns and includes the 10 ms resolution itself
    loopP99Ms: loop.count === 0 ? 0 : loop.percentile(99) / 1e6,
    loopMaxMs: loop.count === 0 ? 0 : loop.max / 1e6,
  })}\n`,
);
