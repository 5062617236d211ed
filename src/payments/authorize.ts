import { assert, derivedId, fail, newId, ok, type Outcome } from '../kernel/index.ts';
import { authenticate, cardBalance, spendFromCard, type Card } from '../cards/index.ts';
import type { Executor } from '../storage/index.ts';
import { ensureMerchantAccount } from './associates.ts';
import { capturePayment } from './capture.ts';
import { paymentTables, type PaymentsContext } from './context.ts';
import { emitEvent } from './events.ts';
import {
  loadPayment,
  paymentJson,
  savePaymentTotals,
  type Payment,
  type PaymentPart,
} from './payment-row.ts';
import { refusable, refuse } from './refusal.ts';

export interface AuthorizeResult {
  readonly payment: Payment;
  /** The share this card covered. */
  readonly part: PaymentPart;
  readonly card: Card;
}

/**
 * Holds one card's share of a payment inside the caller's transaction: as much of what is still
 * uncovered as the card's balance allows. When the payment is covered it is `requires_capture`
 * (or, in auto-capture mode, captured at once). All holds of a payment expire together.
 */
export async function authorizeCardShare(
  ctx: PaymentsContext,
  tx: Executor,
  paymentId: string,
  card: Card,
  options: { readonly exactAmount?: boolean } = {},
): Promise<Outcome<AuthorizeResult>> {
  const payment = await loadPayment(ctx, tx, paymentId, { lock: true });
  if (payment === undefined) return fail('payment_not_found', 'payment');
  if (payment.status !== 'requires_payment') {
    return fail('payment_state_invalid', undefined, `the payment is ${payment.status}`);
  }
  const nowMs = ctx.clock.nowMs();
  if (payment.expiresAtMs !== null && nowMs >= payment.expiresAtMs) {
    return fail('payment_state_invalid', undefined, 'the payment has expired');
  }
  if (card.livemode !== payment.livemode) return fail('card_mode_mismatch');
  if (card.currency !== payment.currency) return fail('currency_mismatch', 'currency');
  const remaining = payment.amountMinor - payment.authorizedMinor;
  assert(remaining > 0n, 'an unpaid payment has something uncovered');
  const balance = await cardBalance(ctx.cards, tx, card.id);
  if (!balance.ok) return balance;
  const share =
    options.exactAmount === true
      ? remaining
      : balance.value.balanceMinor < remaining
        ? balance.value.balanceMinor
        : remaining;
  if (share <= 0n) return fail('insufficient_funds', 'amount');
  const expiresAtMs = payment.expiresAtMs ?? nowMs + payment.holdLifetimeMs;
  const merchant = await ensureMerchantAccount(
    ctx,
    tx,
    payment.associateId,
    payment.livemode,
    payment.currency,
  );
  const partId = newId('pp');
  const holdId = derivedId('auth', partId);
  const spent = await spendFromCard(ctx.cards, tx, {
    cardId: card.id,
    creditAccountId: merchant,
    amountMinor: share,
    currency: payment.currency,
    transferId: holdId,
    code: 'authorization',
    reference: payment.id,
    holdTimeoutMs: expiresAtMs - nowMs,
    livemode: payment.livemode,
  });
  if (!spent.ok) return spent;
  await paymentTables(tx)
    .insertInto('payment_part')
    .values({
      id: partId,
      payment_id: payment.id,
      seq: BigInt(payment.parts.length + 1),
      card_id: card.id,
      hold_id: holdId,
      hold_generation: 0n,
      amount_minor: share,
      amount_captured_minor: 0n,
      amount_refunded_minor: 0n,
      status: 'authorized',
      created_at_ms: nowMs,
    })
    .execute();
  let after = await savePaymentTotals(ctx, tx, { ...payment, expiresAtMs }, null);
  if (after.status === 'requires_capture') {
    await emitEvent(ctx, tx, {
      associateId: after.associateId,
      livemode: after.livemode,
      type: 'payment.authorized',
      object: paymentJson(ctx, after),
    });
    if (after.captureMode === 'auto') {
      const captured = await capturePayment(ctx, tx, after, undefined);
      if (!captured.ok) refuse(captured.error.code, captured.error.param, captured.error.detail);
      after = captured.value;
    }
  }
  const part = after.parts.find((p) => p.id === partId);
  assert(part !== undefined, 'the new part reads back');
  return ok({ payment: after, part, card });
}

/**
 * The hosted page's step: PIN + password (checked with the card's shared lockout), then the
 * card's share in its own transaction.
 */
export async function authorizeWithCard(
  ctx: PaymentsContext,
  input: { readonly paymentId: string; readonly pin: string; readonly password: string },
): Promise<Outcome<AuthorizeResult>> {
  const existing = await loadPayment(ctx, ctx.db.kysely, input.paymentId);
  if (existing === undefined) return fail('payment_not_found', 'payment');
  if (existing.status !== 'requires_payment') {
    return fail('payment_state_invalid', undefined, `the payment is ${existing.status}`);
  }
  const card = await authenticate(ctx.cards, { pin: input.pin, password: input.password });
  if (!card.ok) return card;
  return refusable(ctx.db, (tx) => authorizeCardShare(ctx, tx, input.paymentId, card.value));
}
