import { limits, type Currency } from '../kernel/index.ts';

/**
 * Pure decisions of the sales module: what an order may hold, what a holder may recharge, and
 * when a balance may be refunded. No I/O and no clock: times come in as arguments.
 */

/** Cards of one denomination on one order line, and lines on one order. */
export const ORDER_QUANTITY_MAX = 10;
export const ORDER_LINES_MAX = 6;
/** Largest order, per currency, in minor units (500,000 won). */
export const ORDER_TOTAL_MAX_MINOR: Readonly<Record<Currency, bigint>> = {
  KRW: 500_000n,
  JPY: 50_000n,
  USD: 50_000n,
  EUR: 50_000n,
  CNY: 250_000n,
  GBP: 50_000n,
};
/** Recharged into one card per calendar day (UTC), paid or waiting for payment. */
export const RECHARGE_DAILY_MAX_MINOR: Readonly<Record<Currency, bigint>> = {
  KRW: 1_000_000n,
  JPY: 100_000n,
  USD: 100_000n,
  EUR: 100_000n,
  CNY: 500_000n,
  GBP: 100_000n,
};
/** Smallest recharge, so a card is not topped up one won at a time. */
export const RECHARGE_MIN_MINOR: Readonly<Record<Currency, bigint>> = {
  KRW: 1_000n,
  JPY: 100n,
  USD: 100n,
  EUR: 100n,
  CNY: 500n,
  GBP: 100n,
};
export const NAME_LENGTH_MAX = 60;
export const EMAIL_LENGTH_MAX = 254;
export const GIFT_MESSAGE_LENGTH_MAX = 300;
/** A gift may be scheduled up to this far ahead. */
export const GIFT_DELIVERY_DAYS_MAX = 90n;
/** A gift's claim link lives this long after delivery. */
export const GIFT_CLAIM_TTL_MS = 30n * 86_400_000n;
export const GIFT_DESIGNS = ['classic', 'birthday', 'thanks', 'celebration'] as const;
export type GiftDesign = (typeof GIFT_DESIGNS)[number];

export type FundingMethodName = 'card' | 'bank';

export interface OrderLineInput {
  readonly denominationId: string;
  readonly quantity: number;
}

/** What a line costs, with the denomination's face value. */
export interface PricedLine {
  readonly denominationId: string;
  readonly quantity: number;
  readonly unitMinor: bigint;
  readonly amountMinor: bigint;
}

export type OrderCheck =
  | { readonly ok: true; readonly totalMinor: bigint }
  | {
      readonly ok: false;
      readonly code: 'quantity_invalid' | 'order_limit_exceeded' | 'currency_mismatch';
      readonly param: string;
    };

/** Lines within their limits, one currency, and a total within the order limit. */
export function checkOrder(lines: readonly PricedLine[], currency: Currency): OrderCheck {
  if (lines.length === 0 || lines.length > ORDER_LINES_MAX)
    return { ok: false, code: 'quantity_invalid', param: 'quantity' };
  let total = 0n;
  for (const line of lines) {
    if (
      !Number.isSafeInteger(line.quantity) ||
      line.quantity < 1 ||
      line.quantity > ORDER_QUANTITY_MAX
    )
      return { ok: false, code: 'quantity_invalid', param: 'quantity' };
    total += line.amountMinor;
  }
  if (total > ORDER_TOTAL_MAX_MINOR[currency])
    return { ok: false, code: 'order_limit_exceeded', param: 'quantity' };
  return { ok: true, totalMinor: total };
}

const EMAIL = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$/;

export function isEmail(text: string): boolean {
  return text.length <= EMAIL_LENGTH_MAX && EMAIL.test(text);
}

/** Korean mobile and landline numbers, or E.164 with a plus; separators are dropped. */
export function normalizePhone(text: string): string | null {
  const digits = text.replace(/[\s().-]/g, '');
  if (/^\+[1-9][0-9]{7,14}$/.test(digits)) return digits;
  if (/^0[1-9][0-9]{7,9}$/.test(digits)) return digits;
  return null;
}

/** A person's name as typed: trimmed, 1–60 characters, no control characters. */
export function cleanName(text: string): string | null {
  const name = text.trim().replace(/\s+/g, ' ');
  if (name === '' || name.length > NAME_LENGTH_MAX) return null;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return null;
  return name;
}

/** Recharge amount checks that need no database: minimum, single maximum and daily maximum. */
export function checkRecharge(input: {
  readonly amountMinor: bigint;
  readonly currency: Currency;
  /** Recharged today (paid or waiting), this request excluded. */
  readonly todayMinor: bigint;
  /** The card's value now (posted credits minus posted debits). */
  readonly valueMinor: bigint;
}):
  | null
  | 'amount_must_be_positive'
  | 'recharge_exceeds_limit'
  | 'recharge_daily_limit_exceeded'
  | 'balance_exceeds_limit' {
  if (input.amountMinor <= 0n) return 'amount_must_be_positive';
  if (input.amountMinor < RECHARGE_MIN_MINOR[input.currency]) return 'recharge_exceeds_limit';
  if (input.amountMinor > limits.rechargeMaxMinor[input.currency]) return 'recharge_exceeds_limit';
  if (input.todayMinor + input.amountMinor > RECHARGE_DAILY_MAX_MINOR[input.currency])
    return 'recharge_daily_limit_exceeded';
  if (input.valueMinor + input.amountMinor > limits.cardBalanceMaxMinor[input.currency])
    return 'balance_exceeds_limit';
  return null;
}

/**
 * The refund-of-balance policy (configuration, with these defaults). A holder may have the
 * rest of a card paid out when they used at least `usedPercentMin` % of everything loaded, or
 * when the card was never used and was bought less than `unusedDays` days ago (a change of
 * mind). A fee (fixed plus basis points, capped at the balance) is kept; payouts under the
 * minimum are refused; payouts above `reviewAboveMinor` wait for an operator.
 */
export interface BalanceRefundRules {
  readonly usedPercentMin: bigint;
  readonly unusedDays: bigint;
  readonly feeFixedMinor: bigint;
  readonly feeBps: bigint;
  readonly payoutMinMinor: bigint;
  readonly reviewAboveMinor: bigint;
}

export const DEFAULT_BALANCE_REFUND_RULES: BalanceRefundRules = {
  usedPercentMin: 60n,
  unusedDays: 7n,
  feeFixedMinor: 0n,
  feeBps: 0n,
  payoutMinMinor: 1_000n,
  reviewAboveMinor: 50_000n,
};

export interface BalanceRefundFacts {
  /** Everything ever loaded onto the card (sale and recharges). */
  readonly loadedMinor: bigint;
  /** The available balance now. */
  readonly balanceMinor: bigint;
  /** Money held by open authorizations (a refund waits until they resolve). */
  readonly heldMinor: bigint;
  readonly soldAtMs: bigint;
  readonly firstUsedAtMs: bigint | null;
  readonly nowMs: bigint;
  /** Paid for through a funding instrument we can pay back to. */
  readonly refundableFundingMinor: bigint;
}

export type BalanceRefundDecision =
  | {
      readonly allowed: true;
      readonly reason: 'used_enough' | 'unused_recent';
      readonly amountMinor: bigint;
      readonly feeMinor: bigint;
      readonly payoutMinor: bigint;
      readonly needsReview: boolean;
    }
  | {
      readonly allowed: false;
      readonly why:
        | 'nothing_to_refund'
        | 'holds_open'
        | 'not_used_enough'
        | 'below_minimum'
        | 'no_funding_instrument';
    };

export function decideBalanceRefund(
  rules: BalanceRefundRules,
  f: BalanceRefundFacts,
): BalanceRefundDecision {
  if (f.balanceMinor <= 0n) return { allowed: false, why: 'nothing_to_refund' };
  if (f.heldMinor > 0n) return { allowed: false, why: 'holds_open' };
  const usedMinor = f.loadedMinor - f.balanceMinor;
  // used / loaded ≥ p / 100, in integers: used × 100 ≥ p × loaded.
  const usedEnough = usedMinor * 100n >= rules.usedPercentMin * f.loadedMinor;
  const unusedRecent =
    f.firstUsedAtMs === null && f.nowMs - f.soldAtMs < rules.unusedDays * 86_400_000n;
  if (!usedEnough && !unusedRecent) return { allowed: false, why: 'not_used_enough' };
  const amountMinor = f.balanceMinor;
  const feeRaw = rules.feeFixedMinor + ceilDiv(amountMinor * rules.feeBps, 10_000n);
  const feeMinor = feeRaw > amountMinor ? amountMinor : feeRaw;
  const payoutMinor = amountMinor - feeMinor;
  if (payoutMinor < rules.payoutMinMinor) return { allowed: false, why: 'below_minimum' };
  if (payoutMinor > f.refundableFundingMinor)
    return { allowed: false, why: 'no_funding_instrument' };
  return {
    allowed: true,
    reason: usedEnough ? 'used_enough' : 'unused_recent',
    amountMinor,
    feeMinor,
    payoutMinor,
    needsReview: payoutMinor > rules.reviewAboveMinor,
  };
}

/** The fee is rounded up, in our favour, like every rounding in OnePIN. */
function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/**
 * How a payout is spread over the payments that funded the card: newest first, each up to what
 * it paid minus what was already given back through it.
 */
export function allocatePayout(
  fundings: readonly { readonly id: string; readonly refundableMinor: bigint }[],
  payoutMinor: bigint,
): { readonly id: string; readonly amountMinor: bigint }[] {
  const out: { id: string; amountMinor: bigint }[] = [];
  let left = payoutMinor;
  for (const f of fundings) {
    if (left === 0n) break;
    const take = f.refundableMinor < left ? f.refundableMinor : left;
    if (take > 0n) out.push({ id: f.id, amountMinor: take });
    left -= take;
  }
  return left === 0n ? out : [];
}
