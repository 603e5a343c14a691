import { describe, expect, it } from 'vitest';
import { ReplibotError } from '../../../src/core/errors.js';
import { lowerCaseKeys, parseEmBody } from '../../../src/veeam/parse-em-body.js';

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
