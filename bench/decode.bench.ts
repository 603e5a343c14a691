/**
 * Decoding throughput of the EM client: one page of 1,000 replica task sessions as the simulator renders it, in
 * XML, v12 JSON and v13 JSON, decoded into domain objects (parse + zod). Plain `JSON.parse` of the same JSON is the
 * floor no decoder can beat.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startSimulator } from '../src/simulator/index.js';
import { parseQueryPage } from '../src/veeam/em-schemas.js';
import { parseEmBody, toBodyText } from '../src/veeam/parse-em-body.js';

const ROWS = 1_000;
const MIN_MS = 600;
/** the machine is shared: each figure is the median of this many rounds */
const ROUNDS = 5;

async function fetchPage(keyStyle: 'v12' | 'v13', accept: string): Promise<Buffer> {
  const sim = await startSimulator({ port: 0, seed: 1, keyStyle, data: { taskSessions: ROWS } });
  try {
    const logon = await fetch(`${sim.url}/api/sessionMngr/?v=latest`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('replibot:replibot').toString('base64')}` },
    });
    const token = logon.headers.get('x-restsvcsessionid') ?? '';
    const page = await fetch(
      `${sim.url}/api/query?type=ReplicaTaskSession&format=Entities&sortAsc=CreationTime&pageSize=${ROWS}&page=1`,
      { headers: { accept, 'x-restsvcsessionid': token } },
    );
    return Buffer.from(await page.arrayBuffer());
  } finally {
    await sim.close();
  }
}

/** CPU time this process has used, in ms (user + system). */
function cpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

/**
 * Runs `work` until it has used MIN_MS of CPU (after a warm-up), ROUNDS times; the median of the rounds' CPU ms
 * per call. CPU time rather than wall time: on a shared, loaded machine wall time mostly measures the wait for a
 * core.
 */
function measure(work: () => unknown): number {
  for (let i = 0; i < 5; i += 1) work();
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    let calls = 0;
    const started = cpuMs();
    let used = 0;
    while (used < MIN_MS) {
      work();
      calls += 1;
      used = cpuMs() - started;
    }
    rounds.push(used / calls);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(ROUNDS / 2)]!;
}

/** A full collection; `--expose-gc` switched on here, so `npm run bench` needs no node flag. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * Heap kept by one row of each of PAGES decoded pages (the rest of each page dropped), after full collections.
 * A decoded string that is a slice of the page text keeps the whole page text alive; copies keep only themselves.
 */
function measureRetained(body: Buffer, pages: number): number {
  // heap and external memory: a large page text read from bytes is an external string, outside the heap
  const used = () => {
    const memory = process.memoryUsage();
    return memory.heapUsed + memory.external;
  };
  collectGarbage();
  const before = used();
  const kept: unknown[] = [];
  for (let page = 0; page < pages; page += 1) {
    // a fresh copy of the bytes, as each page is its own answer
    const decoded = parseQueryPage('ReplicaTaskSession', parseEmBody(Buffer.from(body)).tree);
    kept.push(decoded.items[0]);
  }
  collectGarbage();
  collectGarbage();
  const after = used();
  if (kept.length !== pages) throw new Error('kept rows lost');
  return (after - before) / 2 ** 20;
}

export async function run(): Promise<string> {
  const bodies = {
    xml: await fetchPage('v12', 'application/xml'),
    v12: await fetchPage('v12', 'application/json'),
    v13: await fetchPage('v13', 'application/json'),
  };
  const check = parseQueryPage('ReplicaTaskSession', parseEmBody(bodies.v13).tree);
  if (check.items.length !== ROWS) throw new Error(`expected ${ROWS} rows, decoded ${check.items.length}`);

  const rows: Array<[string, Buffer, () => unknown]> = [
    [
      'XML: full decode (own reader + row check, zod on failure)',
      bodies.xml,
      () => parseQueryPage('ReplicaTaskSession', parseEmBody(bodies.xml).tree),
    ],
    ['XML: body parse only', bodies.xml, () => parseEmBody(bodies.xml)],
    [
      'JSON v12: full decode (JSON.parse + key folding + row check)',
      bodies.v12,
      () => parseQueryPage('ReplicaTaskSession', parseEmBody(bodies.v12).tree),
    ],
    [
      'JSON v13: full decode',
      bodies.v13,
      () => parseQueryPage('ReplicaTaskSession', parseEmBody(bodies.v13).tree),
    ],
    ['JSON v12: body parse only (JSON.parse + key folding)', bodies.v12, () => parseEmBody(bodies.v12)],
    ['JSON v12: plain JSON.parse (floor)', bodies.v12, () => JSON.parse(toBodyText(bodies.v12))],
  ];

  const lines = [
    '## EM decoding throughput',
    '',
    `One query page of ${ROWS.toLocaleString('en-US')} replica task sessions as the simulator renders it, decoded into \`ReplicaTaskSession\` objects; each figure is CPU time per page (\`process.cpuUsage\`, as the machine is shared and loaded), the median of ${ROUNDS} rounds of at least ${MIN_MS / 1000} s of CPU each, after a warm-up.`,
    '',
    '| decoder | body size | CPU ms per page | task sessions/s of CPU | MB/s of CPU |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const [name, body, work] of rows) {
    const ms = measure(work);
    const mb = body.length / 1e6;
    lines.push(
      `| ${name} | ${(body.length / 1024).toFixed(0)} KiB | ${ms.toFixed(2)} | ${Math.round((ROWS / ms) * 1000).toLocaleString('en-US')} | ${(mb / (ms / 1000)).toFixed(1)} |`,
    );
  }
  const PAGES = 60;
  const retained = { xml: measureRetained(bodies.xml, PAGES), json: measureRetained(bodies.v12, PAGES) };
  lines.push(
    '',
    `Memory kept by one decoded row from each of ${PAGES} pages (every other row dropped), after full collections (growth of \`heapUsed\` + \`external\`): XML ${retained.xml.toFixed(1)} MiB, JSON ${retained.json.toFixed(1)} MiB. A page text is about ${(bodies.xml.length / 2 ** 20).toFixed(1)} MiB, so a decoder that hands out slices of it would keep about ${((PAGES * bodies.xml.length) / 2 ** 20).toFixed(0)} MiB here.`,
  );
  return lines.join('\n');
}
