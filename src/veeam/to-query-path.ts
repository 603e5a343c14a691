import { ReplibotError } from '../core/errors.js';
import type { EmQueryType } from '../core/filter.js';
import { isFilterField, toFilterString } from '../core/filter.js';
import type { EmQuery } from '../core/ports.js';

/** EM documents no maximum page size; this bounds one answer's memory all the same. */
export const MAX_PAGE_SIZE = 10_000;

/**
 * The path and query string of one page of `GET /api/query`. Every parameter goes through URLSearchParams, so a
 * quoted filter literal containing `&`, `=` or `#` stays inside the `filter` parameter.
 */
export function toQueryPath(
  type: EmQueryType,
  query: Pick<EmQuery, 'filter' | 'sort'>,
  page: number,
  pageSize: number,
): string {
  const params = new URLSearchParams({ type, format: 'Entities' });
  try {
    if (query.filter) params.set('filter', toFilterString(type, query.filter));
  } catch (error) {
    throw new ReplibotError('internal', `replibot built a filter that ${type} does not support.`, {
      hint: 'This is a replibot bug; please report it with the question that was asked.',
      cause: error,
    });
  }
  if (query.sort) {
    if (!isFilterField(type, query.sort.field)) {
      throw new ReplibotError(
        'internal',
        `replibot tried to sort ${type} by ${query.sort.field}, which EM does not offer.`,
        {
          hint: 'This is a replibot bug; please report it with the question that was asked.',
        },
      );
    }
    params.set(query.sort.direction === 'asc' ? 'sortAsc' : 'sortDesc', query.sort.field);
  }
  params.set('pageSize', String(pageSize));
  params.set('page', String(page));
  return `/api/query?${params.toString()}`;
}

/** The page size to ask for: the caller's or the configured one, bounded, and no larger than the limit. */
export function toPageSize(
  requested: number | undefined,
  configured: number,
  limit: number | null | undefined,
): number {
  const base = Math.trunc(requested ?? configured);
  const bounded = Math.min(Math.max(Number.isFinite(base) ? base : configured, 1), MAX_PAGE_SIZE);
  return limit != null && limit > 0 ? Math.min(bounded, Math.trunc(limit)) : bounded;
}
