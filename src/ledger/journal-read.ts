import { limits } from '../kernel/index.ts';
import { tablesOf, type Executor } from '../storage/index.ts';
import type { LedgerTables } from './tables.ts';
import type { AccountTotals } from './types.ts';

export interface JournalEntry {
  readonly accountId: string;
  readonly seq: bigint;
  readonly transferId: string;
  readonly code: string;
  readonly reference: string;
  readonly delta: AccountTotals;
  readonly after: AccountTotals;
  readonly createdAtMs: bigint;
  /** The other side of the transfer: who was paid, or where the value came from. */
  readonly counterparty: {
    readonly accountId: string;
    readonly code: string;
    readonly ownerRef: string | null;
  };
}

export interface JournalQuery {
  readonly accountId: string;
  /** Entries strictly older than this seq (the cursor of the previous page). */
  readonly beforeSeq?: bigint;
  readonly fromMs?: bigint;
  readonly toMs?: bigint;
  readonly codes?: readonly string[];
  readonly limit: number;
}

/** One page of an account's journal, newest first. */
export async function journalPage(executor: Executor, q: JournalQuery): Promise<JournalEntry[]> {
  const limit = Math.max(1, Math.min(q.limit, limits.pageSizeMax));
  let query = tablesOf<LedgerTables>(executor)
    .selectFrom('ledger_journal')
    .selectAll()
    .where('account_id', '=', q.accountId)
    .orderBy('seq', 'desc')
    .limit(limit);
  if (q.beforeSeq !== undefined) query = query.where('seq', '<', q.beforeSeq);
  if (q.fromMs !== undefined) query = query.where('created_at_ms', '>=', q.fromMs);
  if (q.toMs !== undefined) query = query.where('created_at_ms', '<', q.toMs);
  if (q.codes !== undefined && q.codes.length > 0) query = query.where('code', 'in', [...q.codes]);
  const rows = await query.execute();
  const db = tablesOf<LedgerTables>(executor);
  const transferIds = [...new Set(rows.map((r) => r.transfer_id))];
  const transfers =
    transferIds.length === 0
      ? []
      : await db
          .selectFrom('ledger_transfer')
          .select(['id', 'debit_account_id', 'credit_account_id'])
          .where('id', 'in', transferIds)
          .execute();
  const otherOf = new Map(
    transfers.map((t) => [
      t.id,
      t.debit_account_id === q.accountId ? t.credit_account_id : t.debit_account_id,
    ]),
  );
  const otherIds = [...new Set(otherOf.values())];
  const others =
    otherIds.length === 0
      ? []
      : await db
          .selectFrom('ledger_account')
          .select(['id', 'code', 'owner_ref'])
          .where('id', 'in', otherIds)
          .execute();
  const accountById = new Map(others.map((a) => [a.id, a]));
  return rows.map((r) => ({
    counterparty: ((): JournalEntry['counterparty'] => {
      const id = otherOf.get(r.transfer_id) ?? '';
      const other = accountById.get(id);
      return { accountId: id, code: other?.code ?? '', ownerRef: other?.owner_ref ?? null };
    })(),
    accountId: r.account_id,
    seq: r.seq,
    transferId: r.transfer_id,
    code: r.code,
    reference: r.reference,
    delta: {
      debitsPending: r.d_debits_pending,
      debitsPosted: r.d_debits_posted,
      creditsPending: r.d_credits_pending,
      creditsPosted: r.d_credits_posted,
    },
    after: {
      debitsPending: r.debits_pending,
      debitsPosted: r.debits_posted,
      creditsPending: r.credits_pending,
      creditsPosted: r.credits_posted,
    },
    createdAtMs: r.created_at_ms,
  }));
}
