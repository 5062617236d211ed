import { derivedId, limits } from '../kernel/index.ts';
import { TransferFlags } from '../ledger/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { paymentTables, type PaymentsContext } from './context.ts';
import { emitEvent } from './events.ts';
import { loadPayment, paymentJson, savePaymentTotals } from './payment-row.ts';

/**
 * Expires payments whose authorization lifetime has passed: their open holds are released (the
 * same expire transfer ids as the ledger's own hold expiry, so whichever runs first wins and the
 * other sees `exists`/`already_expired`), the parts are marked, and `payment.expired` is sent.
 */
export async function expireDuePayments(ctx: PaymentsContext): Promise<number> {
  const nowMs = ctx.clock.nowMs();
  const due = await paymentTables(ctx.db.kysely)
    .selectFrom('payment')
    .select('id')
    .where('status', 'in', ['requires_payment', 'requires_capture', 'partially_captured'])
    .where('expires_at_ms', 'is not', null)
    .where('expires_at_ms', '<=', nowMs)
    .orderBy('expires_at_ms')
    .limit(limits.expiryBatchMax)
    .execute();
  let expired = 0;
  for (const { id } of due) {
    const done = await writeTransaction(ctx.db, async (tx) => {
      const payment = await loadPayment(ctx, tx, id, { lock: true });
      if (payment === undefined || payment.expiresAtMs === null || payment.expiresAtMs > nowMs)
        return false;
      if (!['requires_payment', 'requires_capture', 'partially_captured'].includes(payment.status))
        return false;
      const open = payment.parts.filter((p) => p.status === 'authorized' && p.holdId !== null);
      const results = await ctx.ledger.transfer(
        tx,
        open.map((p) => ({
          id: derivedId('exp', p.holdId ?? ''),
          pendingId: p.holdId ?? '',
          code: 'expiry',
          reference: payment.id,
          flags: TransferFlags.expirePending,
        })),
        nowMs,
      );
      const fine = results.every(
        (r) => r === 'ok' || r === 'exists' || r === 'pending_transfer_already_expired',
      );
      if (!fine)
        throw new Error(`payment ${payment.id}: hold expiry refused: ${results.join(', ')}`);
      for (const p of open) {
        await paymentTables(tx)
          .updateTable('payment_part')
          .set({ hold_id: null, status: p.capturedMinor > 0n ? 'captured' : 'expired' })
          .where('id', '=', p.id)
          .execute();
      }
      const after = await savePaymentTotals(ctx, tx, payment, 'expired');
      await emitEvent(ctx, tx, {
        associateId: after.associateId,
        livemode: after.livemode,
        type: 'payment.expired',
        object: paymentJson(ctx, after),
      });
      return true;
    });
    if (done) expired += 1;
  }
  return expired;
}
