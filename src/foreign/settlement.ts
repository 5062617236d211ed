import { assert, fail, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { isApplied } from '../ledger/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { ensureProviderAccounts, payableAccountId, payoutClearingAccountId } from './accounts.ts';
import { foreignTables, type ForeignContext } from './context.ts';
import { settlementIdOf } from './ids.ts';
import { loadProvider } from './providers.ts';
import { settlementPeriod } from './stock-rules.ts';
import type { ForeignSettlementTable } from './tables.ts';

/** Payable lines one settlement may close (a provider's stock and voids of one period). */
export const SETTLEMENT_ENTRIES_MAX = 10_000;

export interface SettlementReport {
  readonly settlementId: string;
  readonly providerId: string;
  readonly providerName: string;
  readonly periodKey: string;
  /** Lines booked before this instant (the end of the `until` day, KST) are in the period. */
  readonly periodEndMs: bigint;
  readonly currency: Currency;
  /** What is (or, simulating, would be) paid: stock bought minus stock voided, not yet settled. */
  readonly amountMinor: bigint;
  readonly entryCount: number;
  /** The ledger transfer `foreign_payable` → `payout_clearing`; null when nothing is owed. */
  readonly transferId: string | null;
  readonly simulate: boolean;
  /** True when this period was settled before: nothing was done now. */
  readonly replayed: boolean;
}

function reportOf(
  row: ForeignSettlementTable,
  providerName: string,
  currency: Currency,
  extra: { simulate: boolean; replayed: boolean },
): SettlementReport {
  return {
    settlementId: row.id,
    providerId: row.provider_id,
    providerName,
    periodKey: row.period_key,
    periodEndMs: row.period_end_ms,
    currency,
    amountMinor: row.amount_minor,
    entryCount: Number(row.entry_count),
    transferId: row.transfer_id,
    ...extra,
  };
}

async function openEntries(
  executor: Executor,
  providerId: string,
  endMs: bigint,
): Promise<{ id: string; amount_minor: bigint }[]> {
  return foreignTables(executor)
    .selectFrom('foreign_payable_entry')
    .select(['id', 'amount_minor'])
    .where('provider_id', '=', providerId)
    .where('settlement_id', 'is', null)
    .where('at_ms', '<', endMs)
    .orderBy('at_ms')
    .orderBy('id')
    .limit(SETTLEMENT_ENTRIES_MAX)
    .execute();
}

/**
 * Settles with a provider what we owe it up to the end of `until` (a calendar day in KST):
 * every payable line of the period not settled before (stock bought, minus stock voided), paid
 * as one ledger transfer `foreign_payable` → `payout_clearing` in the provider's currency. The
 * settlement's id (and the transfer's) is derived from the provider and the period, and the
 * lines are marked in the same transaction: a re-run, or a run after a crash, pays once.
 * A period must have ended. When the lines net to zero or less, nothing is paid and they carry
 * over to the next period. Simulate reports the same figures and writes nothing.
 */
export async function settleProvider(
  ctx: ForeignContext,
  input: { readonly providerId: string; readonly until: string; readonly simulate?: boolean },
): Promise<Outcome<SettlementReport>> {
  const period = settlementPeriod(input.until);
  if (period === null) return fail('parameter_invalid', 'until', 'a date like 2026-05-31');
  const nowMs = ctx.clock.nowMs();
  if (period.endMs > nowMs) {
    return fail(
      'parameter_invalid',
      'until',
      'the period has not ended yet (days end at 24:00 KST)',
    );
  }
  const provider = await loadProvider(ctx.db.kysely, input.providerId);
  if (provider === null) return fail('foreign_provider_not_found', 'provider');
  const settlementId = settlementIdOf(provider.id, period.key);
  const simulate = input.simulate === true;
  const find = (executor: Executor) =>
    foreignTables(executor)
      .selectFrom('foreign_settlement')
      .selectAll()
      .where('provider_id', '=', provider.id)
      .where('period_key', '=', period.key)
      .executeTakeFirst();
  const before = await find(ctx.db.kysely);
  if (before !== undefined) {
    return ok(reportOf(before, provider.name, provider.currency, { simulate, replayed: true }));
  }
  if (simulate) {
    const entries = await openEntries(ctx.db.kysely, provider.id, period.endMs);
    const sum = entries.reduce((a, e) => a + e.amount_minor, 0n);
    const amount = sum > 0n ? sum : 0n;
    return ok({
      settlementId,
      providerId: provider.id,
      providerName: provider.name,
      periodKey: period.key,
      periodEndMs: period.endMs,
      currency: provider.currency,
      amountMinor: amount,
      entryCount: sum > 0n ? entries.length : 0,
      transferId: amount > 0n ? settlementId : null,
      simulate: true,
      replayed: false,
    });
  }
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<SettlementReport>> => {
    const again = await find(tx);
    if (again !== undefined) {
      return ok(reportOf(again, provider.name, provider.currency, { simulate, replayed: true }));
    }
    const entries = await openEntries(tx, provider.id, period.endMs);
    const sum = entries.reduce((a, e) => a + e.amount_minor, 0n);
    const pays = sum > 0n;
    const row: ForeignSettlementTable = {
      id: settlementId,
      provider_id: provider.id,
      period_key: period.key,
      period_end_ms: period.endMs,
      currency: provider.currency,
      amount_minor: pays ? sum : 0n,
      entry_count: pays ? BigInt(entries.length) : 0n,
      transfer_id: pays ? settlementId : null,
      created_at_ms: nowMs,
    };
    await foreignTables(tx).insertInto('foreign_settlement').values(row).execute();
    if (pays) {
      for (let i = 0; i < entries.length; i += 500) {
        const marked = await foreignTables(tx)
          .updateTable('foreign_payable_entry')
          .set({ settlement_id: settlementId })
          .where(
            'id',
            'in',
            entries.slice(i, i + 500).map((e) => e.id),
          )
          .where('settlement_id', 'is', null)
          .executeTakeFirst();
        assert(
          marked.numUpdatedRows === BigInt(entries.slice(i, i + 500).length),
          'every payable line is settled once',
        );
      }
      await ensureProviderAccounts(ctx, tx, provider.id, provider.currency, nowMs);
      const [paid] = await ctx.ledger.transfer(
        tx,
        [
          {
            id: settlementId,
            debitAccountId: payableAccountId(provider.id),
            creditAccountId: payoutClearingAccountId(provider.currency),
            amountMinor: sum,
            currency: provider.currency,
            code: 'foreign_settlement',
            reference: `${provider.id}:${period.key}`,
          },
        ],
        nowMs,
      );
      assert(paid !== undefined && isApplied(paid), `the settlement posts (${paid ?? 'none'})`);
    }
    return ok(reportOf(row, provider.name, provider.currency, { simulate, replayed: false }));
  });
}
