import type { ProviderPayment } from '../funding/index.ts';
import { fail, ok, type ErrorCode, type Outcome } from '../kernel/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { salesTables, type SalesContext } from './context.ts';
import { enqueueOrderEmail } from './emails.ts';
import { loadOrderRow, orderFromRow, type Order } from './order-row.ts';

/** Checks of a waiting payment back off: 30 s, 1 min, 2 min, … up to 30 min between checks. */
const CHECK_DELAY_MIN_MS = 30_000n;
const CHECK_DELAY_MAX_MS = 30n * 60_000n;
/** An order whose payment the provider never heard of is abandoned after this long. */
export const CREATED_ABANDON_MS = 30n * 60_000n;

export function nextCheckDelayMs(checks: bigint): bigint {
  const delay = CHECK_DELAY_MIN_MS * 2n ** (checks > 10n ? 10n : checks);
  return delay > CHECK_DELAY_MAX_MS ? CHECK_DELAY_MAX_MS : delay;
}

function returnUrlOf(ctx: SalesContext, orderId: string): string {
  return `${ctx.publicUrl}/orders/${orderId}/return`;
}

export function notifyUrlOf(ctx: SalesContext): string {
  return `${ctx.publicUrl}/funding/webhook`;
}

/**
 * Phase 2: the provider creates the payment under our order id (its idempotency key, so asking
 * twice never makes two payments). The answer is recorded; a bank transfer gets its
 * instructions by e-mail. No answer leaves the order `created` and says so.
 */
export async function startPayment(ctx: SalesContext, orderId: string): Promise<Outcome<Order>> {
  const row = await loadOrderRow(ctx, ctx.db.kysely, orderId);
  if (row === undefined) return fail('order_not_found');
  const order = orderFromRow(row);
  if (order.status !== 'created') return ok(order);
  const created = await ctx.funding.createPayment({
    reference: order.id,
    method: order.method,
    amountMinor: order.amountMinor,
    currency: order.currency,
    description: order.kind === 'purchase' ? 'OnePIN cards' : 'OnePIN recharge',
    returnUrl: returnUrlOf(ctx, order.id),
    notifyUrl: notifyUrlOf(ctx),
  });
  if (!created.ok) return created;
  return adoptPayment(ctx, order.id, created.value);
}

/**
 * Records what the provider says about an order's payment, moving the order forward only:
 * waiting → paid or failed. A payment that does not match the order (amount, currency,
 * reference) is never taken as paid.
 */
export async function adoptPayment(
  ctx: SalesContext,
  orderId: string,
  payment: ProviderPayment,
): Promise<Outcome<Order>> {
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx) => {
    const row = await loadOrderRow(ctx, tx, orderId, { lock: true });
    if (row === undefined) return fail('order_not_found');
    const order = orderFromRow(row);
    // A failed order whose payment went through after all (a late bank deposit, an answer
    // that was lost) was paid: it is fulfilled like any other, never kept without cards.
    const lateSuccess = order.status === 'failed' && payment.status === 'succeeded';
    if (order.status !== 'created' && order.status !== 'awaiting_payment' && !lateSuccess)
      return ok(order);
    const matches =
      payment.reference === order.id &&
      payment.amountMinor === order.amountMinor &&
      payment.currency === order.currency;
    const common = {
      provider_payment_id: payment.id,
      updated_at_ms: nowMs,
      checks: row.checks + 1n,
      next_check_at_ms: nowMs + nextCheckDelayMs(row.checks),
    };
    let failure: ErrorCode | null = null;
    if (!matches) failure = 'funding_failed';
    else if (payment.status === 'declined') failure = declineCode(payment.declineCode);
    else if (payment.status === 'canceled' || payment.status === 'expired')
      failure = 'funding_failed';
    if (failure !== null) {
      if (lateSuccess) return ok(order);
      await salesTables(tx)
        .updateTable('sales_order')
        .set({ ...common, status: 'failed', failure_code: failure })
        .where('id', '=', order.id)
        .execute();
    } else if (payment.status === 'succeeded') {
      await salesTables(tx)
        .updateTable('sales_order')
        .set({
          ...common,
          status: 'paid',
          failure_code: null,
          paid_at_ms: nowMs,
          next_check_at_ms: nowMs,
          instrument: instrumentText(payment),
        })
        .where('id', '=', order.id)
        .execute();
    } else {
      const firstTime = order.status === 'created';
      await salesTables(tx)
        .updateTable('sales_order')
        .set({
          ...common,
          status: 'awaiting_payment',
          redirect_url: payment.redirectUrl ?? null,
          virtual_account:
            payment.virtualAccount === undefined
              ? null
              : JSON.stringify({
                  ...payment.virtualAccount,
                  dueAtMs: payment.virtualAccount.dueAtMs.toString(),
                }),
        })
        .where('id', '=', order.id)
        .execute();
      if (firstTime && payment.virtualAccount !== undefined) {
        const after = await loadOrderRow(ctx, tx, order.id);
        if (after !== undefined)
          await enqueueOrderEmail(ctx, tx, orderFromRow(after), 'bank_transfer_instructions');
      }
    }
    const after = await loadOrderRow(ctx, tx, order.id);
    return after === undefined ? fail('order_not_found') : ok(orderFromRow(after));
  });
}

function declineCode(code: string | undefined): ErrorCode {
  return code === 'insufficient_funds' ? 'funding_insufficient_funds' : 'funding_declined';
}

function instrumentText(payment: ProviderPayment): string | null {
  const i = payment.instrument;
  if (i === undefined) return null;
  return i.kind === 'card' ? `${i.brand} •••• ${i.last4}` : `${i.bank} •••• ${i.last4}`;
}

/**
 * Asks the provider about a waiting order and records the answer. An order the provider never
 * heard of (its create request was lost before reaching it) is abandoned after a while: nothing
 * was charged.
 */
export async function checkOrderPayment(
  ctx: SalesContext,
  orderId: string,
): Promise<Outcome<Order>> {
  const row = await loadOrderRow(ctx, ctx.db.kysely, orderId);
  if (row === undefined) return fail('order_not_found');
  const order = orderFromRow(row);
  if (order.status !== 'created' && order.status !== 'awaiting_payment') return ok(order);
  const found = await ctx.funding.getPayment({ reference: order.id });
  const nowMs = ctx.clock.nowMs();
  if (!found.ok) {
    await salesTables(ctx.db.kysely)
      .updateTable('sales_order')
      .set({
        checks: row.checks + 1n,
        next_check_at_ms: nowMs + nextCheckDelayMs(row.checks),
        updated_at_ms: nowMs,
      })
      .where('id', '=', order.id)
      .where('status', '=', order.status)
      .execute();
    return found;
  }
  if (found.value === null) {
    const abandoned = nowMs - order.createdAtMs >= CREATED_ABANDON_MS;
    await salesTables(ctx.db.kysely)
      .updateTable('sales_order')
      .set(
        abandoned
          ? { status: 'failed', failure_code: 'funding_unavailable', updated_at_ms: nowMs }
          : {
              checks: row.checks + 1n,
              next_check_at_ms: nowMs + nextCheckDelayMs(row.checks),
              updated_at_ms: nowMs,
            },
      )
      .where('id', '=', order.id)
      .where('status', '=', order.status)
      .execute();
    const after = await loadOrderRow(ctx, ctx.db.kysely, order.id);
    return after === undefined ? fail('order_not_found') : ok(orderFromRow(after));
  }
  return adoptPayment(ctx, order.id, found.value);
}
