import { limits, type Currency } from '../kernel/index.ts';
import { journalPage, systemAccountId, type JournalEntry } from '../ledger/index.ts';
import type { Executor } from '../storage/index.ts';
import { settlementTables, type SettlementContext } from './context.ts';
import { RUN_STATES, SETTLEMENT_CODES, runFromRow, type RunState } from './runs.ts';

export interface ReconcileReport {
  readonly currency: Currency;
  /** Runs per state (live and test together: they share the payout clearing account). */
  readonly runs: Readonly<Record<RunState, number>>;
  /** Payouts of booked, exported and paid runs. */
  readonly bookedMinor: bigint;
  /** Of which marked paid with a bank reference. */
  readonly paidMinor: bigint;
  /** Booked or exported, not yet marked paid. */
  readonly outstandingMinor: bigint;
  /** What the ledger moved into payout clearing as settlement payouts. */
  readonly ledgerPayoutsMinor: bigint;
  readonly ledgerPayoutCount: number;
  /** The payout clearing account: posted credits − posted debits. */
  readonly clearingBalanceMinor: bigint;
  /** Every disagreement between the runs and the ledger; empty when they agree. */
  readonly differences: readonly string[];
}

async function wholeJournal(executor: Executor, accountId: string): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  let beforeSeq: bigint | undefined;
  for (;;) {
    const page = await journalPage(executor, {
      accountId,
      limit: limits.pageSizeMax,
      ...(beforeSeq !== undefined ? { beforeSeq } : {}),
    });
    out.push(...page);
    const last = page.at(-1);
    if (page.length < limits.pageSizeMax || last === undefined) return out;
    beforeSeq = last.seq;
  }
}

/**
 * Compares what settlement recorded (runs booked, exported, marked paid) with what the ledger
 * moved: each payout run has exactly its payout transfer into payout clearing, for its amount,
 * from its associate's payable account; each commission adjustment is in the ledger; and
 * nothing else moved through payout clearing. Read-only.
 */
export async function reconcile(
  ctx: SettlementContext,
  currency: Currency,
): Promise<ReconcileReport> {
  const read = ctx.db.kysely;
  const runs = (
    await settlementTables(read)
      .selectFrom('settlement_run')
      .selectAll()
      .where('currency', '=', currency)
      .orderBy('period_end_ms')
      .orderBy('id')
      .execute()
  ).map(runFromRow);
  const clearingId = systemAccountId(currency, 'payout_clearing');
  const entries =
    (await ctx.ledger.getAccount(read, clearingId)) === undefined
      ? []
      : await wholeJournal(read, clearingId);
  const differences: string[] = [];
  const counts = Object.fromEntries(RUN_STATES.map((s) => [s, 0])) as Record<RunState, number>;
  let bookedMinor = 0n;
  let paidMinor = 0n;
  const byTransfer = new Map(entries.map((e) => [e.transferId, e]));
  const runByPayout = new Map<string, string>();
  for (const run of runs) {
    counts[run.state] += 1;
    if (run.state === 'computed') {
      differences.push(
        `${run.id}: computed but not booked (run the settlement again to finish it)`,
      );
      continue;
    }
    const payout = run.payoutMinor ?? 0n;
    if (run.state !== 'closed') bookedMinor += payout;
    if (run.state === 'paid') paidMinor += payout;
    if (run.state === 'paid' && run.paidReference === null)
      differences.push(`${run.id}: paid without a bank reference`);
    if (payout > 0n) {
      const id = run.payoutTransferId;
      const entry = id === null ? undefined : byTransfer.get(id);
      if (id === null || entry === undefined) {
        differences.push(`${run.id}: payout ${payout} is not in the ledger`);
      } else {
        runByPayout.set(id, run.id);
        const amount = entry.delta.creditsPosted - entry.delta.debitsPosted;
        if (amount !== payout)
          differences.push(`${run.id}: payout ${payout} but the ledger moved ${amount} (${id})`);
        if (entry.counterparty.accountId !== run.merchantAccountId)
          differences.push(
            `${run.id}: payout came from ${entry.counterparty.accountId}, not ${run.merchantAccountId}`,
          );
      }
    }
    const adjustment = run.adjustmentMinor ?? 0n;
    if (adjustment !== 0n) {
      const transfer =
        run.adjustmentTransferId === null
          ? undefined
          : await ctx.ledger.getTransfer(read, run.adjustmentTransferId);
      const signed =
        transfer === undefined
          ? null
          : transfer.debitAccountId === run.merchantAccountId
            ? transfer.amountMinor
            : -transfer.amountMinor;
      if (signed !== adjustment)
        differences.push(
          `${run.id}: commission adjustment ${adjustment} but the ledger has ${signed ?? 'none'}`,
        );
    }
  }
  let ledgerPayoutsMinor = 0n;
  let ledgerPayoutCount = 0;
  let clearingBalanceMinor = 0n;
  for (const entry of entries) {
    const amount = entry.delta.creditsPosted - entry.delta.debitsPosted;
    clearingBalanceMinor += amount;
    if (entry.code === SETTLEMENT_CODES.payout) {
      ledgerPayoutsMinor += amount;
      ledgerPayoutCount += 1;
      if (!runByPayout.has(entry.transferId))
        differences.push(
          `${entry.transferId}: a payout of ${amount} with no settlement run (${entry.reference})`,
        );
    } else if (amount !== 0n) {
      differences.push(
        `${entry.transferId}: ${entry.code} moved ${amount} through payout clearing`,
      );
    }
  }
  return {
    currency,
    runs: counts,
    bookedMinor,
    paidMinor,
    outstandingMinor: bookedMinor - paidMinor,
    ledgerPayoutsMinor,
    ledgerPayoutCount,
    clearingBalanceMinor,
    differences,
  };
}
