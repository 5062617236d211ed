import type { ErrorCode } from '../../kernel/index.ts';
import { messageOf as payMessageOf } from '../pay/messages.ts';
import type { Locale } from './i18n.ts';
import { SITE_ERROR_TEXT } from './text/errors.ts';

/**
 * What the site tells a holder about a refusal, in the page's language: the site's own wording,
 * else the hosted payment page's, else the catalog (pay/messages.ts owns that fallback).
 */
export function siteMessageOf(code: ErrorCode, locale: Locale): string {
  const words = SITE_ERROR_TEXT[code] ?? payMessageOf(code);
  return words[locale];
}

/** One field's error as templates use it: `aria-describedby` points at `id`. */
export interface FieldError {
  readonly code: ErrorCode;
  readonly message: string;
  /** The id of the element that shows the message. */
  readonly id: string;
}

/**
 * Field errors for a template, keyed by field name: `{ pin: { code, message, id } }`. Fields
 * without an error are left out, so a template can write `it.errors.pin ? … : …`.
 */
export function fieldErrors(
  locale: Locale,
  errors: Readonly<Record<string, ErrorCode | null | undefined>>,
): Record<string, FieldError> {
  const out: Record<string, FieldError> = {};
  for (const [field, code] of Object.entries(errors)) {
    if (code === null || code === undefined) continue;
    out[field] = { code, message: siteMessageOf(code, locale), id: `${field}-error` };
  }
  return out;
}
