import {
  TEST_CARDS,
  brandOf,
  luhnValid,
  type CardBehaviour,
  type CardBrand,
} from './test-cards.ts';

/**
 * Checks the hosted card form. Pure: the caller passes the current time (for the expiry date).
 * A field error re-shows the form; the card number itself is never sent back to the browser.
 */
export type CardField = 'number' | 'expiry' | 'cvc' | 'name';

export type FieldProblem =
  | 'number_missing'
  | 'number_malformed'
  | 'number_mistyped'
  | 'number_not_test_card'
  | 'expiry_malformed'
  | 'expiry_past'
  | 'cvc_malformed'
  | 'name_missing'
  | 'name_too_long';

export interface CardFormInput {
  readonly number: string;
  readonly expiry: string;
  readonly cvc: string;
  readonly name: string;
}

export interface CheckedCard {
  readonly brand: CardBrand;
  readonly last4: string;
  readonly behaviour: CardBehaviour;
}

export type CardFormCheck =
  | { readonly ok: true; readonly card: CheckedCard }
  | { readonly ok: false; readonly problems: Partial<Record<CardField, FieldProblem>> };

const NAME_CHARS_MAX = 100;
/** Card numbers are 12 to 19 digits (ISO/IEC 7812). */
const NUMBER_DIGITS = /^[0-9]{12,19}$/;

export function checkCardForm(input: CardFormInput, nowMs: bigint): CardFormCheck {
  const problems: Partial<Record<CardField, FieldProblem>> = {};
  const digits = input.number.replace(/[\s-]/g, '');
  let behaviour: CardBehaviour | undefined;
  if (digits === '') problems.number = 'number_missing';
  else if (!NUMBER_DIGITS.test(digits)) problems.number = 'number_malformed';
  else if (!luhnValid(digits)) problems.number = 'number_mistyped';
  else {
    behaviour = TEST_CARDS.get(digits);
    if (behaviour === undefined) problems.number = 'number_not_test_card';
  }

  const expiry = /^\s*(0[1-9]|1[0-2])\s*\/\s*([0-9]{2})\s*$/.exec(input.expiry);
  if (expiry === null) problems.expiry = 'expiry_malformed';
  else if (expiryPassed(Number(expiry[1]), 2000 + Number(expiry[2]), nowMs)) {
    problems.expiry = 'expiry_past';
  }

  if (!/^[0-9]{3,4}$/.test(input.cvc.trim())) problems.cvc = 'cvc_malformed';

  const name = input.name.trim();
  if (name === '') problems.name = 'name_missing';
  else if (name.length > NAME_CHARS_MAX) problems.name = 'name_too_long';

  if (Object.keys(problems).length > 0 || behaviour === undefined) return { ok: false, problems };
  return { ok: true, card: { brand: brandOf(digits), last4: digits.slice(-4), behaviour } };
}

/** A card is good through the last day of its expiry month (UTC). */
function expiryPassed(month: number, year: number, nowMs: bigint): boolean {
  const now = new Date(Number(nowMs));
  const nowYear = now.getUTCFullYear();
  const nowMonth = now.getUTCMonth() + 1;
  return year < nowYear || (year === nowYear && month < nowMonth);
}
