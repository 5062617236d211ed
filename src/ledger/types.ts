import type { Currency } from '../kernel/index.ts';

export const TransferFlags = {
  none: 0,
  /** This transfer and the next succeed or fail together. */
  linked: 1,
  /** Hold the amount: debits_pending and credits_pending grow. */
  pending: 2,
  /** Post a pending transfer, fully or partially (the rest is released). */
  postPending: 4,
  /** Release a pending transfer. */
  voidPending: 8,
  /** Release a pending transfer whose timeout passed (the expiry job's own flag). */
  expirePending: 16,
} as const;

export interface TransferRequest {
  /** Caller-supplied; the id is the idempotency key inside the ledger. */
  readonly id: string;
  /** Required for new transfers; for post/void/expire optional and must match the pending one. */
  readonly debitAccountId?: string;
  readonly creditAccountId?: string;
  /** Required for new transfers; for post optional (default: the whole pending amount). */
  readonly amountMinor?: bigint;
  /** Required for new transfers; for post/void/expire inherited from the pending one. */
  readonly currency?: string;
  /** The business reason (`sale`, `recharge`, `authorization`, …). */
  readonly code: string;
  readonly flags?: number;
  readonly pendingId?: string;
  /** Pending transfers only: the hold expires this long after it was made. 0 = never. */
  readonly timeoutMs?: bigint;
  /** What this is about (payment, order, session id). */
  readonly reference?: string;
}

export interface AccountTotals {
  readonly debitsPending: bigint;
  readonly debitsPosted: bigint;
  readonly creditsPending: bigint;
  readonly creditsPosted: bigint;
}

export interface Account extends AccountTotals {
  readonly id: string;
  readonly currency: Currency;
  readonly code: string;
  readonly flags: bigint;
  readonly ownerRef: string | null;
  readonly createdAtMs: bigint;
}

export interface StoredTransfer {
  readonly id: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly code: string;
  readonly flags: number;
  readonly pendingId: string | null;
  readonly timeoutMs: bigint;
  readonly reference: string;
  readonly createdAtMs: bigint;
}

export type PendingStatus = 'pending' | 'posted' | 'voided' | 'expired';

export interface PendingHold {
  readonly transferId: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly status: PendingStatus;
  /** 0 = never expires. */
  readonly expiresAtMs: bigint;
  readonly amountPostedMinor: bigint;
  readonly resolvedBy: string | null;
}

/** One change to one account's totals, as the journal records it. */
export interface Posting {
  readonly accountId: string;
  readonly transferId: string;
  readonly code: string;
  readonly reference: string;
  readonly delta: AccountTotals;
  readonly after: AccountTotals;
}

/** Available balance of a credit-normal account such as a card. */
export function availableBalance(totals: AccountTotals): bigint {
  return totals.creditsPosted - totals.debitsPosted - totals.debitsPending;
}
