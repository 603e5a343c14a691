/**
 * The HTTP probes and metrics, one set of routes for every front door: Bolt's receiver serves them in Slack mode
 * (HTTP and Socket Mode, on PORT), and `startProbeServer` in the terminal chat when PORT is set. Kubernetes
 * conventions: 200 when fine, 503 when not, a short JSON body without secrets.
 *
 * - `GET /healthz` (liveness): the process is alive and its event loop turns (it answers at all). It shows the
 *   features' checks (poller, outbox, leadership) and says `degraded` when one is unhappy, but still answers 200
 *   then: an EM outage or a refused Slack token is not cured by a restart. 503 only while starting or stopping.
 * - `GET /readyz` (readiness): the database is open with its migrations, the front door is started and EM
 *   answered at least once (else the reason it does not). 503 with the failing checks otherwise.
 * - `GET /metrics`: Prometheus text (src/metrics.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../core/error-message.js';
import type { Metrics } from '../metrics.js';

/** A Bolt custom route, and a route of the terminal's probe server. */
export interface ProbeRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface HealthReport {
  ok: boolean;
  /** anything worth showing to a probe: poller lag, last EM contact ... */
  checks?: Record<string, unknown>;
}

export interface ReadyCheck {
  ok: boolean;
  /** why not, in words an operator can act on (never a secret) */
  reason?: string;
}

export interface ReadyReport {
  /** ready only when every check is ok */
  checks: Record<string, ReadyCheck>;
  /** set while shutting down: not ready, whatever the checks say */
  stopping?: boolean;
}

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';
export const METRICS_PATH = '/metrics';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** `GET /healthz`: liveness, with the features' checks in the body. */
export function toHealthRoute(
  state: () => 'starting' | 'started' | 'stopping',
  health?: () => HealthReport | Promise<HealthReport>,
): ProbeRoute {
  return {
    path: HEALTH_PATH,
    method: ['GET'],
    handler: (_req, res) => {
      Promise.resolve(health?.() ?? { ok: true }).then(
        (report) => {
          const now = state();
          const status = now !== 'started' ? now : report.ok ? 'ok' : 'degraded';
          sendJson(res, now === 'started' ? 200 : 503, { status, ...report.checks });
        },
        // the checks could not be read (the database is gone): the process still answers, so it is alive
        (error: unknown) =>
          sendJson(res, state() === 'started' ? 200 : 503, {
            status: 'degraded',
            error: `health checks failed: ${errorMessage(error) ?? 'an unknown error'}`,
          }),
      );
    },
  };
}

/** `GET /readyz` and `GET /metrics`. */
export function toReadyAndMetricsRoutes(options: {
  ready: () => Promise<ReadyReport>;
  metrics: Metrics;
}): ProbeRoute[] {
  return [
    {
      path: READY_PATH,
      method: ['GET'],
      handler: (_req, res) => {
        options.ready().then(
          (report) => {
            const ok = !report.stopping && Object.values(report.checks).every((c) => c.ok);
            const status = report.stopping ? 'stopping' : ok ? 'ready' : 'not ready';
            sendJson(res, ok ? 200 : 503, { status, checks: report.checks });
          },
          (error: unknown) =>
            sendJson(res, 503, {
              status: 'not ready',
              reason: `readiness check failed: ${errorMessage(error) ?? 'an unknown error'}`,
            }),
        );
      },
    },
    {
      path: METRICS_PATH,
      method: ['GET'],
      handler: (_req, res) => {
        options.metrics.render().then(
          (text) => {
            res.writeHead(200, { 'content-type': options.metrics.contentType });
            res.end(text);
          },
          (error: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`metrics failed: ${errorMessage(error) ?? 'an unknown error'}\n`);
          },
        );
      },
    },
  ];
}

export interface ProbeServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A small HTTP server for the routes (the terminal chat, which has no Bolt receiver); 404 for anything else. */
export async function startProbeServer(
  routes: readonly ProbeRoute[],
  options: { port: number; host?: string },
): Promise<ProbeServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes.find((r) => r.path === path);
    if (!route) return sendJson(res, 404, { error: `Not found: ${path}` });
    if (!route.method.includes(req.method ?? 'GET')) return sendJson(res, 405, { error: 'Use GET' });
    route.handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // the address of a listening TCP server is always an AddressInfo (never a pipe name or null)
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
