import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { findDenomination, issueCards, moveStock } from '../cards/index.ts';
import { fail, isCurrency, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { CHART, ensureSystemAccounts } from '../ledger/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { carrierId, carrierTables, sealPin, type CarriersContext } from './context.ts';
import type { CarrierTable } from './tables.ts';

export interface Carrier {
  readonly id: string;
  readonly name: string;
  readonly currency: Currency;
  readonly commissionBps: bigint;
  /** Its `carrier_receivable` account: what it owes us for the PINs it sold. */
  readonly accountId: string;
  readonly keyId: string | null;
  readonly createdAtMs: bigint;
}

export function carrierFromRow(row: CarrierTable): Carrier {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency as Currency,
    commissionBps: row.commission_bps,
    accountId: row.account_id,
    keyId: row.key_id,
    createdAtMs: row.created_at_ms,
  };
}

export function receivableAccountId(id: string): string {
  return `acc_carrier_${id}`;
}

/** Adds a carrier and opens its `carrier_receivable` account. */
export async function addCarrier(
  ctx: CarriersContext,
  input: { readonly name: string; readonly currency?: string; readonly commissionBps: bigint },
): Promise<Outcome<Carrier>> {
  const name = input.name.trim();
  if (name === '' || name.length > 80) return fail('parameter_invalid', 'name', '1–80 characters');
  const currency = input.currency ?? 'KRW';
  if (!isCurrency(currency)) return fail('parameter_invalid', 'currency');
  if (input.commissionBps < 0n || input.commissionBps > 10_000n)
    return fail('parameter_invalid', 'commission_bps', '0–10000');
  const nowMs = ctx.clock.nowMs();
  const id = carrierId('car');
  const accountId = receivableAccountId(id);
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<Carrier>> => {
    const same = await carrierTables(tx)
      .selectFrom('carrier')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst();
    if (same !== undefined) return fail('carrier_exists', 'name');
    await ensureSystemAccounts(ctx.ledger, tx, currency, nowMs);
    const [created] = await ctx.ledger.createAccounts(
      tx,
      [
        {
          id: accountId,
          currency,
          code: 'carrier_receivable',
          flags: CHART.carrier_receivable.flags,
          ownerRef: id,
        },
      ],
      nowMs,
    );
    if (created !== 'ok' && created !== 'exists')
      return fail('ledger_rejected', undefined, created);
    const row: CarrierTable = {
      id,
      name,
      currency,
      commission_bps: input.commissionBps,
      account_id: accountId,
      key_id: null,
      key_hash: null,
      created_at_ms: nowMs,
    };
    await carrierTables(tx).insertInto('carrier').values(row).execute();
    return ok(carrierFromRow(row));
  });
}

export async function listCarriers(ctx: CarriersContext): Promise<readonly Carrier[]> {
  const rows = await carrierTables(ctx.db.kysely)
    .selectFrom('carrier')
    .selectAll()
    .orderBy('name')
    .execute();
  return rows.map(carrierFromRow);
}

/** A carrier by id or name. */
export async function getCarrier(
  ctx: CarriersContext,
  idOrName: string,
): Promise<Outcome<Carrier>> {
  const row = await carrierTables(ctx.db.kysely)
    .selectFrom('carrier')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
  return row === undefined ? fail('carrier_not_found', 'carrier') : ok(carrierFromRow(row));
}

function keyHash(secret: string): string {
  return createHash('sha256').update(`carrier_key:${secret}`).digest('base64url');
}

/**
 * A new API key for the carrier's sale reports (the old one stops working): `ck_<id>_<secret>`,
 * shown once with its signing secret; only a hash of the key is kept (docs/carriers.md).
 */
/** The secret a carrier signs its requests with: derived from the key id, shown with the key. */
export function carrierSigningSecret(ctx: CarriersContext, keyId: string): string {
  return `cs_${createHmac('sha256', ctx.pinKey).update(`carrier_signing:${keyId}`).digest('base64url')}`;
}

export async function newCarrierKey(
  ctx: CarriersContext,
  id: string,
): Promise<
  Outcome<{ readonly key: string; readonly keyId: string; readonly signingSecret: string }>
> {
  const keyId = `ck_${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(24).toString('base64url');
  const updated = await carrierTables(ctx.db.kysely)
    .updateTable('carrier')
    .set({ key_id: keyId, key_hash: keyHash(secret) })
    .where('id', '=', id)
    .executeTakeFirst();
  if (updated.numUpdatedRows !== 1n) return fail('carrier_not_found', 'carrier');
  return ok({ key: `${keyId}.${secret}`, keyId, signingSecret: carrierSigningSecret(ctx, keyId) });
}

/** The carrier a presented key belongs to, or `carrier_key_invalid`. */
export async function carrierByKey(ctx: CarriersContext, key: string): Promise<Outcome<Carrier>> {
  const m = /^(ck_[0-9a-f]{12})\.([A-Za-z0-9_-]{32})$/.exec(key);
  if (m === null) return fail('carrier_key_invalid');
  const row = await carrierTables(ctx.db.kysely)
    .selectFrom('carrier')
    .selectAll()
    .where('key_id', '=', m[1] ?? '')
    .executeTakeFirst();
  if (row === undefined || row.key_hash === null) return fail('carrier_key_invalid');
  const a = Buffer.from(row.key_hash);
  const b = Buffer.from(keyHash(m[2] ?? ''));
  if (a.length !== b.length || !timingSafeEqual(a, b)) return fail('carrier_key_invalid');
  return ok(carrierFromRow(row));
}

export interface ProvisionReport {
  readonly carrierId: string;
  readonly count: number;
  readonly serialFirst: string;
  readonly serialLast: string;
}

/**
 * Provisions a PIN pool to a carrier: `count` new cards of a denomination, issued without value and
 * consigned to the carrier (state `consigned`: they cannot be spent or activated), their PINs sealed for the SMS the sale
 * will send. Nothing is booked: value enters a card only when the carrier reports its sale.
 */
export async function provisionPins(
  ctx: CarriersContext,
  input: { readonly carrierId: string; readonly denominationId: string; readonly count: number },
): Promise<Outcome<ProvisionReport>> {
  const carrier = await getCarrier(ctx, input.carrierId);
  if (!carrier.ok) return carrier;
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > 100_000)
    return fail('parameter_invalid', 'count', '1–100000');
  const denomination = await findDenomination(ctx.db.kysely, input.denominationId);
  if (denomination === undefined) return fail('parameter_invalid', 'denomination');
  const nowMs = ctx.clock.nowMs();
  const chunks: { cardId: string; serial: string; sealed: { nonce: string; sealed: string } }[][] =
    [];
  const issued = await issueCards(ctx.cards, {
    denominationId: input.denominationId,
    count: input.count,
    collect: false,
    // Sealed here, written below: each chunk is committed before this is called.
    onChunk: (cards) => {
      // In parts of 400 rows: 7 columns each stays under SQLite's bound-parameter limit.
      for (let i = 0; i < cards.length; i += 400)
        chunks.push(
          cards.slice(i, i + 400).map((c) => ({
            cardId: c.cardId,
            serial: c.serial,
            sealed: sealPin(ctx.pinKey, c.cardId, c.pin),
          })),
        );
    },
  });
  if (!issued.ok) return issued;
  const face = denomination.amountMinor;
  for (const chunk of chunks) {
    await writeTransaction(ctx.db, async (tx) => {
      const t = carrierTables(tx);
      const ids = chunk.map((c) => c.cardId);
      const reason = `consigned to carrier ${carrier.value.name} (${carrier.value.id})`;
      await moveStock(tx, { cardIds: ids, transition: 'consign', reason, nowMs });
      await t
        .insertInto('carrier_pin')
        .values(
          chunk.map((c) => ({
            card_id: c.cardId,
            serial: c.serial,
            carrier_id: carrier.value.id,
            pin_nonce: c.sealed.nonce,
            pin_sealed: c.sealed.sealed,
            face_value_minor: face,
            provisioned_at_ms: nowMs,
          })),
        )
        .execute();
    });
  }
  return ok({
    carrierId: carrier.value.id,
    count: issued.value.count,
    serialFirst: issued.value.serialFirst,
    serialLast: issued.value.serialLast,
  });
}
