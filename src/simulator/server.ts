/** The simulator's HTTP(S) listener: an optional self-signed certificate, start, the base URL, and stop. */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { generate } from 'selfsigned';
import { listeningPort } from '../core/listening-port.js';

export interface ServerOptions {
  /** default 127.0.0.1 */
  host?: string | undefined;
  /** default 0 (a free port) */
  port?: number | undefined;
  /** HTTPS with a self-signed certificate generated at start */
  tls?: boolean | undefined;
}

export interface StartedServer {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** the self-signed certificate (PEM) when tls */
  caPem?: string;
  close(): Promise<void>;
}

async function createTlsServer(
  host: string,
  listener: http.RequestListener,
): Promise<{ server: https.Server; caPem: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          ...(host !== '127.0.0.1' && /^[\d.]+$/.test(host) ? [{ type: 7 as const, ip: host }] : []),
          ...(host !== 'localhost' && !/^[\d.:]+$/.test(host) ? [{ type: 2 as const, value: host }] : []),
        ],
      },
    ],
  });
  return { server: https.createServer({ key: pems.private, cert: pems.cert }, listener), caPem: pems.cert };
}

/** Listens with `handle` for every request; resolves once it listens. */
export async function startServer(
  options: ServerOptions,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<StartedServer> {
  const host = options.host ?? '127.0.0.1';
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res);
  };
  let caPem: string | undefined;
  let server: http.Server | https.Server;
  if (options.tls) {
    const tls = await createTlsServer(host, listener);
    server = tls.server;
    caPem = tls.caPem;
  } else {
    server = http.createServer(listener);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = listeningPort(server);
  const hostForUrl = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  const url = `${options.tls ? 'https' : 'http'}://${hostForUrl.includes(':') ? `[${hostForUrl}]` : hostForUrl}:${port}`;
  const started: StartedServer = {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  if (caPem !== undefined) started.caPem = caPem;
  return started;
}
