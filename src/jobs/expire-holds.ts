import { limits } from '../kernel/index.ts';
import { TransferFlags, type LedgerStore } from '../ledger/index.ts';
import type { Database } from '../storage/index.ts';

/**
 * Releases pending holds whose timeout has passed (uncaptured authorizations, silent charging
 * reservations). The expire transfer's id is derived from the hold, so two workers racing on
 * the same hold produce one expiry and one `exists`.
 */
export async function expireDueHolds(
  deps: { readonly db: Database; readonly ledger: LedgerStore },
  nowMs: bigint,
): Promise<number> {
  const due = await deps.ledger.dueHolds(deps.db.kysely, nowMs, limits.expiryBatchMax);
  if (due.length === 0) return 0;
  const results = await deps.ledger.submit(
    due.map((hold) => ({
      id: `exp_${hold.transferId}`,
      pendingId: hold.transferId,
      code: 'expiry',
      flags: TransferFlags.expirePending,
    })),
    nowMs,
  );
  return results.filter((r) => r === 'ok').length;
}
