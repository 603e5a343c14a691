import fc from 'fast-check';

/**
 * Everything that could close a quote, add a clause, start a URL parameter or ping a Slack channel in an EM filter
 * or a message, plus a few ordinary and non-ASCII characters so names also look like names.
 */
export const HOSTILE_CHARACTERS = [
  '"',
  "'",
  ';',
  ',',
  '(',
  ')',
  '&',
  '=',
  '<',
  '>',
  '!',
  '|',
  '%',
  '+',
  '#',
  '?',
  '/',
  '\\',
  ' ',
  'a',
  'b',
  'Z',
  '0',
  '7',
  'é',
  '😀',
] as const;

/** Strings made of HOSTILE_CHARACTERS: the names property tests throw at filters, URLs and renderers. */
export function hostileText(length: { minLength?: number; maxLength: number }): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...HOSTILE_CHARACTERS), ...length });
}
