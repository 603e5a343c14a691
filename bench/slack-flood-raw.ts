import { connect } from 'node:net';
import { signSlackRequest, slashCommandBody, TEST_SIGNING_SECRET } from '../test/fakes/slack-requests.js';
const [url, countText, responsePrefix, question] = process.argv.slice(2);
const target = new URL(url!);
const count = Number(countText);
const requests = Array.from({ length: count }, (_, i) => {
  const body = new URLSearchParams(slashCommandBody({ text: question!, response_url: `${responsePrefix}${i}` })).toString();
  const headers = { host: target.host, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)), connection: 'close', ...signSlackRequest(body, TEST_SIGNING_SECRET) };
  return Buffer.from(`POST ${target.pathname} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
});
const acks: number[] = new Array(count).fill(0);
const statuses: number[] = new Array(count).fill(0);
await Promise.all(requests.map((request, i) => new Promise<void>((resolve, reject) => {
  const started = performance.now();
  const socket = connect(Number(target.port), target.hostname, () => socket.end(request));
  let head = '';
  socket.on('data', (chunk: Buffer) => {
    if (acks[i] === 0) acks[i] = performance.now() - started;
    if (head.length < 12) head += chunk.toString('latin1', 0, 12);
  });
  socket.on('end', () => { statuses[i] = Number(head.slice(9, 12)); resolve(); });
  socket.on('error', reject);
})));
process.stdout.write(`${JSON.stringify({ acks, statuses })}\n`);
