import { assert, derivedId, fail, newId, ok, type Outcome } from '../kernel/index.ts';
import {
  TransferFlags,
  isApplied,
  systemAccountId,
  type TransferRequest,
} from '../ledger/index.ts';
import type { Executor } from '../storage/index.ts';
import { getAssociate, merchantAccountId } from './associates.ts';
import { paymentTables, type PaymentsContext } from './context.ts';
import { emitEvent } from './events.ts';
import { paymentJson, savePaymentTotals, type Payment } from './payment-row.ts';
import { refuse } from './refusal.ts';
import { allocate, commissionMinor } from './rules.ts';

/** Links every transfer of a batch to the next, so the batch succeeds or fails as one. */
export function chain(transfers: TransferRequest[]): TransferRequest[] {
  return transfers.map((t, i) =>
    i < transfers.length - 1 ? { ...t, flags: (t.flags ?? 0) | TransferFlags.linked } : t,
  );
}

/** Applies a linked batch; anything but full success rolls the caller's transaction back. */
export async function applyAll(
  ctx: PaymentsContext,
  tx: Executor,
  transfers: TransferRequest[],
): Promise<void> {
  if (transfers.length === 0) return;
  const results = await ctx.ledger.transfer(tx, chain(transfers), ctx.clock.nowMs());
  const failed = results.find((r) => !isApplied(r));
  if (failed === undefined) return;
  const cause = results.find((r) => r !== 'linked_event_failed' && !isApplied(r)) ?? failed;
  if (cause === 'exceeds_credits') refuse('associate_balance_insufficient');
  if (cause === 'pending_transfer_expired')
    refuse('payment_state_invalid', undefined, 'the authorization has expired');
  refuse('ledger_rejected', undefined, cause);
}

/**
 * Captures part or all of what is authorized; may run several times. Each part's hold is posted
 * for its share and, when some of it stays uncaptured, held again for the rest with the same
 * expiry (post and re-hold are linked, so the holder's money is never free in between). Our
 * commission moves from the associate's payable to fee revenue in the same batch.
 */
export async function capturePayment(
  ctx: PaymentsContext,
  tx: Executor,
  payment: Payment,
  amountMinor: bigint | undefined,
): Promise<Outcome<Payment>> {
  if (payment.status !== 'requires_capture' && payment.status !== 'partially_captured') {
    return fail(
      'payment_state_invalid',
      undefined,
      `cannot capture a payment that is ${payment.status}`,
    );
  }
  const nowMs = ctx.clock.nowMs();
  if (payment.expiresAtMs !== null && nowMs >= payment.expiresAtMs) {
    return fail('payment_state_invalid', undefined, 'the authorization has expired');
  }
  const open = payment.parts.filter((p) => p.status === 'authorized');
  const capturable = open.reduce((s, p) => s + p.amountMinor - p.capturedMinor, 0n);
  const amount = amountMinor ?? capturable;
  if (amount <= 0n) return fail('amount_must_be_positive', 'amount');
  if (amount > capturable) return fail('amount_exceeds_capturable', 'amount');
  const shares = allocate(
    open.map((p) => ({ id: p.id, roomMinor: p.amountMinor - p.capturedMinor })),
    amount,
  );
  assert(shares !== null, 'capture fits the open parts');
  const associate = await getAssociate(tx, payment.associateId);
  assert(associate !== undefined, 'payment has an associate');
  const merchant = merchantAccountId(associate.id, payment.livemode, payment.currency);
  const fee = commissionMinor(amount, associate.commissionBps);
  const captureId = newId('cap');
  const transfers: TransferRequest[] = [];
  const updates: {
    id: string;
    holdId: string | null;
    generation: bigint;
    captured: bigint;
    status: string;
  }[] = [];
  for (const share of shares) {
    const part = open.find((p) => p.id === share.id);
    assert(part !== undefined, 'a share names an open part');
    assert(part.holdId !== null && payment.expiresAtMs !== null, 'an open part has a hold');
    transfers.push({
      id: derivedId('cap', `${captureId}_${part.id}`),
      pendingId: part.holdId,
      code: 'capture',
      reference: payment.id,
      flags: TransferFlags.postPending,
      amountMinor: share.amountMinor,
    });
    const rest = part.amountMinor - part.capturedMinor - share.amountMinor;
    let holdId: string | null = null;
    if (rest > 0n) {
      holdId = derivedId('hold', `${part.id}_${part.holdGeneration + 1n}`);
      transfers.push({
        id: holdId,
        debitAccountId: await cardAccountOfHold(ctx, tx, part.holdId),
        creditAccountId: merchant,
        amountMinor: rest,
        currency: payment.currency,
        code: 'authorization',
        reference: payment.id,
        flags: TransferFlags.pending,
        timeoutMs: payment.expiresAtMs - nowMs,
      });
    }
    updates.push({
      id: part.id,
      holdId,
      generation: part.holdGeneration + 1n,
      captured: part.capturedMinor + share.amountMinor,
      status: rest > 0n ? 'authorized' : 'captured',
    });
  }
  if (fee > 0n) {
    transfers.push({
      id: derivedId('fee', captureId),
      debitAccountId: merchant,
      creditAccountId: systemAccountId(payment.currency, 'fee_revenue'),
      amountMinor: fee,
      currency: payment.currency,
      code: 'commission',
      reference: payment.id,
    });
  }
  await applyAll(ctx, tx, transfers);
  const t = paymentTables(tx);
  for (const u of updates) {
    await t
      .updateTable('payment_part')
      .set({
        hold_id: u.holdId,
        hold_generation: u.generation,
        amount_captured_minor: u.captured,
        status: u.status,
      })
      .where('id', '=', u.id)
      .execute();
  }
  await t
    .insertInto('payment_capture')
    .values({
      id: captureId,
      payment_id: payment.id,
      amount_minor: amount,
      fee_minor: fee,
      created_at_ms: nowMs,
    })
    .execute();
  const after = await savePaymentTotals(
    ctx,
    tx,
    { ...payment, feeMinor: payment.feeMinor + fee },
    null,
  );
  await emitEvent(ctx, tx, {
    associateId: payment.associateId,
    livemode: payment.livemode,
    type: 'payment.captured',
    object: paymentJson(ctx, after),
  });
  return ok(after);
}

async function cardAccountOfHold(
  ctx: PaymentsContext,
  tx: Executor,
  holdId: string,
): Promise<string> {
  const hold = await ctx.ledger.getPending(tx, holdId);
  assert(hold !== undefined, 'hold exists');
  return hold.debitAccountId;
}

/**
 * Releases everything still held. A payment with nothing captured becomes `voided`; one that
 * was partly captured keeps its captures and becomes `succeeded`.
 */
export async function voidPayment(
  ctx: PaymentsContext,
  tx: Executor,
  payment: Payment,
): Promise<Outcome<Payment>> {
  if (
    payment.status !== 'requires_payment' &&
    payment.status !== 'requires_capture' &&
    payment.status !== 'partially_captured'
  ) {
    return fail(
      'payment_state_invalid',
      undefined,
      `cannot void a payment that is ${payment.status}`,
    );
  }
  const nowMs = ctx.clock.nowMs();
  if (payment.expiresAtMs !== null && nowMs >= payment.expiresAtMs) {
    return fail('payment_state_invalid', undefined, 'the authorization has expired');
  }
  const open = payment.parts.filter((p) => p.status === 'authorized');
  const transfers: TransferRequest[] = open.map((p) => {
    assert(p.holdId !== null, 'an open part has a hold');
    return {
      id: derivedId('void', p.holdId),
      pendingId: p.holdId,
      code: 'void',
      reference: payment.id,
      flags: TransferFlags.voidPending,
    };
  });
  await applyAll(ctx, tx, transfers);
  for (const p of open) {
    await paymentTables(tx)
      .updateTable('payment_part')
      .set({ hold_id: null, status: p.capturedMinor > 0n ? 'captured' : 'voided' })
      .where('id', '=', p.id)
      .execute();
  }
  const after = await savePaymentTotals(ctx, tx, payment, 'voided');
  await emitEvent(ctx, tx, {
    associateId: payment.associateId,
    livemode: payment.livemode,
    type: 'payment.voided',
    object: paymentJson(ctx, after),
  });
  return ok(after);
}
