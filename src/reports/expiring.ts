import { sql } from 'kysely';
import { MS_PER_DAY } from '../kernel/index.ts';
import { readSnapshot } from '../storage/index.ts';
import { addTo, big, seoulDate, type ReportsContext } from './context.ts';
import { toCsv } from './csv.ts';
import { checkTotals, type CurrencyCheck } from './liability.ts';

/** The horizons the summary is cut at (cumulative: "within 30 days" includes "within 7"). */
export const EXPIRING_HORIZONS_DAYS = [7, 30, 90] as const;
export const EXPIRING_DAYS_MAX = 3_660;

export interface ExpiringLine {
  readonly cardId: string;
  readonly serial: string;
  readonly state: string;
  readonly currency: string;
  readonly channel: string;
  readonly denominationId: string;
  readonly expiresAtMs: bigint;
  /** Posted balance (the liability that would become breakage, holds included). */
  readonly balanceMinor: bigint;
  readonly heldMinor: bigint;
}

export interface ExpiringSummary {
  readonly withinDays: number;
  readonly currency: string;
  readonly cards: bigint;
  readonly balanceMinor: bigint;
}

export interface ExpiringReport {
  readonly nowMs: bigint;
  readonly days: number;
  readonly lines: readonly ExpiringLine[];
  readonly summary: readonly ExpiringSummary[];
  /** The lines' total against the same cards' journal lines. */
  readonly checks: readonly CurrencyCheck[];
  readonly ok: boolean;
}

interface Raw {
  id: string;
  serial: string;
  state: string;
  currency: string;
  channel: string;
  denomination_id: string;
  expires_at_ms: unknown;
  posted: unknown;
  held: unknown;
}

/**
 * Balances that expire in the next `days` days: cards not yet expired (sold, active, suspended
 * or locked) with a balance, whose validity ends in (now, now + days], soonest first, with
 * totals within 7, 30 and 90 days. The total is checked against the journal of the same cards.
 */
export async function expiringReport(
  ctx: ReportsContext,
  options: { readonly days: number; readonly nowMs?: bigint },
): Promise<ExpiringReport> {
  const nowMs = options.nowMs ?? ctx.clock.nowMs();
  const days = options.days;
  const untilMs = nowMs + BigInt(days) * MS_PER_DAY;
  const where = sql`c.state in ('sold', 'active', 'suspended', 'locked')
    and c.expires_at_ms > ${nowMs} and c.expires_at_ms <= ${untilMs}`;
  return readSnapshot(ctx.db, async (tx) => {
    const result = await sql<Raw>`
      select c.id as id, c.serial as serial, c.state as state, c.currency as currency,
        coalesce(c.channel, '') as channel, c.denomination_id as denomination_id,
        c.expires_at_ms as expires_at_ms, a.credits_posted - a.debits_posted as posted,
        a.debits_pending as held
      from card c join ledger_account a on a.id = c.account_id
      where ${where} and a.credits_posted - a.debits_posted > 0
      order by c.expires_at_ms, c.id`.execute(tx);
    const journal = await sql<{ currency: string; posted: unknown }>`
      select c.currency as currency, sum(j.d_credits_posted - j.d_debits_posted) as posted
      from card c join ledger_journal j on j.account_id = c.account_id
      where ${where} group by c.currency`.execute(tx);
    const lines: ExpiringLine[] = result.rows.map((r) => ({
      cardId: r.id,
      serial: r.serial,
      state: r.state,
      currency: r.currency,
      channel: r.channel,
      denominationId: r.denomination_id,
      expiresAtMs: big(r.expires_at_ms),
      balanceMinor: big(r.posted),
      heldMinor: big(r.held),
    }));
    const totals = new Map<string, bigint>();
    for (const l of lines) addTo(totals, l.currency, l.balanceMinor);
    const checks = checkTotals(
      totals,
      new Map(journal.rows.map((r) => [r.currency, big(r.posted)])),
    );
    const summary: ExpiringSummary[] = [];
    const horizons = [...new Set([...EXPIRING_HORIZONS_DAYS.filter((h) => h < days), days])];
    for (const currency of [...totals.keys()].sort()) {
      for (const withinDays of horizons) {
        const limit = nowMs + BigInt(withinDays) * MS_PER_DAY;
        const within = lines.filter((l) => l.currency === currency && l.expiresAtMs <= limit);
        summary.push({
          withinDays,
          currency,
          cards: BigInt(within.length),
          balanceMinor: within.reduce((s, l) => s + l.balanceMinor, 0n),
        });
      }
    }
    return { nowMs, days, lines, summary, checks, ok: checks.every((c) => c.ties) };
  });
}

export function expiringCsv(report: ExpiringReport): string {
  return toCsv(
    [
      'card_id',
      'serial',
      'state',
      'currency',
      'channel',
      'denomination_id',
      'expires_on_kst',
      'expires_at_ms',
      'balance_minor',
      'held_minor',
    ],
    report.lines.map((l) => [
      l.cardId,
      l.serial,
      l.state,
      l.currency,
      l.channel,
      l.denominationId,
      seoulDate(l.expiresAtMs),
      l.expiresAtMs,
      l.balanceMinor,
      l.heldMinor,
    ]),
  );
}
