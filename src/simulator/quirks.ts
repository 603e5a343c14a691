/**
 * Real Enterprise Manager quirks the simulator can show, so tests meet them at the HTTP boundary: each one was
 * seen from a real EM (9.5 to v13) or is a plausible shape of something EM documents. All are off by default.
 */
import type { Json } from './render-em.js';
import { escapeXmlAttr, escapeXmlText, XML_DECL } from './render-em.js';
import type { TaskView } from './sim-model.js';
import { SimInputError } from './sim-store.js';

const ODD_ROWS = ['unknown-result', 'malformed-uid', 'nil-end-time', 'unknown-state'] as const;
export type OddRow = (typeof ODD_ROWS)[number];

const EMPTY_ENTITIES = ['empty-list', 'self-closing', 'null'] as const;
export type EmptyEntities = (typeof EMPTY_ENTITIES)[number];

export interface SimulatorQuirks {
  /** task rows still running say `Result=Success` (seen from a real EM v10) */
  runningResultSuccess?: boolean;
  /** times carry 6 fraction digits (`…:18.060000Z`), as some v13 builds send */
  sixDigitFractions?: boolean;
  /** task rows carry a `VmUid` element, as BackupTaskSession rows of v12/v13 do */
  vmUidOnTasks?: boolean;
  /** JSON rows of running sessions leave `EndTimeUTC` out instead of sending null */
  jsonOmitEndTime?: boolean;
  /** the Error XML has a `FirstChanceExceptionMessage` child and no `Status` (a real 9.5 capture) */
  errorFirstChance?: boolean;
  /** a filter EM cannot read is answered 500 rather than 400 */
  badFilter500?: boolean;
  /** filter fields this EM does not know (an older EM), so a filter naming one is a bad filter */
  unknownFilterFields?: string[];
  /** how an empty query page carries its Entities: `<Entities><List/></Entities>` (default), `<Entities/>`, or null */
  emptyEntities?: EmptyEntities;
  /** PagesCount of an empty query page: 1 (default) or 0 */
  emptyPagesCount?: 0 | 1;
  /** the first row of every query page is odd in this way */
  oddRow?: OddRow;
  /** PagingInfo claims this many pages, whatever the rows (an EM that never stops) */
  pagesCount?: number;
  /** queries are answered 200 with an EM Error body carrying this message */
  errorOn200?: string;
}

/** Checks quirks from the control API (or the RunningSimulator) and keeps only the known ones. */
export function toQuirks(input: Record<string, unknown>): SimulatorQuirks {
  const quirks: SimulatorQuirks = {};
  const flags = [
    'runningResultSuccess',
    'sixDigitFractions',
    'vmUidOnTasks',
    'jsonOmitEndTime',
    'errorFirstChance',
    'badFilter500',
  ] as const;
  for (const key of flags) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new SimInputError(`${key} must be true or false`);
    quirks[key] = value;
  }
  const oneOf = <T extends string>(key: string, values: readonly T[]): T | undefined => {
    const value = input[key];
    if (value === undefined) return undefined;
    const known = values.find((v) => v === value);
    if (typeof value !== 'string' || known === undefined) {
      throw new SimInputError(`${key} must be one of ${values.join(', ')}`);
    }
    return known;
  };
  const emptyEntities = oneOf('emptyEntities', EMPTY_ENTITIES);
  if (emptyEntities !== undefined) quirks.emptyEntities = emptyEntities;
  const oddRow = oneOf('oddRow', ODD_ROWS);
  if (oddRow !== undefined) quirks.oddRow = oddRow;
  if (input.emptyPagesCount !== undefined) {
    if (input.emptyPagesCount !== 0 && input.emptyPagesCount !== 1)
      throw new SimInputError('emptyPagesCount must be 0 or 1');
    quirks.emptyPagesCount = input.emptyPagesCount;
  }
  if (input.pagesCount !== undefined) {
    const value = input.pagesCount;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
      throw new SimInputError('pagesCount must be a whole number from 1');
    quirks.pagesCount = value;
  }
  if (input.unknownFilterFields !== undefined) {
    const value = input.unknownFilterFields;
    if (
      !Array.isArray(value) ||
      !value.every((field): field is string => typeof field === 'string' && /^[A-Za-z]+$/.test(field))
    )
      throw new SimInputError('unknownFilterFields must be a list of field names');
    quirks.unknownFilterFields = value;
  }
  if (input.errorOn200 !== undefined) {
    if (typeof input.errorOn200 !== 'string' || input.errorOn200 === '')
      throw new SimInputError('errorOn200 must be a message');
    quirks.errorOn200 = input.errorOn200;
  }
  return quirks;
}

/** The row as the quirks see it before rendering: a running task may say Success. */
export function toQuirkView(view: TaskView, quirks: SimulatorQuirks): TaskView {
  return quirks.runningResultSuccess && view.state !== 'Completed' ? { ...view, result: 'Success' } : view;
}

const TIME = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?Z/g;

function toSixDigits(text: string): string {
  return text.replace(TIME, (_, whole: string, fraction: string | undefined) => {
    return `${whole}.${(fraction ?? '').padEnd(6, '0').slice(0, 6)}Z`;
  });
}

function vmUidOf(uid: string): string {
  return `urn:VMware:Vm:${uid.slice(uid.lastIndexOf(':') + 1)}.vm-${uid.length}`;
}

const MALFORMED_UID = 'urn:veeam:ReplicaTaskSession:not a guid!';

/** One rendered task row (XML) with the row quirks applied; `first` marks the first row of a page. */
export function applyRowQuirksXml(xml: string, quirks: SimulatorQuirks, first: boolean): string {
  let out = xml;
  if (quirks.sixDigitFractions)
    out = out.replace(
      /(<(?:CreationTimeUTC|EndTimeUTC)>)([^<]+)/g,
      (_, tag: string, time: string) => tag + toSixDigits(time),
    );
  if (quirks.vmUidOnTasks) {
    const uid = /UID="([^"]+)"/.exec(out)?.[1] ?? '';
    out = out.replace('<JobSessionUid>', `<VmUid>${escapeXmlText(vmUidOf(uid))}</VmUid><JobSessionUid>`);
  }
  if (first && quirks.oddRow !== undefined) {
    switch (quirks.oddRow) {
      case 'unknown-result':
        out = out.replace(/<Result>[^<]*<\/Result>|<Result \/>/, '<Result>Skipped</Result>');
        break;
      case 'unknown-state':
        out = out.replace(/<State>[^<]*<\/State>/, '<State>Postponed</State>');
        break;
      case 'malformed-uid':
        out = out.replace(/ UID="[^"]+"/, ` UID="${escapeXmlAttr(MALFORMED_UID)}"`);
        break;
      case 'nil-end-time':
        out = out.includes('<EndTimeUTC>')
          ? out.replace(/<EndTimeUTC>[^<]*<\/EndTimeUTC>/, '<EndTimeUTC xsi:nil="true" />')
          : out.replace('<State>', '<EndTimeUTC xsi:nil="true" /><State>');
        break;
    }
  }
  return out;
}

/** One rendered task row (JSON, v12 key names) with the row quirks applied. */
export function applyRowQuirksJson(row: Json, quirks: SimulatorQuirks, first: boolean): Json {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return row;
  const out: { [key: string]: Json } = { ...row };
  if (quirks.sixDigitFractions) {
    for (const key of ['CreationTimeUTC', 'EndTimeUTC']) {
      const value = out[key];
      if (typeof value === 'string') out[key] = toSixDigits(value);
    }
  }
  if (quirks.vmUidOnTasks && typeof out.UID === 'string') out.VmUid = vmUidOf(out.UID);
  if (quirks.jsonOmitEndTime && out.EndTimeUTC === null) delete out.EndTimeUTC;
  if (first && quirks.oddRow !== undefined) {
    switch (quirks.oddRow) {
      case 'unknown-result':
        out.Result = 'Skipped';
        break;
      case 'unknown-state':
        out.State = 'Postponed';
        break;
      case 'malformed-uid':
        out.UID = MALFORMED_UID;
        break;
      case 'nil-end-time':
        out.EndTimeUTC = null;
        break;
    }
  }
  return out;
}

/** EM's Error XML as a 9.5 build sent it: Message and StatusCode, no Status, a FirstChanceExceptionMessage child. */
export function errorFirstChanceXml(status: number, message: string): string {
  return `${XML_DECL}<Error xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0" Message="${escapeXmlAttr(message)}" StatusCode="${status}"><FirstChanceExceptionMessage>${escapeXmlText(message)}</FirstChanceExceptionMessage></Error>`;
}
