import type { EmApi } from '../core/ports.js';
import { helpText } from '../question/help.js';
import { parseQuestion } from '../question/parse-question.js';
import { type Answerer, createAnswerer } from './domain/create-answerer.js';

/** The router with the real question parser: what every front door uses unless a test gives another. */
export function createDefaultAnswerer(em: EmApi): Answerer {
  return createAnswerer({ em, parseQuestion, help: helpText });
}
