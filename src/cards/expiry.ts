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
