import { isoFromMs, jsonInteger } from '../kernel/index.ts';
import { ACCOUNT_HOLDER, SANDBOX_BANK, type Payment, type Refund } from './payment.ts';

/**
 * The payment as the acquirer's API shows it. Amounts are JSON integers in minor units; the
 * card number never appears (the acquirer keeps only the brand and the last four digits).
 */
export interface PaymentJson {
  readonly id: string;
  readonly object: 'payment';
  readonly reference: string;
  readonly method: Payment['method'];
  readonly amount: number;
  readonly currency: string;
  readonly description: string;
  readonly status: Payment['status'];
  readonly decline_code: Payment['declineCode'];
  readonly instrument: Payment['instrument'];
  readonly refunded_amount: number;
  readonly redirect_url?: string;
  readonly virtual_account?: {
    readonly bank: string;
    readonly number: string;
    readonly holder: string;
    readonly due_at: string;
  };
  readonly return_url: string | null;
  readonly created: string;
  readonly updated: string;
}

export function paymentJson(payment: Payment, baseUrl: string): PaymentJson {
  return {
    id: payment.id,
    object: 'payment',
    reference: payment.reference,
    method: payment.method,
    amount: jsonInteger(payment.amountMinor),
    currency: payment.currency,
    description: payment.description,
    status: payment.status,
    decline_code: payment.declineCode,
    instrument: payment.instrument,
    refunded_amount: jsonInteger(payment.refundedMinor),
    ...(payment.method === 'card' ? { redirect_url: `${baseUrl}/pay/${payment.id}` } : {}),
    ...(payment.accountNumber !== null && payment.dueAtMs !== null
      ? {
          virtual_account: {
            bank: SANDBOX_BANK,
            number: payment.accountNumber,
            holder: ACCOUNT_HOLDER,
            due_at: isoFromMs(payment.dueAtMs),
          },
        }
      : {}),
    return_url: payment.returnUrl,
    created: isoFromMs(payment.createdAtMs),
    updated: isoFromMs(payment.updatedAtMs),
  };
}

export interface RefundJson {
  readonly id: string;
  readonly object: 'refund';
  readonly payment_id: string;
  readonly reference: string;
  readonly status: 'succeeded';
  readonly amount: number;
  readonly created: string;
}

export function refundJson(refund: Refund): RefundJson {
  return {
    id: refund.id,
    object: 'refund',
    payment_id: refund.paymentId,
    reference: refund.reference,
    // Refunds to the original instrument are instant in the sandbox.
    status: 'succeeded',
    amount: jsonInteger(refund.amountMinor),
    created: isoFromMs(refund.createdAtMs),
  };
}
