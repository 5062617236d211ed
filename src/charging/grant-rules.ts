import { assert } from '../kernel/index.ts';
import { affordableBilledSeconds, costOf } from './cost-rules.ts';
import type { Rate } from './types.ts';

export interface GrantInput {
  readonly rate: Rate;
  /**
   * The card's available balance with this session's own reservation released and its used
   * seconds committed: what the session may spend from here on.
   */
  readonly balanceMinor: bigint;
  /** What the switch asked for (Requested-Service-Unit CC-Time, or the default). */
  readonly requestedSeconds: number;
  /** The most one grant may give (the grant policy's maximum). */
  readonly capSeconds: number;
  /** Seconds of this call already committed; 0 on the initial grant. */
  readonly alreadyCommittedSeconds: number;
}

export interface Grant {
  readonly grantedSeconds: number;
  /** What to reserve for the grant: cost(committed + granted) − cost(committed). */
  readonly reserveMinor: bigint;
  /** The balance cannot pay for more than this grant: send Final-Unit-Indication. */
  readonly finalUnit: boolean;
}

/**
 * Sizes one grant of a call rated at a fixed rate. Works on the call's cumulative cost, so the
 * connection fee, the minimum cost and the whole first block are charged by the initial grant
 * only: later grants cost just their marginal increments, and the paid-for remainder of a block
 * is granted for nothing.
 *
 *   affordable total T = the longest billed duration with cost(T) ≤ balance + cost(committed)
 *   granted            = min(requested, cap, T − committed)
 *   finalUnit          = T − committed ≤ min(requested, cap)   (the balance is what limits it)
 *
 * A granted 0 with finalUnit on the initial request means "no credit" (4012); on an update it
 * is the zero grant with Final-Unit-Indication that ends the call.
 */
export function grantSeconds(input: GrantInput): Grant {
  const { rate, balanceMinor, requestedSeconds, capSeconds, alreadyCommittedSeconds } = input;
  for (const [name, value] of [
    ['requestedSeconds', requestedSeconds],
    ['capSeconds', capSeconds],
    ['alreadyCommittedSeconds', alreadyCommittedSeconds],
  ] as const) {
    assert(Number.isSafeInteger(value) && value >= 0, `${name} is a whole number ≥ 0`);
  }
  const committed = BigInt(alreadyCommittedSeconds);
  const wanted = BigInt(Math.min(requestedSeconds, capSeconds));
  const committedCostMinor = costOf(rate, alreadyCommittedSeconds);
  // A negative balance (an earlier overrun: used more than granted) shrinks the budget below
  // what is already paid, so nothing more is granted unless the rate is free.
  const budgetMinor = balanceMinor + committedCostMinor;
  const total = affordableBilledSeconds(rate, budgetMinor);
  const affordable = total === null ? null : total > committed ? total - committed : 0n;
  const granted = affordable !== null && affordable < wanted ? affordable : wanted;
  const grantedSeconds = Number(granted);
  const reserveMinor = costOf(rate, alreadyCommittedSeconds + grantedSeconds) - committedCostMinor;
  assert(reserveMinor >= 0n, 'a grant reserves a non-negative amount');
  assert(
    reserveMinor === 0n || reserveMinor <= balanceMinor,
    'a grant never reserves more than the balance',
  );
  return { grantedSeconds, reserveMinor, finalUnit: affordable !== null && affordable <= wanted };
}
