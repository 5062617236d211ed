import type { ErrorCode } from '../../kernel/index.ts';
import { startOfNextSiteDay, startOfSiteDay } from './site-time.ts';

/**
 * The statement's filters as typed in the page's GET form: a period (first and last day,
 * inclusive, Korean calendar days), a kind of entry and a page cursor. Pure.
 */

/**
 * What the kind filter offers: groups of ledger codes a holder recognises. A payment's hold,
 * charge, release and expiry are one "payment"; purchases and recharges are separate.
 */
export const KIND_FILTERS = {
  sale: ['sale'],
  recharge: ['recharge'],
  payment: ['authorization', 'capture', 'void', 'expiry', 'payment'],
  // Our own telephone and content services (the charging module's service names).
  service: ['call', 'voicemail', 'sms', 'content'],
  refund: ['refund', 'balance_refund', 'balance_refund_void'],
  breakage: ['breakage'],
} as const satisfies Readonly<Record<string, readonly string[]>>;
export type KindFilter = keyof typeof KIND_FILTERS;

export function isKindFilter(value: string): value is KindFilter {
  return Object.hasOwn(KIND_FILTERS, value);
}

const CURSOR = /^[0-9]{1,19}$/;
/** Longest filter value read from the query (dates are 10 characters). */
const FILTER_CHARS_MAX = 32;

export interface StatementFilters {
  readonly fromMs: bigint | null;
  readonly toMs: bigint | null;
  readonly kind: KindFilter | null;
  readonly cursor: string | null;
  /** What was typed, to show in the form again. */
  readonly values: { readonly from: string; readonly to: string; readonly kind: string };
  /** Field → problem; empty when the filters are usable. */
  readonly errors: Readonly<Partial<Record<'from' | 'to' | 'kind' | 'cursor', ErrorCode>>>;
}

function text(query: Readonly<Record<string, unknown>>, name: string): string {
  const value = query[name];
  return typeof value === 'string' ? value.trim().slice(0, FILTER_CHARS_MAX) : '';
}

export function parseStatementFilters(query: Readonly<Record<string, unknown>>): StatementFilters {
  const from = text(query, 'from');
  const to = text(query, 'to');
  const kind = text(query, 'kind');
  const cursor = text(query, 'cursor');
  const errors: Partial<Record<'from' | 'to' | 'kind' | 'cursor', ErrorCode>> = {};
  const fromMs = from === '' ? null : startOfSiteDay(from);
  const toMs = to === '' ? null : startOfNextSiteDay(to);
  if (from !== '' && fromMs === null) errors.from = 'parameter_invalid';
  if (to !== '' && toMs === null) errors.to = 'parameter_invalid';
  if (fromMs !== null && toMs !== null && fromMs >= toMs) errors.from = 'period_invalid';
  if (kind !== '' && !isKindFilter(kind)) errors.kind = 'parameter_invalid';
  if (cursor !== '' && !CURSOR.test(cursor)) errors.cursor = 'parameter_invalid';
  return {
    fromMs,
    toMs,
    kind: isKindFilter(kind) ? kind : null,
    cursor: cursor === '' ? null : cursor,
    values: { from, to, kind },
    errors,
  };
}

/** The query string for these filters (without the cursor unless given). */
export function filtersQuery(
  values: { readonly from: string; readonly to: string; readonly kind: string },
  cursor: string | null = null,
): string {
  const params = new URLSearchParams();
  if (values.from !== '') params.set('from', values.from);
  if (values.to !== '') params.set('to', values.to);
  if (values.kind !== '') params.set('kind', values.kind);
  if (cursor !== null) params.set('cursor', cursor);
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}
