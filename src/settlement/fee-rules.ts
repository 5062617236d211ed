import { assert } from '../kernel/index.ts';

/**
 * Pure settlement money rules: the fee of each line, the batch fee and how it is spread over
 * the lines (largest remainder), and what a run pays out. No I/O, no clock. docs/settlement.md
 * has the worked example.
 */
export const BPS_PER_UNIT = 10_000n;

/** Floor division for bigints (rounds toward minus infinity; `divisor` > 0). */
export function floorDiv(dividend: bigint, divisor: bigint): bigint {
  assert(divisor > 0n, 'positive divisor');
  const q = dividend / divisor;
  return dividend % divisor !== 0n && dividend < 0n ? q - 1n : q;
}

export interface FeeInput {
  /** Positive for a capture, negative for a refund. */
  readonly grossMinor: bigint;
  /** The commission rate of this line, 0 … 10,000 basis points. */
  readonly bps: bigint;
}

export interface FeeLine {
  readonly grossMinor: bigint;
  readonly bps: bigint;
  readonly feeMinor: bigint;
  readonly netMinor: bigint;
}

export interface FeeBatch {
  readonly lines: readonly FeeLine[];
  readonly grossMinor: bigint;
  readonly feeMinor: bigint;
  readonly netMinor: bigint;
}

/**
 * The batch fee is the exact sum of every line's fee (gross × bps / 10,000), rounded down to
 * the minor unit once (in the associate's favour: down for a positive batch, and for a batch
 * of refunds we give back the larger amount). Each line first gets its own exact fee rounded
 * down; the units still missing to reach the batch fee go one each to the lines with the
 * largest remainders (ties: the earlier line). So every line's fee is its exact fee rounded
 * down or up, fee + net = gross on every line, and the lines add up to the batch to the won.
 */
export function allocateFees(inputs: readonly FeeInput[]): FeeBatch {
  let numerator = 0n;
  let floorSum = 0n;
  const firsts = inputs.map((input, index) => {
    assert(input.bps >= 0n && input.bps <= BPS_PER_UNIT, 'commission within 0 … 10,000 bps');
    const exact = input.grossMinor * input.bps;
    const fee = floorDiv(exact, BPS_PER_UNIT);
    numerator += exact;
    floorSum += fee;
    return { index, fee, remainder: exact - fee * BPS_PER_UNIT };
  });
  const batchFee = floorDiv(numerator, BPS_PER_UNIT);
  const missing = batchFee - floorSum;
  assert(missing >= 0n && missing <= BigInt(inputs.length), 'largest remainder bound');
  const order = [...firsts].sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  const bump = new Set(order.slice(0, Number(missing)).map((f) => f.index));
  let grossMinor = 0n;
  const lines = inputs.map((input, index) => {
    const first = firsts[index];
    assert(first !== undefined, 'one first fee per line');
    const feeMinor = first.fee + (bump.has(index) ? 1n : 0n);
    grossMinor += input.grossMinor;
    return {
      grossMinor: input.grossMinor,
      bps: input.bps,
      feeMinor,
      netMinor: input.grossMinor - feeMinor,
    };
  });
  return { lines, grossMinor, feeMinor: batchFee, netMinor: grossMinor - batchFee };
}

export interface BookingInput {
  /** The run's lines: gross − fee. */
  readonly netMinor: bigint;
  /** The run's fee minus the commission already booked at capture for the same lines. */
  readonly adjustmentMinor: bigint;
  /** What the previous run carried forward (positive: still owed; negative: overpaid). */
  readonly carryInMinor: bigint;
  /** The payable account's available balance now, before this booking. */
  readonly availableMinor: bigint;
}

export type BookingPlan =
  | {
      readonly ok: true;
      readonly adjustmentMinor: bigint;
      readonly payoutMinor: bigint;
      readonly carryOutMinor: bigint;
    }
  | { readonly ok: false; readonly reason: 'adjustment_exceeds_balance' };

/**
 * What a run books. Due = net + carry in. The payout is the due amount, but never negative
 * (a negative due is carried to the next run instead) and never more than the payable account
 * holds after the commission adjustment (refunds booked after the cycle ended may already have
 * used part of it: that part is carried, and those refunds' negative lines net it next cycle).
 */
export function bookingPlan(input: BookingInput): BookingPlan {
  const afterAdjustment = input.availableMinor - input.adjustmentMinor;
  if (afterAdjustment < 0n) return { ok: false, reason: 'adjustment_exceeds_balance' };
  const due = input.netMinor + input.carryInMinor;
  let payout = due < 0n ? 0n : due;
  if (payout > afterAdjustment) payout = afterAdjustment;
  return {
    ok: true,
    adjustmentMinor: input.adjustmentMinor,
    payoutMinor: payout,
    carryOutMinor: due - payout,
  };
}
