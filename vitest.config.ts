import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // forks, not threads: as fast here (measured), with less CPU and memory
    pool: 'forks',
    // files share a worker's loaded modules instead of importing them again: no test stubs globals, the
    // environment, timers or process.exitCode, and every file builds its own servers, stores and clocks
    isolate: false,
    // files spend much of their time waiting on sockets: at least two at once (vitest's default is one per
    // core less one, so a single file at a time on a 2-core machine)
    maxWorkers: Math.max(2, availableParallelism()),
    reporters: ['default'],
  },
});
