/** The Enterprise Manager simulator: a product feature behind the no-Slack demo, the integration tests and the benchmarks. */
export type { GeneratorOptions } from './generate-data.js';
export { generateData } from './generate-data.js';
export { EmFilterError, parseEmFilter } from './parse-em-filter.js';
export type { FinishTaskSession, NewTaskSession, SimTaskSession } from './sim-store.js';
export { SimInputError } from './sim-store.js';
export type {
  FaultOptions,
  RunningSimulator,
  SimulatorOptions,
  SimulatorQuirks,
  SimulatorStats,
} from './start-simulator.js';
export { startSimulator } from './start-simulator.js';
