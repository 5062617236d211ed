import { assert } from '../kernel/index.ts';
import { CHARGING_LIMITS } from './limits.ts';
import type { Rate } from './types.ts';

/**
 * The rating arithmetic. Everything is exact integer arithmetic on bigint; each rounding is up
 * and so in the operator's favour, and is done once, on the whole call:
 *
 *   billed(d) = 0                                         when d = 0 (an unanswered call is free)
 *             = firstBlock                                when 0 < d ≤ firstBlock
 *             = firstBlock + ⌈(d − firstBlock) / inc⌉·inc  otherwise
 *   usage(d)  = ⌈billed(d) · priceMinor / unitSeconds⌉    (multiply before dividing)
 *   cost(d)   = 0 when d = 0, else max(connectionFee + usage(d), minimumCost) + disconnectFee
 *
 * cost is non-decreasing in d and depends on d only through billed(d). A charging session's
 * total is cost(total seconds used); each commit debits cost(used so far) − cost(committed
 * before), so per-step rounding never adds up to more than rounding the whole call once.
 */

function seconds(value: number, name: string): bigint {
  assert(Number.isSafeInteger(value) && value >= 0, `${name} is a whole number of seconds ≥ 0`);
  return BigInt(value);
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  assert(numerator >= 0n && denominator > 0n, 'ceil division of naturals');
  return (numerator + denominator - 1n) / denominator;
}

/** Seconds billed for a call of `durationSeconds`: rounded up to the first block, then to increments. */
export function billedSeconds(rate: Rate, durationSeconds: number): number {
  return Number(billedBig(rate, seconds(durationSeconds, 'duration')));
}

function billedBig(rate: Rate, d: bigint): bigint {
  const first = BigInt(rate.firstBlockSeconds);
  const inc = BigInt(rate.incrementSeconds);
  if (d === 0n) return 0n;
  if (d <= first) return first;
  return first + ceilDiv(d - first, inc) * inc;
}

function costOfBilled(rate: Rate, billed: bigint): bigint {
  if (billed === 0n) return 0n;
  const usage = ceilDiv(billed * rate.priceMinor, BigInt(rate.unitSeconds));
  const beforeMinimum = rate.connectionFeeMinor + usage;
  const withMinimum = beforeMinimum > rate.minimumCostMinor ? beforeMinimum : rate.minimumCostMinor;
  return withMinimum + rate.disconnectFeeMinor;
}

/** What a call of `durationSeconds` costs, in minor units. */
export function costOf(rate: Rate, durationSeconds: number): bigint {
  return costOfBilled(rate, billedBig(rate, seconds(durationSeconds, 'duration')));
}

/** What going on from `fromSeconds` to `toSeconds` adds to a call's cost (a session's commit). */
export function incrementalCostMinor(rate: Rate, fromSeconds: number, toSeconds: number): bigint {
  assert(toSeconds >= fromSeconds, 'a call does not run backwards');
  const delta = costOf(rate, toSeconds) - costOf(rate, fromSeconds);
  assert(delta >= 0n, 'cost is non-decreasing');
  return delta;
}

/**
 * The longest billed duration whose cost fits in `budgetMinor`: 0 when not even the connection
 * fee, the minimum cost, the disconnect fee and the whole first block fit, else the first block
 * plus whole increments. null when the rate is free (no duration would exhaust any budget).
 *
 * cost(b) ≤ B ⇔ minimum + disconnect ≤ B and ⌈b·p/u⌉ ≤ B − disconnect − connection =: R
 *           ⇔ … and b·p ≤ R·u (R is an integer), so b ≤ ⌊R·u/p⌋, then aligned down.
 */
export function affordableBilledSeconds(rate: Rate, budgetMinor: bigint): bigint | null {
  if (rate.minimumCostMinor + rate.disconnectFeeMinor > budgetMinor) return 0n;
  const rest = budgetMinor - rate.disconnectFeeMinor - rate.connectionFeeMinor;
  if (rest < 0n) return 0n;
  if (rate.priceMinor === 0n) return null;
  const longest = (rest * BigInt(rate.unitSeconds)) / rate.priceMinor;
  const first = BigInt(rate.firstBlockSeconds);
  if (longest < first) return 0n;
  const inc = BigInt(rate.incrementSeconds);
  const aligned = first + ((longest - first) / inc) * inc;
  assert(costOfBilled(rate, aligned) <= budgetMinor, 'the affordable duration is affordable');
  assert(costOfBilled(rate, aligned + inc) > budgetMinor, 'one increment more is not');
  return aligned;
}

/**
 * The largest billable duration whose cost is at most `balanceMinor`, computed after the
 * connection fee and the whole first block (0 if even those do not fit, the A2Billing #22
 * lesson), aligned to increments and capped at a day (`billableSecondsMax`, itself aligned).
 */
export function maxAffordableSeconds(rate: Rate, balanceMinor: bigint): number {
  if (balanceMinor <= 0n) return 0;
  const affordable = affordableBilledSeconds(rate, balanceMinor);
  const cap = alignedDown(rate, BigInt(CHARGING_LIMITS.billableSecondsMax));
  return Number(affordable === null || affordable > cap ? cap : affordable);
}

/** The longest billed duration ≤ `limit` (0 if the first block does not fit). */
function alignedDown(rate: Rate, limit: bigint): bigint {
  const first = BigInt(rate.firstBlockSeconds);
  if (limit < first) return 0n;
  const inc = BigInt(rate.incrementSeconds);
  return first + ((limit - first) / inc) * inc;
}
