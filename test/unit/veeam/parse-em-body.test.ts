import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ReplibotError } from '../../../src/core/errors.js';
import { decodeXmlText, lowerCaseKeys, parseEmBody } from '../../../src/veeam/parse-em-body.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ReplibotError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('parseEmBody', () => {
  it('sniffs JSON and XML from the body, not from a header', () => {
    expect(parseEmBody('  {"PagingInfo":{"PageNum":1}}')).toEqual({
      format: 'json',
      tree: { paginginfo: { pagenum: 1 } },
    });
    expect(parseEmBody('<PagingInfo PageNum="1" />')).toEqual({
      format: 'xml',
      tree: { paginginfo: { pagenum: '1' } },
    });
  });

  it('drops a UTF-8 BOM given as bytes or as text', () => {
    const json = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"UID":"x"}')]);
    expect(parseEmBody(json).tree).toEqual({ uid: 'x' });
    expect(parseEmBody('\uFEFF<Error Message="m" StatusCode="1"/>').tree).toEqual({
      error: { message: 'm', statuscode: '1' },
    });
  });

  it('unescapes XML entities and character references once', () => {
    const body = parseEmBody(
      '<A Name="a &amp; b &lt;c&gt; &quot;d&quot; &#233;&#x41;"><R>x &amp;amp; y</R></A>',
    );
    expect(body.tree).toEqual({ a: { name: 'a & b <c> "d" éA', r: 'x &amp; y' } });
  });

  it('keeps empty elements as empty strings', () => {
    expect(parseEmBody('<A><Reason /><EndTimeUTC></EndTimeUTC></A>').tree).toEqual({
      a: { reason: '', endtimeutc: '' },
    });
  });

  it('calls truncated, HTML, empty and plain-text bodies bad responses', () => {
    expect(codeOf(() => parseEmBody('{"Entities": {'))).toBe('em_bad_response');
    expect(codeOf(() => parseEmBody('<QueryResult><Entities>'))).toBe('em_bad_response');
    expect(codeOf(() => parseEmBody('<!DOCTYPE html><html><body>Login</body></html>'))).toBe(
      'em_bad_response',
    );
    expect(codeOf(() => parseEmBody(''))).toBe('em_bad_response');
    expect(codeOf(() => parseEmBody('Service Unavailable'))).toBe('em_bad_response');
  });
});

/** An object written as JSON text by the generator below (so that two same-folded keys can both be in it). */
class ObjectText {
  constructor(readonly text: string) {}
}
const toText = (value: unknown): string =>
  value instanceof ObjectText
    ? value.text
    : Array.isArray(value)
      ? `[${value.map(toText).join(',')}]`
      : JSON.stringify(value);

describe('lowerCaseKeys', () => {
  it('gives v12 and v13 JSON the same keys', () => {
    expect(lowerCaseKeys({ PagingInfo: { PagesCount: 2 }, UID: 'a' })).toEqual(
      lowerCaseKeys({ pagingInfo: { pagesCount: 2 }, uid: 'a' }),
    );
  });

  it('never lets a __proto__ key replace the prototype', () => {
    const out = lowerCaseKeys(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out).toEqual({ a: 1 });
  });

  it('folds any parsed JSON as a walk over Object.keys would, last of two same-folded keys winning (property)', () => {
    const reference = (value: unknown): unknown => {
      if (value === null || typeof value !== 'object') return value;
      if (Array.isArray(value)) return value.map(reference);
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        if (key.toLowerCase() !== '__proto__') out[key.toLowerCase()] = reference(inner);
      }
      return out;
    };
    const key = fc.constantFrom(
      'UID',
      'uid',
      'Uid',
      'Name',
      'NAME',
      '__proto__',
      '__PROTO__',
      'constructor',
      '1',
      'İd',
    );
    const json = fc
      .letrec<{ value: unknown }>((tie) => ({
        value: fc.oneof(
          { arbitrary: fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.constant(null)), weight: 3 },
          fc.array(tie('value'), { maxLength: 3 }),
          fc
            .array(fc.tuple(key, tie('value')), { maxLength: 4 })
            .map(
              (pairs) =>
                new ObjectText(`{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${toText(v)}`).join(',')}}`),
            ),
        ),
      }))
      .value.map(toText);
    fc.assert(
      fc.property(json, (text) => {
        const parsed: unknown = JSON.parse(text);
        // isDeepStrictEqual, not toStrictEqual: vitest compares `.constructor`, which a "constructor" key replaces
        expect(isDeepStrictEqual(lowerCaseKeys(parsed), reference(parsed))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseEmBody on cut-off XML', () => {
  const list =
    '<?xml version="1.0" encoding="utf-8"?>\n<ReplicaTaskSessions xmlns="http://www.veeam.com/ent/v1.0"><ReplicaTaskSession Name="a &gt; b" UID="u1"><State>Completed</State></ReplicaTaskSession><ReplicaTaskSession Name="c/>" UID="u2"><State>Failed</State></ReplicaTaskSession></ReplicaTaskSessions>\r\n';

  it('accepts the whole document, even with > and /> inside attribute values', () => {
    expect(parseEmBody(list).tree).toMatchObject({
      replicatasksessions: { replicatasksession: [{ uid: 'u1' }, { uid: 'u2' }] },
    });
    expect(parseEmBody('<Error Message="a > b" StatusCode="500" />').tree).toEqual({
      error: { message: 'a > b', statuscode: '500' },
    });
  });

  it('refuses a list cut between two members, and any other cut', () => {
    const cut = list.slice(0, list.indexOf('<ReplicaTaskSession Name="c'));
    expect(codeOf(() => parseEmBody(cut))).toBe('em_bad_response');
    for (let end = 1; end < list.trimEnd().length; end += 7) {
      expect(codeOf(() => parseEmBody(list.slice(0, end)))).toBe('em_bad_response');
    }
  });
});

describe('parseEmBody XML reading', () => {
  const problem = (body: string): string => {
    try {
      parseEmBody(body);
    } catch (error) {
      if (error instanceof ReplibotError) return `${error.code}: ${error.message}`;
      throw error;
    }
    return 'no error';
  };

  it('refuses an end tag that does not match its start tag', () => {
    expect(problem('<A><B>x</C></A>')).toMatch(/^em_bad_response: .*not well-formed XML .*<B>.*<\/C>/);
    expect(problem('<A><B>x</A></B>')).toMatch(/^em_bad_response: .*not well-formed/);
  });

  it('says a body that stops inside the document is cut off', () => {
    expect(problem('<A><B Name="x')).toMatch(/^em_bad_response: .*is cut off/);
    expect(problem('<A><B>x</B>')).toMatch(/^em_bad_response: .*is cut off .*<\/A>/);
  });

  it('refuses a DOCTYPE, text outside the root and a second root', () => {
    expect(problem('<!DOCTYPE A [<!ENTITY x "y">]><A>&x;</A>')).toMatch(/^em_bad_response: .*DOCTYPE/);
    expect(problem('<A/>trailing')).toMatch(/^em_bad_response: .*outside the root/);
    expect(problem('<A/><B/>')).toMatch(/^em_bad_response: .*more than one root/);
    expect(problem('<A Name=x/>')).toMatch(/^em_bad_response: .*unquoted/);
  });

  it('skips comments and processing instructions and keeps CDATA text as written', () => {
    const body = '<?xml version="1.0"?><!-- c --><A><?pi x?><!-- <B/> --><R><![CDATA[a &amp; <b>]]></R></A>';
    expect(parseEmBody(body).tree).toEqual({ a: { r: 'a &amp; <b>' } });
  });

  it('drops namespace prefixes and xmlns attributes and keeps text next to attributes as #text', () => {
    const body =
      '<q:A xmlns="u" xmlns:q="v" xmlns:xsi="w"><EndTimeUTC xsi:nil="true" /><Name Lang="en"> x </Name></q:A>';
    expect(parseEmBody(body).tree).toEqual({
      a: { endtimeutc: { nil: 'true' }, name: { lang: 'en', '#text': 'x' } },
    });
  });

  it('makes repeated elements and list members arrays, and lets an attribute win over a same-named child', () => {
    expect(parseEmBody('<A><B>1</B><B>2</B><Links><Link Rel="Up"/></Links></A>').tree).toEqual({
      a: { b: ['1', '2'], links: { link: [{ rel: 'Up' }] } },
    });
    expect(parseEmBody('<A Name="attr"><Name>child</Name></A>').tree).toEqual({ a: { name: 'attr' } });
  });

  it('never lets a __proto__ or constructor element touch the prototype', () => {
    const tree = parseEmBody(
      '<A><__proto__><polluted>1</polluted></__proto__><Constructor>c</Constructor></A>',
    ).tree as { a: Record<string, unknown> };
    expect(Object.getPrototypeOf(tree.a)).toBe(Object.prototype);
    expect(tree).toEqual({ a: { constructor: 'c' } });
  });

  it('leaves unknown entities and impossible character references as written', () => {
    expect(parseEmBody('<A>&nbsp; &#0; &#xD800; &#x110000; &amp</A>').tree).toEqual({
      a: '&nbsp; &#0; &#xD800; &#x110000; &amp',
    });
  });
});

describe('decodeXmlText', () => {
  /** Escapes as an XML writer may: the predefined entities, and any character as a decimal or hex reference. */
  const escaped = fc
    .array(
      fc.tuple(
        fc.string({ unit: 'binary', maxLength: 1 }).filter((s) => s.length > 0),
        fc.constantFrom('plain', 'decimal', 'hex', 'HEX'),
      ),
      { maxLength: 30 },
    )
    .map((parts) => {
      const text = parts.map(([char]) => char).join('');
      const xml = parts
        .map(([char, style]) => {
          const code = char.codePointAt(0)!;
          if (style === 'decimal' && code !== 0) return `&#${code};`;
          if (style === 'hex' && code !== 0) return `&#x${code.toString(16)};`;
          if (style === 'HEX' && code !== 0) return `&#X${code.toString(16).toUpperCase()};`;
          return char
            .replaceAll('&', '&amp;')
            .replaceAll('<', '&lt;')
            .replaceAll('>', '&gt;')
            .replaceAll('"', '&quot;')
            .replaceAll("'", '&apos;');
        })
        .join('');
      return { text, xml };
    });

  it('decodes the predefined entities by hand exactly as the one expression does (property)', () => {
    const ENTITY = /&(?:#(\d{1,8})|#[xX]([0-9A-Fa-f]{1,7})|(amp|lt|gt|quot|apos));/g;
    const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    const reference = (text: string) =>
      text.replace(ENTITY, (whole, dec?: string, hex?: string, name?: string) => {
        if (name !== undefined) return NAMED[name] ?? whole;
        const code = Number.parseInt(dec ?? hex ?? '', dec === undefined ? 16 : 10);
        return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)
          ? whole
          : String.fromCodePoint(code);
      });
    const piece = fc.constantFrom(
      '&',
      ';',
      'amp',
      'lt',
      'gt',
      'quot',
      'apos',
      'am',
      'a',
      'q',
      '&amp;',
      '&lt;',
      '#',
      'x',
      '41',
      'é',
      ' ',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        expect(decodeXmlText(text)).toBe(reference(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('undoes XML escaping of any string exactly once (property)', () => {
    fc.assert(
      fc.property(escaped, ({ text, xml }) => {
        expect(decodeXmlText(xml)).toBe(text);
        // escaped twice, decoded once: the once-escaped form comes back, never the original
        expect(decodeXmlText(xml.replaceAll('&', '&amp;'))).toBe(xml);
      }),
      { numRuns: 500 },
    );
  });

  it('carries any printable string through an attribute and an element of a whole document (property)', () => {
    const toXmlText = (s: string) =>
      s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
    // XML 1.0 cannot carry most control characters, and values are trimmed
    const value = fc
      .string({ unit: 'grapheme', maxLength: 40 })
      .filter((s) => s.trim() === s && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(s));
    fc.assert(
      fc.property(value, value, (attribute, text) => {
        const doc = `<A Name="${toXmlText(attribute)}"><Reason>${toXmlText(text)}</Reason></A>`;
        expect(parseEmBody(doc).tree).toEqual({ a: { name: attribute, reason: text } });
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseEmBody compared with fast-xml-parser', () => {
  // the options replibot used before its own reader: the tree shapes must not change under the schemas
  const listMembers = new Set(['link', 'ref', 'replicatasksession', 'logonsession']);
  const reference = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    htmlEntities: true,
    transformTagName: (name) => name.toLowerCase(),
    transformAttributeName: (name) => name.toLowerCase(),
    isArray: (name, jPath, _isLeaf, isAttribute) =>
      !isAttribute && listMembers.has(name) && typeof jPath === 'string' && jPath.includes('.'),
  });
  const toXmlText = (s: string) =>
    s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
  const name = fc.constantFrom('A', 'B', 'Link', 'Links', 'Name', 'x:Y', 'ReplicaTaskSession', 'Ref');
  const text = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(' a ', '&#233;', 'x]]y', '', '  '));
  const attributes = fc.uniqueArray(
    fc.tuple(fc.constantFrom('Href', 'Name', 'UID', 'xmlns', 'xsi:nil'), text),
    { maxLength: 3, selector: ([key]) => key },
  );
  const { element } = fc.letrec<{ element: string }>((tie) => ({
    element: fc
      .tuple(name, attributes, fc.oneof(text, fc.array(tie('element'), { maxLength: 3 })))
      .map(([tag, attrs, body]) => {
        const open = tag + attrs.map(([key, value]) => ` ${key}="${toXmlText(value)}"`).join('');
        if (typeof body === 'string') return `<${open}>${toXmlText(body)}</${tag}>`;
        return body.length === 0 ? `<${open} />` : `<${open}>${body.join('\n')}</${tag}>`;
      }),
  }));

  it('reads any generated document into the same tree (property)', () => {
    fc.assert(
      fc.property(element, (inner) => {
        const doc = `<?xml version="1.0" encoding="utf-8"?>\n<Root xmlns="http://www.veeam.com/ent/v1.0">${inner}</Root>\r\n`;
        expect(parseEmBody(doc).tree).toEqual(reference.parse(doc));
      }),
      { numRuns: 400 },
    );
  });
});
