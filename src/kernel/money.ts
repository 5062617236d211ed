import { limits } from './limits.ts';

/**
 * Money is a bigint count of a currency's minor units (KRW has none, so 1 unit = 1 won).
 * Amounts never pass through floating point; formatting happens only at the edges.
 */
export const CURRENCY_EXPONENTS = {
  KRW: 0,
  JPY: 0,
  USD: 2,
  EUR: 2,
  CNY: 2,
  GBP: 2,
} as const;

export type Currency = keyof typeof CURRENCY_EXPONENTS;

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && Object.hasOwn(CURRENCY_EXPONENTS, value);
}

export type AmountParse =
  | { readonly ok: true; readonly amountMinor: bigint }
  | {
      readonly ok: false;
      readonly code: 'amount_invalid' | 'amount_must_be_positive' | 'amount_exceeds_limit';
    };

/**
 * Reads an amount in minor units from untrusted input: a bigint, a safe integer number or a
 * string of digits. Floats, exponents, signs other than '-', blanks and values past 2^53 − 1
 * are refused with a code; nothing is rounded.
 */
export function parseAmountMinor(
  value: unknown,
  options: { readonly allowZero?: boolean } = {},
): AmountParse {
  let amountMinor: bigint;
  if (typeof value === 'bigint') {
    amountMinor = value;
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { ok: false, code: 'amount_invalid' };
    if (!Number.isSafeInteger(value)) return { ok: false, code: 'amount_exceeds_limit' };
    amountMinor = BigInt(value);
  } else if (typeof value === 'string') {
    if (!/^-?[0-9]{1,30}$/.test(value)) return { ok: false, code: 'amount_invalid' };
    amountMinor = BigInt(value);
  } else {
    return { ok: false, code: 'amount_invalid' };
  }
  if (amountMinor < 0n || (amountMinor === 0n && options.allowZero !== true)) {
    return { ok: false, code: 'amount_must_be_positive' };
  }
  if (amountMinor > limits.amountMaxMinor) return { ok: false, code: 'amount_exceeds_limit' };
  return { ok: true, amountMinor };
}

/** "12,345 KRW", "123.45 USD": for people, never parsed back. */
export function formatMoney(amountMinor: bigint, currency: Currency): string {
  const exponent = CURRENCY_EXPONENTS[currency];
  const negative = amountMinor < 0n;
  const digits = (negative ? -amountMinor : amountMinor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction} ${currency}`;
}

/**
 * A bigint amount as a JSON number. Amounts are bounded by `amountMaxMinor` (2^53 − 1), so the
 * conversion is exact; a larger value is a broken invariant, not a rounding.
 */
export function jsonInteger(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError('integer outside the exact JSON range');
  }
  return Number(value);
}
