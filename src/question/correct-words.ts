/**
 * One-typo correction of the reader's own words ("faild" -> "failed", "warnigns" -> "warnings"): only when every
 * grammar word close to what was typed means the same thing, so a correction never has to choose.
 */
import { textDistance } from '../core/text-distance.js';
import { KNOWN_WORDS, ORDINARY_WORDS, RESULT_WORDS, STATE_WORDS } from './vocabulary.js';

/** What a grammar word means, so that "fail", "fails" and "failed" count as one word close to "faild". */
function meaningOf(word: string): string {
  const results = RESULT_WORDS[word];
  if (results !== undefined) return `result:${results.join('+')}`;
  const state = STATE_WORDS[word];
  if (state !== undefined) return `state:${state}`;
  return `word:${word}`;
}

/** The word shown for a meaning when several close words share it */
const PREFERRED = new Set(['failed', 'warnings', 'succeeded', 'problems', 'running', 'pending', 'finished']);

/** How many edits a word of this length may be off by */
export function allowedTypos(length: number): number {
  return length <= 5 ? 1 : 2;
}

/**
 * The grammar word a typo stands for, or null when none or several different ones are close. Words of fewer
 * than four letters, ordinary English words and anything with digits are never corrected.
 */
export function correctWord(typed: string): string | null {
  const lower = typed.toLowerCase();
  if (lower.length < 4 || lower.length > 20 || !/^[a-z]+$/.test(lower)) return null;
  if (KNOWN_WORDS.has(lower) || ORDINARY_WORDS.has(lower)) return null;
  const allowed = allowedTypos(lower.length);
  const close: Array<{ word: string; distance: number }> = [];
  for (const known of KNOWN_WORDS) {
    if (known.length < 4 || Math.abs(known.length - lower.length) > allowed) continue;
    const d = textDistance(lower, known, allowed);
    if (d <= allowed) close.push({ word: known, distance: d });
  }
  const first = close[0];
  if (first === undefined) return null;
  const meaning = meaningOf(first.word);
  if (!close.every((c) => meaningOf(c.word) === meaning)) return null;
  close.sort((a, b) => a.distance - b.distance || a.word.localeCompare(b.word));
  const best = close[0]?.word ?? first.word;
  if (close.length > 1) {
    const preferred = close.find((c) => PREFERRED.has(c.word));
    if (preferred !== undefined) return preferred.word;
  }
  return best;
}
