import { authenticate, cardBalance, findDenomination, type Card } from '../cards/index.ts';
import { fail, newId, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { salesTables, type SalesContext } from './context.ts';
import { holderOf } from './holders.ts';
import { isOrderKey, orderFromRow, orderKeyHash, type Locale, type Order } from './order-row.ts';
import { startPayment } from './payment-phase.ts';
import {
  checkOrder,
  checkRecharge,
  cleanName,
  isEmail,
  normalizePhone,
  type FundingMethodName,
  type OrderLineInput,
  type PricedLine,
} from './rules.ts';

export interface BuyerInput {
  readonly name: string;
  readonly email: string;
  readonly phone: string;
}

export interface PurchaseInput {
  /** The one-time key of the order form (made by the site when it drew the form). */
  readonly orderKey: string;
  readonly locale: Locale;
  readonly buyer: BuyerInput;
  readonly method: string;
  readonly lines: readonly OrderLineInput[];
}

export interface OrderStarted {
  readonly order: Order;
  /** True when this form was submitted before: the first order is answered, never a second. */
  readonly replayed: boolean;
}

function checkBuyer(buyer: BuyerInput): Outcome<{ name: string; email: string; phone: string }> {
  const name = cleanName(buyer.name);
  if (name === null) return fail('name_invalid', 'name');
  const email = buyer.email.trim();
  if (!isEmail(email)) return fail('email_invalid', 'email');
  const phone = normalizePhone(buyer.phone);
  if (phone === null) return fail('phone_invalid', 'phone');
  return ok({ name, email, phone });
}

function checkMethod(method: string): Outcome<FundingMethodName> {
  return method === 'card' || method === 'bank'
    ? ok(method)
    : fail('payment_method_invalid', 'method');
}

/** The order a form key already made, if any (a double submit, a reload, the back button). */
async function existingOrder(
  ctx: SalesContext,
  executor: Executor,
  keyHash: string,
): Promise<Order | null> {
  const row = await salesTables(executor)
    .selectFrom('sales_order')
    .selectAll()
    .where('order_key', '=', keyHash)
    .executeTakeFirst();
  return row === undefined ? null : orderFromRow(row);
}

/**
 * Phase 1 of a purchase: checks everything, records the order, then asks the provider for the
 * payment (phase 2). A form submitted twice answers with the first order and never makes a
 * second one; a provider that did not answer leaves the order `created` for a retry (the same
 * form again, or the completer).
 */
export async function createPurchaseOrder(
  ctx: SalesContext,
  input: PurchaseInput,
): Promise<Outcome<OrderStarted>> {
  if (!isOrderKey(input.orderKey)) return fail('parameter_invalid', 'order_key');
  const keyHash = orderKeyHash(ctx, input.orderKey);
  const before = await existingOrder(ctx, ctx.db.kysely, keyHash);
  if (before !== null) return resume(ctx, before);

  const buyer = checkBuyer(input.buyer);
  if (!buyer.ok) return buyer;
  const method = checkMethod(input.method);
  if (!method.ok) return method;
  const priced: PricedLine[] = [];
  let currency: Currency | null = null;
  for (const line of input.lines) {
    const d = await findDenomination(ctx.db.kysely, line.denominationId);
    if (d?.onSale !== true) return fail('denomination_invalid', 'denomination');
    if (currency !== null && d.currency !== currency)
      return fail('currency_mismatch', 'denomination');
    currency = d.currency;
    if (!Number.isSafeInteger(line.quantity)) return fail('quantity_invalid', 'quantity');
    priced.push({
      denominationId: d.id,
      quantity: line.quantity,
      unitMinor: d.amountMinor,
      amountMinor: d.amountMinor * BigInt(line.quantity),
    });
  }
  if (currency === null) return fail('quantity_invalid', 'quantity');
  const check = checkOrder(priced, currency);
  if (!check.ok) return fail(check.code, check.param);

  const nowMs = ctx.clock.nowMs();
  const id = newId('ord');
  const created = await writeTransaction(ctx.db, async (tx) => {
    const again = await existingOrder(ctx, tx, keyHash);
    if (again !== null) return again;
    await salesTables(tx)
      .insertInto('sales_order')
      .values({
        id,
        order_key: keyHash,
        kind: 'purchase',
        locale: input.locale,
        buyer_name: buyer.value.name,
        buyer_email: buyer.value.email,
        buyer_phone: buyer.value.phone,
        method: method.value,
        currency: currency,
        amount_minor: check.totalMinor,
        livemode: ctx.fundingLivemode ? 1n : 0n,
        card_id: null,
        ...freshOrderColumns(ctx, nowMs),
      })
      .execute();
    await salesTables(tx)
      .insertInto('sales_order_line')
      .values(
        priced.map((line, i) => ({
          order_id: id,
          line_no: BigInt(i),
          denomination_id: line.denominationId,
          quantity: BigInt(line.quantity),
          unit_minor: line.unitMinor,
          amount_minor: line.amountMinor,
        })),
      )
      .execute();
    return null;
  });
  if (created !== null) return resume(ctx, created);
  const started = await startPayment(ctx, id);
  return started.ok ? ok({ order: started.value, replayed: false }) : started;
}

/** A form submitted again: the order it made, with its payment started if that failed before. */
async function resume(ctx: SalesContext, order: Order): Promise<Outcome<OrderStarted>> {
  if (order.status !== 'created') return ok({ order, replayed: true });
  const started = await startPayment(ctx, order.id);
  return started.ok ? ok({ order: started.value, replayed: true }) : started;
}

/** A `created` order is checked with the provider this long after (its answer may be lost). */
export const CREATED_CHECK_AFTER_MS = 60_000n;

/** The columns every new order starts with, whatever it buys: nothing paid, nothing known yet. */
function freshOrderColumns(ctx: SalesContext, nowMs: bigint) {
  return {
    status: 'created',
    provider: ctx.funding.name,
    provider_payment_id: null,
    redirect_url: null,
    virtual_account: null,
    instrument: null,
    failure_code: null,
    lease_until_ms: null,
    next_check_at_ms: nowMs + CREATED_CHECK_AFTER_MS,
    checks: 0n,
    refunded_minor: 0n,
    pins_shown_at_ms: null,
    created_at_ms: nowMs,
    updated_at_ms: nowMs,
    paid_at_ms: null,
    fulfilled_at_ms: null,
  } as const;
}

export interface RechargeOrderInput {
  readonly orderKey: string;
  readonly locale: Locale;
  readonly pin: string;
  readonly password: string;
  readonly amountMinor: bigint;
  readonly method: string;
  /** Where the receipt goes; the address on file when empty. */
  readonly email: string;
}

/** Midnight UTC of the day `ms` falls in. */
function dayStartMs(ms: bigint): bigint {
  return ms - (ms % 86_400_000n);
}

/**
 * A recharge order: PIN + password prove the card, the amount is checked against the single,
 * daily and maximum-balance limits, then the payment starts as for a purchase. The credit
 * happens only once the provider confirmed the money.
 */
export async function createRechargeOrder(
  ctx: SalesContext,
  input: RechargeOrderInput,
): Promise<Outcome<OrderStarted>> {
  if (!isOrderKey(input.orderKey)) return fail('parameter_invalid', 'order_key');
  const keyHash = orderKeyHash(ctx, input.orderKey);
  const before = await existingOrder(ctx, ctx.db.kysely, keyHash);
  if (before !== null) return resume(ctx, before);
  const method = checkMethod(input.method);
  if (!method.ok) return method;
  const signedIn = await authenticate(ctx.cards, { pin: input.pin, password: input.password });
  if (!signedIn.ok) return signedIn;
  const card: Card = signedIn.value;
  if (card.state !== 'active') return fail('card_not_active');
  // Sandbox money must not reach a live card, nor real money a test card.
  if (card.livemode !== ctx.fundingLivemode) return fail('card_mode_mismatch');
  const holder = await holderOf(ctx, ctx.db.kysely, card.id);
  const typed = input.email.trim();
  const email = typed === '' ? (holder?.email ?? '') : typed;
  if (!isEmail(email)) return fail('email_invalid', 'email');
  const nowMs = ctx.clock.nowMs();
  const id = newId('ord');
  const created = await writeTransaction(ctx.db, async (tx): Promise<Outcome<Order | null>> => {
    const again = await existingOrder(ctx, tx, keyHash);
    if (again !== null) return ok(again);
    const today = await salesTables(tx)
      .selectFrom('sales_order')
      .select((eb) => eb.fn.sum<bigint | number | string | null>('amount_minor').as('total'))
      .where('card_id', '=', card.id)
      .where('kind', '=', 'recharge')
      .where('created_at_ms', '>=', dayStartMs(nowMs))
      .where('status', 'not in', ['failed', 'reversed'])
      .executeTakeFirst();
    const balance = await cardBalance(ctx.cards, tx, card.id);
    if (!balance.ok) return balance;
    const refusal = checkRecharge({
      amountMinor: input.amountMinor,
      currency: card.currency,
      todayMinor: BigInt(today?.total ?? 0),
      valueMinor: balance.value.balanceMinor + balance.value.heldMinor,
    });
    if (refusal !== null) return fail(refusal, 'amount');
    await salesTables(tx)
      .insertInto('sales_order')
      .values({
        id,
        order_key: keyHash,
        kind: 'recharge',
        locale: input.locale,
        buyer_name: holder?.name ?? '',
        buyer_email: email,
        buyer_phone: holder?.phone ?? null,
        method: method.value,
        currency: card.currency,
        amount_minor: input.amountMinor,
        livemode: card.livemode ? 1n : 0n,
        card_id: card.id,
        ...freshOrderColumns(ctx, nowMs),
      })
      .execute();
    return ok(null);
  });
  if (!created.ok) return created;
  if (created.value !== null) return resume(ctx, created.value);
  const started = await startPayment(ctx, id);
  return started.ok ? ok({ order: started.value, replayed: false }) : started;
}
