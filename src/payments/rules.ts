import { assert } from '../kernel/index.ts';

/**
 * Pure payment rules: commission, how an amount is spread over a payment's card parts, and
 * which status the amounts imply. No I/O, no clock.
 */
export const BPS_PER_UNIT = 10_000n;

/** Our commission on a captured amount, rounded down to the minor unit (the associate's favour). */
export function commissionMinor(amountMinor: bigint, commissionBps: bigint): bigint {
  assert(
    amountMinor >= 0n && commissionBps >= 0n && commissionBps <= BPS_PER_UNIT,
    'sane commission',
  );
  return (amountMinor * commissionBps) / BPS_PER_UNIT;
}

export interface Slot {
  readonly id: string;
  /** How much this part can still take (capturable or refundable). */
  readonly roomMinor: bigint;
}

/** Spreads `amountMinor` over the slots in order, filling each before the next. */
export function allocate(
  slots: readonly Slot[],
  amountMinor: bigint,
): { readonly id: string; readonly amountMinor: bigint }[] | null {
  const total = slots.reduce((sum, s) => sum + s.roomMinor, 0n);
  if (amountMinor <= 0n || amountMinor > total) return null;
  const out: { id: string; amountMinor: bigint }[] = [];
  let left = amountMinor;
  for (const slot of slots) {
    if (left === 0n) break;
    const take = slot.roomMinor < left ? slot.roomMinor : left;
    if (take > 0n) out.push({ id: slot.id, amountMinor: take });
    left -= take;
  }
  assert(left === 0n, 'allocation covers the amount');
  return out;
}

export type PaymentStatus =
  | 'requires_payment'
  | 'requires_capture'
  | 'partially_captured'
  | 'succeeded'
  | 'voided'
  | 'expired';

export const PAYMENT_STATUSES: readonly PaymentStatus[] = [
  'requires_payment',
  'requires_capture',
  'partially_captured',
  'succeeded',
  'voided',
  'expired',
];

/**
 * The status the amounts imply. `held` is what is still authorized and uncaptured; `ended` says
 * the payment was voided or expired (nothing more can be authorized).
 */
export function paymentStatus(input: {
  readonly amountMinor: bigint;
  readonly authorizedMinor: bigint;
  readonly capturedMinor: bigint;
  readonly heldMinor: bigint;
  readonly ended: 'voided' | 'expired' | null;
}): PaymentStatus {
  if (input.capturedMinor > 0n) return input.heldMinor > 0n ? 'partially_captured' : 'succeeded';
  if (input.ended !== null) return input.ended;
  return input.authorizedMinor >= input.amountMinor ? 'requires_capture' : 'requires_payment';
}
