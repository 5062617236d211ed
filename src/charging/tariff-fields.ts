import { isValidCallerId, limits } from '../kernel/index.ts';
import { CHARGING_LIMITS } from './limits.ts';
import { isWeekday } from './timing-rules.ts';
import type { Weekday } from './types.ts';

/** Reports a problem with one field of the record being read. */
export type FieldReport = (field: string, reason: string) => void;

/** Written in a tariff file for "every number" (a prefix) and "every day" (weekdays). */
export const ANY = '*any';

const MONEY = /^[0-9]{1,16}$/;
const WHOLE = /^[0-9]{1,7}$/;

export function readId(report: FieldReport, field: string, value: string): string | null {
  if (isValidCallerId(value)) return value;
  report(field, 'must be 1–64 letters, digits or . _ : - (starting with a letter or digit)');
  return null;
}

/** Whole minor units, no sign or decimals; an empty optional field is 0. */
export function readMoney(
  report: FieldReport,
  field: string,
  value: string,
  options: { readonly optional?: boolean } = {},
): bigint | null {
  if (options.optional === true && value === '') return 0n;
  if (!MONEY.test(value) || BigInt(value) > limits.amountMaxMinor) {
    report(field, 'must be a whole number of minor units (digits only, no sign or decimals)');
    return null;
  }
  return BigInt(value);
}

export function readWhole(
  report: FieldReport,
  field: string,
  value: string,
  min: number,
  max: number,
): number | null {
  const n = WHOLE.test(value) ? Number.parseInt(value, 10) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    report(field, `must be a whole number from ${min} to ${max}`);
    return null;
  }
  return n;
}

/** E.164 digits (never starting with 0), or `*any` as the empty prefix. */
export function readPrefix(report: FieldReport, value: string): string | null {
  if (value === ANY) return '';
  if (!/^[0-9]+$/.test(value)) {
    report('prefix', 'must be digits (E.164, no + or spaces) or *any');
  } else if (value.length > CHARGING_LIMITS.prefixDigitsMax) {
    report('prefix', `is longer than ${CHARGING_LIMITS.prefixDigitsMax} digits`);
  } else if (value.startsWith('0')) {
    report(
      'prefix',
      'an E.164 prefix starts with the country code, never 0 (write 822 for Seoul, not 02)',
    );
  } else {
    return value;
  }
  return null;
}

/** `mon;tue;…` or `*any` (every day, as `days: null`); null when bad. */
export function readWeekdays(
  report: FieldReport,
  value: string,
): { readonly days: readonly Weekday[] | null } | null {
  if (value === ANY) return { days: null };
  const days: Weekday[] = [];
  for (const raw of value.split(';')) {
    const day = raw.trim().toLowerCase();
    if (!isWeekday(day)) {
      report('weekdays', `"${day}" is not a day: use mon;tue;wed;thu;fri;sat;sun or *any`);
      return null;
    }
    if (days.includes(day)) {
      report('weekdays', `${day} is listed twice`);
      return null;
    }
    days.push(day);
  }
  return { days };
}
