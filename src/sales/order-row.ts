import { createHmac } from 'node:crypto';
import { assert, isCurrency, type Currency } from '../kernel/index.ts';
import type { Executor } from '../storage/index.ts';
import { salesTables, type SalesContext } from './context.ts';
import type { SalesOrderTable } from './tables.ts';

/**
 * An order's phases, recorded one by one so a crash anywhere is finished by the completer:
 * created (our record exists) → awaiting_payment (the provider has it) → paid (the provider
 * confirmed) → fulfilling (cards being issued, or the recharge being credited; leased) →
 * fulfilled. Side exits: failed (never charged: declined, expired, abandoned) and reversed
 * (charged, could not be fulfilled, paid back in full).
 */
export const ORDER_STATUSES = [
  'created',
  'awaiting_payment',
  'paid',
  'fulfilling',
  'fulfilled',
  'failed',
  'reversed',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type OrderKind = 'purchase' | 'recharge';
export type Locale = 'ko' | 'en';

export interface VirtualAccount {
  readonly bank: string;
  readonly number: string;
  readonly holder: string;
  readonly dueAtMs: bigint;
}

export interface Order {
  readonly id: string;
  readonly kind: OrderKind;
  readonly status: OrderStatus;
  readonly locale: Locale;
  readonly buyerName: string;
  readonly buyerEmail: string;
  readonly buyerPhone: string | null;
  readonly method: 'card' | 'bank';
  readonly currency: Currency;
  readonly amountMinor: bigint;
  readonly livemode: boolean;
  readonly cardId: string | null;
  readonly providerPaymentId: string | null;
  readonly redirectUrl: string | null;
  readonly virtualAccount: VirtualAccount | null;
  readonly instrument: string | null;
  readonly failureCode: string | null;
  readonly refundedMinor: bigint;
  readonly pinsShown: boolean;
  readonly createdAtMs: bigint;
  readonly paidAtMs: bigint | null;
  readonly fulfilledAtMs: bigint | null;
}

function isStatus(s: string): s is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(s);
}

export function orderFromRow(row: SalesOrderTable): Order {
  assert(isStatus(row.status), 'known order status');
  assert(isCurrency(row.currency), 'known currency');
  assert(row.kind === 'purchase' || row.kind === 'recharge', 'known order kind');
  assert(row.method === 'card' || row.method === 'bank', 'known method');
  let virtualAccount: VirtualAccount | null = null;
  if (row.virtual_account !== null) {
    const v = JSON.parse(row.virtual_account) as {
      bank: string;
      number: string;
      holder: string;
      dueAtMs: string;
    };
    virtualAccount = {
      bank: v.bank,
      number: v.number,
      holder: v.holder,
      dueAtMs: BigInt(v.dueAtMs),
    };
  }
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    locale: row.locale === 'ko' ? 'ko' : 'en',
    buyerName: row.buyer_name,
    buyerEmail: row.buyer_email,
    buyerPhone: row.buyer_phone,
    method: row.method,
    currency: row.currency,
    amountMinor: row.amount_minor,
    livemode: row.livemode === 1n,
    cardId: row.card_id,
    providerPaymentId: row.provider_payment_id,
    redirectUrl: row.redirect_url,
    virtualAccount,
    instrument: row.instrument,
    failureCode: row.failure_code,
    refundedMinor: row.refunded_minor,
    pinsShown: row.pins_shown_at_ms !== null,
    createdAtMs: row.created_at_ms,
    paidAtMs: row.paid_at_ms,
    fulfilledAtMs: row.fulfilled_at_ms,
  };
}

/** The stored form of an order form's key (and of the buyer's right to see the order). */
export function orderKeyHash(ctx: SalesContext, key: string): string {
  return createHmac('sha256', ctx.sealKey).update(`order-key:${key}`).digest('base64url');
}

/** Order form keys are 22–64 URL-safe characters made by the site; anything else is refused. */
export function isOrderKey(key: string): boolean {
  return /^[A-Za-z0-9_-]{22,64}$/.test(key);
}

export async function loadOrderRow(
  ctx: SalesContext,
  tx: Executor,
  id: string,
  options: { readonly lock?: boolean } = {},
): Promise<SalesOrderTable | undefined> {
  let q = salesTables(tx).selectFrom('sales_order').selectAll().where('id', '=', id);
  if (ctx.db.dialect === 'postgres' && options.lock === true) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The order, when `key` is the key of the form that made it (the buyer's browser holds it). */
export async function orderForBuyer(
  ctx: SalesContext,
  executor: Executor,
  input: { readonly orderId: string; readonly key: string },
): Promise<Order | null> {
  if (!isOrderKey(input.key) || !/^ord_[a-z0-9]{1,40}$/.test(input.orderId)) return null;
  const row = await loadOrderRow(ctx, executor, input.orderId);
  if (row?.order_key !== orderKeyHash(ctx, input.key)) return null;
  return orderFromRow(row);
}
