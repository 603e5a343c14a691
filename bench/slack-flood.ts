/**
 * The other process of bench/slack.bench.ts: sends `count` signed `/replicas` commands to a Bolt app at once
 * (each body signed beforehand, so signing costs nothing during the flood) and prints, as one JSON line, each
 * command's time from its send to its HTTP response (the ack) and the statuses.
 * Usage: tsx bench/slack-flood.ts <events url> <count> <response url prefix> <question>
 */
import { Agent, request as httpRequest } from 'node:http';
import { signSlackRequest, slashCommandBody, TEST_SIGNING_SECRET } from '../test/fakes/slack-requests.js';

const [url, countText, responsePrefix, question] = process.argv.slice(2);
if (!url || !countText || !responsePrefix || !question)
  throw new Error('usage: slack-flood <url> <count> <prefix> <question>');
const count = Number(countText);
// one connection per command, as Slack's many senders would open
const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

function post(body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url!, { method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const requests = Array.from({ length: count }, (_, i) => {
  const body = new URLSearchParams(
    slashCommandBody({ text: question, response_url: `${responsePrefix}${i}` }),
  ).toString();
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...signSlackRequest(body, TEST_SIGNING_SECRET),
    },
  };
});

const acks: number[] = new Array(count).fill(0);
const statuses: number[] = new Array(count).fill(0);
await Promise.all(
  requests.map(async (request, i) => {
    const started = performance.now();
    statuses[i] = await post(request.body, request.headers);
    acks[i] = performance.now() - started;
  }),
);
agent.destroy();
process.stdout.write(`${JSON.stringify({ acks, statuses })}\n`);
