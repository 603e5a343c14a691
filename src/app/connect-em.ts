/**
 * The one way a process gets its Enterprise Manager: the configured EM (VEEAM_URL), or the built-in simulator
 * (the demo) over HTTPS with its own certificate, so the demo runs the same client path as a real EM.
 */
import type { Config } from '../config.js';
import type { EmApi } from '../core/ports.js';
import type { Logger } from '../logger.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../simulator/index.js';
import { createEmClient, type EmClientOptions } from '../veeam/em-client.js';

export interface EmConnection {
  em: EmApi;
  simulator: RunningSimulator | undefined;
  /** `GET /api/` without a logon: whether EM answers at all (the readiness check) */
  probe(): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * EM from VEEAM_URL, else the built-in simulator (`simulator` is then set), started with `simulator` options.
 * `client` is for tests: a shorter retry policy.
 */
export async function connectEm(
  config: Config,
  logger: Logger,
  simulatorOptions: SimulatorOptions = {},
  client: Pick<EmClientOptions, 'retry' | 'metrics'> = {},
): Promise<EmConnection> {
  if (config.veeam) {
    const em = createEmClient({ ...config.veeam, logger, ...client });
    return { em, simulator: undefined, probe: () => em.probe(), close: () => em.close() };
  }
  const simulator = await startSimulator({ tls: true, ...simulatorOptions });
  const em = createEmClient({
    url: simulator.url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format: 'xml',
    timeoutMs: 30_000,
    pageSize: 500,
    logger,
    ...(simulator.caPem ? { caPem: simulator.caPem } : {}),
    ...client,
  });
  return {
    em,
    simulator,
    probe: () => em.probe(),
    close: async () => {
      await em.close();
      await simulator.close();
    },
  };
}
