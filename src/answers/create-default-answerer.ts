import type { EmApi } from '../core/ports.js';
import { helpText } from '../question/help.js';
import { parseKindQuestion } from '../question/read-kind.js';
import { type Answerer, createAnswerer } from './domain/create-answerer.js';
import { createEmNameSource } from './domain/name-source.js';

/** The router with the real question parser: what every front door uses unless a test gives another. */
export function createDefaultAnswerer(em: EmApi): Answerer {
  // parseKindQuestion: parseQuestion with the session kind read first ("backups failed last night");
  // one catalogue of the names EM knows per answerer: loaded on the first question, refreshed every 5 minutes
  return createAnswerer({
    em,
    parseQuestion: parseKindQuestion,
    help: helpText,
    names: createEmNameSource(em),
  });
}
