/**
 * How many one-letter edits turn `a` into `b`: insert, delete, substitute, or swap two neighbouring letters
 * (the optimal-string-alignment form of Damerau–Levenshtein). A swap is the commonest typo in a grammar word
 * ("falied") and in a name ("apahce02") alike, so both the question parser and the name check count it as one.
 *
 * Bounded: as soon as the distance must exceed `max` it stops and returns `max + 1`, so a caller scanning
 * thousands of names pays for the close ones only.
 */
export function textDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      // biome-ignore lint/style/noNonNullAssertion: j <= b.length and both rows hold b.length + 1 entries (current gets one per j)
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        // biome-ignore lint/style/noNonNullAssertion: i > 1, so beforePrevious is a full row of b.length + 1 entries
        value = Math.min(value, beforePrevious[j - 2]! + 1);
      }
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    // no later row can come in under this one's smallest value
    if (rowMin > max) return max + 1;
    beforePrevious = previous;
    previous = current;
  }
  // biome-ignore lint/style/noNonNullAssertion: every row holds b.length + 1 entries
  return Math.min(previous[b.length]!, max + 1);
}
