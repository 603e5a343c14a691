/**
 * The store on both engines, for the poller's hot path: what one poll asks of the store (which of the window's
 * UIDs are new, each new VM's streak, then one transaction writing seen UIDs, streaks, a few alerts with their
 * outbox rows and the watermark), as polls per second and store operations per second. SQLite is a file in a
 * temporary folder; PostgreSQL a throwaway server on this machine (test/fakes/postgres-server.ts), skipped when
 * PostgreSQL is not installed. BENCH_STORE_POLLS (default 50) and BENCH_STORE_SESSIONS (default 500 per window)
 * set the size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openReplibotDatabase } from '../src/app/database.js';
import { type AlertStore, createAlertStore } from '../src/features/alerts/alert-store.js';
import { findPostgresBinaries, startPostgresServer } from '../test/fakes/postgres-server.js';

const POLLS = Number(process.env.BENCH_STORE_POLLS ?? 50);
const SESSIONS = Number(process.env.BENCH_STORE_SESSIONS ?? 500);
/** of a window's sessions, how many are new (the rest were seen by the previous, overlapping poll) */
const FRESH_SHARE = 0.2;
/** of the new ones, how many failed (an alert and an outbox row each) */
const FAILED_SHARE = 0.05;

interface Figures {
  engine: string;
  pollsPerSecond: number;
  opsPerSecond: number;
  msPerPoll: number;
}

/** One poll's store work; returns how many store operations it made. */
async function pollOnce(store: AlertStore, poll: number): Promise<number> {
  const now = new Date(Date.UTC(2026, 11, 1) + poll * 60_000);
  const fresh = Math.round(SESSIONS * FRESH_SHARE);
  // the window: the last poll's sessions (seen) and this poll's new ones
  const uids = Array.from({ length: SESSIONS }, (_, i) => `task-${poll * fresh + i - (SESSIONS - fresh)}`);
  let ops = 1;
  const unseen = await store.seen.unseen(uids);
  for (const uid of unseen) {
    await store.vmStatus.get('Job', `vm-${uid}`);
    ops += 1;
  }
  ops += await store.transaction(async (tx) => {
    let n = 0;
    await tx.seen.markSeen(
      unseen.map((uid) => ({ uid, endTime: now })),
      now,
    );
    n += 1;
    for (const [i, uid] of unseen.entries()) {
      const failed = i < unseen.length * FAILED_SHARE;
      await tx.vmStatus.put({
        jobName: 'Job',
        vmName: `vm-${uid}`,
        failedRuns: failed ? 1 : 0,
        lastResult: failed ? 'Failed' : 'Success',
        lastEndTime: now,
      });
      n += 1;
      if (!failed) continue;
      const alert = await tx.alerts.create(
        {
          channelId: 'C1',
          jobSessionUid: `run-${uid}`,
          jobName: 'Job',
          serverName: 'vbr01',
          runStartedAt: now,
          vms: [
            { taskUid: uid, vmName: `vm-${uid}`, result: 'Failed', reason: 'x', failedRuns: 1, endTime: now },
          ],
        },
        now,
      );
      await tx.outbox.enqueue(
        { key: `alert:${alert.id}`, channelId: 'C1', action: 'post', alertId: alert.id },
        now,
      );
      n += 2;
    }
    for (const key of ['watermark', 'last_success', 'failures'])
      await tx.state.set(`poller.${key}`, String(now.getTime()));
    return n + 3;
  });
  return ops;
}

async function measure(engine: string, target: string): Promise<Figures> {
  const db = await openReplibotDatabase(target);
  try {
    const store = createAlertStore(db.db);
    await pollOnce(store, 0); // warm-up: statements prepared, tables touched
    let ops = 0;
    const started = performance.now();
    for (let poll = 1; poll <= POLLS; poll++) ops += await pollOnce(store, poll);
    const seconds = (performance.now() - started) / 1000;
    return {
      engine,
      pollsPerSecond: POLLS / seconds,
      opsPerSecond: ops / seconds,
      msPerPoll: (seconds * 1000) / POLLS,
    };
  } finally {
    await db.close();
  }
}

export async function run(): Promise<string> {
  const rows: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'replibot-bench-store-'));
  try {
    const sqlite = await measure('SQLite (file, WAL)', join(dir, 'bench.db'));
    rows.push(toRow(sqlite));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (findPostgresBinaries() === null) {
    rows.push('| PostgreSQL | skipped: not installed | | |');
  } else {
    const server = await startPostgresServer();
    try {
      rows.push(toRow(await measure('PostgreSQL 15 (local, fsync off)', await server.createDatabase())));
    } finally {
      await server.stop();
    }
  }
  return `## Store: the poller's hot path on both engines

${POLLS} polls, each over a window of ${SESSIONS} sessions of which ${Math.round(SESSIONS * FRESH_SHARE)} are new
and ${Math.round(SESSIONS * FRESH_SHARE * FAILED_SHARE)} failed: one batched read of the window's UIDs, one streak read per new
session, then one transaction (seen UIDs, streaks, alerts and their outbox rows, the watermark). The PostgreSQL
server is a throwaway one on the same machine with fsync off: a lower bound for its latency, not a production figure.

| Engine | polls/s | store ops/s | ms per poll |
| --- | ---: | ---: | ---: |
${rows.join('\n')}`;
}

function toRow(f: Figures): string {
  return `| ${f.engine} | ${f.pollsPerSecond.toFixed(1)} | ${Math.round(f.opsPerSecond)} | ${f.msPerPoll.toFixed(1)} |`;
}
