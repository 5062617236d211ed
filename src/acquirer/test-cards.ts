/**
 * The sandbox's test cards. The decision is taken by the card number alone, so a test (or a
 * person trying the shop) chooses the outcome by what they type. Only these numbers are
 * accepted: a real card number typed into the sandbox is refused before anything is stored.
 */
export type DeclineCode = 'card_declined' | 'insufficient_funds' | 'expired_card' | 'incorrect_cvc';

export type CardBehaviour =
  | { readonly kind: 'approve' }
  | { readonly kind: 'decline'; readonly declineCode: DeclineCode }
  /** Approves after the acquirer's `slowAnswerMs`; the payment is `processing` meanwhile. */
  | { readonly kind: 'slow' }
  /** Approved and recorded, but the browser gets an error page and no webhook is sent. */
  | { readonly kind: 'lost' };

export const TEST_CARDS: ReadonlyMap<string, CardBehaviour> = new Map<string, CardBehaviour>([
  ['4242424242424242', { kind: 'approve' }],
  ['4000000000000002', { kind: 'decline', declineCode: 'card_declined' }],
  ['4000000000009995', { kind: 'decline', declineCode: 'insufficient_funds' }],
  ['4000000000000069', { kind: 'decline', declineCode: 'expired_card' }],
  ['4000000000000127', { kind: 'decline', declineCode: 'incorrect_cvc' }],
  ['4000000000003220', { kind: 'slow' }],
  ['4000000000000119', { kind: 'lost' }],
]);

/** The Luhn (mod 10) check every card number carries: catches one wrong digit and most swaps. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'unknown';

export function brandOf(digits: string): CardBrand {
  if (digits.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  return 'unknown';
}
