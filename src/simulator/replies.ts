/** The simulator's answers: one Reply shape, EM-style XML and JSON bodies, and EM's Error documents. */
import type { IncomingMessage } from 'node:http';
import { errorFirstChanceXml, type SimulatorQuirks } from './quirks.js';
import { errorJson, errorXml, type Json, type KeyStyle, withKeyStyle } from './render-em.js';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

export interface Replies {
  xml(status: number, body: string, headers?: Record<string, string>): Reply;
  json(status: number, value: Json, headers?: Record<string, string>): Reply;
  /** EM's Error document in the asked format */
  error(json: boolean, status: number, message: string, headers?: Record<string, string>): Reply;
  unauthorized(json: boolean, message: string): Reply;
}

export function wantsJson(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').toLowerCase().includes('application/json');
}

/** The reply builders of one simulator: JSON in its key style, with a BOM when asked. */
export function createReplies(
  keyStyle: KeyStyle,
  jsonBom: boolean,
  quirks: () => SimulatorQuirks = () => ({}),
): Replies {
  const xml = (status: number, body: string, headers: Record<string, string> = {}): Reply => ({
    status,
    headers: { 'content-type': 'application/xml; charset=utf-8', ...headers },
    body,
  });
  const json = (status: number, value: Json, headers: Record<string, string> = {}): Reply => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: (jsonBom ? '\uFEFF' : '') + JSON.stringify(withKeyStyle(value, keyStyle)),
  });
  const error = (asJson: boolean, status: number, message: string, headers: Record<string, string> = {}) =>
    asJson
      ? json(status, errorJson(status, message), headers)
      : xml(
          status,
          quirks().errorFirstChance
            ? errorFirstChanceXml(status, message)
            : errorXml(status, STATUS_TEXT[status] ?? 'Error', message),
          headers,
        );
  const unauthorized = (asJson: boolean, message: string) =>
    error(asJson, 401, message, { 'www-authenticate': 'Basic Realm=RestSvc' });
  return { xml, json, error, unauthorized };
}
