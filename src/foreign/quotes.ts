import { cardBalance, getCard } from '../cards/index.ts';
import { assert, fail, isCurrency, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { availableCount } from './alerts.ts';
import { foreignTables, type ForeignContext } from './context.ts';
import { switchPrice, type Rate } from './fx-rules.ts';
import { foreignId } from './ids.ts';
import { loadProvider } from './providers.ts';
import { rateInForce } from './rates.ts';
import type { ForeignQuoteTable, QuoteState } from './tables.ts';

/** A price for one foreign PIN, fixed for a short while (the policy's `quoteTtlMs`). */
export interface Quote {
  readonly id: string;
  readonly cardId: string;
  readonly providerId: string;
  readonly providerName: string;
  readonly faceValueMinor: bigint;
  readonly faceCurrency: Currency;
  /** What the holder pays, in the card's currency (the exact price rounded up). */
  readonly payMinor: bigint;
  readonly payCurrency: Currency;
  readonly rateText: string;
  readonly rate: Rate;
  readonly marginBps: bigint;
  /** `expired` once the time has passed, even before a sweep wrote it down. */
  readonly state: QuoteState;
  readonly createdAtMs: bigint;
  readonly expiresAtMs: bigint;
}

export function quoteFromRow(row: ForeignQuoteTable, providerName: string, nowMs: bigint): Quote {
  assert(isCurrency(row.face_currency) && isCurrency(row.pay_currency), 'stored currencies');
  return {
    id: row.id,
    cardId: row.card_id,
    providerId: row.provider_id,
    providerName,
    faceValueMinor: row.face_value_minor,
    faceCurrency: row.face_currency,
    payMinor: row.pay_minor,
    payCurrency: row.pay_currency,
    rateText: row.rate_text,
    rate: { num: BigInt(row.rate_num), den: BigInt(row.rate_den) },
    marginBps: row.margin_bps,
    state: row.state === 'open' && nowMs >= row.expires_at_ms ? 'expired' : row.state,
    createdAtMs: row.created_at_ms,
    expiresAtMs: row.expires_at_ms,
  };
}

export async function loadQuoteRow(
  ctx: ForeignContext,
  executor: Executor,
  quoteId: string,
  options: { readonly lock?: boolean } = {},
): Promise<ForeignQuoteTable | undefined> {
  let query = foreignTables(executor)
    .selectFrom('foreign_quote')
    .selectAll()
    .where('id', '=', quoteId);
  if (options.lock === true && ctx.db.dialect === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

/**
 * Prices a foreign PIN of `faceValueMinor` (provider currency) for a card: the provider's
 * rate in force, its margin, rounded up to the card currency's minor unit. Refused, with
 * nothing stored, when the provider has no PIN of that value left (`foreign_pool_empty`), no
 * rate is in force (`fx_rate_not_found`), or the card cannot pay it now.
 */
export async function createQuote(
  ctx: ForeignContext,
  input: { readonly cardId: string; readonly providerId: string; readonly faceValueMinor: bigint },
): Promise<Outcome<Quote>> {
  if (input.faceValueMinor <= 0n) return fail('amount_must_be_positive', 'face_value');
  const nowMs = ctx.clock.nowMs();
  const db = ctx.db.kysely;
  const provider = await loadProvider(db, input.providerId);
  if (provider === null) return fail('foreign_provider_not_found', 'provider');
  if (provider.state !== 'active') return fail('foreign_provider_suspended', 'provider');
  const found = await getCard(ctx.cards, db, { id: input.cardId });
  if (!found.ok) return found;
  const card = found.value;
  if (card.state === 'locked') return fail('card_locked');
  if (card.state !== 'active') return fail('card_not_active');
  // A test card holds money that was never paid: it must not buy a real partner PIN.
  if (!card.livemode) return fail('card_mode_mismatch');
  if ((await availableCount(db, provider.id, input.faceValueMinor)) === 0n) {
    return fail('foreign_pool_empty', 'face_value');
  }
  const rate = await rateInForce(ctx, db, provider.currency, card.currency, nowMs);
  if (rate === null) {
    return fail('fx_rate_not_found', 'rate', `${provider.currency}/${card.currency}`);
  }
  const price = switchPrice({
    faceMinor: input.faceValueMinor,
    faceCurrency: provider.currency,
    payCurrency: card.currency,
    rate: rate.rate,
    marginBps: provider.marginBps,
  });
  const balance = await cardBalance(ctx.cards, db, card.id);
  if (!balance.ok) return balance;
  if (balance.value.balanceMinor < price.payMinor) return fail('insufficient_funds', 'amount');
  const row: ForeignQuoteTable = {
    id: foreignId('fxq'),
    card_id: card.id,
    provider_id: provider.id,
    face_value_minor: input.faceValueMinor,
    face_currency: provider.currency,
    pay_minor: price.payMinor,
    pay_currency: card.currency,
    rate_id: rate.id,
    rate_text: rate.text,
    rate_num: rate.rate.num.toString(),
    rate_den: rate.rate.den.toString(),
    margin_bps: provider.marginBps,
    state: 'open',
    created_at_ms: nowMs,
    expires_at_ms: nowMs + ctx.policy.quoteTtlMs,
  };
  await writeTransaction(ctx.db, (tx) =>
    foreignTables(tx).insertInto('foreign_quote').values(row).execute(),
  );
  return ok(quoteFromRow(row, provider.name, nowMs));
}

/** A card's own quote (another card's quote is "not found"). */
export async function getQuote(
  ctx: ForeignContext,
  input: { readonly quoteId: string; readonly cardId: string },
): Promise<Outcome<Quote>> {
  const row = await loadQuoteRow(ctx, ctx.db.kysely, input.quoteId);
  if (row?.card_id !== input.cardId) return fail('fx_quote_not_found', 'quote');
  const provider = await loadProvider(ctx.db.kysely, row.provider_id);
  return ok(quoteFromRow(row, provider?.name ?? row.provider_id, ctx.clock.nowMs()));
}

/** One value a holder can switch into now, with its price at the rate in force (if any). */
export interface Offer {
  readonly providerId: string;
  readonly providerName: string;
  readonly faceValueMinor: bigint;
  readonly faceCurrency: Currency;
  /** What it would cost now, before a quote fixes it; null when no rate is in force. */
  readonly indicativePayMinor: bigint | null;
}

/** Every value with at least one PIN available, of every active provider, priced for a card currency. */
export async function listOffers(ctx: ForeignContext, payCurrency: Currency): Promise<Offer[]> {
  const db = ctx.db.kysely;
  const nowMs = ctx.clock.nowMs();
  const rows = await foreignTables(db)
    .selectFrom('foreign_pin as n')
    .innerJoin('foreign_provider as p', 'p.id', 'n.provider_id')
    .select(['p.id as id', 'n.face_value_minor as face_value_minor'])
    .distinct()
    .where('p.state', '=', 'active')
    .where('n.state', '=', 'available')
    .execute();
  const offers: Offer[] = [];
  for (const r of rows) {
    const provider = await loadProvider(db, r.id);
    if (provider === null) continue;
    const rate = await rateInForce(ctx, db, provider.currency, payCurrency, nowMs);
    offers.push({
      providerId: provider.id,
      providerName: provider.name,
      faceValueMinor: r.face_value_minor,
      faceCurrency: provider.currency,
      indicativePayMinor:
        rate === null
          ? null
          : switchPrice({
              faceMinor: r.face_value_minor,
              faceCurrency: provider.currency,
              payCurrency,
              rate: rate.rate,
              marginBps: provider.marginBps,
            }).payMinor,
    });
  }
  return offers.sort((a, b) =>
    a.providerName !== b.providerName
      ? a.providerName < b.providerName
        ? -1
        : 1
      : a.faceValueMinor < b.faceValueMinor
        ? -1
        : a.faceValueMinor > b.faceValueMinor
          ? 1
          : 0,
  );
}
