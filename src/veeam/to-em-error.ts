/**
 * Translates transport failures and HTTP answers of Enterprise Manager into ReplibotErrors that say what failed
 * and what to check. Nothing here sees a password or a session token; the client scrubs its messages once more.
 */

import { ReplibotError } from '../core/errors.js';
import { isObject } from '../core/is-record.js';
import { parseEmError } from './em-schemas.js';
import { parseEmBody } from './parse-em-body.js';

/** What the failed request was for, in words, and where it went. */
export interface RequestContext {
  /** "the query for ReplicaTaskSession (page 2)", "the logon" ... */
  what: string;
  /** the EM base URL as configured (scheme, host, port), never with credentials */
  baseUrl: string;
  timeoutMs: number;
  username: string;
  /** for 404s of a single resource: "No replication job session 1234 in Enterprise Manager." */
  notFound?: string;
}

const TLS_CODES =
  /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|EPROTO|ERR_OSSL|HOSTNAME_MISMATCH/;

const TLS_HINT =
  'Set VEEAM_CA_FILE to the EM certificate (or the CA that signed it), or VEEAM_INSECURE_TLS=true to skip verification.';

/** A failure with no HTTP answer: refused, dropped, timed out, TLS. */
export function toTransportError(error: unknown, ctx: RequestContext): ReplibotError {
  const { code, message } = describe(error);
  const cause = new Error(code || 'transport error');
  const where = `Enterprise Manager at ${ctx.baseUrl}`;

  if (
    code === 'ECONNABORTED' ||
    code === 'ERR_CANCELED' ||
    code === 'ETIMEDOUT' ||
    /timeout/i.test(message)
  ) {
    return new ReplibotError(
      'em_timeout',
      `${where} did not answer ${ctx.what} within ${formatSeconds(ctx.timeoutMs)}.`,
      {
        hint: 'EM may be busy (data collection, many backup servers) or the network slow; try again, or raise VEEAM_TIMEOUT_MS.',
        cause,
      },
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /altnames|Hostname\/IP does not match/i.test(message)) {
    return new ReplibotError(
      'em_tls',
      `The TLS certificate of ${where} is not issued for that host name, so ${ctx.what} was not sent.`,
      { hint: `Use the host name written on the EM certificate in VEEAM_URL. ${TLS_HINT}`, cause },
    );
  }
  if (/wrong version number|packet length too long|http request/i.test(message)) {
    // not a certificate problem: the port answers in plain HTTP (EM's 9399), so the headline says that
    return new ReplibotError(
      'em_plain_http',
      `${where} speaks plain HTTP on that port, not HTTPS, so ${ctx.what} failed.`,
      {
        hint: 'EM serves HTTPS on port 9398 and plain HTTP on 9399: use https://host:9398 (or http://host:9399) in VEEAM_URL.',
        cause,
      },
    );
  }
  if (TLS_CODES.test(code)) {
    return new ReplibotError(
      'em_tls',
      `The TLS certificate of ${where} could not be verified (${code}), so ${ctx.what} was not sent.`,
      { hint: TLS_HINT, cause },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ReplibotError('em_unreachable', `Cannot find the host of ${where} (DNS lookup failed).`, {
      hint: 'Check the host name in VEEAM_URL and that this machine can resolve it.',
      cause,
    });
  }
  if (code === 'ECONNREFUSED') {
    return new ReplibotError('em_unreachable', `${where} refused the connection for ${ctx.what}.`, {
      hint: 'Check the port in VEEAM_URL (EM listens on 9398 for HTTPS, 9399 for HTTP) and that the Veeam RESTful API service is running on the EM server.',
      cause,
    });
  }
  if (ctx.baseUrl.startsWith('http:') && (code === 'ECONNRESET' || /socket hang up/i.test(message))) {
    return new ReplibotError(
      'em_unreachable',
      `${where} closed the connection during ${ctx.what}${code ? ` (${code})` : ''}.`,
      {
        hint: 'VEEAM_URL uses plain http://, and a server that speaks HTTPS on that port answers like this: use https://host:9398 (or http://host:9399).',
        cause,
      },
    );
  }
  return new ReplibotError(
    'em_unreachable',
    `The connection to ${where} failed during ${ctx.what}${code ? ` (${code})` : ''}.`,
    {
      hint: 'Check that EM is running and reachable from this machine (firewall, VPN, proxy); replibot retries reads a few times before giving up.',
      cause,
    },
  );
}

/** An HTTP answer that is not the success we asked for. */
export function toHttpError(
  status: number,
  body: Uint8Array,
  ctx: RequestContext & { phase: 'logon' | 'request' },
): ReplibotError {
  const em = readEmError(body);
  const said = em?.message ? ` EM said: "${em.message}"` : '';
  const where = `Enterprise Manager at ${ctx.baseUrl}`;
  const vbrPort = portOf(ctx.baseUrl) === '9419';

  if (status === 401) {
    return ctx.phase === 'logon'
      ? new ReplibotError(
          'em_logon_refused',
          `${where} refused the logon of ${quote(ctx.username)}.${said}`,
          {
            hint: 'Check VEEAM_USERNAME/VEEAM_PASSWORD (DOMAIN\\user or user@domain) and that the account has an EM role (Portal User is enough).',
            status,
          },
        )
      : new ReplibotError(
          'em_logon_refused',
          `${where} refused ${ctx.what} even with a fresh logon session of ${quote(ctx.username)}.${said}`,
          {
            hint: 'Check that the account still exists, is not locked, and keeps an EM role (Portal User is enough).',
            status,
          },
        );
  }
  if (status === 403) {
    return new ReplibotError(
      'em_forbidden',
      `${where} does not let ${quote(ctx.username)} read ${ctx.what}.${said}`,
      {
        hint: 'Give the account an Enterprise Manager role (EM web UI > Configuration > Roles): Portal User is enough for replication sessions.',
        status,
      },
    );
  }
  if (status === 404) {
    if (vbrPort || ctx.phase === 'logon') {
      return new ReplibotError('em_not_found', `${where} has no EM REST API (404 for ${ctx.what}).${said}`, {
        hint: vbrPort
          ? 'This looks like the VBR REST API (port 9419); Enterprise Manager listens on 9398: set VEEAM_URL to https://<em-host>:9398.'
          : 'Check VEEAM_URL: it should be the Enterprise Manager server, such as https://em.example.local:9398 (no path).',
        status,
      });
    }
    return new ReplibotError(
      'em_not_found',
      ctx.notFound ?? `${where} found nothing for ${ctx.what}.${said}`,
      {
        hint: 'EM keeps session history for about 30 days; check the id, or ask about a more recent run.',
        status,
      },
    );
  }
  if (status === 400) {
    return new ReplibotError('em_bad_request', `${where} rejected ${ctx.what} as a bad request.${said}`, {
      hint: 'replibot probably built a query this EM version does not accept; please report it together with the EM version.',
      status,
    });
  }
  if (status >= 300 && status < 400) {
    return new ReplibotError(
      'em_bad_response',
      `${where} answered ${ctx.what} with a redirect (${status}) instead of data.`,
      {
        hint: 'Set VEEAM_URL to the address EM itself uses (https://host:9398); replibot does not follow redirects with credentials.',
        status,
      },
    );
  }
  const hint =
    status === 503
      ? 'EM is overloaded or in maintenance; replibot already retried. Try again in a few minutes.'
      : status >= 500
        ? 'EM hit an internal error; the EM server log (Svc.Veeam.EM.RestAPI.log) has the details. replibot already retried.'
        : 'Check the EM version (12 or 13 is supported) and the EM server log.';
  return new ReplibotError(
    'em_error',
    `${where} failed to answer ${ctx.what}: HTTP ${status}${em?.statusCode && em.statusCode !== status ? ` (EM StatusCode ${em.statusCode})` : ''}.${said}`,
    { hint, status },
  );
}

/** EM's own `Error` Message, cleaned: one line, bounded, no control characters. */
export function readEmError(body: Uint8Array): { message: string | null; statusCode: number | null } | null {
  if (body.length === 0) return null;
  try {
    const parsed = parseEmError(parseEmBody(body).tree);
    if (parsed?.message) {
      const clean = parsed.message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
      parsed.message = clean.length > 300 ? `${clean.slice(0, 297)}...` : clean;
    }
    return parsed;
  } catch {
    return null;
  }
}

function describe(error: unknown): { code: string; message: string } {
  if (!isObject(error)) return { code: '', message: String(error) };
  const e = error;
  const inner: Record<string, unknown> = isObject(e.cause) ? e.cause : {};
  // axios puts the socket's code on the error itself; some Node errors only carry it on the cause
  const code =
    typeof e.code === 'string' && e.code !== 'ERR_BAD_RESPONSE' ? e.code : String(inner.code ?? '');
  const message = `${typeof e.message === 'string' ? e.message : ''} ${typeof inner.message === 'string' ? inner.message : ''}`;
  return { code, message };
}

function portOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).port;
  } catch {
    return '';
  }
}

function quote(text: string): string {
  return `"${text}"`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
