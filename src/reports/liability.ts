import { sql } from 'kysely';
import { MS_PER_DAY } from '../kernel/index.ts';
import { readSnapshot, type Executor } from '../storage/index.ts';
import { addTo, big, type ReportsContext } from './context.ts';
import { toCsv } from './csv.ts';

/** Age of a card's balance: whole days since its sale, at the report's instant. */
export const AGE_BUCKETS = ['0-30', '31-90', '91-180', '181-365', '>365'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number] | 'unknown';

export interface LiabilityRow {
  readonly currency: string;
  /** How the card was sold: web, agent, carrier, operator, demo ('' when not recorded). */
  readonly channel: string;
  readonly denominationId: string;
  readonly faceValueMinor: bigint;
  /** Test cards (sandbox payments) are reported apart from live ones. */
  readonly livemode: boolean;
  readonly age: AgeBucket;
  /** Cards with a non-zero balance or a hold. */
  readonly cards: bigint;
  /** Posted credits − posted debits: what we owe the holders. */
  readonly liabilityMinor: bigint;
  /** Of which held by open holds (reservations, refund holds): still owed until posted. */
  readonly heldMinor: bigint;
}

export interface CurrencyCheck {
  readonly currency: string;
  /** The report's total (sum of its rows). */
  readonly reportMinor: bigint;
  /** The same figure read straight from the ledger. */
  readonly ledgerMinor: bigint;
  readonly ties: boolean;
}

export interface LiabilityReport {
  readonly atMs: bigint;
  /** 'accounts': the ledger's account totals (now); 'journal': journal lines up to `atMs`. */
  readonly ledgerSource: 'accounts' | 'journal';
  readonly rows: readonly LiabilityRow[];
  readonly checks: readonly CurrencyCheck[];
  /** Every currency ties to the ledger. */
  readonly ok: boolean;
}

interface RawRow {
  currency: string;
  channel: string;
  denomination_id: string;
  face_value_minor: unknown;
  livemode: unknown;
  age: string;
  cards: unknown;
  posted: unknown;
  held: unknown;
}

function ageCase(atMs: bigint) {
  const d = (days: bigint) => days * MS_PER_DAY;
  return sql<string>`case
    when c.sold_at_ms is null then 'unknown'
    when ${atMs} - c.sold_at_ms < ${d(31n)} then '0-30'
    when ${atMs} - c.sold_at_ms < ${d(91n)} then '31-90'
    when ${atMs} - c.sold_at_ms < ${d(181n)} then '91-180'
    when ${atMs} - c.sold_at_ms < ${d(366n)} then '181-365'
    else '>365' end`;
}

async function cardRows(
  tx: Executor,
  atMs: bigint,
  cutoffMs: bigint | null,
): Promise<LiabilityRow[]> {
  // "Now" reads every line in the snapshot, so a transfer committed after the clock was read
  // is in both this sum and the account totals it is checked against.
  const upTo = cutoffMs === null ? sql`1 = 1` : sql`created_at_ms <= ${cutoffMs}`;
  const result = await sql<RawRow>`
    select c.currency as currency, coalesce(c.channel, '') as channel,
      c.denomination_id as denomination_id, c.face_value_minor as face_value_minor,
      c.livemode as livemode, ${ageCase(atMs)} as age, count(*) as cards,
      sum(b.posted) as posted, sum(b.held) as held
    from card c
    join (
      select account_id, sum(d_credits_posted - d_debits_posted) as posted,
        sum(d_debits_pending) as held
      from ledger_journal where ${upTo} group by account_id
    ) b on b.account_id = c.account_id
    where b.posted <> 0 or b.held <> 0
    group by 1, 2, 3, 4, 5, 6
    order by 1, 2, 4, 3, 5, 6`.execute(tx);
  return result.rows.map((r) => ({
    currency: r.currency,
    channel: r.channel,
    denominationId: r.denomination_id,
    faceValueMinor: big(r.face_value_minor),
    livemode: big(r.livemode) === 1n,
    age: r.age as AgeBucket,
    cards: big(r.cards),
    liabilityMinor: big(r.posted),
    heldMinor: big(r.held),
  }));
}

/** Every card account's posted balance per currency, from the ledger alone (no card table). */
async function ledgerTotals(tx: Executor, atMs: bigint | null): Promise<Map<string, bigint>> {
  const result =
    atMs === null
      ? await sql<{ currency: string; posted: unknown }>`
          select currency, sum(credits_posted - debits_posted) as posted
          from ledger_account where code = 'card' group by currency`.execute(tx)
      : await sql<{ currency: string; posted: unknown }>`
          select a.currency as currency, sum(j.d_credits_posted - j.d_debits_posted) as posted
          from ledger_journal j join ledger_account a on a.id = j.account_id
          where a.code = 'card' and j.created_at_ms <= ${atMs} group by a.currency`.execute(tx);
  return new Map(result.rows.map((r) => [r.currency, big(r.posted)]));
}

/** Ties each currency's report total to the ledger's own figure. */
export function checkTotals(
  report: ReadonlyMap<string, bigint>,
  ledger: ReadonlyMap<string, bigint>,
): CurrencyCheck[] {
  const currencies = [...new Set([...report.keys(), ...ledger.keys()])].sort();
  return currencies.map((currency) => {
    const reportMinor = report.get(currency) ?? 0n;
    const ledgerMinor = ledger.get(currency) ?? 0n;
    return { currency, reportMinor, ledgerMinor, ties: reportMinor === ledgerMinor };
  });
}

/**
 * Outstanding liability: what card holders can still spend, per currency, sales channel,
 * denomination, live/test and age since sale, at `atMs` (now by default), from the journal
 * lines up to that instant. Pending holds count (their amount is shown apart): a hold is not
 * spent until it is posted and may still be released back to the holder. The total per currency
 * is checked against the ledger in the same snapshot: against the card accounts' totals for
 * "now", against all card accounts' journal lines for a past instant.
 */
export async function liabilityReport(
  ctx: ReportsContext,
  options: { readonly atMs?: bigint } = {},
): Promise<LiabilityReport> {
  const now = options.atMs === undefined;
  const atMs = options.atMs ?? ctx.clock.nowMs();
  return readSnapshot(ctx.db, async (tx) => {
    const rows = await cardRows(tx, atMs, now ? null : atMs);
    const ledger = await ledgerTotals(tx, now ? null : atMs);
    const totals = new Map<string, bigint>();
    for (const r of rows) addTo(totals, r.currency, r.liabilityMinor);
    const checks = checkTotals(totals, ledger);
    return {
      atMs,
      ledgerSource: now ? 'accounts' : 'journal',
      rows,
      checks,
      ok: checks.every((c) => c.ties),
    };
  });
}

export function liabilityCsv(report: LiabilityReport): string {
  return toCsv(
    [
      'currency',
      'channel',
      'denomination_id',
      'face_value_minor',
      'livemode',
      'age_days',
      'cards',
      'liability_minor',
      'held_minor',
    ],
    report.rows.map((r) => [
      r.currency,
      r.channel,
      r.denominationId,
      r.faceValueMinor,
      r.livemode ? 'live' : 'test',
      r.age,
      r.cards,
      r.liabilityMinor,
      r.heldMinor,
    ]),
  );
}
