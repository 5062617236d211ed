import { randomBytes } from 'node:crypto';

/**
 * Prefixed, random, URL-safe ids (`card_…`, `acc_…`) so an id names its kind in logs and
 * support tickets. 16 bytes of randomness: ids never collide and reveal no order.
 */
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export type IdPrefix =
  'acc' | 'tr' | 'card' | 'den' | 'iss' | 'act' | 'req' | 'pay' | 'ref' | 'evt';

/** 22 characters of base 36: about 113 bits. */
const ID_CHARS = 22;

export function newId(prefix: IdPrefix): string {
  let out = '';
  while (out.length < ID_CHARS) {
    for (const b of randomBytes(32)) {
      // 252 = 7 * 36: bytes at or above it would bias the alphabet, so they are skipped.
      if (b < 252 && out.length < ID_CHARS) out += ALPHABET[b % 36];
    }
  }
  return `${prefix}_${out}`;
}

const CALLER_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** Caller-supplied ids (transfer ids, idempotency keys): printable, bounded, no spaces. */
export function isValidCallerId(id: string): boolean {
  return CALLER_ID.test(id);
}
