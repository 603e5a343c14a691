import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReplibotError } from '../../src/core/errors.js';
import { createLogger } from '../../src/logger.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createEmClient, type EmClient, type EmClientOptions } from '../../src/veeam/em-client.js';

const PASSWORD = 'S3cr3t-Pa55w0rd!';
const BASIC = Buffer.from(`svc-replibot:${PASSWORD}`).toString('base64');

/** Every log line and every error the tests see, scanned for secrets at the end. */
const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});
const seenErrors: ReplibotError[] = [];
/** tokens and session ids handed out by the servers in this file */
const issued: string[] = [];

function clientFor(url: string, overrides: Partial<EmClientOptions> = {}): EmClient {
  return createEmClient({
    url,
    username: 'svc-replibot',
    password: PASSWORD,
    caFile: undefined,
    insecureTls: false,
    format: 'xml',
    timeoutMs: 5_000,
    pageSize: 100,
    retry: { attempts: 3, baseDelayMs: 1 },
    logger: createLogger('trace', sink),
    ...overrides,
  });
}

async function failure(run: () => Promise<unknown>): Promise<ReplibotError> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof ReplibotError)) throw error;
    seenErrors.push(error);
    return error;
  }
  throw new Error('expected the call to fail');
}

async function firstRows(client: EmClient): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const row of client.queryTaskSessions({ limit: 5 })) rows.push(row);
  return rows;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A scripted HTTP server for the answers the simulator never gives (403, 400, HTML, a logon without token). */
async function scripted(
  handler: Handler,
): Promise<{ url: string; close: () => Promise<void>; requests: () => number }> {
  let count = 0;
  const server = http.createServer((req, res) => {
    count += 1;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers the logon like EM (201, token header, LogonSession body) and hands the rest to `then`. */
function emLike(
  then: Handler,
  token = 'T0k3nAbCdEfGh12345678==',
  sessionId = '9f1c2d3e-aaaa-4bbb-8ccc-123456789abc',
): Handler {
  issued.push(token, sessionId);
  return (req, res) => {
    if (req.method === 'POST' && req.url?.startsWith('/api/sessionMngr/')) {
      res.writeHead(201, { 'content-type': 'application/xml', 'x-restsvcsessionid': token });
      res.end(
        `<LogonSession xmlns="http://www.veeam.com/ent/v1.0" Type="LogonSession" Href="x"><UserName>svc-replibot</UserName><SessionId>${sessionId}</SessionId></LogonSession>`,
      );
      return;
    }
    if (req.method === 'DELETE') {
      res.writeHead(204).end();
      return;
    }
    then(req, res);
  };
}

const emError = (res: ServerResponse, status: number, message: string) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<Error Message="${message}" StatusCode="${status}" xmlns="http://www.veeam.com/ent/v1.0" />`);
};

describe('createEmClient errors against the simulator', () => {
  let sim: RunningSimulator;
  let tlsSim: RunningSimulator;
  const clients: EmClient[] = [];
  const track = (client: EmClient) => {
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      seed: 5,
      username: 'svc-replibot',
      password: PASSWORD,
      data: { taskSessions: 200 },
    });
    tlsSim = await startSimulator({
      port: 0,
      seed: 5,
      tls: true,
      username: 'svc-replibot',
      password: PASSWORD,
      data: { taskSessions: 20 },
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    sim.setFaults({});
  });
  afterAll(async () => {
    await sim.close();
    await tlsSim.close();
  });

  it('refuses a wrong password once, without retrying the logon', async () => {
    const client = track(clientFor(sim.url, { password: 'not-the-password' }));
    const error = await failure(() => firstRows(client));
    expect(error.code).toBe('em_logon_refused');
    expect(error.message).toContain('"svc-replibot"');
    expect(error.hint).toMatch(/VEEAM_USERNAME\/VEEAM_PASSWORD.*Portal User is enough/);
    expect(client.stats.requests).toBe(1);
  });

  it('rejects the self-signed certificate by default', async () => {
    const client = track(clientFor(tlsSim.url));
    const error = await failure(() => firstRows(client));
    expect(error.code).toBe('em_tls');
    expect(error.hint).toContain('VEEAM_CA_FILE');
    expect(error.hint).toContain('VEEAM_INSECURE_TLS=true');
    // nothing was sent: the password never left over an unverified connection
    expect(client.stats.bytesReceived).toBe(0);
  });

  it('rejects a certificate that the given CA did not sign', async () => {
    const other = await startSimulator({ port: 0, seed: 9, tls: true, data: { taskSessions: 1 } });
    try {
      const client = track(clientFor(tlsSim.url, { caPem: other.caPem }));
      expect((await failure(() => firstRows(client))).code).toBe('em_tls');
    } finally {
      await other.close();
    }
  });

  it('trusts the EM certificate given as PEM', async () => {
    const client = track(clientFor(tlsSim.url, { caPem: tlsSim.caPem }));
    expect(await firstRows(client)).toHaveLength(5);
  });

  it('explains https pointed at a plain HTTP port', async () => {
    const client = track(clientFor(sim.url.replace('http:', 'https:')));
    const error = await failure(() => firstRows(client));
    expect(error.code).toBe('em_plain_http');
    expect(error.message).toMatch(/speaks plain HTTP on that port, not HTTPS/);
    expect(error.hint).toMatch(/9398.*9399/);
  });

  it('explains plain http pointed at an HTTPS port', async () => {
    const client = track(clientFor(tlsSim.url.replace('https:', 'http:')));
    const error = await failure(() => firstRows(client));
    expect(error.code).toBe('em_unreachable');
    expect(error.hint).toMatch(/use https:\/\/host:9398/);
  });

  it('gives up on a closed port after its retries', async () => {
    const closed = await scripted(() => undefined);
    await closed.close();
    const client = track(clientFor(closed.url, { retry: { attempts: 2, baseDelayMs: 1 } }));
    const error = await failure(() => firstRows(client));
    expect(error.code).toBe('em_unreachable');
    expect(error.hint).toMatch(/9398 for HTTPS/);
    expect(client.stats.requests).toBe(2);
  });

  it('times out a slow answer without retrying it', async () => {
    sim.setFaults({ latencyMs: 1_500 });
    const client = track(clientFor(sim.url, { timeoutMs: 200 }));
    const error = await failure(() => firstRows(client));
    expect(error.code).toBe('em_timeout');
    expect(error.message).toContain('within 0.2 s');
    expect(client.stats.requests).toBe(1);
  });

  it('says which session it could not find', async () => {
    const client = track(clientFor(sim.url));
    const error = await failure(() => client.getTaskSession('00000000-0000-4000-8000-000000000000'));
    expect(error.code).toBe('em_not_found');
    expect(error.message).toBe(
      'No replication task session 00000000-0000-4000-8000-000000000000 in Enterprise Manager.',
    );
    const job = await failure(() =>
      client.getJobSessionTasks('urn:veeam:ReplicaJobSession:00000000-0000-4000-8000-000000000001'),
    );
    expect(job.message).toContain('No replication job session 00000000-0000-4000-8000-000000000001');
  });

  it('refuses an id that is not one before sending anything', async () => {
    const client = track(clientFor(sim.url));
    const error = await failure(() => client.getJobSession('../logonSessions'));
    expect(error.code).toBe('em_not_found');
    expect(client.stats.requests).toBe(0);
  });

  it("gives up on 503 after its retries and keeps EM's message", async () => {
    sim.setFaults({ errorRate: 1, errorStatuses: [503] });
    const client = track(clientFor(sim.url));
    const error = await failure(() => firstRows(client));
    expect(error.code).toBe('em_error');
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/HTTP 503\. EM said: ".+"/);
    expect(client.stats.requests).toBe(3);
  });

  it('calls a cut-off body a bad response', async () => {
    sim.setFaults({ malformedRate: 1 });
    const client = track(clientFor(sim.url, { format: 'json' }));
    expect((await failure(() => firstRows(client))).code).toBe('em_bad_response');
  });
});

describe('createEmClient errors against a scripted server', () => {
  it('explains a missing EM role on 403', async () => {
    const server = await scripted(emLike((_req, res) => emError(res, 403, 'Access denied.')));
    const client = clientFor(server.url);
    try {
      const error = await failure(() => firstRows(client));
      expect(error.code).toBe('em_forbidden');
      expect(error.message).toContain('EM said: "Access denied."');
      expect(error.hint).toMatch(/Portal User is enough/);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("reports a 400 with EM's message and does not retry it", async () => {
    const server = await scripted(emLike((_req, res) => emError(res, 400, 'Invalid query: unknown field')));
    const client = clientFor(server.url);
    try {
      const error = await failure(() => firstRows(client));
      expect(error.code).toBe('em_bad_request');
      expect(error.message).toContain('Invalid query: unknown field');
      expect(client.stats.requests).toBe(2);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('calls an HTML page a bad response', async () => {
    const server = await scripted(
      emLike((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!DOCTYPE html><html><body>Sign in to the proxy</body></html>');
      }),
    );
    const client = clientFor(server.url);
    try {
      const error = await failure(() => firstRows(client));
      expect(error.code).toBe('em_bad_response');
      expect(error.message).toContain('HTML page');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('refuses a logon answer without a session header', async () => {
    const server = await scripted((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/xml' });
      res.end('<LogonSession><SessionId>x</SessionId></LogonSession>');
    });
    const client = clientFor(server.url);
    try {
      const error = await failure(() => firstRows(client));
      expect(error.code).toBe('em_bad_response');
      expect(error.message).toContain('X-RestSvcSessionId');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('gives up when a fresh session is refused too', async () => {
    const server = await scripted(emLike((_req, res) => emError(res, 401, 'The session is expired.')));
    const client = clientFor(server.url);
    try {
      const error = await failure(() => firstRows(client));
      expect(error.code).toBe('em_logon_refused');
      expect(error.message).toContain('even with a fresh logon session');
      expect(client.stats.logons).toBe(2);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('sends the token in its header, no cookie, and logs off with the SessionId', async () => {
    const token = 'QmVhcmVyVG9rZW4xMjM0NQ==';
    const sessionId = '1b2c3d4e-1111-4222-8333-444455556666';
    const seen: Array<{ method?: string; url?: string; token?: string; cookie?: string; auth?: string }> = [];
    const inner = emLike(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(
          '<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Entities><ReplicaTaskSessions /></Entities><PagingInfo PageNum="1" PageSize="5" PagesCount="1" /></QueryResult>',
        );
      },
      token,
      sessionId,
    );
    const server = await scripted((req, res) => {
      seen.push({
        method: req.method,
        url: req.url,
        token: req.headers['x-restsvcsessionid'] as string | undefined,
        cookie: req.headers.cookie,
        auth: req.headers.authorization,
      });
      inner(req, res);
    });
    const client = clientFor(server.url);
    try {
      expect(await firstRows(client)).toEqual([]);
      await client.close();
      expect(seen).toEqual([
        {
          method: 'POST',
          url: '/api/sessionMngr/?v=latest',
          auth: `Basic ${BASIC}`,
          token: undefined,
          cookie: undefined,
        },
        {
          method: 'GET',
          url: '/api/query?type=ReplicaTaskSession&format=Entities&pageSize=5&page=1',
          auth: undefined,
          token,
          cookie: undefined,
        },
        {
          method: 'DELETE',
          url: `/api/logonSessions/${sessionId}`,
          auth: undefined,
          token,
          cookie: undefined,
        },
      ]);
    } finally {
      await server.close();
    }
  });

  it('scrubs secrets that EM echoes back into its messages', async () => {
    const token = 'RWNob2VkVG9rZW5BQkNERUY=';
    const sessionId = '2c3d4e5f-2222-4333-8444-555566667777';
    const server = await scripted(
      emLike(
        (_req, res) =>
          emError(
            res,
            500,
            `Failure for header ${token} session ${sessionId} password ${PASSWORD} basic ${BASIC}`,
          ),
        token,
        sessionId,
      ),
    );
    const client = clientFor(server.url, { retry: { attempts: 1, baseDelayMs: 1 } });
    try {
      const error = await failure(() => firstRows(client));
      expect(error.code).toBe('em_error');
      expect(error.message).toContain('Failure for header [redacted] session [redacted] password [redacted]');
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe('secrets', () => {
  it('never appear in any error or log line of this file', () => {
    expect(seenErrors.length).toBeGreaterThanOrEqual(15);
    expect(logLines.length).toBeGreaterThan(0);
    const errorText = seenErrors
      .map(
        (error) =>
          `${error.message}\n${error.hint}\n${inspect(error, { depth: 6 })}\n${JSON.stringify(error)}`,
      )
      .join('\n');
    const everything = `${errorText}\n${logLines.join('')}`;
    for (const secret of [PASSWORD, BASIC, ...issued]) {
      expect(everything).not.toContain(secret);
    }
  });
});
