import {
  cardBalance,
  getCard,
  issueCards,
  rechargeCard,
  renewActivationSecret,
  sellCard,
} from '../cards/index.ts';
import { derivedId, fail, limits, ok, type ErrorCode, type Outcome } from '../kernel/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { salesTables, type SalesContext } from './context.ts';
import { enqueueOrderEmail } from './emails.ts';
import { upsertHolder } from './holders.ts';
import { loadOrderRow, orderFromRow, type Order } from './order-row.ts';
import { seal, unseal } from './seal.ts';

/** How long one fulfilment may hold an order before another worker may take it over. */
export const FULFIL_LEASE_MS = 2n * 60_000n;

/** Takes the order for fulfilment, or says who has it: only one worker fulfils at a time. */
async function claim(ctx: SalesContext, orderId: string): Promise<boolean> {
  const nowMs = ctx.clock.nowMs();
  const result = await salesTables(ctx.db.kysely)
    .updateTable('sales_order')
    .set({ status: 'fulfilling', lease_until_ms: nowMs + FULFIL_LEASE_MS, updated_at_ms: nowMs })
    .where('id', '=', orderId)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'paid'),
        eb.and([eb('status', '=', 'fulfilling'), eb('lease_until_ms', '<', nowMs)]),
      ]),
    )
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** The error that makes an order unfulfillable (it is then paid back), or null to retry later. */
type Step = { readonly ok: true } | { readonly ok: false; readonly permanent: ErrorCode | null };

/**
 * Phase 3: a paid order becomes cards (a purchase) or value on a card (a recharge), exactly
 * once. Each step is recorded before the next; run again after a crash, it skips what is done.
 * An order that cannot be fulfilled (the denomination was withdrawn, the card cannot take the
 * value any more) is reversed: the whole payment goes back to the buyer.
 */
export async function fulfilOrder(ctx: SalesContext, orderId: string): Promise<Outcome<Order>> {
  if (!(await claim(ctx, orderId))) {
    const row = await loadOrderRow(ctx, ctx.db.kysely, orderId);
    return row === undefined ? fail('order_not_found') : ok(orderFromRow(row));
  }
  const row = await loadOrderRow(ctx, ctx.db.kysely, orderId);
  if (row === undefined) return fail('order_not_found');
  const order = orderFromRow(row);
  const step =
    order.kind === 'purchase' ? await fulfilPurchase(ctx, order) : await fulfilRecharge(ctx, order);
  if (!step.ok) {
    if (step.permanent !== null) return reverseOrder(ctx, order, step.permanent);
    // A passing trouble (database busy, …): let the lease run out and the completer retry.
    return ok(order);
  }
  return finish(ctx, order);
}

async function fulfilPurchase(ctx: SalesContext, order: Order): Promise<Step> {
  const lines = await salesTables(ctx.db.kysely)
    .selectFrom('sales_order_line')
    .selectAll()
    .where('order_id', '=', order.id)
    .orderBy('line_no')
    .execute();
  for (const line of lines) {
    const have = await salesTables(ctx.db.kysely)
      .selectFrom('sales_order_card')
      .select((eb) => eb.fn.countAll<bigint | number | string>().as('n'))
      .where('order_id', '=', order.id)
      .where('line_no', '=', line.line_no)
      .executeTakeFirstOrThrow();
    const need = Number(line.quantity) - Number(have.n);
    if (need <= 0) continue;
    const issued = await issueCards(ctx.cards, {
      denominationId: line.denomination_id,
      count: need,
      livemode: order.livemode,
    });
    if (!issued.ok) return { ok: false, permanent: issued.error.code };
    // A crash between the issue and this record leaves unsold stock without value (and its
    // PINs unknown): harmless, and the next run issues fresh cards for the line.
    await writeTransaction(ctx.db, async (tx) => {
      await salesTables(tx)
        .insertInto('sales_order_card')
        .values(
          issued.value.cards.map((c) => ({
            order_id: order.id,
            card_id: c.cardId,
            line_no: line.line_no,
            serial: c.serial,
            pin_last4: c.pin.slice(-4),
            face_value_minor: line.unit_minor,
            pin_sealed: seal(ctx.sealKey, c.cardId, c.pin),
            secret_sealed: null,
            handover: null,
            handed_over_at_ms: null,
            refunded_minor: 0n,
          })),
        )
        .execute();
    });
  }
  const cards = await salesTables(ctx.db.kysely)
    .selectFrom('sales_order_card')
    .selectAll()
    .where('order_id', '=', order.id)
    .execute();
  for (const c of cards) {
    if (c.secret_sealed !== null) continue;
    const card = await getCard(ctx.cards, ctx.db.kysely, { id: c.card_id });
    if (!card.ok) return { ok: false, permanent: card.error.code };
    let secret: string;
    if (card.value.state === 'issued') {
      const sold = await sellCard(ctx.cards, {
        serial: c.serial,
        channel: 'web',
        activationKind: 'claim_link',
        reference: order.id,
      });
      if (!sold.ok) return { ok: false, permanent: sold.error.code };
      secret = sold.value.activationSecret;
    } else {
      // Sold by an earlier run that crashed before keeping the secret: make a new one.
      const renewed = await writeTransaction(ctx.db, (tx) =>
        renewActivationSecret(ctx.cards, tx, {
          cardId: c.card_id,
          kind: 'claim_link',
          expiresAtMs: ctx.clock.nowMs() + limits.activationSecretTtlMs,
        }),
      );
      if (!renewed.ok) return { ok: false, permanent: renewed.error.code };
      secret = renewed.value.secret;
    }
    await writeTransaction(ctx.db, async (tx) => {
      await salesTables(tx)
        .updateTable('sales_order_card')
        .set({ secret_sealed: seal(ctx.sealKey, `${c.card_id}:secret`, secret) })
        .where('card_id', '=', c.card_id)
        .execute();
      await upsertHolder(ctx, tx, {
        cardId: c.card_id,
        name: order.buyerName,
        email: order.buyerEmail,
        phone: order.buyerPhone,
        locale: order.locale,
      });
    });
  }
  return { ok: true };
}

async function fulfilRecharge(ctx: SalesContext, order: Order): Promise<Step> {
  if (order.cardId === null) return { ok: false, permanent: 'card_not_found' };
  const credited = await rechargeCard(ctx.cards, {
    cardId: order.cardId,
    amountMinor: order.amountMinor,
    currency: order.currency,
    transferId: derivedId('rch', order.id),
    reference: order.id,
  });
  if (!credited.ok) return { ok: false, permanent: credited.error.code };
  return { ok: true };
}

async function finish(ctx: SalesContext, order: Order): Promise<Outcome<Order>> {
  const nowMs = ctx.clock.nowMs();
  let last4 = '';
  let balanceAfter: bigint | undefined;
  if (order.kind === 'recharge' && order.cardId !== null) {
    const card = await getCard(ctx.cards, ctx.db.kysely, { id: order.cardId });
    if (card.ok) last4 = card.value.pinLast4;
    const balance = await cardBalance(ctx.cards, ctx.db.kysely, order.cardId);
    if (balance.ok) balanceAfter = balance.value.balanceMinor;
  }
  return writeTransaction(ctx.db, async (tx) => {
    await salesTables(tx)
      .updateTable('sales_order')
      .set({
        status: 'fulfilled',
        fulfilled_at_ms: nowMs,
        lease_until_ms: null,
        updated_at_ms: nowMs,
      })
      .where('id', '=', order.id)
      .where('status', '=', 'fulfilling')
      .execute();
    const row = await loadOrderRow(ctx, tx, order.id);
    if (row === undefined) return fail('order_not_found');
    const done = orderFromRow(row);
    if (done.kind === 'purchase') await enqueueOrderEmail(ctx, tx, done, 'order_receipt');
    else
      await enqueueOrderEmail(ctx, tx, done, 'recharge_receipt', {
        cardLast4: last4,
        ...(balanceAfter !== undefined ? { balanceAfterMinor: balanceAfter } : {}),
      });
    return ok(done);
  });
}

/**
 * A paid order that cannot be fulfilled is paid back in full at the provider, then recorded as
 * reversed. Only an order with no card sold yet is reversed automatically (issuing fails before
 * any sale in practice); one with cards sold stays `fulfilling` for an operator. If the provider
 * does not answer, the lease runs out and the completer retries.
 */
async function reverseOrder(
  ctx: SalesContext,
  order: Order,
  code: ErrorCode,
): Promise<Outcome<Order>> {
  const sold = await salesTables(ctx.db.kysely)
    .selectFrom('sales_order_card')
    .select('card_id')
    .where('order_id', '=', order.id)
    .where('secret_sealed', 'is not', null)
    .executeTakeFirst();
  if (sold !== undefined || order.providerPaymentId === null) {
    return fail('order_state_invalid', undefined, `cannot reverse automatically: ${code}`);
  }
  const refund = await ctx.funding.refund({
    paymentId: order.providerPaymentId,
    amountMinor: order.amountMinor,
    reference: `reverse_${order.id}`,
  });
  if (!refund.ok) return refund;
  const nowMs = ctx.clock.nowMs();
  await salesTables(ctx.db.kysely)
    .updateTable('sales_order')
    .set({
      status: 'reversed',
      failure_code: code,
      refunded_minor: order.amountMinor,
      lease_until_ms: null,
      updated_at_ms: nowMs,
    })
    .where('id', '=', order.id)
    .where('status', '=', 'fulfilling')
    .execute();
  const row = await loadOrderRow(ctx, ctx.db.kysely, order.id);
  return row === undefined ? fail('order_not_found') : ok(orderFromRow(row));
}

/** The PIN waiting for the buyer, or null once it was handed over. */
export function unsealPin(ctx: SalesContext, cardId: string, sealed: string | null): string | null {
  return sealed === null ? null : unseal(ctx.sealKey, cardId, sealed);
}

export function unsealSecret(
  ctx: SalesContext,
  cardId: string,
  sealed: string | null,
): string | null {
  return sealed === null ? null : unseal(ctx.sealKey, `${cardId}:secret`, sealed);
}
