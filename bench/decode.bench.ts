/**
 * Decoding throughput of the EM client: one page of 1,000 replica task sessions as the simulator renders it (and a
 * page of job sessions), in XML, v12 JSON and v13 JSON, decoded into domain objects. Plain `JSON.parse` of the same
 * JSON is the floor no decoder can beat. XML is read as the client reads it: the single pass (read-query-page.ts);
 * the tree path it replaced (parseEmBody, then the row check of em-schemas.ts) is measured beside it.
 *
 * Every variant is measured in this one process, in interleaved rounds (A B C A B C ...) of CPU time, and each
 * figure is the fastest round: on a shared, loaded machine the fastest round is the least disturbed, and ratios
 * between variants measured side by side are what can be compared between runs.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startSimulator } from '../src/simulator/index.js';
import { parseQueryPage } from '../src/veeam/em-schemas.js';
import { parseEmBody, toBodyText } from '../src/veeam/parse-em-body.js';
import { readQueryPage } from '../src/veeam/read-query-page.js';

const ROWS = 1_000;
/** CPU ms of one round of one variant */
const ROUND_MS = Number(process.env.BENCH_DECODE_ROUND_MS ?? 100);
/** rounds per variant, interleaved; each figure is the fastest */
const ROUNDS = Number(process.env.BENCH_DECODE_ROUNDS ?? 25);

type PageType = 'ReplicaTaskSession' | 'ReplicaJobSession';

async function fetchPage(
  keyStyle: 'v12' | 'v13',
  accept: string,
  type: PageType = 'ReplicaTaskSession',
): Promise<Buffer> {
  const sim = await startSimulator({ port: 0, seed: 1, keyStyle, data: { taskSessions: ROWS } });
  try {
    const logon = await fetch(`${sim.url}/api/sessionMngr/?v=latest`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('replibot:replibot').toString('base64')}` },
    });
    const token = logon.headers.get('x-restsvcsessionid') ?? '';
    const page = await fetch(
      `${sim.url}/api/query?type=${type}&format=Entities&sortAsc=CreationTime&pageSize=${ROWS}&page=1`,
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

/** One round: `work` run until it has used ROUND_MS of CPU; CPU ms per call. */
function round(work: () => unknown): number {
  let calls = 0;
  const started = cpuMs();
  let used = 0;
  while (used < ROUND_MS) {
    work();
    calls += 1;
    used = cpuMs() - started;
  }
  return used / calls;
}

/**
 * The variants measured side by side: after a warm-up of each, ROUNDS rounds of every variant in turn; the fastest
 * round of each (CPU ms per call). CPU time rather than wall time: on a shared machine wall time mostly measures the
 * wait for a core.
 */
function interleaved(variants: Array<() => unknown>): number[] {
  for (const work of variants) for (let i = 0; i < 10; i += 1) work();
  const best = variants.map(() => Number.POSITIVE_INFINITY);
  for (let r = 0; r < ROUNDS; r += 1) {
    variants.forEach((work, index) => {
      best[index] = Math.min(best[index] ?? Number.POSITIVE_INFINITY, round(work));
    });
  }
  return best;
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
function measureRetained(
  body: Buffer,
  pages: number,
  decode: (body: Buffer) => { items: unknown[] },
): number {
  // heap and external memory: a large page text read from bytes is an external string, outside the heap
  const used = () => {
    const memory = process.memoryUsage();
    return memory.heapUsed + memory.external;
  };
  // a few pages first, so that what the first decode of a run sets up once is not counted as kept
  for (let page = 0; page < 3; page += 1) decode(Buffer.from(body));
  collectGarbage();
  const before = used();
  const kept: unknown[] = [];
  for (let page = 0; page < pages; page += 1) {
    // a fresh copy of the bytes, as each page is its own answer
    kept.push(decode(Buffer.from(body)).items[0]);
  }
  collectGarbage();
  collectGarbage();
  const after = used();
  if (kept.length !== pages) throw new Error('kept rows lost');
  return (after - before) / 2 ** 20;
}

const treePath = (type: PageType) => (body: Buffer) => parseQueryPage(type, parseEmBody(body).tree);
const singlePass = (type: PageType) => (body: Buffer) => {
  const page = readQueryPage(type, body);
  if (page === null) throw new Error('the single pass left the page to the tree path');
  return page;
};

export async function run(): Promise<string> {
  const bodies = {
    xml: await fetchPage('v12', 'application/xml'),
    v12: await fetchPage('v12', 'application/json'),
    v13: await fetchPage('v13', 'application/json'),
    jobXml: await fetchPage('v12', 'application/xml', 'ReplicaJobSession'),
    jobJson: await fetchPage('v12', 'application/json', 'ReplicaJobSession'),
  };
  const check = parseQueryPage('ReplicaTaskSession', parseEmBody(bodies.v13).tree);
  if (check.items.length !== ROWS) throw new Error(`expected ${ROWS} rows, decoded ${check.items.length}`);
  // the single pass must give the tree path's rows, or the figures compare different work
  for (const [type, body] of [
    ['ReplicaTaskSession', bodies.xml],
    ['ReplicaJobSession', bodies.jobXml],
  ] as const) {
    if (JSON.stringify(singlePass(type)(body)) !== JSON.stringify(treePath(type)(body)))
      throw new Error(`the single pass and the tree path disagree on the ${type} page`);
  }
  const jobRows = treePath('ReplicaJobSession')(bodies.jobXml).items.length;

  const rows: Array<[string, Buffer, number, () => unknown]> = [
    [
      'XML: full decode, single pass (read-query-page.ts; what the client runs)',
      bodies.xml,
      ROWS,
      () => singlePass('ReplicaTaskSession')(bodies.xml),
    ],
    [
      'XML: full decode, tree path (own reader + row check, zod on failure; before)',
      bodies.xml,
      ROWS,
      () => treePath('ReplicaTaskSession')(bodies.xml),
    ],
    ['XML: tree path, body parse only', bodies.xml, ROWS, () => parseEmBody(bodies.xml)],
    [
      'JSON v12: full decode (JSON.parse + key folding + row check)',
      bodies.v12,
      ROWS,
      () => parseQueryPage('ReplicaTaskSession', parseEmBody(bodies.v12).tree),
    ],
    [
      'JSON v13: full decode',
      bodies.v13,
      ROWS,
      () => parseQueryPage('ReplicaTaskSession', parseEmBody(bodies.v13).tree),
    ],
    ['JSON v12: body parse only (JSON.parse + key folding)', bodies.v12, ROWS, () => parseEmBody(bodies.v12)],
    ['JSON v12: plain JSON.parse (floor)', bodies.v12, ROWS, () => JSON.parse(toBodyText(bodies.v12))],
    [
      'job sessions, XML: full decode, single pass',
      bodies.jobXml,
      jobRows,
      () => singlePass('ReplicaJobSession')(bodies.jobXml),
    ],
    [
      'job sessions, XML: full decode, tree path (before)',
      bodies.jobXml,
      jobRows,
      () => treePath('ReplicaJobSession')(bodies.jobXml),
    ],
    [
      'job sessions, JSON v12: plain JSON.parse (floor)',
      bodies.jobJson,
      jobRows,
      () => JSON.parse(toBodyText(bodies.jobJson)),
    ],
  ];
  const ms = interleaved(rows.map((row) => row[3]));
  const at = (index: number) => ms[index] ?? Number.NaN;

  const lines = [
    '## EM decoding throughput',
    '',
    `One query page of ${ROWS.toLocaleString('en-US')} replica task sessions as the simulator renders it (and one page of its ${jobRows} job sessions), decoded into \`ReplicaTaskSession\` (\`ReplicaJobSession\`) objects. Each figure is CPU time per page (\`process.cpuUsage\`, as the machine is shared and loaded), the fastest of ${ROUNDS} rounds of ${ROUND_MS} ms of CPU, every variant measured in this one process in interleaved rounds after a warm-up, so the ratios between rows are what compares between runs.`,
    '',
    '| decoder | body size | CPU ms per page | rows/s of CPU | MB/s of CPU |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  rows.forEach(([name, body, count], index) => {
    const perPage = at(index);
    const mb = body.length / 1e6;
    lines.push(
      `| ${name} | ${(body.length / 1024).toFixed(0)} KiB | ${perPage.toFixed(2)} | ${Math.round((count / perPage) * 1000).toLocaleString('en-US')} | ${(mb / (perPage / 1000)).toFixed(1)} |`,
    );
  });
  const floor = at(6);
  lines.push(
    '',
    `Full decode / plain \`JSON.parse\` of the same page (target: at most 3x): XML single pass ${(at(0) / floor).toFixed(2)}x (tree path ${(at(1) / floor).toFixed(2)}x), JSON v12 ${(at(3) / floor).toFixed(2)}x, JSON v13 ${(at(4) / floor).toFixed(2)}x; job sessions, XML single pass ${(at(7) / at(9)).toFixed(2)}x (tree path ${(at(8) / at(9)).toFixed(2)}x).`,
  );
  const PAGES = 60;
  const retained = {
    single: measureRetained(bodies.xml, PAGES, singlePass('ReplicaTaskSession')),
    tree: measureRetained(bodies.xml, PAGES, treePath('ReplicaTaskSession')),
    json: measureRetained(bodies.v12, PAGES, (body) =>
      parseQueryPage('ReplicaTaskSession', parseEmBody(body).tree),
    ),
  };
  lines.push(
    '',
    `Memory kept by one decoded row from each of ${PAGES} pages (every other row dropped), after full collections (growth of \`heapUsed\` + \`external\`): XML single pass ${retained.single.toFixed(1)} MiB, XML tree path ${retained.tree.toFixed(1)} MiB, JSON ${retained.json.toFixed(1)} MiB. A page text is about ${(bodies.xml.length / 2 ** 20).toFixed(1)} MiB, so a decoder that hands out slices of it would keep about ${((PAGES * bodies.xml.length) / 2 ** 20).toFixed(0)} MiB here.`,
  );
  return lines.join('\n');
}
