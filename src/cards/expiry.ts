import { assert } from '../kernel/index.ts';
import { availableBalance, isApplied, systemAccountId } from '../ledger/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { cardFromRow, loadCardRow, transitionCard } from './card-row.ts';
import { cardTables, type CardsContext } from './context.ts';
import type { CardTable } from './tables.ts';

export interface ExpiryReport {
  readonly expired: number;
  readonly sweptMinor: bigint;
}

/**
 * Moves what is left on an expired card to breakage. Held amounts cannot move yet: the card is
 * marked `breakage_open` and swept again once its holds are resolved.
 */
async function sweep(
  ctx: CardsContext,
  tx: Executor,
  row: CardTable,
  nowMs: bigint,
): Promise<bigint> {
  assert(row.account_id !== null, 'an expired card was sold');
  const account = await ctx.ledger.getAccount(tx, row.account_id);
  assert(account !== undefined, 'card account exists');
  const rest = availableBalance(account);
  if (rest > 0n) {
    const [result] = await ctx.ledger.transfer(
      tx,
      [
        {
          id: `brk_${row.id}_${nowMs}`,
          debitAccountId: row.account_id,
          creditAccountId: systemAccountId(account.currency, 'breakage'),
          amountMinor: rest,
          currency: account.currency,
          code: 'breakage',
          reference: row.serial,
        },
      ],
      nowMs,
    );
    assert(
      result !== undefined && isApplied(result),
      `breakage of ${row.id} applied: ${result ?? 'none'}`,
    );
  }
  const open = account.debitsPending > 0n ? 1n : 0n;
  if (open !== row.breakage_open) {
    await cardTables(tx)
      .updateTable('card')
      .set({ breakage_open: open })
      .where('id', '=', row.id)
      .execute();
  }
  return rest > 0n ? rest : 0n;
}

/** Expires cards past their validity and sweeps their balance; bounded per call. */
export async function expireDueCards(ctx: CardsContext, limit: number): Promise<ExpiryReport> {
  const nowMs = ctx.clock.nowMs();
  const due = await cardTables(ctx.db.kysely)
    .selectFrom('card')
    .select('id')
    .where('state', 'in', ['sold', 'active', 'suspended', 'locked'])
    .where('expires_at_ms', 'is not', null)
    .where('expires_at_ms', '<=', nowMs)
    .orderBy('expires_at_ms')
    .limit(limit)
    .execute();
  const reopened = await cardTables(ctx.db.kysely)
    .selectFrom('card')
    .select('id')
    .where('state', '=', 'expired')
    .where('breakage_open', '=', 1n)
    .limit(limit)
    .execute();
  let expired = 0;
  let sweptMinor = 0n;
  for (const { id } of due) {
    // Counted from the committed result, not inside the (retryable) transaction.
    const swept = await writeTransaction(ctx.db, async (tx) => {
      const row = await loadCardRow(ctx, tx, { id });
      if (row === undefined || row.expires_at_ms === null || row.expires_at_ms > nowMs) return null;
      const to = await transitionCard(tx, row, 'expire', 'validity ended', nowMs);
      if (to === null) return null;
      return sweep(ctx, tx, { ...row, state: 'expired' }, nowMs);
    });
    if (swept !== null) {
      expired += 1;
      sweptMinor += swept;
    }
  }
  for (const { id } of reopened) {
    sweptMinor += await writeTransaction(ctx.db, async (tx) => {
      const row = await loadCardRow(ctx, tx, { id });
      if (row === undefined || cardFromRow(row).state !== 'expired') return 0n;
      return sweep(ctx, tx, row, nowMs);
    });
  }
  return { expired, sweptMinor };
}

/** A card that the expiry job would expire (or has yet to sweep), and what it would book. */
export interface ExpiryPreviewLine {
  readonly cardId: string;
  readonly serial: string;
  readonly currency: string;
  readonly expiresAtMs: bigint;
  readonly state: string;
  /** Posted credits − posted debits − pending debits: what would move to breakage now. */
  readonly breakageMinor: bigint;
  /** Held amounts: swept later, once their holds are resolved (the card stays `breakage_open`). */
  readonly heldMinor: bigint;
}

export interface ExpiryPreview {
  readonly nowMs: bigint;
  readonly lines: readonly ExpiryPreviewLine[];
  /** Breakage per currency that the run would book. */
  readonly breakageByCurrency: ReadonlyMap<string, bigint>;
}

/**
 * The expiry job's simulate mode: the cards `expireDueCards` would expire at `nowMs` and the
 * breakage it would book, reading only (nothing is written, no transaction is opened).
 */
export async function previewExpiry(
  ctx: CardsContext,
  nowMs: bigint,
  limit: number,
): Promise<ExpiryPreview> {
  const rows = await cardTables(ctx.db.kysely)
    .selectFrom('card')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([
          eb('state', 'in', ['sold', 'active', 'suspended', 'locked']),
          eb('expires_at_ms', 'is not', null),
          eb('expires_at_ms', '<=', nowMs),
        ]),
        eb.and([eb('state', '=', 'expired'), eb('breakage_open', '=', 1n)]),
      ]),
    )
    .orderBy('expires_at_ms')
    .orderBy('id')
    .limit(limit)
    .execute();
  const lines: ExpiryPreviewLine[] = [];
  const breakageByCurrency = new Map<string, bigint>();
  for (const row of rows) {
    if (row.account_id === null || row.expires_at_ms === null) continue;
    const account = await ctx.ledger.getAccount(ctx.db.kysely, row.account_id);
    if (account === undefined) continue;
    const rest = availableBalance(account);
    const breakageMinor = rest > 0n ? rest : 0n;
    lines.push({
      cardId: row.id,
      serial: row.serial,
      currency: row.currency,
      expiresAtMs: row.expires_at_ms,
      state: row.state,
      breakageMinor,
      heldMinor: account.debitsPending,
    });
    breakageByCurrency.set(
      row.currency,
      (breakageByCurrency.get(row.currency) ?? 0n) + breakageMinor,
    );
  }
  return { nowMs, lines, breakageByCurrency };
}

/** A live card whose validity ends in a window, for notices and the expiring-balances report. */
export interface ExpiringCard {
  readonly cardId: string;
  readonly serial: string;
  readonly pinLast4: string;
  readonly state: string;
  readonly currency: string;
  readonly denominationId: string;
  readonly channel: string | null;
  readonly accountId: string;
  readonly expiresAtMs: bigint;
  readonly livemode: boolean;
}

/**
 * Sold/active cards expiring in (`fromMs`, `toMs`], soonest first (then by id), bounded; `after`
 * is the last card of the previous page.
 */
export async function cardsExpiringBetween(
  executor: Executor,
  fromMs: bigint,
  toMs: bigint,
  limit: number,
  after: { readonly expiresAtMs: bigint; readonly cardId: string } | null = null,
): Promise<ExpiringCard[]> {
  let query = cardTables(executor)
    .selectFrom('card')
    .selectAll()
    .where('state', 'in', ['sold', 'active'])
    .where('account_id', 'is not', null)
    .where('expires_at_ms', '>', fromMs)
    .where('expires_at_ms', '<=', toMs);
  if (after !== null) {
    query = query.where((eb) =>
      eb.or([
        eb('expires_at_ms', '>', after.expiresAtMs),
        eb.and([eb('expires_at_ms', '=', after.expiresAtMs), eb('id', '>', after.cardId)]),
      ]),
    );
  }
  const rows = await query.orderBy('expires_at_ms').orderBy('id').limit(limit).execute();
  return rows.flatMap((r) =>
    r.account_id === null || r.expires_at_ms === null
      ? []
      : [
          {
            cardId: r.id,
            serial: r.serial,
            pinLast4: r.pin_last4,
            state: r.state,
            currency: r.currency,
            denominationId: r.denomination_id,
            channel: r.channel,
            accountId: r.account_id,
            expiresAtMs: r.expires_at_ms,
            livemode: r.livemode === 1n,
          },
        ],
  );
}
