import type { EmApi } from '../core/ports.js';
import { helpText } from '../question/help.js';
import { parseKindQuestion } from '../question/read-kind.js';
import { type Answerer, createAnswerer } from './domain/create-answerer.js';
import { createEmNameSource } from './domain/name-source.js';

export interface DefaultAnswererOptions {
  /** start loading the names EM knows at once (a long-running front door), instead of on the first question */
  preloadNamesAt?: Date;
  /** how long a question waits for the first load of names (see NameSourceOptions.firstWaitMs) */
  namesFirstWaitMs?: number;
}

/** The router with the real question parser: what every front door uses unless a test gives another. */
export function createDefaultAnswerer(em: EmApi, options: DefaultAnswererOptions = {}): Answerer {
  // one catalogue of the names EM knows per answerer, refreshed every 5 minutes
  const names = createEmNameSource(
    em,
    options.namesFirstWaitMs === undefined ? {} : { firstWaitMs: options.namesFirstWaitMs },
  );
  if (options.preloadNamesAt !== undefined) names.preload(options.preloadNamesAt);
  // parseKindQuestion: parseQuestion with the session kind read first ("backups failed last night")
  return createAnswerer({ em, parseQuestion: parseKindQuestion, help: helpText, names });
}
