import { readFileSync } from 'node:fs';
import { parseQueryPage } from '../src/veeam/em-schemas.js';
import { parseEmBody } from '../src/veeam/parse-em-body.js';

const body = readFileSync('/tmp/em-speed/page.xml');
const json = readFileSync('/tmp/em-speed/page.json');
function cpu(work: () => unknown): number {
  for (let i = 0; i < 10; i++) work();
  const c = process.cpuUsage();
  let n = 0;
  let used = 0;
  while (used < 2_000_000) {
    work();
    n++;
    const d = process.cpuUsage(c);
    used = d.user + d.system;
  }
  return used / 1000 / n;
}
console.log('xml full', cpu(() => parseQueryPage('ReplicaTaskSession', parseEmBody(body).tree)).toFixed(2));
console.log('xml parse', cpu(() => parseEmBody(body)).toFixed(2));
console.log('json floor', cpu(() => JSON.parse(body.length ? json.toString('latin1') : '')).toFixed(2));
const t = parseEmBody(body).tree;
console.log('rows only', cpu(() => parseQueryPage('ReplicaTaskSession', t)).toFixed(2));
