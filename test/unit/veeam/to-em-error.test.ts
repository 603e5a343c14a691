import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderError } from '../../../src/answers/domain/render-error.js';
import { type RequestContext, toHttpError, toTransportError } from '../../../src/veeam/to-em-error.js';

const ctx: RequestContext = {
  what: 'the query for ReplicaTaskSession (page 1)',
  baseUrl: 'https://em01.tech.local:9398',
  timeoutMs: 30_000,
  username: 'TECH\\svc-replibot',
};
const request = { ...ctx, phase: 'request' as const };
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/em/${name}`, import.meta.url));
const socketError = (code: string, message = `${code} happened`) =>
  Object.assign(new Error(message), { code });

describe('toTransportError', () => {
  it('names the refused port and what to check', () => {
    const error = toTransportError(socketError('ECONNREFUSED'), ctx);
    expect(error.code).toBe('em_unreachable');
    expect(error.message).toContain('https://em01.tech.local:9398 refused the connection');
    expect(error.hint).toMatch(/9398 for HTTPS, 9399 for HTTP/);
  });

  it('tells a DNS failure from a dropped connection', () => {
    expect(toTransportError(socketError('ENOTFOUND'), ctx).hint).toMatch(/host name in VEEAM_URL/);
    const dropped = toTransportError(socketError('ECONNRESET', 'socket hang up'), ctx);
    expect(dropped.code).toBe('em_unreachable');
    expect(dropped.message).toContain('(ECONNRESET)');
  });

  it('reports a timeout with the configured seconds', () => {
    const error = toTransportError(socketError('ETIMEDOUT', 'timeout of 30000ms exceeded'), ctx);
    expect(error.code).toBe('em_timeout');
    expect(error.message).toContain('within 30 s');
    expect(error.hint).toContain('VEEAM_TIMEOUT_MS');
    expect(toTransportError(socketError('ERR_CANCELED', 'canceled'), ctx).code).toBe('em_timeout');
  });

  it('sends certificate problems to VEEAM_CA_FILE or VEEAM_INSECURE_TLS', () => {
    for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED']) {
      const error = toTransportError(socketError(code), ctx);
      expect(error.code).toBe('em_tls');
      expect(error.hint).toContain('Set VEEAM_CA_FILE');
      expect(error.hint).toContain('VEEAM_INSECURE_TLS=true');
    }
    expect(toTransportError(socketError('ERR_TLS_CERT_ALTNAME_INVALID'), ctx).hint).toMatch(
      /host name written/,
    );
  });

  it('headlines https on a plain HTTP port as that port speaking HTTP, not as a certificate problem', () => {
    const plain = toTransportError(
      socketError(
        'EPROTO',
        'write EPROTO 804C8A62D27F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
      ),
      { ...ctx, baseUrl: 'https://em01.tech.local:9399' },
    );
    expect(plain.code).toBe('em_plain_http');
    expect(plain.message).toContain('speaks plain HTTP on that port, not HTTPS');
    expect(plain.hint).toMatch(/9398 and plain HTTP on 9399/);
    const report = renderError(plain, 'ref-1');
    expect(report.title).toBe('Enterprise Manager speaks plain HTTP on that port, not HTTPS.');
    expect(report.title).not.toMatch(/certificate/i);
  });
});

describe('toHttpError', () => {
  it('refuses a logon with the account checks to make', () => {
    const error = toHttpError(401, Buffer.alloc(0), { ...ctx, phase: 'logon' });
    expect(error.code).toBe('em_logon_refused');
    expect(error.message).toContain('"TECH\\svc-replibot"');
    expect(error.hint).toContain('VEEAM_USERNAME/VEEAM_PASSWORD');
    expect(error.hint).toContain('Portal User is enough');
  });

  it('explains a missing role on 403', () => {
    const error = toHttpError(
      403,
      Buffer.from('<Error Message="Access denied." StatusCode="403" />'),
      request,
    );
    expect(error.code).toBe('em_forbidden');
    expect(error.message).toContain('EM said: "Access denied."');
    expect(error.hint).toMatch(/Portal User/);
  });

  it('points a 404 on port 9419 at the EM port', () => {
    const error = toHttpError(404, Buffer.alloc(0), { ...request, baseUrl: 'https://vbr01:9419' });
    expect(error.code).toBe('em_not_found');
    expect(error.hint).toMatch(/VBR REST API \(port 9419\).*9398/);
  });

  it("uses the caller's words for a missing session", () => {
    const error = toHttpError(404, Buffer.alloc(0), {
      ...request,
      notFound: 'No replication task session 42 in Enterprise Manager.',
    });
    expect(error.message).toBe('No replication task session 42 in Enterprise Manager.');
    expect(error.hint).toMatch(/30 days/);
  });

  it("carries EM's Message and status for server errors, from XML or JSON", () => {
    const xml = toHttpError(500, fixture('error.500.xml'), request);
    expect(xml.code).toBe('em_error');
    expect(xml.status).toBe(500);
    expect(xml.message).toContain('HTTP 500');
    expect(xml.message).toContain('Object reference not set to an instance of an object.');
    const json = toHttpError(400, fixture('error.400.json'), request);
    expect(json.code).toBe('em_bad_request');
    expect(json.message).toContain('Node [root] does not exist.');
  });

  it('keeps a long or multi-line EM message to one bounded line', () => {
    const body = Buffer.from(
      JSON.stringify({ Message: `line one\r\nline two ${'x'.repeat(1000)}`, StatusCode: 500 }),
    );
    const error = toHttpError(500, body, request);
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message.length).toBeLessThan(600);
  });

  it('does not follow a redirect', () => {
    expect(toHttpError(302, Buffer.alloc(0), request).code).toBe('em_bad_response');
  });
});
