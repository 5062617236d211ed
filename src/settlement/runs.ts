import { isCurrency, jsonInteger, type Currency } from '../kernel/index.ts';
import type { Executor } from '../storage/index.ts';
import { settlementTables } from './context.ts';
import { isCycle, localDate, type Cycle } from './cycle-rules.ts';
import type { BankAccount } from './profile.ts';
import type { SettlementLineTable, SettlementRunTable } from './tables.ts';

export const RUN_STATES = ['computed', 'booked', 'exported', 'paid', 'closed'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** Ledger codes settlement books; its own entries are never settled again. */
export const SETTLEMENT_CODES = {
  payout: 'settlement_payout',
  adjustment: 'commission_adjustment',
} as const;

export interface SettlementRun {
  readonly id: string;
  readonly associateId: string;
  readonly livemode: boolean;
  readonly currency: Currency;
  readonly merchantAccountId: string;
  readonly cycle: Cycle;
  readonly periodStartMs: bigint;
  readonly periodEndMs: bigint;
  readonly fromSeq: bigint;
  readonly toSeq: bigint;
  readonly lineCount: number;
  readonly grossMinor: bigint;
  readonly feeMinor: bigint;
  readonly netMinor: bigint;
  readonly bookedFeeMinor: bigint;
  readonly adjustmentMinor: bigint | null;
  readonly carryInMinor: bigint | null;
  readonly payoutMinor: bigint | null;
  readonly carryOutMinor: bigint | null;
  readonly adjustmentTransferId: string | null;
  readonly payoutTransferId: string | null;
  readonly state: RunState;
  readonly payoutBatchId: string | null;
  /** The bank account the payout file named (set at export). */
  readonly payoutAccount: BankAccount | null;
  readonly paidReference: string | null;
  readonly createdAtMs: bigint;
  readonly bookedAtMs: bigint | null;
  readonly exportedAtMs: bigint | null;
  readonly paidAtMs: bigint | null;
}

export type LineKind = 'capture' | 'refund' | 'other';

export interface SettlementLine {
  readonly runId: string;
  readonly lineNo: number;
  readonly journalSeq: bigint;
  readonly transferId: string;
  readonly kind: LineKind;
  readonly paymentId: string;
  readonly orderReference: string;
  readonly serviceType: string;
  readonly commissionBps: bigint;
  readonly grossMinor: bigint;
  readonly feeMinor: bigint;
  readonly netMinor: bigint;
  readonly occurredAtMs: bigint;
}

/** The run id names the account and the last local day of the cycle: stl_asc_…_live_krw_20260111. */
export function runIdOf(input: {
  readonly associateId: string;
  readonly livemode: boolean;
  readonly currency: Currency;
  readonly periodEndMs: bigint;
}): string {
  const day = localDate(input.periodEndMs - 1n).replace(/-/g, '');
  return `stl_${input.associateId}_${input.livemode ? 'live' : 'test'}_${input.currency.toLowerCase()}_${day}`;
}

export function runFromRow(row: SettlementRunTable): SettlementRun {
  if (!isCurrency(row.currency) || !isCycle(row.cycle)) throw new Error('stored run is malformed');
  return {
    id: row.id,
    associateId: row.associate_id,
    livemode: row.livemode === 1n,
    currency: row.currency,
    merchantAccountId: row.merchant_account_id,
    cycle: row.cycle,
    periodStartMs: row.period_start_ms,
    periodEndMs: row.period_end_ms,
    fromSeq: row.from_seq,
    toSeq: row.to_seq,
    lineCount: Number(row.line_count),
    grossMinor: row.gross_minor,
    feeMinor: row.fee_minor,
    netMinor: row.net_minor,
    bookedFeeMinor: row.booked_fee_minor,
    adjustmentMinor: row.adjustment_minor,
    carryInMinor: row.carry_in_minor,
    payoutMinor: row.payout_minor,
    carryOutMinor: row.carry_out_minor,
    adjustmentTransferId: row.adjustment_transfer_id,
    payoutTransferId: row.payout_transfer_id,
    state: row.state as RunState,
    payoutBatchId: row.payout_batch_id,
    payoutAccount:
      row.payout_bank_code !== null &&
      row.payout_account_number !== null &&
      row.payout_account_holder !== null
        ? {
            bankCode: row.payout_bank_code,
            accountNumber: row.payout_account_number,
            holder: row.payout_account_holder,
          }
        : null,
    paidReference: row.paid_reference,
    createdAtMs: row.created_at_ms,
    bookedAtMs: row.booked_at_ms,
    exportedAtMs: row.exported_at_ms,
    paidAtMs: row.paid_at_ms,
  };
}

export function lineFromRow(row: SettlementLineTable): SettlementLine {
  return {
    runId: row.run_id,
    lineNo: Number(row.line_no),
    journalSeq: row.journal_seq,
    transferId: row.transfer_id,
    kind: row.kind as LineKind,
    paymentId: row.payment_id,
    orderReference: row.order_reference,
    serviceType: row.service_type,
    commissionBps: row.commission_bps,
    grossMinor: row.gross_minor,
    feeMinor: row.fee_minor,
    netMinor: row.net_minor,
    occurredAtMs: row.occurred_at_ms,
  };
}

export async function getRun(executor: Executor, id: string): Promise<SettlementRun | undefined> {
  const row = await settlementTables(executor)
    .selectFrom('settlement_run')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : runFromRow(row);
}

export async function runLines(executor: Executor, runId: string): Promise<SettlementLine[]> {
  const rows = await settlementTables(executor)
    .selectFrom('settlement_line')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('line_no')
    .execute();
  return rows.map(lineFromRow);
}

export interface RunFilter {
  readonly associateId?: string;
  readonly state?: RunState;
  readonly livemode?: boolean;
  readonly limit?: number;
}

/** Runs, newest cycle first. */
export async function listRuns(
  executor: Executor,
  filter: RunFilter = {},
): Promise<SettlementRun[]> {
  let query = settlementTables(executor)
    .selectFrom('settlement_run')
    .selectAll()
    .orderBy('period_end_ms', 'desc')
    .orderBy('id')
    .limit(Math.max(1, Math.min(filter.limit ?? 100, 1_000)));
  if (filter.associateId !== undefined)
    query = query.where('associate_id', '=', filter.associateId);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  if (filter.livemode !== undefined)
    query = query.where('livemode', '=', filter.livemode ? 1n : 0n);
  return (await query.execute()).map(runFromRow);
}

/** A run as JSON (amounts as numbers of minor units). */
export function runJson(run: SettlementRun): Record<string, unknown> {
  const n = (v: bigint | null): number | null => (v === null ? null : jsonInteger(v));
  return {
    id: run.id,
    associate: run.associateId,
    livemode: run.livemode,
    currency: run.currency,
    cycle: run.cycle,
    period_start: localDate(run.periodStartMs),
    period_end: localDate(run.periodEndMs - 1n),
    state: run.state,
    lines: run.lineCount,
    gross: n(run.grossMinor),
    fee: n(run.feeMinor),
    net: n(run.netMinor),
    fee_booked_at_capture: n(run.bookedFeeMinor),
    commission_adjustment: n(run.adjustmentMinor),
    carried_in: n(run.carryInMinor),
    payout: n(run.payoutMinor),
    carried_out: n(run.carryOutMinor),
    payout_transfer: run.payoutTransferId,
    payout_batch: run.payoutBatchId,
    paid_reference: run.paidReference,
  };
}
