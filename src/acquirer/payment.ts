import type { Currency } from '../kernel/index.ts';
import type { CardBrand, DeclineCode } from './test-cards.ts';

/** The acquirer's own model of a payment: what its database holds, in memory. */
export type PaymentMethod = 'card' | 'bank';

export type PaymentStatus =
  | 'requires_action'
  | 'awaiting_deposit'
  | 'processing'
  | 'succeeded'
  | 'declined'
  | 'canceled'
  | 'expired';

export type Instrument =
  | { readonly kind: 'card'; readonly brand: CardBrand; readonly last4: string }
  | { readonly kind: 'bank'; readonly bank: string; readonly last4: string };

export interface Payment {
  readonly id: string;
  readonly reference: string;
  /** Digest of the creating request: the same reference with another body is a conflict. */
  readonly requestHash: string;
  readonly method: PaymentMethod;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly description: string;
  readonly returnUrl: string | null;
  readonly notifyUrl: string | null;
  readonly status: PaymentStatus;
  readonly declineCode: DeclineCode | null;
  readonly instrument: Instrument | null;
  /** Bank transfers: the virtual account the holder pays into, and until when. */
  readonly accountNumber: string | null;
  readonly dueAtMs: bigint | null;
  /** Slow card answers: when the pending approval becomes final. */
  readonly decideAtMs: bigint | null;
  readonly refundedMinor: bigint;
  readonly createdAtMs: bigint;
  readonly updatedAtMs: bigint;
}

export interface Refund {
  readonly id: string;
  readonly paymentId: string;
  readonly reference: string;
  readonly amountMinor: bigint;
  readonly createdAtMs: bigint;
}

export type EventType =
  | 'payment.succeeded'
  | 'payment.declined'
  | 'payment.canceled'
  | 'payment.expired'
  | 'payment.refunded';

/** The bank the sandbox's virtual accounts live at, and whose name they carry. */
export const SANDBOX_BANK = 'Sandbox Bank';
export const ACCOUNT_HOLDER = 'OnePIN';
