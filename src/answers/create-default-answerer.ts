import type { EmApi } from '../core/ports.js';
import { helpText } from '../question/help.js';
import { parseQuestion } from '../question/parse-question.js';
import { type Answerer, createAnswerer } from './domain/create-answerer.js';
import { createEmNameSource } from './domain/name-source.js';

/** The router with the real question parser: what every front door uses unless a test gives another. */
export function createDefaultAnswerer(em: EmApi): Answerer {
  // one catalogue of the names EM knows per answerer: loaded on the first question, refreshed every 5 minutes
  return createAnswerer({ em, parseQuestion, help: helpText, names: createEmNameSource(em) });
}
