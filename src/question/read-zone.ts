/**
 * A time zone named in the question itself: "failed today in Europe/Berlin time", "since 08:00 Berlin time",
 * "yesterday UTC", "in New York time". Found before the rest is read, so the whole question (today, since 08:00)
 * is read in that zone; the words are taken out of the question.
 */
import { isKnownTimeZone } from './local-calendar.js';
import type { Token } from './tokenize-question.js';

export type ZoneRead =
  | { kind: 'none' }
  | { kind: 'zone'; zone: string; typed: string; tokens: Token[] }
  | { kind: 'error'; error: string };

/** Fixed-offset abbreviations that ignore daylight saving: refused, as for `--tz` */
const ABBREVIATIONS = new Set(['cet', 'cest', 'est', 'edt', 'pst', 'pdt', 'cst', 'cdt', 'mst', 'mdt', 'bst']);

let cities: ReadonlyMap<string, string> | null = null;

/** "berlin" -> Europe/Berlin, "new york" -> America/New_York: the last part of every IANA name Node knows */
function cityZones(): ReadonlyMap<string, string> {
  if (cities !== null) return cities;
  const map = new Map<string, string>();
  for (const zone of Intl.supportedValuesOf('timeZone')) {
    const city = zone
      .slice(zone.lastIndexOf('/') + 1)
      .replaceAll('_', ' ')
      .toLowerCase();
    // the first zone of a city name wins; the two-part names are unique in practice
    if (zone.includes('/') && !map.has(city)) map.set(city, zone);
  }
  cities = map;
  return map;
}

function word(tokens: readonly Token[], i: number): string | undefined {
  const token = tokens[i];
  return token?.kind === 'word' ? token.lower : undefined;
}

/** The canonical spelling of an IANA name typed in any case ("europe/berlin" -> "Europe/Berlin") */
function canonicalZone(typed: string): string | null {
  const lower = typed.toLowerCase();
  if (lower === 'utc' || lower === 'gmt') return lower.toUpperCase();
  if (!lower.includes('/')) return null;
  for (const zone of Intl.supportedValuesOf('timeZone')) if (zone.toLowerCase() === lower) return zone;
  return isKnownTimeZone(typed) ? typed : null;
}

/**
 * Finds one zone in the question: an IANA name (`Europe/Berlin`, any case), `UTC` or `GMT`, or a city followed
 * by "time" (`Berlin time`, `New York time`); an optional "in" before and "time" after go with it.
 */
export function readZone(tokens: readonly Token[]): ZoneRead {
  for (let i = 0; i < tokens.length; i++) {
    const w = word(tokens, i);
    if (w === undefined) continue;
    let zone: string | null = null;
    let end = i + 1;
    if (w.includes('/') || w === 'utc' || w === 'gmt') {
      zone = canonicalZone(tokens[i]?.text ?? '');
      if (zone === null && w.includes('/') && /^[a-z]+\/[a-z_/-]+$/.test(w) && word(tokens, i + 1) === 'time')
        return {
          kind: 'error',
          error: `"${tokens[i]?.text}" is not a time zone I know; use a name such as Europe/Berlin.`,
        };
    } else if (ABBREVIATIONS.has(w) && word(tokens, i + 1) === 'time') {
      return {
        kind: 'error',
        error: `"${tokens[i]?.text} time" is a fixed offset that ignores daylight saving; name the zone instead, as in "Europe/Berlin time" or "Berlin time".`,
      };
    } else {
      // "Berlin time", "New York time", "Los Angeles time": a city of one to three words, then "time"
      for (let n = 1; n <= 3 && zone === null; n++) {
        if (word(tokens, i + n) !== 'time') continue;
        const city = tokens
          .slice(i, i + n)
          .map((t) => (t.kind === 'word' ? t.lower : '\u0000'))
          .join(' ');
        const found = cityZones().get(city);
        if (found !== undefined) {
          zone = found;
          end = i + n;
        }
      }
    }
    if (zone === null) continue;
    let from = i;
    if (word(tokens, end) === 'time') end++;
    if (word(tokens, i - 1) === 'in') from = i - 1;
    const typed = tokens
      .slice(from, end)
      .map((t) => t.text)
      .join(' ');
    return { kind: 'zone', zone, typed, tokens: [...tokens.slice(0, from), ...tokens.slice(end)] };
  }
  return { kind: 'none' };
}
