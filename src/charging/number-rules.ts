import { fail, ok, type Outcome } from '../kernel/index.ts';
import { CHARGING_LIMITS } from './limits.ts';
import type { NumberingPlan } from './types.ts';

/** Separators people and switches put in numbers; they carry no meaning and are dropped. */
const SEPARATORS = /[\s\-.()/]/g;
const LETTER = /\p{L}/u;

/**
 * Turns a dialled string into E.164 digits (no `+`), the form destinations are matched on:
 *
 * 1. separators (spaces, `-`, `.`, `(`, `)`, `/`) are dropped; anything else but digits and a
 *    leading `+` is refused;
 * 2. the longest international prefix that the string starts with is stripped (so with Korea's
 *    list, `001` wins over `00`): what follows is already country code + number;
 * 3. otherwise a leading national prefix (`0`) is replaced by the country code (`02…` → `822…`);
 * 4. otherwise the digits are a national number without a trunk prefix (the 15xx/16xx service
 *    numbers, a switch's local number) and get the country code in front.
 *
 * A number given already in E.164 form must therefore come with `+` (or an international
 * prefix): bare `8210…` reads as a national number. The result has 5 to 15 digits and does not
 * start with 0 (no country code does).
 */
export function normalizeNumber(dialled: string, plan: NumberingPlan): Outcome<string> {
  if (dialled.length > CHARGING_LIMITS.dialledCharsMax) {
    return fail(
      'number_invalid',
      'number',
      `longer than ${CHARGING_LIMITS.dialledCharsMax} characters`,
    );
  }
  const compact = dialled.replace(SEPARATORS, '');
  if (LETTER.test(compact)) return fail('number_invalid', 'number', 'contains letters');
  if (!/^\+?[0-9]*$/.test(compact)) {
    return fail('number_invalid', 'number', 'only digits and a leading + are allowed');
  }
  if (compact === '' || compact === '+') return fail('number_invalid', 'number', 'empty');

  let e164: string;
  // A leading + is the international prefix everywhere, whether or not the plan lists it.
  const international = compact.startsWith('+')
    ? '+'
    : longestPrefix(compact, plan.internationalPrefixes);
  if (international !== null) {
    e164 = compact.slice(international.length);
  } else if (plan.nationalPrefix !== '' && compact.startsWith(plan.nationalPrefix)) {
    e164 = plan.countryCode + compact.slice(plan.nationalPrefix.length);
  } else {
    e164 = plan.countryCode + compact;
  }
  if (!/^[0-9]*$/.test(e164)) return fail('number_invalid', 'number', 'a + may only lead');
  if (e164.startsWith('0')) {
    return fail('number_invalid', 'number', 'no country code starts with 0');
  }
  if (e164.length < CHARGING_LIMITS.e164DigitsMin) {
    return fail('number_invalid', 'number', 'too short');
  }
  if (e164.length > CHARGING_LIMITS.e164DigitsMax) {
    return fail('number_invalid', 'number', `longer than ${CHARGING_LIMITS.e164DigitsMax} digits`);
  }
  return ok(e164);
}

function longestPrefix(value: string, prefixes: readonly string[]): string | null {
  let best: string | null = null;
  for (const p of prefixes) {
    if (p !== '' && value.startsWith(p) && (best === null || p.length > best.length)) best = p;
  }
  return best;
}
