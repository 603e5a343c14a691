import { afterEach, describe, expect, it } from 'vitest';
import {
  type ProbeServer,
  type ReadyReport,
  startProbeServer,
  toHealthRoute,
  toReadyAndMetricsRoutes,
} from '../../../src/app/probes.js';
import { createMetrics } from '../../../src/metrics.js';

let server: ProbeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function get(path: string, method = 'GET') {
  const response = await fetch(`http://127.0.0.1:${server?.port}${path}`, { method });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the probe routes', () => {
  it('answer liveness 200 when degraded, 503 only while starting or stopping; readiness 503 while stopping', async () => {
    let state: 'starting' | 'started' | 'stopping' = 'starting';
    let report: ReadyReport = { checks: { database: { ok: true }, em: { ok: true } } };
    const health = { ok: false, checks: { alerts: { emReachable: false } } };
    server = await startProbeServer(
      [
        toHealthRoute(
          () => state,
          () => health,
        ),
        ...toReadyAndMetricsRoutes({ metrics: createMetrics(), ready: async () => report }),
      ],
      { port: 0, host: '127.0.0.1' },
    );
    expect(await get('/healthz')).toEqual({
      status: 503,
      body: { status: 'starting', alerts: { emReachable: false } },
    });
    state = 'started';
    expect(await get('/healthz')).toEqual({
      status: 200,
      body: { status: 'degraded', alerts: { emReachable: false } },
    });
    expect(await get('/readyz')).toEqual({ status: 200, body: { status: 'ready', checks: report.checks } });
    report = { checks: { database: { ok: false, reason: 'the database is closed' }, em: { ok: true } } };
    expect(await get('/readyz')).toMatchObject({ status: 503, body: { status: 'not ready' } });
    report = { checks: { database: { ok: true } }, stopping: true };
    state = 'stopping';
    expect(await get('/readyz')).toMatchObject({ status: 503, body: { status: 'stopping' } });
    expect((await get('/healthz')).status).toBe(503);
    expect((await get('/readyz', 'POST')).status).toBe(405);
    expect((await get('/elsewhere')).status).toBe(404);
  });
});
