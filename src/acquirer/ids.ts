import { randomBytes, randomInt } from 'node:crypto';

/**
 * The acquirer's own ids. It stands in for another company's system, so it does not share our
 * id kinds: `acq_` payments, `acr_` refunds, `acd_` deposits and `evt_` events, each with
 * 22 base-36 characters (about 113 bits) from a CSPRNG.
 */
export type AcquirerIdPrefix = 'acq' | 'acr' | 'acd' | 'evt';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const ID_CHARS = 22;

export function acquirerId(prefix: AcquirerIdPrefix): string {
  let out = '';
  while (out.length < ID_CHARS) {
    for (const b of randomBytes(32)) {
      // 252 = 7 * 36: larger bytes would bias the alphabet, so they are skipped.
      if (b < 252 && out.length < ID_CHARS) out += ALPHABET[b % 36];
    }
  }
  return `${prefix}_${out}`;
}

/** A payment id as it appears in a URL; anything else is answered "not found" without a lookup. */
export const PAYMENT_ID = /^acq_[0-9a-z]{22}$/;

/** Digits of a virtual account number, after the bank's two-digit sandbox prefix. */
const ACCOUNT_RANDOM_DIGITS = 12;

/** A fresh virtual account number: `79` and 12 random digits (the store keeps them unique). */
export function newAccountNumber(): string {
  let digits = '79';
  for (let i = 0; i < ACCOUNT_RANDOM_DIGITS; i++) digits += String(randomInt(10));
  return digits;
}

/** Account numbers as people type them: digits with optional spaces or hyphens. */
export function normalizeAccountNumber(input: string): string | null {
  const digits = input.replace(/[\s-]/g, '');
  return /^[0-9]{6,20}$/.test(digits) ? digits : null;
}
