import { changeCardState, type Card } from '../cards/index.ts';
import { fail, isoFromMs, jsonInteger, newId, ok, type Outcome } from '../kernel/index.ts';
import type { Executor } from '../storage/index.ts';
import { paymentTables, type PaymentsContext } from './context.ts';
import { emitEvent } from './events.ts';
import { loadPayment, paymentJson } from './payment-row.ts';

export interface CardActivity {
  readonly paymentId: string;
  readonly associateName: string;
  readonly description: string;
  readonly orderReference: string;
  readonly livemode: boolean;
  readonly currency: string;
  /** This card's share. */
  readonly authorizedMinor: bigint;
  readonly capturedMinor: bigint;
  readonly refundedMinor: bigint;
  readonly status: string;
  readonly createdAtMs: bigint;
  readonly flagged: boolean;
}

/** The holder's view (patent FIG. 3, "verification of online payment"): recent payments per card. */
export async function cardActivity(
  executor: Executor,
  cardId: string,
  limit = 50,
): Promise<CardActivity[]> {
  const rows = await paymentTables(executor)
    .selectFrom('payment_part')
    .innerJoin('payment', 'payment.id', 'payment_part.payment_id')
    .innerJoin('associate', 'associate.id', 'payment.associate_id')
    .select([
      'payment.id as payment_id',
      'associate.name as associate_name',
      'payment.description',
      'payment.order_reference',
      'payment.livemode',
      'payment.currency',
      'payment.status',
      'payment_part.amount_minor',
      'payment_part.amount_captured_minor',
      'payment_part.amount_refunded_minor',
      'payment_part.created_at_ms',
    ])
    .where('payment_part.card_id', '=', cardId)
    .orderBy('payment_part.created_at_ms', 'desc')
    .limit(limit)
    .execute();
  const flagged = new Set(
    (
      await paymentTables(executor)
        .selectFrom('payment_flag')
        .select('payment_id')
        .where('card_id', '=', cardId)
        .execute()
    ).map((r) => r.payment_id),
  );
  return rows.map((r) => ({
    paymentId: r.payment_id,
    associateName: r.associate_name,
    description: r.description,
    orderReference: r.order_reference,
    livemode: r.livemode === 1n,
    currency: r.currency,
    authorizedMinor: r.amount_minor,
    capturedMinor: r.amount_captured_minor,
    refundedMinor: r.amount_refunded_minor,
    status: r.status,
    createdAtMs: r.created_at_ms,
    flagged: flagged.has(r.payment_id),
  }));
}

export function activityJson(a: CardActivity): Record<string, unknown> {
  return {
    payment: a.paymentId,
    associate: a.associateName,
    description: a.description,
    amount_authorized: jsonInteger(a.authorizedMinor),
    amount_captured: jsonInteger(a.capturedMinor),
    amount_refunded: jsonInteger(a.refundedMinor),
    currency: a.currency,
    status: a.status,
    created: isoFromMs(a.createdAtMs),
    flagged: a.flagged,
  };
}

/**
 * The holder says a payment was not theirs: it is recorded, the associate is told
 * (`payment.flagged`), and the card can be suspended on the spot.
 */
export async function flagPayment(
  ctx: PaymentsContext,
  tx: Executor,
  input: {
    readonly card: Card;
    readonly paymentId: string;
    readonly note: string;
    readonly suspend: boolean;
  },
): Promise<Outcome<{ readonly suspended: boolean }>> {
  if (input.note.length > 500) return fail('parameter_invalid', 'note');
  const part = await paymentTables(tx)
    .selectFrom('payment_part')
    .select('id')
    .where('payment_id', '=', input.paymentId)
    .where('card_id', '=', input.card.id)
    .executeTakeFirst();
  if (part === undefined) return fail('payment_not_found', 'payment');
  const already = await paymentTables(tx)
    .selectFrom('payment_flag')
    .select('id')
    .where('payment_id', '=', input.paymentId)
    .where('card_id', '=', input.card.id)
    .executeTakeFirst();
  // Flagging twice (a resubmitted form) records and tells the associate once.
  if (already !== undefined)
    return ok({ suspended: input.suspend && input.card.state === 'active' });
  await paymentTables(tx)
    .insertInto('payment_flag')
    .values({
      id: newId('flg'),
      payment_id: input.paymentId,
      card_id: input.card.id,
      note: input.note,
      card_suspended: input.suspend ? 1n : 0n,
      created_at_ms: ctx.clock.nowMs(),
    })
    .execute();
  const payment = await loadPayment(ctx, tx, input.paymentId);
  if (payment !== undefined) {
    await emitEvent(ctx, tx, {
      associateId: payment.associateId,
      livemode: payment.livemode,
      type: 'payment.flagged',
      object: paymentJson(ctx, payment),
    });
  }
  return ok({ suspended: input.suspend && input.card.state === 'active' });
}

/** Suspends the card after a flag (its own transaction, through the cards module). */
export async function suspendFlaggedCard(ctx: PaymentsContext, card: Card): Promise<boolean> {
  if (card.state !== 'active') return false;
  const result = await changeCardState(ctx.cards, {
    cardId: card.id,
    transition: 'suspend',
    reason: 'holder flagged a payment as not theirs',
  });
  return result.ok;
}
