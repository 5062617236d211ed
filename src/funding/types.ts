import type { Currency, Outcome } from '../kernel/index.ts';

/**
 * Funding: how holders pay us for cards (by credit card or bank transfer) through a payment
 * provider. We never see card numbers; the provider's hosted page does. Everything money-like
 * is bigint minor units; it crosses the wire as JSON integers.
 */
export type FundingMethod = 'card' | 'bank';

export const PROVIDER_PAYMENT_STATUSES = [
  /** Card: the holder must fill in the provider's card page (`redirectUrl`). */
  'requires_action',
  /** Bank: waiting for a transfer into `virtualAccount` before its due date. */
  'awaiting_deposit',
  /** The provider has the card details and has not answered yet: ask again later. */
  'processing',
  'succeeded',
  'declined',
  'canceled',
  'expired',
] as const;

export type ProviderPaymentStatus = (typeof PROVIDER_PAYMENT_STATUSES)[number];

/** Decline codes the sandbox acquirer sends; `mapDecline` treats any other code as a failure. */
export const DECLINE_CODES = [
  'card_declined',
  'insufficient_funds',
  'expired_card',
  'incorrect_cvc',
] as const;

export type DeclineCode = (typeof DECLINE_CODES)[number];

/** The holder's card or bank account, as far as the provider tells us. */
export type FundingInstrument =
  | { readonly kind: 'card'; readonly brand: string; readonly last4: string }
  | { readonly kind: 'bank'; readonly bank: string; readonly last4: string };

export interface VirtualAccount {
  readonly bank: string;
  readonly number: string;
  readonly holder: string;
  readonly dueAtMs: bigint;
}

export interface ProviderPayment {
  /** The provider's id (`acq_…` at the sandbox acquirer). */
  readonly id: string;
  /** Our idempotency key for it: the same reference always names the same payment. */
  readonly reference: string;
  readonly method: FundingMethod;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly status: ProviderPaymentStatus;
  /** When declined: one of DECLINE_CODES, or a code this client does not know yet. */
  readonly declineCode?: string;
  /** Card payments: where the holder's browser goes to enter the card. */
  readonly redirectUrl?: string;
  /** Bank payments: where the holder sends the money, and until when. */
  readonly virtualAccount?: VirtualAccount;
  readonly instrument?: FundingInstrument;
  readonly refundedMinor: bigint;
}

export interface CreatePaymentInput {
  /** Our idempotency key (an order or recharge id): retrying with it never pays twice. */
  readonly reference: string;
  readonly method: FundingMethod;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  /** Shown to the holder on the provider's page. */
  readonly description: string;
  /** Where the provider sends the holder's browser after the card page (card payments). */
  readonly returnUrl: string;
  /** Where the provider posts its webhooks. */
  readonly notifyUrl: string;
}

export type PaymentLookup = { readonly id: string } | { readonly reference: string };

export interface RefundInput {
  readonly paymentId: string;
  readonly amountMinor: bigint;
  /** Our idempotency key for the refund. */
  readonly reference: string;
}

export interface ProviderRefund {
  readonly id: string;
  readonly status: 'succeeded';
  readonly amountMinor: bigint;
}

export const PROVIDER_EVENT_TYPES = [
  'payment.succeeded',
  'payment.declined',
  'payment.canceled',
  'payment.expired',
  'payment.refunded',
] as const;

export type ProviderEventType = (typeof PROVIDER_EVENT_TYPES)[number];

/** A verified webhook: what changed, with the payment as it stood after the change. */
export interface ProviderEvent {
  readonly id: string;
  readonly type: ProviderEventType;
  readonly createdMs: bigint;
  readonly payment: ProviderPayment;
  /** `payment.refunded`: the refund that caused it. */
  readonly refund?: ProviderRefund;
}

/**
 * One payment provider. Expected failures come back as Outcome codes: `funding_unavailable`
 * when the provider did not answer (network failure, timeout, 5xx; every call is idempotent,
 * so retrying is safe), `idempotency_conflict` when a reference was used with other
 * parameters, `parameter_invalid` / amount codes for bad input (nothing is sent).
 */
export interface FundingProvider {
  readonly name: string;
  /**
   * Where the provider's own pages live (scheme, host, port), or null: our pages' forms may
   * redirect there (CSP `form-action`), as the card page is the provider's.
   */
  readonly pageOrigin: string | null;
  createPayment(input: CreatePaymentInput): Promise<Outcome<ProviderPayment>>;
  /** `ok(null)` when the provider has no such payment. */
  getPayment(lookup: PaymentLookup): Promise<Outcome<ProviderPayment | null>>;
  refund(input: RefundInput): Promise<Outcome<ProviderRefund>>;
  /** Only before success; canceling a canceled payment answers it again. */
  cancel(paymentId: string): Promise<Outcome<ProviderPayment>>;
  /** Checks the signature (±300 s) and reads the event. Pure: the caller passes the time. */
  verifyWebhook(
    rawBody: string,
    signatureHeader: string | undefined,
    nowMs: bigint,
  ): Outcome<ProviderEvent>;
}
