import { formatPin, getCard, sellCard } from '../cards/index.ts';
import { derivedId, fail, ok, type Outcome } from '../kernel/index.ts';
import { enqueueSms } from '../notify/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { getCarrier } from './carriers.ts';
import { carrierId, carrierTables, openPin, type CarriersContext } from './context.ts';
import { normalizePhone, serialOf } from './rules.ts';
import type { CarrierSaleState } from './tables.ts';

export interface SaleReportInput {
  readonly carrierId: string;
  /** The carrier's own id of the sale: unique per carrier; a duplicate gets the first answer. */
  readonly reportId: string;
  readonly serial: string;
  readonly phone: string;
  readonly priceMinor: bigint;
  readonly soldAtMs: bigint;
}

export interface CarrierSale {
  readonly id: string;
  readonly carrierId: string;
  readonly reportId: string;
  readonly cardId: string;
  readonly serial: string;
  readonly phone: string;
  readonly priceMinor: bigint;
  readonly soldAtMs: bigint;
  readonly transferId: string | null;
  readonly smsId: string | null;
  readonly state: CarrierSaleState;
  /** True when this report had been answered before: nothing new happened. */
  readonly replayed: boolean;
}

/** The SMS to the buyer: the PIN (the product) and where to register a password. */
export function pinSmsText(pin: string, faceValueMinor: bigint, siteUrl: string): string {
  return `[OnePIN] ${faceValueMinor}원 PIN ${formatPin(pin)}\n비밀번호 등록: ${siteUrl}/carrier/register`;
}

/**
 * A carrier reports a sale: the card from its pool is sold (loaded with its face value from the
 * carrier's receivable) and the PIN goes to the buyer by SMS. Crash-safe in three steps, each
 * re-run by the same report: the report is recorded; the card is sold (a derived transfer id,
 * so never twice); the SMS is queued with the state `loaded` in one transaction (one SMS per
 * sale, ever). A duplicate report with the same content is answered with the first result;
 * with other content it is refused (`carrier_sale_conflict`).
 */
export async function reportSale(
  ctx: CarriersContext,
  input: SaleReportInput,
): Promise<Outcome<CarrierSale>> {
  const carrier = await getCarrier(ctx, input.carrierId);
  if (!carrier.ok) return carrier;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(input.reportId))
    return fail('parameter_invalid', 'report_id', '1–64 letters, digits, _ . : -');
  const serial = serialOf(input.serial);
  if (serial === null) return fail('parameter_invalid', 'serial');
  const phone = normalizePhone(input.phone);
  if (phone === null) return fail('phone_invalid', 'phone');
  if (input.priceMinor < 0n) return fail('parameter_invalid', 'price_minor');
  const nowMs = ctx.clock.nowMs();
  const pool = await carrierTables(ctx.db.kysely)
    .selectFrom('carrier_pin')
    .selectAll()
    .where('serial', '=', serial)
    .executeTakeFirst();
  if (pool?.carrier_id !== carrier.value.id) return fail('carrier_pin_not_in_pool', 'serial');
  if (input.priceMinor !== pool.face_value_minor)
    return fail(
      'carrier_sale_price_mismatch',
      'price_minor',
      `the face value is ${pool.face_value_minor}`,
    );

  // Step 1: the report, once per (carrier, report id).
  const recorded = await writeTransaction(
    ctx.db,
    async (tx): Promise<Outcome<{ id: string; replayed: boolean }>> => {
      const t = carrierTables(tx);
      const same = await t
        .selectFrom('carrier_sale')
        .selectAll()
        .where('carrier_id', '=', carrier.value.id)
        .where('report_id', '=', input.reportId)
        .executeTakeFirst();
      if (same !== undefined) {
        if (
          same.serial !== serial ||
          same.phone !== phone ||
          same.price_minor !== input.priceMinor ||
          same.sold_at_ms !== input.soldAtMs
        )
          return fail(
            'carrier_sale_conflict',
            'report_id',
            'this report id was used for another sale',
          );
        return ok({ id: same.id, replayed: same.state !== 'reported' });
      }
      const other = await t
        .selectFrom('carrier_sale')
        .select('report_id')
        .where('card_id', '=', pool.card_id)
        .executeTakeFirst();
      if (other !== undefined)
        return fail('carrier_pin_sold', 'serial', `already reported as ${other.report_id}`);
      const id = carrierId('csl');
      await t
        .insertInto('carrier_sale')
        .values({
          id,
          carrier_id: carrier.value.id,
          report_id: input.reportId,
          card_id: pool.card_id,
          serial,
          phone,
          price_minor: input.priceMinor,
          sold_at_ms: input.soldAtMs,
          transfer_id: null,
          sms_id: null,
          state: 'reported',
          created_at_ms: nowMs,
          loaded_at_ms: null,
          registered_at_ms: null,
        })
        .execute();
      return ok({ id, replayed: false });
    },
  );
  if (!recorded.ok) return recorded;
  if (recorded.value.replayed) return loadSale(ctx, recorded.value.id, true);

  // Step 2: the card is sold, unless an earlier run did it.
  const card = await getCard(ctx.cards, ctx.db.kysely, { id: pool.card_id });
  if (!card.ok) return card;
  let transferId: string;
  if (card.value.state === 'issued' || card.value.state === 'consigned') {
    const sold = await sellCard(ctx.cards, {
      serial,
      channel: 'carrier',
      activationKind: 'otp',
      debitAccountId: carrier.value.accountId,
      reference: recorded.value.id,
    });
    if (!sold.ok) return sold;
    transferId = sold.value.transferId;
  } else if (card.value.soldAtMs !== null && card.value.channel === 'carrier') {
    transferId = derivedId('sale', card.value.id);
  } else {
    return fail('card_state_invalid', 'serial');
  }

  // Step 3: the PIN by SMS, and the sale is loaded — together.
  const pin = openPin(ctx.pinKey, pool.card_id, { nonce: pool.pin_nonce, sealed: pool.pin_sealed });
  const text = pinSmsText(pin, pool.face_value_minor, ctx.notify.publicUrl);
  const done = await writeTransaction(ctx.db, async (tx): Promise<Outcome<true>> => {
    const sms = await enqueueSms(ctx.notify, tx, {
      to: phone,
      text,
      purpose: 'carrier_pin',
      reference: `carrier_sale:${recorded.value.id}`,
    });
    if (!sms.ok) return sms;
    await carrierTables(tx)
      .updateTable('carrier_sale')
      .set({ state: 'loaded', transfer_id: transferId, sms_id: sms.value.id, loaded_at_ms: nowMs })
      .where('id', '=', recorded.value.id)
      .where('state', '=', 'reported')
      .execute();
    return ok(true);
  });
  if (!done.ok) return done;
  return loadSale(ctx, recorded.value.id, false);
}

async function loadSale(
  ctx: CarriersContext,
  id: string,
  replayed: boolean,
): Promise<Outcome<CarrierSale>> {
  const row = await carrierTables(ctx.db.kysely)
    .selectFrom('carrier_sale')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) return fail('carrier_sale_not_found');
  return ok({
    id: row.id,
    carrierId: row.carrier_id,
    reportId: row.report_id,
    cardId: row.card_id,
    serial: row.serial,
    phone: row.phone,
    priceMinor: row.price_minor,
    soldAtMs: row.sold_at_ms,
    transferId: row.transfer_id,
    smsId: row.sms_id,
    state: row.state,
    replayed,
  });
}
