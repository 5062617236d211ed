import { fail, limits, ok, type Currency, type Outcome } from '../kernel/index.ts';
import {
  TransferFlags,
  availableBalance,
  compareExisting,
  isApplied,
  systemAccountId,
  type TransferRequest,
} from '../ledger/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { cardFromRow, loadCardRow } from './card-row.ts';
import { cardTables, type CardsContext } from './context.ts';
import { fromLedger } from './ledger-results.ts';
import { expiryAtFirstUse, isExpired } from './validity.ts';

function cardBalanceMaxMinor(currency: Currency): bigint {
  return limits.cardBalanceMaxMinor[currency];
}
function rechargeMaxMinor(currency: Currency): bigint {
  return limits.rechargeMaxMinor[currency];
}

export interface MoneyResult {
  readonly transferId: string;
  readonly replayed: boolean;
  readonly availableMinor: bigint;
}

/**
 * The same transfer id again: the stored transfer answers when it is the same request, and a
 * different request under the same id is a conflict (every field counts, as in the ledger).
 */
async function replayOf(
  ctx: CardsContext,
  tx: Executor,
  request: TransferRequest,
  cardAccountId: string,
): Promise<Outcome<MoneyResult> | null> {
  const existing = await ctx.ledger.getTransfer(tx, request.id);
  if (existing === undefined) return null;
  const same = compareExisting(request, existing);
  if (same !== 'exists') return fail('idempotency_conflict', 'id', same);
  const account = await ctx.ledger.getAccount(tx, cardAccountId);
  return ok({
    transferId: existing.id,
    replayed: true,
    availableMinor: account ? availableBalance(account) : 0n,
  });
}

async function balanceAfter(ctx: CardsContext, tx: Executor, accountId: string): Promise<bigint> {
  const account = await ctx.ledger.getAccount(tx, accountId);
  return account ? availableBalance(account) : 0n;
}

export interface RechargeInput {
  readonly cardId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** Caller-chosen id: the same id again is answered without a second credit. */
  readonly transferId: string;
  readonly fundingAccountId?: string;
  readonly reference?: string;
}

/** Adds value to an active card, within the single-recharge and maximum-balance limits. */
export async function rechargeCard(
  ctx: CardsContext,
  input: RechargeInput,
): Promise<Outcome<MoneyResult>> {
  const nowMs = ctx.clock.nowMs();
  if (input.amountMinor <= 0n) return fail('amount_must_be_positive', 'amount');
  if (input.amountMinor > limits.amountMaxMinor) return fail('amount_exceeds_limit', 'amount');
  return writeTransaction(ctx.db, async (tx) => {
    const row = await loadCardRow(ctx, tx, { id: input.cardId });
    if (row === undefined) return fail('card_not_found', 'card');
    const card = cardFromRow(row);
    if (input.currency !== card.currency) return fail('currency_mismatch', 'currency');
    if (card.accountId === null) return fail('card_not_active');
    const request: TransferRequest = {
      id: input.transferId,
      debitAccountId: input.fundingAccountId ?? systemAccountId(card.currency, 'funding_clearing'),
      creditAccountId: card.accountId,
      amountMinor: input.amountMinor,
      currency: card.currency,
      code: 'recharge',
      reference: input.reference ?? '',
    };
    const replay = await replayOf(ctx, tx, request, card.accountId);
    if (replay !== null) return replay;
    if (card.state !== 'active') return fail('card_not_active');
    if (isExpired(card.expiresAtMs, nowMs)) return fail('card_expired');
    if (input.amountMinor > rechargeMaxMinor(card.currency)) {
      return fail('recharge_exceeds_limit', 'amount');
    }
    const account = await ctx.ledger.getAccount(tx, card.accountId);
    if (account === undefined) return fail('card_state_invalid');
    const valueAfter = account.creditsPosted - account.debitsPosted + input.amountMinor;
    if (valueAfter > cardBalanceMaxMinor(card.currency)) {
      return fail('balance_exceeds_limit', 'amount');
    }
    const [result] = await ctx.ledger.transfer(tx, [request], nowMs);
    if (result === undefined || !isApplied(result)) return fromLedger(result ?? 'ok');
    return ok({
      transferId: input.transferId,
      replayed: false,
      availableMinor: await balanceAfter(ctx, tx, card.accountId),
    });
  });
}

export interface SpendInput {
  readonly cardId: string;
  readonly creditAccountId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly transferId: string;
  /** The business reason recorded in the ledger (`authorization`, `voicemail`, …). */
  readonly code: string;
  readonly reference?: string;
  /** A hold (pending transfer) with this lifetime; absent = a direct debit. */
  readonly holdTimeoutMs?: bigint;
  /** When given, the card's mode must match: test cards pay test payments only. */
  readonly livemode?: boolean;
}

/**
 * Takes money from a card for a merchant or a service, as a hold or a direct debit, inside the
 * caller's transaction. Only active cards within their validity spend; the first spend starts
 * the clock of a "days after first use" validity.
 */
export async function spendFromCard(
  ctx: CardsContext,
  tx: Executor,
  input: SpendInput,
): Promise<Outcome<MoneyResult>> {
  const nowMs = ctx.clock.nowMs();
  if (input.amountMinor <= 0n) return fail('amount_must_be_positive', 'amount');
  if (input.amountMinor > limits.amountMaxMinor) return fail('amount_exceeds_limit', 'amount');
  if (
    input.holdTimeoutMs !== undefined &&
    (input.holdTimeoutMs <= 0n || input.holdTimeoutMs > limits.holdTimeoutMaxMs)
  ) {
    // Every hold expires: a hold without an end would keep a holder's money forever.
    return fail('parameter_invalid', 'hold_timeout');
  }
  const row = await loadCardRow(ctx, tx, { id: input.cardId });
  if (row === undefined) return fail('card_not_found', 'card');
  const card = cardFromRow(row);
  if (input.currency !== card.currency) return fail('currency_mismatch', 'currency');
  if (card.accountId === null) return fail('card_not_active');
  const hold = input.holdTimeoutMs !== undefined;
  const request: TransferRequest = {
    id: input.transferId,
    debitAccountId: card.accountId,
    creditAccountId: input.creditAccountId,
    amountMinor: input.amountMinor,
    currency: card.currency,
    code: input.code,
    reference: input.reference ?? '',
    flags: hold ? TransferFlags.pending : TransferFlags.none,
    ...(input.holdTimeoutMs !== undefined ? { timeoutMs: input.holdTimeoutMs } : {}),
  };
  const replay = await replayOf(ctx, tx, request, card.accountId);
  if (replay !== null) return replay;
  if (card.state === 'locked') return fail('card_locked');
  if (card.state !== 'active') return fail('card_not_active');
  if (isExpired(card.expiresAtMs, nowMs)) return fail('card_expired');
  if (input.livemode !== undefined && input.livemode !== card.livemode) {
    return fail('card_mode_mismatch');
  }
  const [result] = await ctx.ledger.transfer(tx, [request], nowMs);
  if (result === undefined || !isApplied(result)) return fromLedger(result ?? 'ok');
  if (card.firstUsedAtMs === null) {
    await cardTables(tx)
      .updateTable('card')
      .set({
        first_used_at_ms: nowMs,
        expires_at_ms: expiryAtFirstUse(card.validity, card.expiresAtMs, nowMs),
      })
      .where('id', '=', card.id)
      .execute();
  }
  return ok({
    transferId: input.transferId,
    replayed: false,
    availableMinor: await balanceAfter(ctx, tx, card.accountId),
  });
}

/** `spendFromCard` in its own transaction. */
export async function spend(ctx: CardsContext, input: SpendInput): Promise<Outcome<MoneyResult>> {
  return writeTransaction(ctx.db, (tx) => spendFromCard(ctx, tx, input));
}
