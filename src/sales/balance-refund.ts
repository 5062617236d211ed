import {
  cardBalance,
  getCard,
  markCardRefunded,
  spendFromCard,
  type Card,
} from '../cards/index.ts';
import {
  derivedId,
  fail,
  formatMoney,
  isCurrency,
  limits,
  newId,
  ok,
  type Currency,
  type Outcome,
} from '../kernel/index.ts';
import {
  TransferFlags,
  ensureSystemAccounts,
  isApplied,
  systemAccountId,
  type TransferRequest,
} from '../ledger/index.ts';
import { enqueueEmail } from '../notify/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { salesTables, type SalesContext } from './context.ts';
import { holderOf } from './holders.ts';
import type { Locale } from './order-row.ts';
import { allocatePayout, decideBalanceRefund, type BalanceRefundDecision } from './rules.ts';
import type { SalesBalanceRefundTable } from './tables.ts';

/**
 * Refund of balance: the holder asks for the rest of a card to be paid out. The rules decide
 * (rules.ts); the whole balance is held at once (a pending transfer card → refund_payable, so
 * nothing can be spent meanwhile); an operator reviews large ones; the payout goes only back
 * through the payments that funded the card, newest first; then the hold is posted, the fee
 * kept, and the card is marked refunded. Every step sends the holder an e-mail.
 */
export type BalanceRefundStatus = 'review' | 'approved' | 'rejected' | 'paid' | 'failed';

export interface Payout {
  readonly kind: 'purchase' | 'recharge';
  readonly orderId: string;
  readonly amountMinor: string;
  readonly refundId: string | null;
}

export interface BalanceRefund {
  readonly id: string;
  readonly cardId: string;
  readonly status: BalanceRefundStatus;
  readonly currency: Currency;
  readonly amountMinor: bigint;
  readonly feeMinor: bigint;
  readonly payoutMinor: bigint;
  readonly rule: string;
  /** Where and in which language the holder hears about each step. */
  readonly email: string;
  readonly locale: Locale;
  readonly payouts: readonly Payout[];
  readonly reviewNote: string | null;
  readonly decidedBy: string | null;
  readonly failureCode: string | null;
  readonly requestedAtMs: bigint;
  readonly decidedAtMs: bigint | null;
  readonly paidAtMs: bigint | null;
}

function refundFromRow(row: SalesBalanceRefundTable): BalanceRefund {
  const currency = row.currency;
  if (!isCurrency(currency)) throw new Error(`unknown currency ${currency}`);
  return {
    id: row.id,
    cardId: row.card_id,
    status: row.status as BalanceRefundStatus,
    currency,
    amountMinor: row.amount_minor,
    feeMinor: row.fee_minor,
    payoutMinor: row.payout_minor,
    rule: row.rule,
    email: row.email,
    locale: row.locale === 'ko' ? 'ko' : 'en',
    payouts: JSON.parse(row.payouts) as Payout[],
    reviewNote: row.review_note,
    decidedBy: row.decided_by,
    failureCode: row.failure_code,
    requestedAtMs: row.requested_at_ms,
    decidedAtMs: row.decided_at_ms,
    paidAtMs: row.paid_at_ms,
  };
}

interface Funding {
  readonly kind: 'purchase' | 'recharge';
  readonly orderId: string;
  readonly refundableMinor: bigint;
  readonly atMs: bigint;
}

/** The payments that put money on the card and can still give some back, newest first. */
async function fundingsOf(
  ctx: SalesContext,
  executor: Executor,
  cardId: string,
): Promise<Funding[]> {
  const out: Funding[] = [];
  const bought = await salesTables(executor)
    .selectFrom('sales_order_card')
    .innerJoin('sales_order', 'sales_order.id', 'sales_order_card.order_id')
    .select([
      'sales_order.id',
      'sales_order.provider_payment_id',
      'sales_order.fulfilled_at_ms',
      'sales_order_card.face_value_minor',
      'sales_order_card.refunded_minor',
    ])
    .where('sales_order_card.card_id', '=', cardId)
    .where('sales_order.status', '=', 'fulfilled')
    .executeTakeFirst();
  if (bought !== undefined && bought.provider_payment_id !== null)
    out.push({
      kind: 'purchase',
      orderId: bought.id,
      refundableMinor: bought.face_value_minor - bought.refunded_minor,
      atMs: bought.fulfilled_at_ms ?? 0n,
    });
  const recharges = await salesTables(executor)
    .selectFrom('sales_order')
    .select(['id', 'amount_minor', 'refunded_minor', 'fulfilled_at_ms', 'provider_payment_id'])
    .where('card_id', '=', cardId)
    .where('kind', '=', 'recharge')
    .where('status', '=', 'fulfilled')
    .execute();
  for (const r of recharges)
    if (r.provider_payment_id !== null)
      out.push({
        kind: 'recharge',
        orderId: r.id,
        refundableMinor: r.amount_minor - r.refunded_minor,
        atMs: r.fulfilled_at_ms ?? 0n,
      });
  return out.sort((a, b) => (a.atMs === b.atMs ? 0 : a.atMs > b.atMs ? -1 : 1));
}

async function mailStep(
  ctx: SalesContext,
  tx: Executor,
  refund: BalanceRefund,
  last4: string,
): Promise<void> {
  const mailed = await enqueueEmail(ctx.notify, tx, {
    dedupeKey: `balance_refund:${refund.id}:${refund.status}`,
    to: refund.email,
    locale: refund.locale,
    template: 'balance_refund',
    data: {
      step:
        refund.status === 'review'
          ? 'requested'
          : refund.status === 'failed'
            ? 'rejected'
            : refund.status,
      cardLast4: last4,
      amount: formatMoney(refund.amountMinor, refund.currency),
      fee: formatMoney(refund.feeMinor, refund.currency),
      payout: formatMoney(refund.payoutMinor, refund.currency),
      reason: refund.reviewNote ?? '',
      instrument: 'the card or bank account that paid',
    },
  });
  if (!mailed.ok) throw new Error(`refund e-mail refused: ${mailed.error.code}`);
}

/** The rules applied to a card as it is now, with the payments a payout could go back through. */
async function decisionFor(
  ctx: SalesContext,
  executor: Executor,
  card: Card,
  nowMs: bigint,
): Promise<Outcome<{ decision: BalanceRefundDecision; fundings: Funding[] }>> {
  const balance = await cardBalance(ctx.cards, executor, card.id);
  if (!balance.ok) return balance;
  const fundings = await fundingsOf(ctx, executor, card.id);
  const rechargedMinor = fundings
    .filter((f) => f.kind === 'recharge')
    .reduce((sum, f) => sum + f.refundableMinor, 0n);
  const decision = decideBalanceRefund(ctx.refundRules, {
    loadedMinor: card.faceValueMinor + rechargedMinor,
    balanceMinor: balance.value.balanceMinor,
    heldMinor: balance.value.heldMinor,
    soldAtMs: card.soldAtMs ?? nowMs,
    firstUsedAtMs: card.firstUsedAtMs,
    nowMs,
    refundableFundingMinor: fundings.reduce((sum, f) => sum + f.refundableMinor, 0n),
  });
  return ok({ decision, fundings });
}

/** What a request would get now (shown before the holder asks), without changing anything. */
export async function previewBalanceRefund(
  ctx: SalesContext,
  cardId: string,
): Promise<Outcome<BalanceRefundDecision>> {
  const card = await getCard(ctx.cards, ctx.db.kysely, { id: cardId });
  if (!card.ok) return card;
  const found = await decisionFor(ctx, ctx.db.kysely, card.value, ctx.clock.nowMs());
  return found.ok ? ok(found.value.decision) : found;
}

/** The holder's request (signed in with PIN + password). */
export async function requestBalanceRefund(
  ctx: SalesContext,
  input: { readonly cardId: string; readonly locale: Locale },
): Promise<Outcome<BalanceRefund>> {
  const card = await getCard(ctx.cards, ctx.db.kysely, { id: input.cardId });
  if (!card.ok) return card;
  if (card.value.state !== 'active' || card.value.soldAtMs === null) return fail('card_not_active');
  const holder = await holderOf(ctx, ctx.db.kysely, card.value.id);
  if (holder === null)
    return fail('balance_refund_not_allowed', undefined, 'no_funding_instrument');
  const nowMs = ctx.clock.nowMs();
  const id = newId('brf');
  const created = await writeTransaction(ctx.db, async (tx): Promise<Outcome<BalanceRefund>> => {
    const found = await decisionFor(ctx, tx, card.value, nowMs);
    if (!found.ok) return found;
    const { decision, fundings } = found.value;
    if (!decision.allowed) return fail('balance_refund_not_allowed', undefined, decision.why);
    const plan = allocatePayout(
      fundings.map((f) => ({ id: f.orderId, refundableMinor: f.refundableMinor })),
      decision.payoutMinor,
    );
    const payouts: Payout[] = plan.map((p) => ({
      kind: fundings.find((f) => f.orderId === p.id)?.kind ?? 'purchase',
      orderId: p.id,
      amountMinor: p.amountMinor.toString(),
      refundId: null,
    }));
    const currency = card.value.currency;
    await ensureSystemAccounts(ctx.ledger, tx, currency, nowMs);
    const holdId = derivedId('brh', id);
    const held = await spendFromCard(ctx.cards, tx, {
      cardId: card.value.id,
      creditAccountId: systemAccountId(currency, 'refund_payable'),
      amountMinor: decision.amountMinor,
      currency,
      transferId: holdId,
      code: 'balance_refund',
      reference: id,
      holdTimeoutMs: limits.holdTimeoutMaxMs,
    });
    if (!held.ok) return held;
    await salesTables(tx)
      .insertInto('sales_balance_refund')
      .values({
        id,
        card_id: card.value.id,
        status: decision.needsReview ? 'review' : 'approved',
        currency,
        amount_minor: decision.amountMinor,
        fee_minor: decision.feeMinor,
        payout_minor: decision.payoutMinor,
        rule: decision.reason,
        hold_transfer_id: holdId,
        locale: input.locale,
        email: holder.email,
        payouts: JSON.stringify(payouts),
        review_note: null,
        decided_by: decision.needsReview ? null : 'rules',
        failure_code: null,
        requested_at_ms: nowMs,
        decided_at_ms: decision.needsReview ? null : nowMs,
        paid_at_ms: null,
      })
      .execute();
    const refund = await loadRefund(tx, id);
    if (refund === null) return fail('balance_refund_not_found');
    await mailStep(ctx, tx, { ...refund, status: 'review' }, card.value.pinLast4);
    return ok(refund);
  });
  if (!created.ok || created.value.status !== 'approved') return created;
  return payBalanceRefund(ctx, created.value.id);
}

async function loadRefund(executor: Executor, id: string): Promise<BalanceRefund | null> {
  const row = await salesTables(executor)
    .selectFrom('sales_balance_refund')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? null : refundFromRow(row);
}

export async function getBalanceRefund(
  ctx: SalesContext,
  id: string,
): Promise<Outcome<BalanceRefund>> {
  const refund = await loadRefund(ctx.db.kysely, id);
  return refund === null ? fail('balance_refund_not_found') : ok(refund);
}

export async function listBalanceRefunds(
  ctx: SalesContext,
  input: {
    readonly status?: BalanceRefundStatus;
    readonly cardId?: string;
    readonly limit?: number;
  },
): Promise<BalanceRefund[]> {
  let q = salesTables(ctx.db.kysely).selectFrom('sales_balance_refund').selectAll();
  if (input.status !== undefined) q = q.where('status', '=', input.status);
  if (input.cardId !== undefined) q = q.where('card_id', '=', input.cardId);
  const rows = await q
    .orderBy('requested_at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(input.limit ?? limits.pageSizeDefault, limits.pageSizeMax))
    .execute();
  return rows.map(refundFromRow);
}

async function last4Of(ctx: SalesContext, cardId: string): Promise<string> {
  const card = await getCard(ctx.cards, ctx.db.kysely, { id: cardId });
  return card.ok ? card.value.pinLast4 : '';
}

/** An operator decides a request waiting for review; nobody decides twice. */
export async function decideBalanceRefundReview(
  ctx: SalesContext,
  input: {
    readonly id: string;
    readonly decision: 'approve' | 'reject';
    readonly operator: string;
    readonly note: string;
  },
): Promise<Outcome<BalanceRefund>> {
  const note = input.note.trim();
  if (note.length > 500) return fail('parameter_invalid', 'note');
  if (input.operator.trim() === '') return fail('parameter_invalid', 'operator');
  const nowMs = ctx.clock.nowMs();
  const before = await loadRefund(ctx.db.kysely, input.id);
  if (before === null) return fail('balance_refund_not_found');
  // Read outside the transaction: on SQLite a read on another connection inside it would wait
  // for the transaction itself.
  const last4 = await last4Of(ctx, before.cardId);
  const decided = await writeTransaction(ctx.db, async (tx): Promise<Outcome<BalanceRefund>> => {
    const refund = await loadRefund(tx, input.id);
    if (refund === null) return fail('balance_refund_not_found');
    if (refund.status !== 'review') return fail('balance_refund_state_invalid');
    const status = input.decision === 'approve' ? 'approved' : 'rejected';
    const updated = await salesTables(tx)
      .updateTable('sales_balance_refund')
      .set({
        status,
        decided_by: input.operator.trim(),
        decided_at_ms: nowMs,
        review_note: note === '' ? null : note,
      })
      .where('id', '=', refund.id)
      .where('status', '=', 'review')
      .executeTakeFirst();
    if (updated.numUpdatedRows !== 1n) return fail('balance_refund_state_invalid');
    if (status === 'rejected') {
      const [voided] = await ctx.ledger.transfer(
        tx,
        [
          {
            id: derivedId('brv', refund.id),
            pendingId: derivedId('brh', refund.id),
            code: 'balance_refund_void',
            reference: refund.id,
            flags: TransferFlags.voidPending,
          },
        ],
        nowMs,
      );
      // A hold that already expired gave the money back by itself; anything else is a bug.
      if (
        voided !== undefined &&
        !isApplied(voided) &&
        voided !== 'pending_transfer_expired' &&
        voided !== 'pending_transfer_already_expired'
      )
        throw new Error(`void of a refund hold refused: ${voided}`);
    }
    const after = await loadRefund(tx, refund.id);
    if (after === null) return fail('balance_refund_not_found');
    await mailStep(ctx, tx, after, last4);
    return ok(after);
  });
  if (!decided.ok || decided.value.status !== 'approved') return decided;
  return payBalanceRefund(ctx, decided.value.id);
}

/**
 * Pays an approved refund: each planned payout is refunded at the provider under its own
 * reference (so a retry never pays twice), recorded as it succeeds; once all are paid the
 * ledger closes the hold and the card. A provider that does not answer leaves the request
 * approved, with the failure noted, for the completer to retry.
 */
export async function payBalanceRefund(
  ctx: SalesContext,
  id: string,
): Promise<Outcome<BalanceRefund>> {
  const refund = await loadRefund(ctx.db.kysely, id);
  if (refund === null) return fail('balance_refund_not_found');
  if (refund.status !== 'approved') return ok(refund);
  const payouts = [...refund.payouts];
  for (let i = 0; i < payouts.length; i += 1) {
    const p = payouts[i];
    if (p?.refundId !== null) continue;
    const order = await salesTables(ctx.db.kysely)
      .selectFrom('sales_order')
      .select(['provider_payment_id'])
      .where('id', '=', p.orderId)
      .executeTakeFirst();
    const paymentId = order?.provider_payment_id ?? null;
    if (paymentId === null) return fail('balance_refund_state_invalid');
    const paid = await ctx.funding.refund({
      paymentId,
      amountMinor: BigInt(p.amountMinor),
      reference: `${refund.id}_${p.orderId}`,
    });
    if (!paid.ok) {
      await salesTables(ctx.db.kysely)
        .updateTable('sales_balance_refund')
        .set({ failure_code: paid.error.code })
        .where('id', '=', refund.id)
        .execute();
      return paid;
    }
    payouts[i] = { ...p, refundId: paid.value.id };
    await writeTransaction(ctx.db, async (tx) => {
      await salesTables(tx)
        .updateTable('sales_balance_refund')
        .set({ payouts: JSON.stringify(payouts), failure_code: null })
        .where('id', '=', refund.id)
        .execute();
      const amount = BigInt(p.amountMinor);
      if (p.kind === 'purchase')
        await salesTables(tx)
          .updateTable('sales_order_card')
          .set((eb) => ({ refunded_minor: eb('refunded_minor', '+', amount) }))
          .where('card_id', '=', refund.cardId)
          .where('order_id', '=', p.orderId)
          .execute();
      else
        await salesTables(tx)
          .updateTable('sales_order')
          .set((eb) => ({ refunded_minor: eb('refunded_minor', '+', amount) }))
          .where('id', '=', p.orderId)
          .execute();
    });
  }
  return closeBalanceRefund(ctx, refund);
}

async function closeBalanceRefund(
  ctx: SalesContext,
  refund: BalanceRefund,
): Promise<Outcome<BalanceRefund>> {
  const nowMs = ctx.clock.nowMs();
  const c = refund.currency;
  const payable = systemAccountId(c, 'refund_payable');
  const transfers: TransferRequest[] = [
    {
      id: derivedId('brp', refund.id),
      pendingId: derivedId('brh', refund.id),
      code: 'balance_refund',
      reference: refund.id,
      flags: TransferFlags.postPending | TransferFlags.linked,
    },
  ];
  if (refund.feeMinor > 0n)
    transfers.push({
      id: derivedId('brfee', refund.id),
      debitAccountId: payable,
      creditAccountId: systemAccountId(c, 'fee_revenue'),
      amountMinor: refund.feeMinor,
      currency: c,
      code: 'balance_refund_fee',
      reference: refund.id,
      flags: TransferFlags.linked,
    });
  transfers.push({
    id: derivedId('bro', refund.id),
    debitAccountId: payable,
    creditAccountId: systemAccountId(c, 'funding_clearing'),
    amountMinor: refund.payoutMinor,
    currency: c,
    code: 'balance_refund_payout',
    reference: refund.id,
  });
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<BalanceRefund>> => {
    const results = await ctx.ledger.transfer(tx, transfers, nowMs);
    if (!results.every(isApplied)) {
      // The hold ran out before the payout (a review longer than the hold): the money went
      // back to the card while it was paid out. Recorded for an operator, never silently.
      await salesTables(tx)
        .updateTable('sales_balance_refund')
        .set({ status: 'failed', failure_code: `ledger:${results.join(',')}` })
        .where('id', '=', refund.id)
        .execute();
      const failed = await loadRefund(tx, refund.id);
      return failed === null ? fail('balance_refund_not_found') : ok(failed);
    }
    const marked = await markCardRefunded(ctx.cards, tx, {
      cardId: refund.cardId,
      reason: `balance refunded (${refund.id})`,
    });
    if (!marked.ok && marked.error.code !== 'card_state_invalid') return marked;
    await salesTables(tx)
      .updateTable('sales_balance_refund')
      .set({ status: 'paid', paid_at_ms: nowMs })
      .where('id', '=', refund.id)
      .where('status', '=', 'approved')
      .execute();
    const after = await loadRefund(tx, refund.id);
    if (after === null) return fail('balance_refund_not_found');
    await mailStep(ctx, tx, after, marked.ok ? marked.value.pinLast4 : '');
    return ok(after);
  });
}
