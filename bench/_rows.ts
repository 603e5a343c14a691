import { readFileSync } from 'node:fs';
import { parseQueryPage } from '../src/veeam/em-schemas.js';
import { parseEmBody } from '../src/veeam/parse-em-body.js';

const t = parseEmBody(readFileSync('/tmp/em-speed/page.xml')).tree;
const s = performance.now();
let n = 0;
while (performance.now() - s < 4000) {
  parseQueryPage('ReplicaTaskSession', t);
  n++;
}
console.log(((performance.now() - s) / n).toFixed(2), 'ms rows');
