/**
 * Options for an EM client that talks to a simulator in a test: the simulator's own account, XML, no TLS
 * surprises, and whatever a test needs on top (a page size, a retry policy, a logger).
 */
import type { EmClientOptions } from '../../src/veeam/em-client.js';

export function simEmOptions(url: string, overrides: Partial<EmClientOptions> = {}): EmClientOptions {
  return {
    url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format: 'xml',
    timeoutMs: 10_000,
    pageSize: 500,
    ...overrides,
  };
}
