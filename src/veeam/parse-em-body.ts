/**
 * Turns an Enterprise Manager response body (XML or JSON, v12 PascalCase or v13 camelCase, with or without a
 * UTF-8 BOM) into one plain tree with lower-case keys, so the schemas in parse-sessions.ts see one shape.
 *
 * XML elements and attributes both become properties (as EM's own JSON does); `<Links><Link/></Links>` stays
 * nested (`links.link[]`) and list elements are always arrays, so a page with one row looks like a page with many.
 */
import { XMLParser } from 'fast-xml-parser';
import { ReplibotError } from '../core/errors.js';

export type EmBodyFormat = 'xml' | 'json';

/** A parsed body: `tree` has lower-case keys only. */
export interface EmBody {
  format: EmBodyFormat;
  tree: unknown;
}

/** Element names that are list members: always arrays, even with one child (only below the root). */
const LIST_MEMBERS = new Set([
  'link',
  'ref',
  'replicatasksession',
  'replicajobsession',
  'backuptasksession',
  'backupjobsession',
  'logonsession',
  'supportedversion',
]);

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  // keep every value a string: zod decides what is a number, and 64-bit sizes and GUID-like names stay intact
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // numeric character references (&#233; &#xD;) are plain XML; the HTML set is a superset that does no harm
  htmlEntities: true,
  transformTagName: (name) => name.toLowerCase(),
  transformAttributeName: (name) => name.toLowerCase(),
  isArray: (name, jPath, _isLeaf, isAttribute) =>
    !isAttribute && LIST_MEMBERS.has(name) && typeof jPath === 'string' && jPath.includes('.'),
});

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/** Bytes or text to a string without a leading BOM (TextDecoder drops it; a string may still carry one). */
export function toBodyText(body: Uint8Array | string): string {
  const text = typeof body === 'string' ? body : decoder.decode(body);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parses an EM body. The format is sniffed from the first character rather than trusted from Content-Type,
 * because EM answers some errors in JSON to XML requests and proxies answer in HTML.
 * @throws ReplibotError `em_bad_response` when the body is neither well-formed XML nor JSON
 */
export function parseEmBody(body: Uint8Array | string, what = 'the response'): EmBody {
  const text = toBodyText(body);
  const start = text.search(/\S/);
  const first = start === -1 ? '' : text[start];
  if (first === '{' || first === '[') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw badBody(what, 'is not valid JSON (it may have been cut off)');
    }
    return { format: 'json', tree: lowerCaseKeys(value) };
  }
  if (first === '<') {
    if (/^\s*<(!doctype\s+html|html)[\s>]/i.test(text.slice(start))) {
      throw badBody(what, 'is an HTML page, not EM XML or JSON (a proxy or a different web server answered)');
    }
    let tree: unknown;
    try {
      // full validation would double the cost of every page; the parser's own checks plus the closing-tag check
      // below catch what matters: a body cut off anywhere, even between two list members
      tree = xmlParser.parse(text);
    } catch {
      throw badBody(what, 'is not well-formed XML');
    }
    if (!isComplete(text)) throw badBody(what, 'is cut off (the XML root element is not closed)');
    return { format: 'xml', tree };
  }
  throw badBody(what, first === '' ? 'is empty' : 'is neither XML nor JSON');
}

/** The first element's start tag, after an optional declaration and comments; attribute values may hold `>`. */
const ROOT_TAG =
  /^\s*(?:<\?[\s\S]*?\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.-]*(?::[\w.-]+)?)(?:\s+[^\s=>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(\/?)>/;

/** True when the document ends by closing the element it opened first (or that element closes itself). */
function isComplete(text: string): boolean {
  const root = ROOT_TAG.exec(text);
  if (!root) return false;
  const end = text.trimEnd();
  // a self-closing root (`<Error ... />`) is the whole document
  if (root[2] === '/') return end.length === root[0].trimEnd().length;
  return end.endsWith(`</${root[1]}>`);
}

/** JSON from v12 is PascalCase, from v13 camelCase (`UID` -> `uid`): lower-casing every key gives one shape. */
export function lowerCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerCaseKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      const lower = key.toLowerCase();
      // a hostile "__proto__" key would otherwise replace the object's prototype
      if (lower !== '__proto__') out[lower] = lowerCaseKeys(inner);
    }
    return out;
  }
  return value;
}

function badBody(what: string, problem: string): ReplibotError {
  return new ReplibotError('em_bad_response', `Enterprise Manager's answer to ${what} ${problem}.`, {
    hint: 'Check that VEEAM_URL points at the Enterprise Manager REST API (https://host:9398) and not at a proxy or another service.',
  });
}
