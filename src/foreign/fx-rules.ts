import { CURRENCY_EXPONENTS, assert, isCurrency, type Currency } from '../kernel/index.ts';

/**
 * Exchange arithmetic for foreign PINs, exact and free of I/O. No amount or rate ever passes
 * through floating point: a rate is the fraction `num / den` of two bigints, read exactly from
 * the decimal an operator typed, and every conversion is one integer division at the end with an
 * explicit rounding direction.
 *
 * A rate of the pair `BASE/QUOTE` says how many major units of QUOTE one major unit of BASE
 * costs: `USD/KRW 1385.27` means 1 USD = 1,385.27 KRW. Amounts are minor units (bigint), so a
 * conversion also carries the two currencies' exponents (KRW 0, JPY 0, USD 2, …):
 *
 *   to_minor = from_minor × num × 10^exp(to) / (den × 10^exp(from))
 *
 * Rounding is always in our favour, and the direction is named at every call: what a holder
 * pays is rounded UP to the next minor unit of the card's currency (never more than one minor
 * unit above the exact price).
 */

/** Digits a rate may carry on each side of the point. */
export const RATE_INTEGER_DIGITS_MAX = 12;
export const RATE_FRACTION_DIGITS_MAX = 12;
/** Our margin on a switch, in basis points of the price (10000 = 100%). */
export const MARGIN_BPS_MAX = 5_000n;
const BPS = 10_000n;

export interface Rate {
  /** QUOTE major units per BASE major unit = num / den; both positive. */
  readonly num: bigint;
  readonly den: bigint;
}

export type Rounding = 'up' | 'down';

/** 10^n as a bigint. */
export function pow10(n: number): bigint {
  assert(Number.isInteger(n) && n >= 0 && n <= 40, 'a small power of ten');
  return 10n ** BigInt(n);
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** `num / den` rounded in the given direction; both positive. */
export function divideRounded(num: bigint, den: bigint, rounding: Rounding): bigint {
  assert(num >= 0n && den > 0n, 'a non-negative fraction');
  const q = num / den;
  return rounding === 'up' && q * den !== num ? q + 1n : q;
}

/**
 * A positive decimal such as `1385.27` or `0.0091`, read exactly. No sign, no exponent, no
 * grouping; at most 12 digits before and 12 after the point. The fraction is kept reduced.
 */
export function parseRate(text: string): Rate | null {
  const match = /^([0-9]{1,12})(?:\.([0-9]{1,12}))?$/.exec(text);
  if (match === null) return null;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const den = pow10(fraction.length);
  const num = BigInt(whole) * den + (fraction === '' ? 0n : BigInt(fraction));
  if (num <= 0n) return null;
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

/** A rate written back as a plain decimal (exact: a reduced `num / 10^k` always terminates). */
export function rateText(rate: Rate): string {
  // den divides a power of ten, so scaling to 10^k for the smallest such k is exact.
  let k = 0;
  while (pow10(k) % rate.den !== 0n) {
    k += 1;
    assert(k <= RATE_FRACTION_DIGITS_MAX, 'a rate read from a decimal');
  }
  const scaled = (rate.num * pow10(k)) / rate.den;
  if (k === 0) return scaled.toString();
  const digits = scaled.toString().padStart(k + 1, '0');
  return `${digits.slice(0, -k)}.${digits.slice(-k)}`;
}

/**
 * An amount in a currency's major units, as people write it (`10`, `10.5`, `10.50` for USD;
 * `1000` for JPY), read exactly into minor units. More decimals than the currency has are
 * refused rather than rounded: `10.123` USD and `1000.0` JPY are errors.
 */
export function parseMajorAmount(text: string, currency: Currency): bigint | null {
  const exponent = CURRENCY_EXPONENTS[currency];
  const match = /^([0-9]{1,15})(?:\.([0-9]+))?$/.exec(text);
  if (match === null) return null;
  const fraction = match[2];
  if (fraction !== undefined && (exponent === 0 || fraction.length > exponent)) return null;
  const minor =
    BigInt(match[1] ?? '0') * pow10(exponent) +
    (fraction === undefined ? 0n : BigInt(fraction.padEnd(exponent, '0')));
  return minor;
}

/**
 * Converts an amount between currencies at `rate` (TO per FROM, in major units), rounding in
 * the named direction. Exact up to that one rounding.
 */
export function convertMinor(input: {
  readonly amountMinor: bigint;
  readonly from: Currency;
  readonly to: Currency;
  readonly rate: Rate;
  readonly rounding: Rounding;
}): bigint {
  assert(input.amountMinor >= 0n, 'a non-negative amount');
  const num = input.amountMinor * input.rate.num * pow10(CURRENCY_EXPONENTS[input.to]);
  const den = input.rate.den * pow10(CURRENCY_EXPONENTS[input.from]);
  return divideRounded(num, den, input.rounding);
}

export interface SwitchPrice {
  /** What the holder pays, in minor units of the card's currency: the exact price rounded up. */
  readonly payMinor: bigint;
  /**
   * The exact price as a fraction of minor units of the card's currency (before rounding);
   * `payMinor × exactDen − exactNum` (≥ 0, < exactDen) is what rounding added.
   */
  readonly exactNum: bigint;
  readonly exactDen: bigint;
}

/**
 * The price of a foreign PIN of `faceMinor` (provider currency) paid from a card in
 * `payCurrency`: face × rate × (1 + margin), rounded UP to the card currency's minor unit.
 *
 * Worked examples (margin 0):
 * - 10.00 USD at USD/KRW 1385.27: 1000 × 138527 × 10^0 / (100 × 10^2) = 13852.7 → 13,853 KRW.
 * - 1,000 JPY at JPY/KRW 9.0421: 1000 × 90421 / 10000 = 9042.1 → 9,043 KRW.
 * - 25.00 USD at USD/KRW 1380: 2500 × 1380 / 100 = 34500 → 34,500 KRW (exact: nothing added).
 * - 10.00 USD at 1385.27 with a 150 bps margin: 13852.7 × 1.015 = 14060.4905 → 14,061 KRW.
 */
export function switchPrice(input: {
  readonly faceMinor: bigint;
  readonly faceCurrency: Currency;
  readonly payCurrency: Currency;
  readonly rate: Rate;
  readonly marginBps: bigint;
}): SwitchPrice {
  assert(input.faceMinor > 0n, 'a positive face value');
  assert(input.marginBps >= 0n && input.marginBps <= MARGIN_BPS_MAX, 'a margin within bounds');
  const exactNum =
    input.faceMinor *
    input.rate.num *
    pow10(CURRENCY_EXPONENTS[input.payCurrency]) *
    (BPS + input.marginBps);
  const exactDen = input.rate.den * pow10(CURRENCY_EXPONENTS[input.faceCurrency]) * BPS;
  return { payMinor: divideRounded(exactNum, exactDen, 'up'), exactNum, exactDen };
}

/** The rate for a pair of the same currency: one for one. */
export const PARITY: Rate = { num: 1n, den: 1n };

/** `USD/KRW` → ['USD', 'KRW'] when both are currencies we know and they differ. */
export function parsePair(text: string): readonly [Currency, Currency] | null {
  const match = /^([A-Z]{3})\/([A-Z]{3})$/.exec(text);
  if (match === null) return null;
  const [, base = '', quote = ''] = match;
  if (!isCurrency(base) || !isCurrency(quote) || base === quote) return null;
  return [base, quote];
}
