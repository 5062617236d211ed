import { sql } from 'kysely';
import { readSnapshot, tablesOf, type Database, type Executor } from '../storage/index.ts';
import { GENESIS_HASH, journalHash } from './journal-hash.ts';
import type { LedgerTables } from './tables.ts';
import type { AccountTotals } from './types.ts';

/** Journal lines read per page while verifying, so memory stays bounded on any ledger size. */
const VERIFY_PAGE = 5_000;
/** Problems listed in a report before the rest are only counted. */
const PROBLEMS_MAX = 100;

export interface CurrencyTotals extends AccountTotals {
  readonly currency: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly accounts: number;
  readonly journalLines: number;
  readonly transfers: number;
  readonly currencies: readonly CurrencyTotals[];
  readonly problems: readonly string[];
  readonly problemCount: number;
}

interface Running {
  seq: bigint;
  hash: string;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

/**
 * Recomputes every account from its journal and checks that: each chain is intact and ends at
 * the hash the account row holds; each account's totals equal the sum of its lines; each line's
 * "after" totals are the running sums; every transfer's lines balance; the pending totals equal
 * the open holds; and per currency all debits equal all credits.
 */
export async function verifyLedger(db: Database): Promise<VerifyReport> {
  // Every query reads the same snapshot, so a live system cannot produce false alarms.
  return readSnapshot(db, verifyIn);
}

async function verifyIn(executor: Executor): Promise<VerifyReport> {
  const db = tablesOf<LedgerTables>(executor);
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (text: string): void => {
    problemCount += 1;
    if (problems.length < PROBLEMS_MAX) problems.push(text);
  };

  const running = new Map<string, Running>();
  let journalLines = 0;
  let after: { account_id: string; seq: bigint } | undefined;
  for (;;) {
    let query = db
      .selectFrom('ledger_journal')
      .selectAll()
      .orderBy('account_id')
      .orderBy('seq')
      .limit(VERIFY_PAGE);
    if (after !== undefined) {
      const cursor = after;
      query = query.where((eb) =>
        eb.or([
          eb('account_id', '>', cursor.account_id),
          eb.and([eb('account_id', '=', cursor.account_id), eb('seq', '>', cursor.seq)]),
        ]),
      );
    }
    const rows = await query.execute();
    for (const line of rows) {
      journalLines += 1;
      const r = running.get(line.account_id) ?? {
        seq: 0n,
        hash: GENESIS_HASH,
        debitsPending: 0n,
        debitsPosted: 0n,
        creditsPending: 0n,
        creditsPosted: 0n,
      };
      if (line.seq !== r.seq + 1n)
        problem(`journal ${line.account_id}: seq ${line.seq} follows ${r.seq}`);
      if (line.prev_hash !== r.hash)
        problem(`journal ${line.account_id}#${line.seq}: chain broken`);
      r.debitsPending += line.d_debits_pending;
      r.debitsPosted += line.d_debits_posted;
      r.creditsPending += line.d_credits_pending;
      r.creditsPosted += line.d_credits_posted;
      const delta = {
        debitsPending: line.d_debits_pending,
        debitsPosted: line.d_debits_posted,
        creditsPending: line.d_credits_pending,
        creditsPosted: line.d_credits_posted,
      };
      const lineAfter = {
        debitsPending: line.debits_pending,
        debitsPosted: line.debits_posted,
        creditsPending: line.credits_pending,
        creditsPosted: line.credits_posted,
      };
      if (
        lineAfter.debitsPending !== r.debitsPending ||
        lineAfter.debitsPosted !== r.debitsPosted ||
        lineAfter.creditsPending !== r.creditsPending ||
        lineAfter.creditsPosted !== r.creditsPosted
      ) {
        problem(`journal ${line.account_id}#${line.seq}: balance after differs from running sum`);
      }
      const expected = journalHash({
        accountId: line.account_id,
        seq: line.seq,
        transferId: line.transfer_id,
        code: line.code,
        reference: line.reference,
        delta,
        after: lineAfter,
        createdAtMs: line.created_at_ms,
        prevHash: line.prev_hash,
      });
      if (expected !== line.hash) problem(`journal ${line.account_id}#${line.seq}: hash mismatch`);
      r.seq = line.seq;
      r.hash = line.hash;
      running.set(line.account_id, r);
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < VERIFY_PAGE) break;
    after = { account_id: last.account_id, seq: last.seq };
  }

  const currencies = new Map<
    string,
    { debitsPending: bigint; debitsPosted: bigint; creditsPending: bigint; creditsPosted: bigint }
  >();
  let accounts = 0;
  let afterId: string | undefined;
  for (;;) {
    let query = db.selectFrom('ledger_account').selectAll().orderBy('id').limit(VERIFY_PAGE);
    if (afterId !== undefined) query = query.where('id', '>', afterId);
    const rows = await query.execute();
    for (const a of rows) {
      accounts += 1;
      const r = running.get(a.id);
      running.delete(a.id);
      const seq = r?.seq ?? 0n;
      const hash = r?.hash ?? GENESIS_HASH;
      if (a.journal_seq !== seq || a.journal_hash !== hash) {
        problem(`account ${a.id}: journal head ${a.journal_seq} does not match its lines (${seq})`);
      }
      if (
        a.debits_pending !== (r?.debitsPending ?? 0n) ||
        a.debits_posted !== (r?.debitsPosted ?? 0n) ||
        a.credits_pending !== (r?.creditsPending ?? 0n) ||
        a.credits_posted !== (r?.creditsPosted ?? 0n)
      ) {
        problem(`account ${a.id}: totals differ from its journal`);
      }
      const c = currencies.get(a.currency) ?? {
        debitsPending: 0n,
        debitsPosted: 0n,
        creditsPending: 0n,
        creditsPosted: 0n,
      };
      c.debitsPending += a.debits_pending;
      c.debitsPosted += a.debits_posted;
      c.creditsPending += a.credits_pending;
      c.creditsPosted += a.credits_posted;
      currencies.set(a.currency, c);
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < VERIFY_PAGE) break;
    afterId = last.id;
  }
  for (const orphan of running.keys()) problem(`journal lines for unknown account ${orphan}`);

  for (const [currency, c] of currencies) {
    if (c.debitsPosted !== c.creditsPosted) {
      problem(`${currency}: posted debits ${c.debitsPosted} ≠ posted credits ${c.creditsPosted}`);
    }
    if (c.debitsPending !== c.creditsPending) {
      problem(
        `${currency}: pending debits ${c.debitsPending} ≠ pending credits ${c.creditsPending}`,
      );
    }
  }

  const unbalanced = await db
    .selectFrom('ledger_journal')
    .select('transfer_id')
    .groupBy('transfer_id')
    .having((eb) =>
      eb.or([
        eb(eb.fn.sum('d_debits_posted'), '!=', eb.fn.sum('d_credits_posted')),
        eb(eb.fn.sum('d_debits_pending'), '!=', eb.fn.sum('d_credits_pending')),
      ]),
    )
    .limit(PROBLEMS_MAX)
    .execute();
  for (const u of unbalanced) problem(`transfer ${u.transfer_id}: journal lines do not balance`);

  const transferless = await sql<{ n: bigint }>`
    select count(*) as n from ledger_transfer t
    where not exists (select 1 from ledger_journal j where j.transfer_id = t.id)`.execute(executor);
  const missing = BigInt(transferless.rows[0]?.n ?? 0n);
  if (missing !== 0n) problem(`${missing} transfers have no journal lines`);

  const holds = await sql<{ account_id: string; held: bigint; debits_pending: bigint }>`
    select a.id as account_id, coalesce(h.held, 0) as held, a.debits_pending as debits_pending
    from ledger_account a
    left join (select debit_account_id, sum(amount_minor) as held from ledger_pending
               where status = 'pending' group by debit_account_id) h on h.debit_account_id = a.id
    where a.debits_pending <> coalesce(h.held, 0)
    limit ${PROBLEMS_MAX}`.execute(executor);
  for (const h of holds.rows) {
    problem(`account ${h.account_id}: debits_pending ${h.debits_pending} ≠ open holds ${h.held}`);
  }
  const credited = await sql<{ account_id: string; held: bigint; credits_pending: bigint }>`
    select a.id as account_id, coalesce(h.held, 0) as held, a.credits_pending as credits_pending
    from ledger_account a
    left join (select credit_account_id, sum(amount_minor) as held from ledger_pending
               where status = 'pending' group by credit_account_id) h on h.credit_account_id = a.id
    where a.credits_pending <> coalesce(h.held, 0)
    limit ${PROBLEMS_MAX}`.execute(executor);
  for (const h of credited.rows) {
    problem(`account ${h.account_id}: credits_pending ${h.credits_pending} ≠ open holds ${h.held}`);
  }

  const transferCount = await sql<{ n: bigint }>`select count(*) as n from ledger_transfer`.execute(
    executor,
  );
  return {
    ok: problemCount === 0,
    accounts,
    journalLines,
    transfers: Number(transferCount.rows[0]?.n ?? 0n),
    currencies: [...currencies.entries()].map(([currency, c]) => ({ currency, ...c })),
    problems,
    problemCount,
  };
}
