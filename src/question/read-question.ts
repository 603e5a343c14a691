/**
 * Every reading a question can get, in the order the front doors try them: an RPO question ("is apache02
 * protected", rpo-words.ts) first, then a session question with its kind read first ("backups failed last night",
 * read-kind.ts). `replibot ask` and the chat front doors run the same two readers in the same order (the RPO
 * feature's answerer, then the default answerer's `parseKindQuestion`); `replibot parse` shows this reading.
 */
import type { ParseOptions } from './parse-question.js';
import type { ParsedQuestion } from './query-intent.js';
import { parseKindQuestion } from './read-kind.js';
import { parseRpoQuestion, type RpoQuestion } from './rpo-words.js';

export type QuestionReading = ParsedQuestion | { kind: 'rpo'; question: RpoQuestion };

export function readQuestion(text: string, options: ParseOptions): QuestionReading {
  const rpo = typeof text === 'string' ? parseRpoQuestion(text) : null;
  if (rpo !== null) return { kind: 'rpo', question: rpo };
  return parseKindQuestion(text, options);
}
