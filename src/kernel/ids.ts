import { createHash, randomBytes } from 'node:crypto';

/**
 * Prefixed, random, URL-safe ids (`card_…`, `acc_…`) so an id names its kind in logs and
 * support tickets. 16 bytes of randomness: ids never collide and reveal no order.
 */
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export type IdPrefix =
  | 'acc'
  | 'tr'
  | 'card'
  | 'den'
  | 'iss'
  | 'act'
  | 'req'
  | 'pay'
  | 'ref'
  | 'evt'
  | 'asc'
  | 'key'
  | 'pp'
  | 'cap'
  | 'whd'
  | 'flg'
  | 'eml'
  | 'ord'
  | 'gft'
  | 'brf'
  | 'otc'
  | 'cs'
  | 'vm'
  | 'sms'
  | 'fxp'
  | 'fxb'
  | 'fpn'
  | 'fxr'
  | 'fxq'
  | 'fxe';

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

/**
 * An id made from another id (`exp_<holdId>`), so that two workers deriving it for the same
 * thing collide into one ledger transfer. When the result would pass the caller-id limit, the
 * base is replaced by a digest of it: still deterministic, still unique.
 */
export function derivedId(prefix: string, base: string): string {
  const plain = `${prefix}_${base}`;
  if (plain.length <= 64 && isValidCallerId(plain)) return plain;
  return `${prefix}_h${createHash('sha256').update(base).digest('hex').slice(0, 48)}`;
}
