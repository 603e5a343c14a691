import { startSimulator } from '../src/simulator/index.js';
import { createEmClient } from '../src/veeam/em-client.js';

const sim = await startSimulator({ port: 0, seed: 1, data: { taskSessions: 10_000 } });
async function once(concurrency: number) {
  const client = createEmClient({ url: sim.url, username: 'replibot', password: 'replibot', caFile: undefined, insecureTls: false, format: 'xml', timeoutMs: 60_000, pageSize: 500, concurrency });
  const c0 = process.cpuUsage(); const t0 = performance.now(); let rows = 0;
  for await (const _ of client.queryTaskSessions({ sort: { field: 'CreationTime', direction: 'asc' } })) rows++;
  const c = process.cpuUsage(c0);
  await client.close();
  return `${concurrency}: wall ${(performance.now() - t0).toFixed(0)} ms cpu ${((c.user + c.system) / 1000).toFixed(0)} ms rows ${rows}`;
}
await once(1);
for (let i = 0; i < 3; i++) { console.log(await once(1)); console.log(await once(4)); }
await sim.close();
