/** EM logon sessions: Basic-auth logon, the session token (header or cookie), idle expiry and logoff. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FaultOptions } from './faults.js';
import { type LogonSessionInfo, logonSessionJson, logonSessionXml, XML_DECL } from './render-em.js';
import type { Replies, Reply } from './replies.js';

export interface LogonState extends LogonSessionInfo {
  token: string;
  lastUsed: number;
  requests: number;
}

export interface LogonSessions {
  /** token -> session */
  readonly all: Map<string, LogonState>;
  /** `POST /api/sessionMngr/?v=...` */
  logon(req: IncomingMessage, url: URL, api: string, json: boolean): Reply;
  /** the caller's live session, or the 401 to send */
  authenticate(req: IncomingMessage, json: boolean): LogonState | Reply;
}

export interface LogonSessionOptions {
  username: string;
  password: string;
  idleMs: number;
  nowMs: () => number;
  /** read on every request: the control API may change them */
  faults: () => FaultOptions;
  replies: Replies;
}

function readToken(req: IncomingMessage): string | undefined {
  // EM prefers the cookie over the header when both are sent; so do we
  const cookie = req.headers.cookie;
  if (cookie) {
    const match = /(?:^|;\s*)X-RestSvcSessionId=([^;]+)/i.exec(cookie);
    if (match?.[1] !== undefined) return decodeURIComponent(match[1]);
  }
  const header = req.headers['x-restsvcsessionid'];
  return Array.isArray(header) ? header[0] : header;
}

export function createLogonSessions(options: LogonSessionOptions): LogonSessions {
  const { username, password, idleMs, nowMs, replies } = options;
  const logons = new Map<string, LogonState>();

  const authenticate = (req: IncomingMessage, json: boolean): LogonState | Reply => {
    const token = readToken(req);
    if (!token)
      return replies.unauthorized(json, 'The authorization header has been expected but not found.');
    const logon = logons.get(token);
    if (!logon)
      return replies.unauthorized(
        json,
        'The authorization header was found but the session is expired or invalid.',
      );
    const now = nowMs();
    const limit = options.faults().expireSessionsAfterRequests;
    if (now - logon.lastUsed > idleMs || (limit !== undefined && logon.requests >= limit)) {
      logons.delete(token);
      return replies.unauthorized(json, 'The authorization header was found but the session is expired.');
    }
    logon.lastUsed = now;
    logon.requests++;
    return logon;
  };

  const logon = (req: IncomingMessage, url: URL, api: string, json: boolean): Reply => {
    const version = url.searchParams.get('v') ?? 'latest';
    if (!['latest', 'v1_5', 'v1_6', 'v1_7'].includes(version.toLowerCase())) {
      return replies.error(
        json,
        400,
        `Unsupported API version '${version}'. Supported: v1_5, v1_6, v1_7, latest.`,
      );
    }
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+(.+)$/i.exec(header);
    let user = '';
    let pass = '';
    if (match?.[1] !== undefined) {
      const decoded = Buffer.from(match[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon !== -1) {
        user = decoded.slice(0, colon);
        pass = decoded.slice(colon + 1);
      }
    }
    if (!match || user !== username || pass !== password) {
      return replies.unauthorized(json, 'Unable to log on: the user name or password is incorrect.');
    }
    const token = randomBytes(16).toString('base64');
    const info: LogonState = {
      token,
      sessionId: randomUUID(),
      userName: user,
      lastUsed: nowMs(),
      requests: 0,
    };
    logons.set(token, info);
    const headers = {
      'x-restsvcsessionid': token,
      'set-cookie': `X-RestSvcSessionId=${token}; Path=/api;`,
    };
    return json
      ? replies.json(201, logonSessionJson(api, info), headers)
      : replies.xml(201, XML_DECL + logonSessionXml(api, info, true), headers);
  };

  return { all: logons, logon, authenticate };
}
