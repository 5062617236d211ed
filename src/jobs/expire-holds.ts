import { derivedId, limits } from '../kernel/index.ts';
import { TransferFlags, type LedgerStore } from '../ledger/index.ts';
import type { Database } from '../storage/index.ts';

/**
 * Releases pending holds whose timeout has passed (uncaptured authorizations, silent charging
 * reservations). The expire transfer's id is derived from the hold, so two workers racing on
 * the same hold produce one expiry and one `exists`.
 */
export async function expireDueHolds(
  deps: {
    readonly db: Database;
    readonly ledger: LedgerStore;
    readonly log?: { error(obj: object, msg: string): void };
  },
  nowMs: bigint,
): Promise<number> {
  const due = await deps.ledger.dueHolds(deps.db.kysely, nowMs, limits.expiryBatchMax);
  if (due.length === 0) return 0;
  const results = await deps.ledger.submit(
    due.map((hold) => ({
      id: derivedId('exp', hold.transferId),
      pendingId: hold.transferId,
      code: 'expiry',
      flags: TransferFlags.expirePending,
    })),
    nowMs,
  );
  // Another worker may have expired a hold first (`exists`, `already_expired`); anything else
  // would leave money held forever, so it is reported.
  results.forEach((result, i) => {
    const benign =
      result === 'ok' ||
      result === 'exists' ||
      result === 'pending_transfer_already_expired' ||
      result === 'pending_transfer_already_posted' ||
      result === 'pending_transfer_already_voided';
    if (!benign) deps.log?.error({ hold: due[i]?.transferId, result }, 'hold expiry refused');
  });
  return results.filter((r) => r === 'ok').length;
}
