import { sql } from 'kysely';
import { readSnapshot } from '../storage/index.ts';
import { addTo, big, seoulMonth, type ReportsContext } from './context.ts';
import { toCsv } from './csv.ts';
import { checkTotals, type CurrencyCheck } from './liability.ts';

export interface BreakageRow {
  /** `YYYY-MM`, in Asia/Seoul. */
  readonly month: string;
  readonly currency: string;
  /** Cards swept (transfers with code `breakage`). */
  readonly transfers: bigint;
  readonly amountMinor: bigint;
}

export interface BreakageReport {
  readonly fromMs: bigint;
  readonly toMs: bigint;
  readonly rows: readonly BreakageRow[];
  /** Per currency: the rows' total against the breakage account's own journal in the period. */
  readonly checks: readonly CurrencyCheck[];
  readonly ok: boolean;
}

/**
 * Breakage booked in [`fromMs`, `toMs`): the balances of expired cards moved to the breakage
 * account, per month (Asia/Seoul) and currency. Checked against the breakage system account's
 * journal over the same period: every credit to it is a card's sweep, so the two must agree.
 */
export async function breakageReport(
  ctx: ReportsContext,
  options: { readonly fromMs: bigint; readonly toMs: bigint },
): Promise<BreakageReport> {
  const { fromMs, toMs } = options;
  return readSnapshot(ctx.db, async (tx) => {
    const transfers = await sql<{
      currency: string;
      amount_minor: unknown;
      created_at_ms: unknown;
    }>`
      select currency, amount_minor, created_at_ms from ledger_transfer
      where code = 'breakage' and created_at_ms >= ${fromMs} and created_at_ms < ${toMs}
      order by created_at_ms, id`.execute(tx);
    const byKey = new Map<string, { month: string; currency: string; n: bigint; sum: bigint }>();
    const totals = new Map<string, bigint>();
    for (const t of transfers.rows) {
      const month = seoulMonth(big(t.created_at_ms));
      const key = `${month}|${t.currency}`;
      const row = byKey.get(key) ?? { month, currency: t.currency, n: 0n, sum: 0n };
      row.n += 1n;
      row.sum += big(t.amount_minor);
      byKey.set(key, row);
      addTo(totals, t.currency, big(t.amount_minor));
    }
    const ledger = await sql<{ currency: string; net: unknown }>`
      select a.currency as currency, sum(j.d_credits_posted - j.d_debits_posted) as net
      from ledger_journal j join ledger_account a on a.id = j.account_id
      where a.code = 'breakage' and j.created_at_ms >= ${fromMs} and j.created_at_ms < ${toMs}
      group by a.currency`.execute(tx);
    const checks = checkTotals(totals, new Map(ledger.rows.map((r) => [r.currency, big(r.net)])));
    const rows = [...byKey.values()]
      .sort((a, b) => a.month.localeCompare(b.month) || a.currency.localeCompare(b.currency))
      .map((r) => ({ month: r.month, currency: r.currency, transfers: r.n, amountMinor: r.sum }));
    return { fromMs, toMs, rows, checks, ok: checks.every((c) => c.ties) };
  });
}

export function breakageCsv(report: BreakageReport): string {
  return toCsv(
    ['month', 'currency', 'cards', 'breakage_minor'],
    report.rows.map((r) => [r.month, r.currency, r.transfers, r.amountMinor]),
  );
}
