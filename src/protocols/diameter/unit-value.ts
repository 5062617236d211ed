import { CURRENCY_EXPONENTS, type Currency } from '../../kernel/index.ts';

/**
 * Money on the wire is Unit-Value = Value-Digits × 10^Exponent with an ISO 4217 numeric
 * Currency-Code (RFC 8506 §8.8–8.11), chosen there to avoid rounding. Inside OnePIN money is a
 * bigint of minor units; these functions convert exactly or say they cannot.
 */
export interface UnitValue {
  readonly valueDigits: bigint;
  readonly exponent: number;
}

/** ISO 4217 numeric codes of the currencies the kernel knows. */
export const CURRENCY_CODES: Readonly<Record<Currency, number>> = {
  KRW: 410,
  JPY: 392,
  USD: 840,
  EUR: 978,
  CNY: 156,
  GBP: 826,
};

export function currencyFromCode(code: number): Currency | undefined {
  for (const [currency, numeric] of Object.entries(CURRENCY_CODES) as [Currency, number][]) {
    if (numeric === code) return currency;
  }
  return undefined;
}

/** Exponents past this cannot describe an amount a card holds; refusing them bounds the arithmetic. */
const EXPONENT_SPAN_MAX = 30;

/**
 * The amount in minor units of `currency`, or null when the value is not a whole number of minor
 * units (0.005 won) or its exponent is absurd.
 */
export function unitValueToMinor(value: UnitValue, currency: Currency): bigint | null {
  const shift = value.exponent + CURRENCY_EXPONENTS[currency];
  if (!Number.isInteger(shift) || Math.abs(shift) > EXPONENT_SPAN_MAX) return null;
  if (shift >= 0) return value.valueDigits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  if (value.valueDigits % divisor !== 0n) return null;
  return value.valueDigits / divisor;
}

/** Minor units as a Unit-Value: 1,260 won is {1260, 0}; 12.34 USD is {1234, −2}. */
export function minorToUnitValue(amountMinor: bigint, currency: Currency): UnitValue {
  const exponent = CURRENCY_EXPONENTS[currency];
  return { valueDigits: amountMinor, exponent: exponent === 0 ? 0 : -exponent };
}
