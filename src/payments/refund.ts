import {
  assert,
  derivedId,
  fail,
  isoFromMs,
  jsonInteger,
  newId,
  ok,
  type Outcome,
} from '../kernel/index.ts';
import { systemAccountId, type TransferRequest } from '../ledger/index.ts';
import { beforeCursor, type Executor } from '../storage/index.ts';
import { getAssociate, merchantAccountId } from './associates.ts';
import { applyAll } from './capture.ts';
import { paymentTables, type PaymentsContext } from './context.ts';
import { emitEvent } from './events.ts';
import { savePaymentTotals, type Payment } from './payment-row.ts';
import { allocate, commissionMinor } from './rules.ts';
import type { RefundTable } from './tables.ts';

export interface Refund {
  readonly id: string;
  readonly paymentId: string;
  readonly livemode: boolean;
  readonly amountMinor: bigint;
  readonly feeReturnedMinor: bigint;
  readonly reason: string;
  readonly status: 'succeeded';
  readonly createdAtMs: bigint;
  readonly currency: string;
}

export const REFUND_REASONS = [
  'requested_by_customer',
  'duplicate',
  'fraudulent',
  'other',
] as const;

export function refundFromRow(row: RefundTable, currency: string): Refund {
  return {
    id: row.id,
    paymentId: row.payment_id,
    livemode: row.livemode === 1n,
    amountMinor: row.amount_minor,
    feeReturnedMinor: row.fee_returned_minor,
    reason: row.reason,
    status: 'succeeded',
    createdAtMs: row.created_at_ms,
    currency,
  };
}

export interface RefundJson {
  id: string;
  object: 'refund';
  livemode: boolean;
  payment: string;
  amount: number;
  currency: string;
  fee_returned: number;
  reason: string;
  status: 'succeeded';
  created: string;
}

export function refundJson(r: Refund): RefundJson {
  return {
    id: r.id,
    object: 'refund' as const,
    livemode: r.livemode,
    payment: r.paymentId,
    amount: jsonInteger(r.amountMinor),
    currency: r.currency,
    fee_returned: jsonInteger(r.feeReturnedMinor),
    reason: r.reason,
    status: r.status,
    created: isoFromMs(r.createdAtMs),
  };
}

/**
 * Returns captured money to the cards it came from (partially, several times, never more than
 * was captured). Our commission on the refunded amount goes back to the associate in the same
 * linked batch; if we already paid the associate out, the refund is refused.
 */
export async function refundPayment(
  ctx: PaymentsContext,
  tx: Executor,
  payment: Payment,
  input: { readonly amountMinor?: bigint; readonly reason?: string },
): Promise<Outcome<{ refund: Refund; payment: Payment }>> {
  const reason = input.reason ?? 'requested_by_customer';
  if (!(REFUND_REASONS as readonly string[]).includes(reason))
    return fail('parameter_invalid', 'reason');
  const refundable = payment.capturedMinor - payment.refundedMinor;
  if (refundable <= 0n)
    return fail('payment_state_invalid', undefined, 'nothing captured is left to refund');
  const amount = input.amountMinor ?? refundable;
  if (amount <= 0n) return fail('amount_must_be_positive', 'amount');
  if (amount > refundable) return fail('amount_exceeds_refundable', 'amount');
  const shares = allocate(
    payment.parts.map((p) => ({ id: p.id, roomMinor: p.capturedMinor - p.refundedMinor })),
    amount,
  );
  assert(shares !== null, 'refund fits the captured parts');
  const associate = await getAssociate(tx, payment.associateId);
  assert(associate !== undefined, 'payment has an associate');
  const merchant = merchantAccountId(associate.id, payment.livemode, payment.currency);
  const feeLeft = payment.feeMinor - payment.feeRefundedMinor;
  const owed = commissionMinor(amount, associate.commissionBps);
  const feeBack = owed < feeLeft ? owed : feeLeft;
  const refundId = newId('ref');
  const transfers: TransferRequest[] = [];
  if (feeBack > 0n) {
    transfers.push({
      id: derivedId('feeback', refundId),
      debitAccountId: systemAccountId(payment.currency, 'fee_revenue'),
      creditAccountId: merchant,
      amountMinor: feeBack,
      currency: payment.currency,
      code: 'commission_return',
      reference: payment.id,
    });
  }
  for (const share of shares) {
    const part = payment.parts.find((p) => p.id === share.id);
    assert(part !== undefined, 'share names a part');
    // The part's first hold names the card account the money came from.
    const cardAccount = (await ctx.ledger.getTransfer(tx, derivedId('auth', part.id)))
      ?.debitAccountId;
    assert(cardAccount !== undefined, 'the part has its first hold');
    transfers.push({
      id: derivedId('rfd', `${refundId}_${part.id}`),
      debitAccountId: merchant,
      creditAccountId: cardAccount,
      amountMinor: share.amountMinor,
      currency: payment.currency,
      code: 'refund',
      reference: payment.id,
    });
  }
  await applyAll(ctx, tx, transfers);
  const t = paymentTables(tx);
  for (const share of shares) {
    const part = payment.parts.find((p) => p.id === share.id);
    assert(part !== undefined, 'share names a part');
    await t
      .updateTable('payment_part')
      .set({ amount_refunded_minor: part.refundedMinor + share.amountMinor })
      .where('id', '=', part.id)
      .execute();
  }
  const nowMs = ctx.clock.nowMs();
  const row: RefundTable = {
    id: refundId,
    payment_id: payment.id,
    associate_id: payment.associateId,
    livemode: payment.livemode ? 1n : 0n,
    amount_minor: amount,
    fee_returned_minor: feeBack,
    reason,
    status: 'succeeded',
    created_at_ms: nowMs,
  };
  await t.insertInto('refund').values(row).execute();
  const ended = payment.status === 'voided' || payment.status === 'expired' ? payment.status : null;
  const after = await savePaymentTotals(
    ctx,
    tx,
    { ...payment, feeRefundedMinor: payment.feeRefundedMinor + feeBack },
    ended,
  );
  const refund = refundFromRow(row, payment.currency);
  await emitEvent(ctx, tx, {
    associateId: payment.associateId,
    livemode: payment.livemode,
    type: 'refund.succeeded',
    object: refundJson(refund),
  });
  return ok({ refund, payment: after });
}

export async function getRefund(
  executor: Executor,
  id: string,
  scope: { readonly associateId: string; readonly livemode: boolean },
): Promise<Refund | undefined> {
  const row = await paymentTables(executor)
    .selectFrom('refund')
    .innerJoin('payment', 'payment.id', 'refund.payment_id')
    .selectAll('refund')
    .select('payment.currency')
    .where('refund.id', '=', id)
    .where('refund.associate_id', '=', scope.associateId)
    .where('refund.livemode', '=', scope.livemode ? 1n : 0n)
    .executeTakeFirst();
  return row === undefined ? undefined : refundFromRow(row, row.currency);
}

export async function listRefunds(
  executor: Executor,
  scope: { readonly associateId: string; readonly livemode: boolean; readonly paymentId?: string },
  limit: number,
  startingAfter?: string,
): Promise<Outcome<{ data: Refund[]; hasMore: boolean }>> {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100)
    return fail('parameter_invalid', 'limit');
  const t = paymentTables(executor);
  let query = t
    .selectFrom('refund')
    .innerJoin('payment', 'payment.id', 'refund.payment_id')
    .selectAll('refund')
    .select('payment.currency')
    .where('refund.associate_id', '=', scope.associateId)
    .where('refund.livemode', '=', scope.livemode ? 1n : 0n)
    .orderBy('refund.created_at_ms', 'desc')
    .orderBy('refund.id', 'desc')
    .limit(limit + 1);
  if (scope.paymentId !== undefined) query = query.where('refund.payment_id', '=', scope.paymentId);
  if (startingAfter !== undefined) {
    const cursor = await t
      .selectFrom('refund')
      .select(['id', 'created_at_ms'])
      .where('id', '=', startingAfter)
      .where('associate_id', '=', scope.associateId)
      .executeTakeFirst();
    if (cursor === undefined) return fail('parameter_invalid', 'starting_after');
    query = query.where(beforeCursor('refund.created_at_ms', 'refund.id', cursor));
  }
  const rows = await query.execute();
  return ok({
    data: rows.slice(0, limit).map((r) => refundFromRow(r, r.currency)),
    hasMore: rows.length > limit,
  });
}
