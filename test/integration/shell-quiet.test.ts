/**
 * The terminal chat keeps its screen for people: with EM down there are no JSON log lines, only the readable
 * error; an insecure setting is said in words in the banner.
 */
import { createServer } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startReplibot } from '../../src/main.js';

function collect(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/** A port nothing listens on: bind, read the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the terminal chat with Enterprise Manager down', () => {
  it('answers in words and prints no log lines', async () => {
    const port = await closedPort();
    const input = new PassThrough();
    const output = collect();
    const errors = collect();
    const running = await startReplibot({
      env: {
        VEEAM_URL: `http://127.0.0.1:${port}`,
        VEEAM_USERNAME: 'svc',
        VEEAM_PASSWORD: 'correct horse battery staple',
        VEEAM_TIMEOUT_MS: '1000',
        DATABASE_PATH: ':memory:',
      },
      input,
      output: output.stream,
      errorOutput: errors.stream,
      isTTY: false,
      // a refused read is still retried (and its warning kept off the screen), without the production backoff
      em: { retry: { attempts: 2, baseDelayMs: 1 } },
    });
    input.end('failed replicas today\n');
    await running.done;
    const screen = output.text() + errors.text();
    expect(output.text()).toContain('WARNING: VEEAM_URL is plain http://');
    expect(output.text()).toMatch(/refused the connection/);
    expect(screen).not.toContain('{"level"');
    expect(screen).not.toContain('correct horse battery staple');
  });
});
