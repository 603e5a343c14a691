/**
 * Splits a question into words, quoted names and commas. Quoted names keep their exact text (straight or curly
 * quotes, since Slack and phones turn `"` into `“ ”`); a doubled quote inside stands for one quote character.
 */

export interface Token {
  kind: 'word' | 'quoted' | 'comma';
  /** the text as typed (for a quoted name: without the quotes) */
  text: string;
  /** lower-cased text, for matching grammar words */
  lower: string;
  /** the word was typed with a possessive `'s` ("yesterday's", "apache02's"), which `text` no longer has */
  possessive?: boolean;
}

/** Contractions that look like possessives but are words of their own ("what's running", "how's apache02"). */
const CONTRACTIONS = new Set([
  "what's",
  "how's",
  "it's",
  "that's",
  "there's",
  "here's",
  "who's",
  "where's",
  "let's",
  "when's",
]);

export type TokenizeResult = { ok: true; tokens: Token[] } | { ok: false; error: string };

const CLOSING_QUOTES: Readonly<Record<string, readonly string[]>> = {
  '"': ['"'],
  "'": ["'"],
  '“': ['”', '"', '“'],
  '”': ['”', '"'],
  '„': ['“', '”', '"'],
  '‘': ['’', "'", '‘'],
  '’': ['’', "'"],
  '«': ['»'],
  '`': ['`'],
};

/**
 * Undoes what Slack does to message text: `<@U123>` mentions, `<#C123|name>` channel links and `<!channel>`-style
 * special mentions are dropped, auto-linked host names (`<http://srv02.corp.local|srv02.corp.local>`) go back to
 * their label, and the `&amp;` `&lt;` `&gt;` entities back to characters. Only for text that came from Slack: in a
 * terminal `<!channel>` or `R&amp;D` may be a real name.
 */
function fromSlackText(text: string): string {
  return text
    .replace(/<[@#!][^<>]*>/g, ' ')
    .replace(/<((?:https?|mailto):[^<>|]*)\|([^<>]*)>/g, (_all, _url: string, label: string) => label)
    .replace(/<((?:https?|mailto):[^<>|]*)>/g, (_all, url: string) =>
      url.replace(/^(?:https?:\/\/|mailto:)/, ''),
    )
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/**
 * The question as the grammar reads it: Slack markup undone when the text came from Slack, wide spaces made
 * plain and the ends trimmed. Plain (terminal) text is otherwise read as typed.
 */
export function toPlainQuestion(text: string, source: 'slack' | 'plain' = 'plain'): string {
  const unmarked = source === 'slack' ? fromSlackText(text) : text;
  // no-break and other wide spaces (pasted from mail or a phone) count as plain spaces; the word joiners
  // escapeMrkdwn puts around `*_~` in names (and zero-width spaces, BOMs) are dropped, so a pasted name reads as typed
  return unmarked
    .replace(/[\u200b\u2060\ufeff]/g, '')
    .replace(/[\u00a0\u2000-\u200a\u202f\u3000]/g, ' ')
    .trim();
}

function isSpace(ch: string): boolean {
  return /\s/.test(ch);
}

export function tokenizeQuestion(text: string): TokenizeResult {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (isSpace(ch)) {
      i++;
      continue;
    }
    if (ch === ',') {
      tokens.push({ kind: 'comma', text: ',', lower: ',' });
      i++;
      continue;
    }
    const closers = CLOSING_QUOTES[ch];
    if (closers !== undefined) {
      let value = '';
      let j = i + 1;
      let closed = false;
      while (j < text.length) {
        const c = text.charAt(j);
        if (closers.includes(c)) {
          // a doubled straight quote is a literal quote, as in EM's own filter syntax
          if (c === ch && text[j + 1] === ch) {
            value += c;
            j += 2;
            continue;
          }
          closed = true;
          j++;
          break;
        }
        value += c;
        j++;
      }
      if (!closed) {
        return {
          ok: false,
          error: `The quote ${ch} before "${truncate(text.slice(i + 1), 40)}" is never closed.`,
        };
      }
      const name = value.trim();
      if (name === '') return { ok: false, error: 'An empty name in quotes ("") names nothing.' };
      tokens.push({ kind: 'quoted', text: name, lower: name.toLowerCase() });
      i = j;
      continue;
    }
    let j = i;
    while (j < text.length && !isSpace(text.charAt(j)) && text[j] !== ',') j++;
    // sentence punctuation is not part of a word: "apache02?" -> "apache02"
    const raw = text.slice(i, j).replace(/[?!]+$/, '');
    i = j;
    if (raw === '' || /^[?!.:;]+$/.test(raw)) continue;
    // "yesterday's failures", "apache02's warnings": the word itself, marked as a possessive
    const possessive = /^(.+?)['’]s$/i.exec(raw);
    if (possessive?.[1] !== undefined && !CONTRACTIONS.has(raw.toLowerCase().replace('’', "'"))) {
      const base = possessive[1];
      tokens.push({ kind: 'word', text: base, lower: base.toLowerCase(), possessive: true });
      continue;
    }
    tokens.push({ kind: 'word', text: raw, lower: raw.toLowerCase() });
  }
  // a full stop ends the sentence, not the last name
  const last = tokens.at(-1);
  if (last?.kind === 'word' && last.text.endsWith('.') && last.text.length > 1) {
    const text2 = last.text.replace(/\.+$/, '');
    tokens[tokens.length - 1] = { kind: 'word', text: text2, lower: text2.toLowerCase() };
  }
  return { ok: true, tokens };
}

/** Stands for a position past the end: no word, no name, no text. */
const NO_TOKEN: Token = Object.freeze({ kind: 'comma', text: '', lower: '' });

/** The token at `at`, or an empty stand-in past the end (so index arithmetic needs no `!`). */
export function tokenAt(tokens: readonly Token[], at: number): Token {
  return tokens[at] ?? NO_TOKEN;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
