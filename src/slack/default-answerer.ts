import { type Answerer, createAnswerer } from '../core/answer/create-answerer.js';
import type { EmApi } from '../core/ports.js';
import { helpText } from '../core/question/help.js';
import { parseQuestion } from '../core/question/parse-question.js';

/** The router with the real question parser: what every front door uses unless a test gives another. */
export function createDefaultAnswerer(em: EmApi): Answerer {
  return createAnswerer({ em, readQuestion: parseQuestion, help: helpText });
}
