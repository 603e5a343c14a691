import type { EmApi } from '../core/ports.js';
import { helpText } from '../question/help.js';
import { parseKindQuestion } from '../question/read-kind.js';
import { type Answerer, createAnswerer } from './domain/create-answerer.js';

/** The router with the real question parser: what every front door uses unless a test gives another. */
export function createDefaultAnswerer(em: EmApi): Answerer {
  // parseKindQuestion: parseQuestion with the session kind read first ("backups failed last night")
  return createAnswerer({ em, parseQuestion: parseKindQuestion, help: helpText });
}
