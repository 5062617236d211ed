import { getCard } from '../../cards/index.ts';
import { formatMoney } from '../../kernel/index.ts';
import {
  getAssociate,
  type Payment,
  type PaymentStatus,
  type PaymentsContext,
} from '../../payments/index.ts';

/** What the hosted page shows of a payment: only strings, formatted for people. */
export interface PaymentView {
  readonly id: string;
  readonly associateName: string;
  readonly description: string;
  readonly orderReference: string;
  readonly livemode: boolean;
  readonly amount: string;
  readonly covered: string;
  readonly remaining: string;
  readonly partlyCovered: boolean;
  readonly status: PaymentStatus;
  readonly statusLabel: string;
  readonly statusLabelKo: string;
  readonly hasReturnUrl: boolean;
  /** Each card that covered a share: last four digits of its PIN, never more. */
  readonly parts: readonly {
    readonly last4: string;
    readonly share: string;
    readonly state: string;
  }[];
}

/** The outcome the return URL carries for a payment the holder has finished with. */
export type ReturnOutcome = 'succeeded' | 'canceled' | 'expired';

export function outcomeOf(status: PaymentStatus): ReturnOutcome | null {
  switch (status) {
    case 'requires_capture':
    case 'partially_captured':
    case 'succeeded':
      return 'succeeded';
    case 'voided':
      return 'canceled';
    case 'expired':
      return 'expired';
    case 'requires_payment':
      return null;
  }
}

const STATUS_LABELS: Record<PaymentStatus, readonly [string, string]> = {
  requires_payment: ['Waiting for payment', '결제 대기 중'],
  requires_capture: ['Paid', '결제 완료'],
  partially_captured: ['Paid', '결제 완료'],
  succeeded: ['Paid', '결제 완료'],
  voided: ['Canceled', '결제 취소'],
  expired: ['Expired', '기간 만료'],
};

const PART_LABELS: Record<string, string> = {
  authorized: 'held · 승인',
  captured: 'charged · 결제',
  voided: 'released · 취소',
  expired: 'released · 만료',
};

/** True when the holds' time ran out but the expiry job has not marked the payment yet. */
export function hasLapsed(ctx: PaymentsContext, payment: Payment): boolean {
  return payment.expiresAtMs !== null && ctx.clock.nowMs() >= payment.expiresAtMs;
}

export async function paymentView(ctx: PaymentsContext, payment: Payment): Promise<PaymentView> {
  const executor = ctx.db.kysely;
  const associate = await getAssociate(executor, payment.associateId);
  const parts = [];
  for (const part of payment.parts) {
    const card = await getCard(ctx.cards, executor, { id: part.cardId });
    parts.push({
      last4: card.ok ? card.value.pinLast4 : '????',
      share: formatMoney(part.amountMinor, payment.currency),
      state: PART_LABELS[part.status] ?? part.status,
    });
  }
  const status: PaymentStatus =
    payment.status === 'requires_payment' && hasLapsed(ctx, payment) ? 'expired' : payment.status;
  const [label, labelKo] = STATUS_LABELS[status];
  return {
    id: payment.id,
    associateName: associate?.name ?? 'OnePIN associate',
    description: payment.description,
    orderReference: payment.orderReference,
    livemode: payment.livemode,
    amount: formatMoney(payment.amountMinor, payment.currency),
    covered: formatMoney(payment.authorizedMinor, payment.currency),
    remaining: formatMoney(payment.amountMinor - payment.authorizedMinor, payment.currency),
    partlyCovered: payment.authorizedMinor > 0n,
    status,
    statusLabel: label,
    statusLabelKo: labelKo,
    hasReturnUrl: payment.returnUrl !== null,
    parts,
  };
}
