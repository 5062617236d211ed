import type { FastifyReply } from 'fastify';
import { assert } from '../kernel/index.ts';
import type { Payment } from './payment.ts';
import { CARD_BRAND, type BANK_BRAND, type Text } from './page-texts.ts';

/**
 * Rendering shared by the acquirer's pages: security headers, Eta templates inside the layout,
 * one-message pages, and the way back to the merchant.
 */
export type Brand = typeof CARD_BRAND | typeof BANK_BRAND;

export function formField(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

/** An origin for a CSP source list, or null when the URL is not a plain http(s) origin. */
function originOf(url: string | null): string | null {
  if (url === null) return null;
  try {
    const origin = new URL(url).origin;
    return /^https?:\/\/[A-Za-z0-9.\-[\]:]+$/.test(origin) ? origin : null;
  } catch {
    return null;
  }
}

/**
 * No script, styles only from our stylesheet, no framing. Browsers check where a form post
 * redirects to, so the card page also allows the merchant's return URL origin.
 */
function securityHeaders(reply: FastifyReply, formTarget: string | null): void {
  const origin = originOf(formTarget);
  const formAction = origin === null ? "'self'" : `'self' ${origin}`;
  void reply
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'self'; img-src 'self' data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    )
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store');
}

export async function sendPage(
  reply: FastifyReply,
  template: string,
  data: Readonly<Record<string, unknown>> & { readonly title: string; readonly brand: Brand },
  options: { readonly status?: number; readonly formTarget?: string | null } = {},
): Promise<FastifyReply> {
  securityHeaders(reply, options.formTarget ?? null);
  const html = await reply.viewAsync(template, data);
  return reply
    .code(options.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(html);
}

export interface Notice {
  readonly heading: Text;
  readonly message: Text;
  readonly tone?: 'good' | 'bad' | '';
  readonly facts?: readonly (Text & { readonly value: string })[];
  readonly link?: (Text & { readonly href: string }) | null;
}

export async function sendNotice(
  reply: FastifyReply,
  notice: Notice,
  options: { readonly status?: number; readonly brand?: Brand } = {},
): Promise<FastifyReply> {
  return sendPage(
    reply,
    'notice.eta',
    {
      title: notice.heading.en,
      brand: options.brand ?? CARD_BRAND,
      tone: notice.tone ?? '',
      facts: notice.facts ?? [],
      link: notice.link ?? null,
      heading: notice.heading,
      message: notice.message,
    },
    { status: options.status ?? 200 },
  );
}

export const NOT_FOUND: Notice = {
  heading: { en: 'Payment not found', ko: '결제를 찾을 수 없습니다' },
  message: {
    en: 'The link is wrong or has been replaced. Go back to the shop and start the payment again.',
    ko: '주소가 잘못되었습니다. 상점으로 돌아가 다시 결제해 주세요.',
  },
  tone: 'bad',
};

/** The merchant's return URL with the result: `?acquirer_payment=<id>&status=<status>`. */
export function returnTarget(payment: Payment): string {
  assert(payment.returnUrl !== null, 'card payments carry a return URL');
  const url = new URL(payment.returnUrl);
  url.searchParams.set('acquirer_payment', payment.id);
  url.searchParams.set('status', payment.status);
  return url.toString();
}

export function redirectBack(reply: FastifyReply, payment: Payment): FastifyReply {
  return reply.header('cache-control', 'no-store').redirect(returnTarget(payment), 303);
}

/** The card page for a payment that no longer takes a card. */
export interface FieldSpec {
  readonly name: string;
  readonly label: string;
  readonly labelKo: string;
  readonly hint: string;
  readonly hintKo: string;
  readonly type?: string;
  readonly inputmode?: string;
  readonly autocomplete?: string;
  readonly maxlength: number;
  readonly value: string;
  readonly required?: boolean;
}

/** The card form's fields. Only the expiry and the name are ever filled back in. */
