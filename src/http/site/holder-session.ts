import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PaymentsContext } from '../../payments/index.ts';
import { isHttps } from '../pay/web.ts';

/**
 * The holder's session on the site (`/card` and the pages under it): a signed (HMAC-SHA256, by
 * @fastify/cookie under the page cookie key) `card id . expiry` value, like the verification
 * page's session (session.ts) but for the whole site. It names the card and nothing else: no PIN,
 * no password. The expiry inside is checked against our clock, so a cookie kept past its
 * Max-Age is still refused.
 */
export const CARD_COOKIE = 'onepin_card';
/** Fifteen minutes: long enough to read a statement, short enough for a shared computer. */
export const CARD_SESSION_MS = 15n * 60_000n;

const SESSION_VALUE = /^(card_[a-z0-9]{1,40})\.([0-9]{1,16})$/;

export interface HolderSession {
  /** Signs the holder in as this card, replacing any earlier session. */
  start(reply: FastifyReply, cardId: string): void;
  /** The card the request's session names, or null when there is none or it is bad or old. */
  cardOf(request: FastifyRequest): string | null;
  end(reply: FastifyReply): void;
}

export function holderSession(ctx: PaymentsContext): HolderSession {
  const options = (): {
    path: string;
    httpOnly: true;
    sameSite: 'strict';
    secure: boolean;
  } => ({ path: '/', httpOnly: true, sameSite: 'strict', secure: isHttps(ctx) });
  return {
    start(reply, cardId) {
      const expiresAtMs = ctx.clock.nowMs() + CARD_SESSION_MS;
      void reply.setCookie(CARD_COOKIE, `${cardId}.${expiresAtMs}`, {
        ...options(),
        signed: true,
        maxAge: Number(CARD_SESSION_MS / 1_000n),
      });
    },
    cardOf(request) {
      const raw = request.cookies[CARD_COOKIE];
      if (raw === undefined || raw === '') return null;
      const unsigned = request.unsignCookie(raw);
      if (!unsigned.valid || unsigned.value === null) return null;
      const match = SESSION_VALUE.exec(unsigned.value);
      if (match === null) return null;
      const [, cardId, expiresAt] = match;
      if (cardId === undefined || expiresAt === undefined) return null;
      return BigInt(expiresAt) > ctx.clock.nowMs() ? cardId : null;
    },
    end(reply) {
      void reply.clearCookie(CARD_COOKIE, options());
    },
  };
}
