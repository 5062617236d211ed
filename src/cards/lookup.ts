import { fail, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { availableBalance } from '../ledger/index.ts';
import type { Executor } from '../storage/index.ts';
import { cardFromRow, loadCardRow, type Card } from './card-row.ts';
import { cardTables, type CardsContext } from './context.ts';

export interface CardBalance {
  readonly cardId: string;
  readonly currency: Currency;
  /** What the holder can spend now. */
  readonly balanceMinor: bigint;
  /** Held by pending authorizations or reservations. */
  readonly heldMinor: bigint;
  readonly state: Card['state'];
  readonly expiresAtMs: bigint | null;
}

export async function getCard(
  ctx: CardsContext,
  executor: Executor,
  by: { readonly id: string } | { readonly serial: string },
): Promise<Outcome<Card>> {
  const row = await loadCardRow(ctx, executor, by, { lock: false });
  return row === undefined
    ? fail('card_not_found', 'serial' in by ? 'serial' : 'card')
    : ok(cardFromRow(row));
}

export async function cardBalance(
  ctx: CardsContext,
  executor: Executor,
  cardId: string,
): Promise<Outcome<CardBalance>> {
  const found = await getCard(ctx, executor, { id: cardId });
  if (!found.ok) return found;
  const card = found.value;
  const account =
    card.accountId === null ? undefined : await ctx.ledger.getAccount(executor, card.accountId);
  return ok({
    cardId: card.id,
    currency: card.currency,
    balanceMinor: account ? availableBalance(account) : 0n,
    heldMinor: account?.debitsPending ?? 0n,
    state: card.state,
    expiresAtMs: card.expiresAtMs,
  });
}

export async function countCardsByState(executor: Executor): Promise<Record<string, bigint>> {
  const rows = await cardTables(executor)
    .selectFrom('card')
    .select((eb) => ['state', eb.fn.countAll<bigint>().as('n')])
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, BigInt(r.n)]));
}

/**
 * Reads a card inside the caller's write transaction and locks its row on PostgreSQL, so that
 * every money decision on the card (a reservation sized from its balance, a payment) is taken
 * one at a time. Lock order: card first, then the caller's own rows, then the ledger.
 */
export async function lockCard(
  ctx: CardsContext,
  tx: Executor,
  cardId: string,
): Promise<Outcome<Card>> {
  const row = await loadCardRow(ctx, tx, { id: cardId }, { lock: true });
  return row === undefined ? fail('card_not_found', 'card') : ok(cardFromRow(row));
}
