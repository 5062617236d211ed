import { assert, fail, isCurrency, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { normalizeEmailAddress } from '../notify/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { ensureProviderAccounts } from './accounts.ts';
import { foreignTables, type ForeignContext } from './context.ts';
import { MARGIN_BPS_MAX } from './fx-rules.ts';
import { foreignId } from './ids.ts';
import type { ForeignProviderTable, ProviderState } from './tables.ts';

/** A foreign PIN provider (FIG. 9 "foreign prepaid card service provider"). */
export interface Provider {
  readonly id: string;
  readonly name: string;
  readonly currency: Currency;
  readonly contactEmail: string;
  readonly lowStockDefault: bigint;
  readonly marginBps: bigint;
  readonly state: ProviderState;
  readonly createdAtMs: bigint;
}

export const PROVIDER_NAME_CHARS_MAX = 80;
/** Thresholds above this are surely a typo. */
export const LOW_STOCK_MAX = 1_000_000n;

export function providerFromRow(row: ForeignProviderTable): Provider {
  assert(isCurrency(row.currency), 'stored currency is known');
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    contactEmail: row.contact_email,
    lowStockDefault: row.low_stock_default,
    marginBps: row.margin_bps,
    state: row.state,
    createdAtMs: row.created_at_ms,
  };
}

export async function loadProvider(
  executor: Executor,
  providerId: string,
): Promise<Provider | null> {
  const row = await foreignTables(executor)
    .selectFrom('foreign_provider')
    .selectAll()
    .where('id', '=', providerId)
    .executeTakeFirst();
  return row === undefined ? null : providerFromRow(row);
}

export interface ProviderInput {
  readonly name: string;
  readonly currency: string;
  readonly contactEmail: string;
  readonly lowStockDefault?: bigint;
  readonly marginBps?: bigint;
}

/** Adds a provider and opens its ledger accounts in its currency. */
export async function addProvider(
  ctx: ForeignContext,
  input: ProviderInput,
): Promise<Outcome<Provider>> {
  const name = input.name.trim();
  if (name === '' || [...name].length > PROVIDER_NAME_CHARS_MAX)
    return fail('name_invalid', 'name');
  if (!isCurrency(input.currency)) return fail('currency_invalid', 'currency');
  const currency = input.currency;
  const email = normalizeEmailAddress(input.contactEmail);
  if (email === null) return fail('email_invalid', 'contact_email');
  const lowStock = input.lowStockDefault ?? 10n;
  if (lowStock < 0n || lowStock > LOW_STOCK_MAX) return fail('parameter_invalid', 'low_stock');
  const margin = input.marginBps ?? 0n;
  if (margin < 0n || margin > MARGIN_BPS_MAX) return fail('parameter_invalid', 'margin_bps');
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<Provider>> => {
    const t = foreignTables(tx);
    const taken = await t
      .selectFrom('foreign_provider')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst();
    if (taken !== undefined) return fail('foreign_provider_exists', 'name');
    const row: ForeignProviderTable = {
      id: foreignId('fxp'),
      name,
      currency,
      contact_email: email,
      low_stock_default: lowStock,
      margin_bps: margin,
      state: 'active',
      created_at_ms: nowMs,
    };
    await t.insertInto('foreign_provider').values(row).execute();
    await ensureProviderAccounts(ctx, tx, row.id, currency, nowMs);
    return ok(providerFromRow(row));
  });
}

export async function listProviders(ctx: ForeignContext): Promise<Provider[]> {
  const rows = await foreignTables(ctx.db.kysely)
    .selectFrom('foreign_provider')
    .selectAll()
    .orderBy('name')
    .execute();
  return rows.map(providerFromRow);
}

export async function getProvider(
  ctx: ForeignContext,
  providerId: string,
): Promise<Outcome<Provider>> {
  const provider = await loadProvider(ctx.db.kysely, providerId);
  return provider === null ? fail('foreign_provider_not_found', 'provider') : ok(provider);
}

/** Suspends (no new quotes; switches in flight finish) or resumes a provider. */
export async function setProviderState(
  ctx: ForeignContext,
  providerId: string,
  state: ProviderState,
): Promise<Outcome<Provider>> {
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<Provider>> => {
    const updated = await foreignTables(tx)
      .updateTable('foreign_provider')
      .set({ state })
      .where('id', '=', providerId)
      .executeTakeFirst();
    if (updated.numUpdatedRows !== 1n) return fail('foreign_provider_not_found', 'provider');
    const provider = await loadProvider(tx, providerId);
    assert(provider !== null, 'the provider reads back');
    return ok(provider);
  });
}

/** A value's own low-stock threshold (null: back to the provider's default). */
export async function setStockThreshold(
  ctx: ForeignContext,
  input: {
    readonly providerId: string;
    readonly faceValueMinor: bigint;
    readonly threshold: bigint | null;
  },
): Promise<Outcome<null>> {
  if (input.faceValueMinor <= 0n) return fail('amount_must_be_positive', 'face_value');
  if (input.threshold !== null && (input.threshold < 0n || input.threshold > LOW_STOCK_MAX)) {
    return fail('parameter_invalid', 'threshold');
  }
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<null>> => {
    if ((await loadProvider(tx, input.providerId)) === null) {
      return fail('foreign_provider_not_found', 'provider');
    }
    await foreignTables(tx)
      .insertInto('foreign_stock_level')
      .values({
        provider_id: input.providerId,
        face_value_minor: input.faceValueMinor,
        threshold: input.threshold,
        alerted_at_ms: null,
      })
      .onConflict((oc) =>
        oc.columns(['provider_id', 'face_value_minor']).doUpdateSet({ threshold: input.threshold }),
      )
      .execute();
    return ok(null);
  });
}
