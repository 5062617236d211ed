import { fail, limits, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { availableBalance, journalPage } from '../ledger/index.ts';
import type { Executor } from '../storage/index.ts';
import { cardFromRow, loadCardRow } from './card-row.ts';
import type { CardsContext } from './context.ts';

export interface StatementEntry {
  readonly seq: bigint;
  readonly atMs: bigint;
  /** The business reason: sale, recharge, authorization, capture, refund, breakage, … */
  readonly kind: string;
  /** Change of the available balance: positive is value in, negative is value out or held. */
  readonly amountMinor: bigint;
  /** Change of the held (pending) amount. */
  readonly heldChangeMinor: bigint;
  readonly balanceAfterMinor: bigint;
  readonly heldAfterMinor: bigint;
  readonly reference: string;
  readonly transferId: string;
  /** The other side: an associate, a service or a funding account. */
  readonly counterparty: { readonly code: string; readonly ownerRef: string | null };
}

export interface StatementQuery {
  readonly fromMs?: bigint;
  readonly toMs?: bigint;
  readonly kinds?: readonly string[];
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
  readonly limit?: number;
}

export interface Statement {
  readonly cardId: string;
  readonly currency: Currency;
  readonly balanceMinor: bigint;
  readonly heldMinor: bigint;
  readonly entries: readonly StatementEntry[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

/** A card's usage statement: every entry, newest first, with the balance after it. */
export async function cardStatement(
  ctx: CardsContext,
  executor: Executor,
  cardId: string,
  q: StatementQuery = {},
): Promise<Outcome<Statement>> {
  const limit = q.limit ?? limits.pageSizeDefault;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > limits.pageSizeMax)
    return fail('parameter_invalid', 'limit');
  if (q.fromMs !== undefined && q.toMs !== undefined && q.fromMs >= q.toMs)
    return fail('period_invalid', 'from');
  let beforeSeq: bigint | undefined;
  if (q.cursor !== undefined) {
    if (!/^[0-9]{1,19}$/.test(q.cursor)) return fail('parameter_invalid', 'cursor');
    beforeSeq = BigInt(q.cursor);
  }
  const row = await loadCardRow(ctx, executor, { id: cardId }, { lock: false });
  if (row === undefined) return fail('card_not_found', 'card');
  const card = cardFromRow(row);
  if (card.accountId === null) {
    return ok({
      cardId,
      currency: card.currency,
      balanceMinor: 0n,
      heldMinor: 0n,
      entries: [],
      nextCursor: null,
    });
  }
  const account = await ctx.ledger.getAccount(executor, card.accountId);
  const page = await journalPage(executor, {
    accountId: card.accountId,
    limit: limit + 1,
    ...(beforeSeq !== undefined ? { beforeSeq } : {}),
    ...(q.fromMs !== undefined ? { fromMs: q.fromMs } : {}),
    ...(q.toMs !== undefined ? { toMs: q.toMs } : {}),
    ...(q.kinds !== undefined ? { codes: q.kinds } : {}),
  });
  const entries = page.slice(0, limit).map((e) => ({
    seq: e.seq,
    atMs: e.createdAtMs,
    kind: e.code,
    amountMinor: availableBalance(e.delta),
    heldChangeMinor: e.delta.debitsPending,
    balanceAfterMinor: availableBalance(e.after),
    heldAfterMinor: e.after.debitsPending,
    reference: e.reference,
    transferId: e.transferId,
    counterparty: { code: e.counterparty.code, ownerRef: e.counterparty.ownerRef },
  }));
  const last = entries.at(-1);
  return ok({
    cardId,
    currency: card.currency,
    balanceMinor: account ? availableBalance(account) : 0n,
    heldMinor: account?.debitsPending ?? 0n,
    entries,
    nextCursor: page.length > limit && last !== undefined ? last.seq.toString() : null,
  });
}
