import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PaymentsContext } from '../../payments/index.ts';
import { isHttps } from '../pay/web.ts';

/**
 * The holder's short session on the verification page: a signed (HMAC-SHA256, by
 * @fastify/cookie under the page cookie key) `card id . expiry` value. It names the card and
 * nothing else: no PIN, no password. The expiry inside is checked against our clock, so a
 * cookie kept past its Max-Age is still refused.
 */
export const HOLDER_COOKIE = 'onepin_holder';
export const HOLDER_SESSION_MS = 10n * 60_000n;

const SESSION_VALUE = /^(card_[a-z0-9]{1,40})\.([0-9]{1,16})$/;

function cookieOptions(ctx: PaymentsContext): {
  path: string;
  httpOnly: true;
  sameSite: 'strict';
  secure: boolean;
} {
  return { path: '/verify', httpOnly: true, sameSite: 'strict', secure: isHttps(ctx) };
}

export function startSession(ctx: PaymentsContext, reply: FastifyReply, cardId: string): void {
  const expiresAtMs = ctx.clock.nowMs() + HOLDER_SESSION_MS;
  void reply.setCookie(HOLDER_COOKIE, `${cardId}.${expiresAtMs}`, {
    ...cookieOptions(ctx),
    signed: true,
    maxAge: Number(HOLDER_SESSION_MS / 1_000n),
  });
}

/** The card the request's session names, or null when there is none or it is bad or old. */
export function sessionCard(ctx: PaymentsContext, request: FastifyRequest): string | null {
  const raw = request.cookies[HOLDER_COOKIE];
  if (raw === undefined || raw === '') return null;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return null;
  const match = SESSION_VALUE.exec(unsigned.value);
  if (match === null) return null;
  const [, cardId, expiresAt] = match;
  if (cardId === undefined || expiresAt === undefined) return null;
  return BigInt(expiresAt) > ctx.clock.nowMs() ? cardId : null;
}

export function endSession(ctx: PaymentsContext, reply: FastifyReply): void {
  void reply.clearCookie(HOLDER_COOKIE, cookieOptions(ctx));
}
