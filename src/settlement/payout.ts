import { randomBytes } from 'node:crypto';
import { assert, fail, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { getAssociate } from '../payments/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { settlementTables, type SettlementContext } from './context.ts';
import { csvDocument } from './csv.ts';
import { localDate } from './cycle-rules.ts';
import { getProfile, type BankAccount } from './profile.ts';
import { getRun, runFromRow, type SettlementRun } from './runs.ts';

export const PAYOUT_CSV_HEADER = [
  'bank_code',
  'account_number',
  'account_holder',
  'amount',
  'currency',
  'memo',
  'run_id',
  'associate_id',
  'associate_name',
] as const;

export interface PayoutItem {
  readonly run: SettlementRun;
  readonly associateName: string;
  readonly bankAccount: BankAccount;
}

export interface PayoutBatch {
  readonly id: string;
  readonly livemode: boolean;
  readonly currency: Currency;
  readonly untilMs: bigint;
  readonly items: readonly PayoutItem[];
  readonly totalMinor: bigint;
}

export interface PayoutFileReport {
  readonly simulated: boolean;
  /** Null when no booked run was waiting. */
  readonly batch: PayoutBatch | null;
  /** Booked runs left out, and why (they stay booked for the next file). */
  readonly skipped: readonly { readonly run: SettlementRun; readonly reason: string }[];
  /** The bank-transfer file (header only when the batch is empty). */
  readonly csv: string;
}

/** The text shown on the associate's bank statement. */
export function payoutMemo(run: SettlementRun): string {
  return `ONEPIN ${localDate(run.periodEndMs - 1n).replace(/-/g, '')}`;
}

/** The bank-transfer batch file: one record per payout, amounts in minor units (won). */
export function payoutCsv(items: readonly PayoutItem[]): string {
  return csvDocument(
    PAYOUT_CSV_HEADER,
    items.map((item) => {
      assert(item.run.payoutMinor !== null, 'a paid-out run has a payout');
      return [
        item.bankAccount.bankCode,
        item.bankAccount.accountNumber,
        item.bankAccount.holder,
        item.run.payoutMinor.toString(),
        item.run.currency,
        payoutMemo(item.run),
        item.run.id,
        item.run.associateId,
        item.associateName,
      ];
    }),
  );
}

class SimulationDone extends Error {
  constructor(readonly report: PayoutFileReport) {
    super('simulation rolled back');
  }
}

async function itemsOf(
  executor: Executor,
  runs: readonly SettlementRun[],
): Promise<{ items: PayoutItem[]; skipped: { run: SettlementRun; reason: string }[] }> {
  const items: PayoutItem[] = [];
  const skipped: { run: SettlementRun; reason: string }[] = [];
  for (const run of runs) {
    const associate = await getAssociate(executor, run.associateId);
    if (associate === undefined) {
      skipped.push({ run, reason: 'associate_not_found' });
      continue;
    }
    const { bankAccount } = await getProfile(executor, associate);
    if (bankAccount === null) skipped.push({ run, reason: 'settlement_bank_account_missing' });
    else items.push({ run, associateName: associate.name, bankAccount });
  }
  return { items, skipped };
}

/**
 * Puts every booked run (payout > 0, cycle ended by `untilMs`, one mode and currency) with a
 * known bank account into a new payout batch and marks them exported, in one transaction. The
 * file is built from the stored runs, so `payoutFileOf(batch)` writes the same file again (after
 * a crash between the commit and the file write). Simulated: the same, rolled back.
 */
export async function createPayoutBatch(
  ctx: SettlementContext,
  input: {
    readonly untilMs: bigint;
    readonly currency: Currency;
    readonly livemode?: boolean;
    readonly simulate?: boolean;
  },
): Promise<PayoutFileReport> {
  const livemode = input.livemode ?? true;
  const work = async (tx: Executor): Promise<PayoutFileReport> => {
    const t = settlementTables(tx);
    const rows = await t
      .selectFrom('settlement_run')
      .selectAll()
      .where('state', '=', 'booked')
      .where('livemode', '=', livemode ? 1n : 0n)
      .where('currency', '=', input.currency)
      .where('period_end_ms', '<=', input.untilMs)
      .where('payout_minor', '>', 0n)
      .orderBy('associate_id')
      .orderBy('period_end_ms')
      .execute();
    const { items, skipped } = await itemsOf(tx, rows.map(runFromRow));
    if (items.length === 0) return { simulated: false, batch: null, skipped, csv: payoutCsv([]) };
    const nowMs = ctx.clock.nowMs();
    const id = `pob_${livemode ? 'live' : 'test'}_${input.currency.toLowerCase()}_${localDate(nowMs).replace(/-/g, '')}_${randomBytes(6).toString('hex')}`;
    const totalMinor = items.reduce((s, i) => s + (i.run.payoutMinor ?? 0n), 0n);
    await t
      .insertInto('settlement_payout_batch')
      .values({
        id,
        livemode: livemode ? 1n : 0n,
        currency: input.currency,
        until_ms: input.untilMs,
        run_count: BigInt(items.length),
        total_minor: totalMinor,
        created_at_ms: nowMs,
      })
      .execute();
    const exported: PayoutItem[] = [];
    for (const item of items) {
      await t
        .updateTable('settlement_run')
        .set({
          state: 'exported',
          payout_batch_id: id,
          exported_at_ms: nowMs,
          payout_bank_code: item.bankAccount.bankCode,
          payout_account_number: item.bankAccount.accountNumber,
          payout_account_holder: item.bankAccount.holder,
        })
        .where('id', '=', item.run.id)
        .where('state', '=', 'booked')
        .execute();
      const after = await getRun(tx, item.run.id);
      assert(after?.payoutBatchId === id, 'the run joined the batch');
      exported.push({ ...item, run: after });
    }
    return {
      simulated: false,
      batch: {
        id,
        livemode,
        currency: input.currency,
        untilMs: input.untilMs,
        items: exported,
        totalMinor,
      },
      skipped,
      csv: payoutCsv(exported),
    };
  };
  if (input.simulate !== true) return writeTransaction(ctx.db, work);
  try {
    await writeTransaction(ctx.db, async (tx) => {
      throw new SimulationDone(await work(tx));
    });
  } catch (error) {
    if (error instanceof SimulationDone) return { ...error.report, simulated: true };
    throw error;
  }
  assert(false, 'a simulation always rolls back');
}

/** An existing batch's file, built again from its runs. */
export async function payoutFileOf(
  ctx: SettlementContext,
  batchId: string,
): Promise<Outcome<{ batch: PayoutBatch; csv: string }>> {
  const t = settlementTables(ctx.db.kysely);
  const row = await t
    .selectFrom('settlement_payout_batch')
    .selectAll()
    .where('id', '=', batchId)
    .executeTakeFirst();
  if (row === undefined) return fail('parameter_invalid', 'batch', `no payout batch ${batchId}`);
  const runs = (
    await t
      .selectFrom('settlement_run')
      .selectAll()
      .where('payout_batch_id', '=', batchId)
      .orderBy('associate_id')
      .orderBy('period_end_ms')
      .execute()
  ).map(runFromRow);
  const items: PayoutItem[] = [];
  for (const run of runs) {
    assert(run.payoutAccount !== null, 'an exported run names its bank account');
    const associate = await getAssociate(ctx.db.kysely, run.associateId);
    items.push({ run, associateName: associate?.name ?? '', bankAccount: run.payoutAccount });
  }
  const batch: PayoutBatch = {
    id: row.id,
    livemode: row.livemode === 1n,
    currency: runs[0]?.currency ?? (row.currency as Currency),
    untilMs: row.until_ms,
    items,
    totalMinor: row.total_minor,
  };
  return ok({ batch, csv: payoutCsv(items) });
}

const BANK_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$/;

/**
 * Records that the bank paid a run (its reference from the bank's confirmation). A booked or
 * exported run becomes paid; marking a paid run again with the same reference changes nothing,
 * with another reference it is refused. Moves no money: the payout was booked with the run.
 */
export async function markPaid(
  ctx: SettlementContext,
  input: { readonly runId: string; readonly reference: string },
): Promise<Outcome<SettlementRun>> {
  if (!BANK_REFERENCE.test(input.reference))
    return fail('parameter_invalid', 'reference', '1–64 letters, digits and _ . : / -');
  return writeTransaction(ctx.db, async (tx) => {
    const run = await getRun(tx, input.runId);
    if (run === undefined) return fail('settlement_run_not_found', 'run');
    if (run.state === 'paid') {
      return run.paidReference === input.reference
        ? ok(run)
        : fail(
            'settlement_state_invalid',
            'run',
            `already paid with reference ${run.paidReference ?? ''}`,
          );
    }
    if (run.state !== 'booked' && run.state !== 'exported')
      return fail('settlement_state_invalid', 'run', `the run is ${run.state}`);
    await settlementTables(tx)
      .updateTable('settlement_run')
      .set({ state: 'paid', paid_reference: input.reference, paid_at_ms: ctx.clock.nowMs() })
      .where('id', '=', run.id)
      .where('state', '=', run.state)
      .execute();
    const after = await getRun(tx, run.id);
    assert(after !== undefined, 'the run is still there');
    return ok(after);
  });
}
