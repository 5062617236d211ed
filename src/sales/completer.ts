import { setTimeout as sleep } from 'node:timers/promises';
import { fail, ok, type Outcome } from '../kernel/index.ts';
import { salesTables, type SalesContext } from './context.ts';
import { payBalanceRefund } from './balance-refund.ts';
import { fulfilOrder } from './fulfil.ts';
import { loadOrderRow, orderFromRow, type Order } from './order-row.ts';
import { adoptPayment, checkOrderPayment } from './payment-phase.ts';

/** Orders and refunds the completer handles per pass (each step is bounded). */
export const COMPLETER_BATCH_MAX = 50;

export interface CompleterReport {
  readonly checked: number;
  readonly fulfilled: number;
  readonly failed: number;
  readonly refundsPaid: number;
}

/**
 * The completer finishes what a crash, a lost answer or a closed browser left behind: waiting
 * orders are checked with the provider (with back-off), paid orders are fulfilled, stuck
 * fulfilments (lease run out) are taken over, approved refunds whose payout failed are retried.
 */
export async function completeOrders(ctx: SalesContext): Promise<CompleterReport> {
  const nowMs = ctx.clock.nowMs();
  let checked = 0;
  let fulfilled = 0;
  let failed = 0;
  const waiting = await salesTables(ctx.db.kysely)
    .selectFrom('sales_order')
    .select('id')
    .where('status', 'in', ['created', 'awaiting_payment'])
    .where('next_check_at_ms', '<=', nowMs)
    .orderBy('next_check_at_ms')
    .limit(COMPLETER_BATCH_MAX)
    .execute();
  for (const { id } of waiting) {
    const result = await checkOrderPayment(ctx, id);
    checked += 1;
    if (result.ok && result.value.status === 'failed') failed += 1;
  }
  const ready = await salesTables(ctx.db.kysely)
    .selectFrom('sales_order')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('status', '=', 'paid'),
        eb.and([eb('status', '=', 'fulfilling'), eb('lease_until_ms', '<', nowMs)]),
      ]),
    )
    .orderBy('updated_at_ms')
    .limit(COMPLETER_BATCH_MAX)
    .execute();
  for (const { id } of ready) {
    const result = await fulfilOrder(ctx, id);
    if (result.ok && result.value.status === 'fulfilled') fulfilled += 1;
  }
  const refunds = await salesTables(ctx.db.kysely)
    .selectFrom('sales_balance_refund')
    .select('id')
    .where('status', '=', 'approved')
    .orderBy('requested_at_ms')
    .limit(COMPLETER_BATCH_MAX)
    .execute();
  let refundsPaid = 0;
  for (const { id } of refunds) {
    const result = await payBalanceRefund(ctx, id);
    if (result.ok && result.value.status === 'paid') refundsPaid += 1;
  }
  return { checked, fulfilled, failed, refundsPaid };
}

/**
 * The buyer's browser is back from the provider's page. The query string is not trusted: the
 * provider is asked, and a paid order is fulfilled on the spot (the completer would do it too).
 */
export async function returnFromProvider(
  ctx: SalesContext,
  orderId: string,
): Promise<Outcome<Order>> {
  const checked = await checkOrderPayment(ctx, orderId);
  if (!checked.ok) {
    const row = await loadOrderRow(ctx, ctx.db.kysely, orderId);
    return row === undefined ? checked : ok(orderFromRow(row));
  }
  const order = checked.value.status === 'paid' ? await fulfilOrder(ctx, orderId) : checked;
  if (!order.ok || order.value.status !== 'fulfilling') return order;
  // Another request (the provider's webhook, usually) is fulfilling it right now: wait a
  // moment for it, so the buyer sees the cards rather than "preparing".
  for (let i = 0; i < RETURN_WAIT_STEPS; i += 1) {
    await sleep(RETURN_WAIT_STEP_MS);
    const row = await loadOrderRow(ctx, ctx.db.kysely, orderId);
    if (row === undefined) return fail('order_not_found');
    if (row.status !== 'fulfilling') return ok(orderFromRow(row));
  }
  return order;
}

/** How long a returning buyer waits for a fulfilment in progress: 60 × 50 ms = 3 s at most. */
const RETURN_WAIT_STEPS = 60;
const RETURN_WAIT_STEP_MS = 50;

/** A provider's webhook: verified, then the same path as a check. */
export async function handleFundingWebhook(
  ctx: SalesContext,
  input: { readonly rawBody: string; readonly signature: string | undefined },
): Promise<Outcome<{ readonly orderId: string | null }>> {
  const event = ctx.funding.verifyWebhook(input.rawBody, input.signature, ctx.clock.nowMs());
  if (!event.ok) return event;
  const payment = event.value.payment;
  const row = await loadOrderRow(ctx, ctx.db.kysely, payment.reference);
  if (row === undefined) return ok({ orderId: null });
  const adopted = await adoptPayment(ctx, row.id, payment);
  if (!adopted.ok) return adopted;
  if (adopted.value.status === 'paid') {
    const done = await fulfilOrder(ctx, row.id);
    if (!done.ok) return fail(done.error.code);
  }
  return ok({ orderId: row.id });
}
