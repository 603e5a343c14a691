/**
 * The RPO watch: what one evaluation costs EM (requests, bytes, time) at 1,000 and 20,000 protected VMs, and how
 * it grows with the number of VMs. Each VM keeps 7 replica points (Veeam's default), its job runs daily over a
 * week, so EM holds 7 points per VM; the evaluation reads every point (reduced to the newest per VM as pages
 * arrive), the week's job sessions and its failed task sessions. `RPO_BENCH_VMS=100,500` runs other sizes.
 *
 * The backup side (`collectRpo(..., 'backup')`: every restore point, every VM restore point, the week's backup
 * job sessions and failed backup task sessions) is measured on the simulator's backup estate, which has a fixed
 * size (its named backup jobs, about 25 machines and 3 file shares): its cost per VM is the figure to scale.
 */

import { collectRpo } from '../src/features/rpo/collect-rpo.js';
import { evaluateRpo, mergeInventory } from '../src/features/rpo/domain/evaluate-rpo.js';
import { silentLogger } from '../src/logger.js';
import { startSimulator } from '../src/simulator/index.js';
import { createEmClient } from '../src/veeam/em-client.js';

const DAY = 86_400_000;
const NOW = new Date('2026-06-17T12:00:00Z');

interface Cost {
  kind: 'replication' | 'backup';
  vms: number;
  requests: number;
  bytes: number;
  ms: number;
  heapMiB: number;
}

async function measure(vms: number, format: 'xml' | 'json'): Promise<Cost[]> {
  const vmsPerJob = 10;
  // the generator's 8 named jobs have 24 VMs between them; the others about vmsPerJob each
  const jobs = 8 + Math.ceil(Math.max(0, vms - 24) / vmsPerJob);
  process.stderr.write(`bench rpo: ${vms} VMs (${format}): generating\n`);
  const sim = await startSimulator({
    seed: 5,
    now: () => NOW,
    data: { jobs, vmsPerJob, days: 7, taskSessions: vms * 8, running: 0, demo: false, failureRate: 0.02 },
  });
  try {
    const em = createEmClient({
      url: sim.url,
      username: 'replibot',
      password: 'replibot',
      caFile: undefined,
      insecureTls: false,
      format,
      timeoutMs: 600_000,
      pageSize: 1000,
      logger: silentLogger,
    });
    const costs: Cost[] = [];
    for (const kind of ['replication', 'backup'] as const) {
      process.stderr.write(`bench rpo: ${vms} VMs (${format}, ${kind}): evaluating\n`);
      const requestsBefore = em.stats.requests;
      const bytesBefore = em.stats.bytesReceived;
      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      const inputs = await collectRpo(em, NOW, 7 * DAY, kind);
      const known = mergeInventory([], inputs.copies, NOW);
      const verdict = evaluateRpo({
        now: NOW,
        vms: known,
        runs: inputs.runs,
        failures: inputs.failures,
        policy: { defaultMs: DAY, graceMs: 3 * DAY },
        kind,
      });
      const ms = performance.now() - started;
      const heapMiB = Math.max(0, process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
      costs.push({
        kind,
        vms: verdict.vms.length,
        // the first evaluation includes the logon
        requests: em.stats.requests - requestsBefore,
        bytes: em.stats.bytesReceived - bytesBefore,
        ms,
        heapMiB,
      });
    }
    await em.close();
    return costs;
  } finally {
    await sim.close();
  }
}

export async function run(): Promise<string> {
  const sizes = (process.env.RPO_BENCH_VMS ?? '1000,20000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  const rows: string[] = [];
  const costs: Cost[] = [];
  const backupRows: string[] = [];
  for (const size of sizes) {
    for (const format of ['xml', 'json'] as const) {
      const [cost, backup] = await measure(size, format);
      if (cost === undefined || backup === undefined) continue;
      if (format === 'xml') costs.push(cost);
      rows.push(
        `| ${size.toLocaleString('en-US')} | ${format} | ${cost.vms.toLocaleString('en-US')} | ${cost.requests} | ${(cost.bytes / 2 ** 20).toFixed(1)} MiB | ${cost.ms.toFixed(0)} ms | ${cost.heapMiB.toFixed(0)} MiB |`,
      );
      if (size === sizes[0])
        backupRows.push(
          `| ${format} | ${backup.vms} | ${backup.requests} | ${(backup.bytes / 2 ** 10).toFixed(0)} KiB | ${(backup.bytes / Math.max(1, backup.vms) / 1024).toFixed(1)} KiB | ${backup.ms.toFixed(0)} ms |`,
        );
    }
  }
  const [first, last] = [costs[0], costs.at(-1)];
  const growth =
    first && last && last !== first
      ? `From ${first.vms.toLocaleString('en-US')} to ${last.vms.toLocaleString('en-US')} VMs (x${(last.vms / first.vms).toFixed(0)}): requests x${(last.requests / first.requests).toFixed(1)}, bytes x${(last.bytes / first.bytes).toFixed(1)}, time x${(last.ms / first.ms).toFixed(1)}.`
      : '';
  return `## RPO watch: one evaluation

One RPO evaluation (\`collectRpo\` + \`evaluateRpo\`): every VM replica point (7 per VM), the last 7 days of job
sessions and failed task sessions, page size 1000, against the simulator (daily runs, 10 VMs per job).

| VMs asked | format | VMs judged | requests | bytes from EM | time | heap growth |
| ---: | --- | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}

${growth}
The cost is linear in the number of VMs: the points query is 7 rows per VM (the replica's retention), about
${first ? (first.bytes / Math.max(1, first.vms) / 1024).toFixed(1) : '?'} KiB per VM in XML; the job and failed-task queries follow the runs of the lookback window.
Memory holds one row per VM (the newest point), never the points. At the default \`RPO_EVALUATE_MINUTES=15\`
that is 96 evaluations a day; the evaluation runs only while some channel subscribes.

Backups (an evaluation of its own, only while a channel has a \`backups\` RPO subscription): every restore
point (one row per backup run, for the job names), every VM restore point, the week's backup job sessions and
failed backup task sessions, on the simulator's fixed backup estate:

| format | VMs judged | requests | bytes from EM | per VM | time |
| --- | ---: | ---: | ---: | ---: | ---: |
${backupRows.join('\n')}

One query more than replication (the restore points, a few hundred rows); the VM restore points are, as replica
points, the retention's rows per VM, so the backup side grows per VM as the replication side does.
`;
}
