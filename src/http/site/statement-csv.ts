import { CURRENCY_EXPONENTS, type Currency } from '../../kernel/index.ts';

/**
 * The statement as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote
 * or a line break, quotes doubled). A cell a spreadsheet would run as a formula (it starts with
 * = + - @, a tab or a carriage return) gets a leading apostrophe, because associate names and
 * references come from outside. Plain numbers we wrote ourselves ("-5000", "12.50") are left as
 * they are: a spreadsheet reads them as numbers, never as formulas, and holders add them up.
 */

/** Byte order mark: spreadsheet programs read the Korean text as UTF-8 only with it. */
export const CSV_BOM = '\uFEFF';
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** An amount as a plain decimal in major units ("-5000" won, "12.50" dollars): no grouping. */
export function csvAmount(amountMinor: bigint, currency: Currency): string {
  const exponent = CURRENCY_EXPONENTS[currency];
  const negative = amountMinor < 0n;
  const digits = (negative ? -amountMinor : amountMinor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}
