/**
 * Decoding throughput of the EM client: one page of 1,000 replica task sessions as the simulator renders it, in
 * XML, v12 JSON and v13 JSON, decoded into domain objects (parse + zod). Plain `JSON.parse` of the same JSON is the
 * floor no decoder can beat.
 */
import { startSimulator } from '../src/simulator/index.js';
import { parseQueryPage } from '../src/veeam/em-schemas.js';
import { parseEmBody, toBodyText } from '../src/veeam/parse-em-body.js';

const ROWS = 1_000;
const MIN_MS = 1_500;

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

/** Runs `work` until MIN_MS have passed (after a warm-up) and returns the mean ms per call. */
function measure(work: () => unknown): number {
  for (let i = 0; i < 5; i += 1) work();
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < MIN_MS) {
    work();
    calls += 1;
    elapsed = performance.now() - started;
  }
  return elapsed / calls;
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
    `One query page of ${ROWS.toLocaleString('en-US')} replica task sessions as the simulator renders it, decoded into \`ReplicaTaskSession\` objects; each figure is the mean over at least ${MIN_MS / 1000} s after a warm-up.`,
    '',
    '| decoder | body size | ms per page | task sessions/s | MB/s |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const [name, body, work] of rows) {
    const ms = measure(work);
    const mb = body.length / 1e6;
    lines.push(
      `| ${name} | ${(body.length / 1024).toFixed(0)} KiB | ${ms.toFixed(2)} | ${Math.round((ROWS / ms) * 1000).toLocaleString('en-US')} | ${(mb / (ms / 1000)).toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}
