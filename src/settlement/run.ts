import {
  CURRENCY_EXPONENTS,
  assert,
  derivedId,
  fail,
  limits,
  ok,
  type Currency,
  type DomainError,
  type Outcome,
} from '../kernel/index.ts';
import {
  TransferFlags,
  availableBalance,
  ensureSystemAccounts,
  isApplied,
  journalPage,
  systemAccountId,
  type JournalEntry,
  type StoredTransfer,
  type TransferRequest,
} from '../ledger/index.ts';
import {
  getAssociate,
  listAssociates,
  loadPayment,
  merchantAccountId,
  type Associate,
} from '../payments/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { settlementTables, type SettlementContext } from './context.ts';
import { cycleEndOf, cycleStartOf, type Cycle } from './cycle-rules.ts';
import { allocateFees, bookingPlan } from './fee-rules.ts';
import { associatesOnCycle, commissionBpsFor, getProfile } from './profile.ts';
import {
  SETTLEMENT_CODES,
  getRun,
  runFromRow,
  runIdOf,
  runLines,
  type LineKind,
  type SettlementLine,
  type SettlementRun,
} from './runs.ts';
import type { SettlementLineTable, SettlementRunTable } from './tables.ts';

/** Journal lines one run may read (a backlog larger than this is settled by an engineer). */
const JOURNAL_LINES_MAX = 1_000_000;
/** Cycles one account may settle in one pass (more than a year of daily cycles). */
const CYCLES_PER_PASS_MAX = 400;
const INSERT_CHUNK = 200;
const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as Currency[];

/** Points where a test can stand in a crash (throw) between the steps of a run. */
export interface RunFaults {
  /** After a run's lines are committed, before it is booked. */
  afterCompute?(run: SettlementRun): void;
  /** Inside the booking transaction, after the ledger applied the transfers (rolls it back). */
  afterLedger?(run: SettlementRun): void;
}

export interface RunOptions {
  readonly cycle: Cycle;
  /** Settle the cycles that ended at or before this instant (default: now). */
  readonly untilMs?: bigint;
  /** Only this associate (it must be on `cycle`). */
  readonly associateId?: string;
  /** Live payments (default) or test-mode payments. */
  readonly livemode?: boolean;
  /** Compute and show everything, commit nothing. */
  readonly simulate?: boolean;
  readonly faults?: RunFaults;
}

/** A transfer a run books (or, simulated, would book). */
export interface PlannedTransfer {
  readonly id: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly code: string;
  readonly reference: string;
}

export interface RunOutcome {
  readonly run: SettlementRun;
  readonly lines: readonly SettlementLine[];
  readonly transfers: readonly PlannedTransfer[];
  /** `new`: computed in this pass; `resumed`: left computed by an interrupted pass, completed now. */
  readonly how: 'new' | 'resumed';
}

export interface RunProblem {
  readonly associateId: string;
  readonly accountId: string;
  readonly error: DomainError;
}

export interface RunReport {
  readonly simulated: boolean;
  readonly cycle: Cycle;
  readonly untilMs: bigint;
  readonly livemode: boolean;
  readonly runs: readonly RunOutcome[];
  /** Accounts that could not be settled now; the others went ahead. */
  readonly problems: readonly RunProblem[];
}

/** How the steps of a pass reach the database: each its own transaction, or one to roll back. */
interface Steps {
  readonly read: Executor;
  step<T>(work: (tx: Executor) => Promise<T>): Promise<T>;
}

class SimulationDone extends Error {
  constructor(readonly outcome: Outcome<RunReport>) {
    super('simulation rolled back');
  }
}

/**
 * Settles every associate on `cycle` (or one) for the cycles that ended by `untilMs`: for each
 * payable account (mode, currency) it first completes runs an interrupted pass left computed,
 * then computes and books one run per finished cycle with new entries. Idempotent: a second
 * pass finds nothing new. Simulated, the very same steps run inside one transaction that is
 * rolled back at the end, so the report shows exactly what a real pass would do.
 */
export async function runSettlement(
  ctx: SettlementContext,
  options: RunOptions,
): Promise<Outcome<RunReport>> {
  const nowMs = ctx.clock.nowMs();
  const untilMs = options.untilMs ?? nowMs;
  if (untilMs > nowMs) {
    return fail('settlement_cycle_open', 'until', 'a cycle is settled only after it has ended');
  }
  if (options.simulate === true) {
    try {
      await writeTransaction(ctx.db, async (tx) => {
        const outcome = await settleAll(
          ctx,
          { read: tx, step: (work) => work(tx) },
          { ...options, untilMs, faults: {} },
        );
        throw new SimulationDone(outcome);
      });
    } catch (error) {
      if (error instanceof SimulationDone) {
        return error.outcome.ok ? ok({ ...error.outcome.value, simulated: true }) : error.outcome;
      }
      throw error;
    }
    assert(false, 'a simulation always rolls back');
  }
  return settleAll(
    ctx,
    { read: ctx.db.kysely, step: (work) => writeTransaction(ctx.db, work) },
    { ...options, untilMs },
  );
}

async function settleAll(
  ctx: SettlementContext,
  steps: Steps,
  options: RunOptions & { readonly untilMs: bigint },
): Promise<Outcome<RunReport>> {
  const livemode = options.livemode ?? true;
  let associates: Associate[];
  if (options.associateId !== undefined) {
    const one = await getAssociate(steps.read, options.associateId);
    if (one === undefined) return fail('associate_not_found', 'associate');
    const profile = await getProfile(steps.read, one);
    if (profile.cycle !== options.cycle) {
      return fail('parameter_invalid', 'cycle', `${one.id} is settled ${profile.cycle}`);
    }
    associates = [one];
  } else {
    associates = await associatesOnCycle(
      steps.read,
      await listAssociates(steps.read),
      options.cycle,
    );
  }
  const runs: RunOutcome[] = [];
  const problems: RunProblem[] = [];
  for (const associate of associates) {
    for (const currency of CURRENCIES) {
      const accountId = merchantAccountId(associate.id, livemode, currency);
      if ((await ctx.ledger.getAccount(steps.read, accountId)) === undefined) continue;
      const problem = await settleAccount(ctx, steps, runs, {
        associate,
        cycle: options.cycle,
        livemode,
        currency,
        accountId,
        untilMs: options.untilMs,
        faults: options.faults ?? {},
      });
      if (problem !== null) problems.push({ associateId: associate.id, accountId, error: problem });
    }
  }
  return ok({
    simulated: false,
    cycle: options.cycle,
    untilMs: options.untilMs,
    livemode,
    runs,
    problems,
  });
}

interface AccountJob {
  readonly associate: Associate;
  readonly cycle: Cycle;
  readonly livemode: boolean;
  readonly currency: Currency;
  readonly accountId: string;
  readonly untilMs: bigint;
  readonly faults: RunFaults;
}

async function settleAccount(
  ctx: SettlementContext,
  steps: Steps,
  out: RunOutcome[],
  job: AccountJob,
): Promise<DomainError | null> {
  const left = await settlementTables(steps.read)
    .selectFrom('settlement_run')
    .select('id')
    .where('merchant_account_id', '=', job.accountId)
    .where('state', '=', 'computed')
    .orderBy('to_seq')
    .execute();
  for (const { id } of left) {
    const booked = await steps.step((tx) => bookRun(ctx, tx, id, job.faults));
    if (!booked.ok) return booked.error;
    out.push({ ...booked.value, how: 'resumed' });
  }
  for (let i = 0; i < CYCLES_PER_PASS_MAX; i += 1) {
    const computed = await steps.step((tx) => computeRun(ctx, tx, job));
    if (!computed.ok) return computed.error;
    const run = computed.value;
    if (run === null) return null;
    job.faults.afterCompute?.(run);
    const booked = await steps.step((tx) => bookRun(ctx, tx, run.id, job.faults));
    if (!booked.ok) return booked.error;
    out.push({ ...booked.value, how: 'new' });
  }
  return null;
}

/** The payable account's journal after `afterSeq`, oldest first. */
async function entriesAfter(
  executor: Executor,
  accountId: string,
  afterSeq: bigint,
): Promise<Outcome<JournalEntry[]>> {
  const newestFirst: JournalEntry[] = [];
  let beforeSeq: bigint | undefined;
  for (;;) {
    const page = await journalPage(executor, {
      accountId,
      limit: limits.pageSizeMax,
      ...(beforeSeq !== undefined ? { beforeSeq } : {}),
    });
    for (const entry of page) {
      if (entry.seq <= afterSeq) return ok(newestFirst.reverse());
      newestFirst.push(entry);
    }
    const last = page.at(-1);
    if (page.length < limits.pageSizeMax || last === undefined) return ok(newestFirst.reverse());
    if (newestFirst.length >= JOURNAL_LINES_MAX) {
      return fail(
        'settlement_backlog_too_large',
        undefined,
        `more than ${JOURNAL_LINES_MAX} journal lines since the last run of ${accountId}`,
      );
    }
    beforeSeq = last.seq;
  }
}

interface RawLine {
  readonly entry: JournalEntry;
  readonly kind: LineKind;
  readonly grossMinor: bigint;
}

/** Lines (captures, refunds, other posted money) and the commission already booked. */
export function classifyEntries(entries: readonly JournalEntry[]): {
  lines: RawLine[];
  bookedFeeMinor: bigint;
} {
  const lines: RawLine[] = [];
  let bookedFeeMinor = 0n;
  for (const entry of entries) {
    if (entry.code === SETTLEMENT_CODES.payout || entry.code === SETTLEMENT_CODES.adjustment)
      continue;
    const posted = entry.delta.creditsPosted - entry.delta.debitsPosted;
    if (entry.code === 'commission' || entry.code === 'commission_return') {
      bookedFeeMinor -= posted;
      continue;
    }
    if (posted === 0n) continue; // holds and their release move nothing yet
    const kind: LineKind =
      entry.code === 'capture' ? 'capture' : entry.code === 'refund' ? 'refund' : 'other';
    lines.push({ entry, kind, grossMinor: posted });
  }
  return { lines, bookedFeeMinor };
}

/**
 * Computes the next run of an account: from the last run's end (its journal sequence), the
 * entries of the first cycle that has any, cut at the first entry (in journal order) booked at
 * or after the cycle's end, so every journal line is settled exactly once even when two
 * commits near midnight carry times out of order. A cycle that has not ended by `untilMs`
 * waits. Returns null when there is nothing to settle.
 */
async function computeRun(
  ctx: SettlementContext,
  tx: Executor,
  job: AccountJob,
): Promise<Outcome<SettlementRun | null>> {
  const t = settlementTables(tx);
  const last = await t
    .selectFrom('settlement_run')
    .select(['to_seq', 'period_end_ms'])
    .where('merchant_account_id', '=', job.accountId)
    .orderBy('to_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const cursor = last?.to_seq ?? 0n;
  const read = await entriesAfter(tx, job.accountId, cursor);
  if (!read.ok) return read;
  const entries = read.value;
  let floorMs = last?.period_end_ms ?? null;
  let index = 0;
  while (index < entries.length) {
    const first = entries[index];
    assert(first !== undefined, 'index within entries');
    // A late entry (booked before a settled cycle's end, committed after it) joins the next cycle.
    const basis = floorMs !== null && floorMs > first.createdAtMs ? floorMs : first.createdAtMs;
    const endMs = cycleEndOf(job.cycle, basis);
    if (endMs > job.untilMs) return ok(null);
    let stop = index;
    while (stop < entries.length && (entries[stop]?.createdAtMs ?? endMs) < endMs) stop += 1;
    const covered = entries.slice(0, stop);
    const { lines, bookedFeeMinor } = classifyEntries(covered);
    if (lines.length > 0) {
      const toSeq = covered.at(-1)?.seq;
      assert(toSeq !== undefined, 'a run covers entries');
      return ok(
        await insertRun(ctx, tx, job, { fromSeq: cursor, toSeq, endMs, lines, bookedFeeMinor }),
      );
    }
    index = stop;
    floorMs = endMs;
  }
  return ok(null);
}

async function insertRun(
  ctx: SettlementContext,
  tx: Executor,
  job: AccountJob,
  input: {
    readonly fromSeq: bigint;
    readonly toSeq: bigint;
    readonly endMs: bigint;
    readonly lines: readonly RawLine[];
    readonly bookedFeeMinor: bigint;
  },
): Promise<SettlementRun> {
  const { associate } = job;
  const profile = await getProfile(tx, associate);
  const serviceType = associate.category;
  const bps = commissionBpsFor(associate, profile.commissions, serviceType);
  const batch = allocateFees(
    input.lines.map((l) => ({ grossMinor: l.grossMinor, bps: l.kind === 'other' ? 0n : bps })),
  );
  const orderReferences = new Map<string, string>();
  for (const line of input.lines) {
    const paymentId = line.entry.reference;
    if (orderReferences.has(paymentId)) continue;
    const payment =
      line.kind === 'other' ? undefined : await loadPayment(ctx.payments, tx, paymentId);
    orderReferences.set(paymentId, payment?.orderReference ?? '');
  }
  const id = runIdOf({
    associateId: associate.id,
    livemode: job.livemode,
    currency: job.currency,
    periodEndMs: input.endMs,
  });
  const row: SettlementRunTable = {
    id,
    associate_id: associate.id,
    livemode: job.livemode ? 1n : 0n,
    currency: job.currency,
    merchant_account_id: job.accountId,
    cycle: job.cycle,
    period_start_ms: cycleStartOf(job.cycle, input.endMs),
    period_end_ms: input.endMs,
    from_seq: input.fromSeq,
    to_seq: input.toSeq,
    line_count: BigInt(input.lines.length),
    gross_minor: batch.grossMinor,
    fee_minor: batch.feeMinor,
    net_minor: batch.netMinor,
    booked_fee_minor: input.bookedFeeMinor,
    adjustment_minor: null,
    carry_in_minor: null,
    payout_minor: null,
    carry_out_minor: null,
    adjustment_transfer_id: null,
    payout_transfer_id: null,
    state: 'computed',
    payout_batch_id: null,
    payout_bank_code: null,
    payout_account_number: null,
    payout_account_holder: null,
    paid_reference: null,
    created_at_ms: ctx.clock.nowMs(),
    booked_at_ms: null,
    exported_at_ms: null,
    paid_at_ms: null,
  };
  const t = settlementTables(tx);
  await t.insertInto('settlement_run').values(row).execute();
  const lineRows: SettlementLineTable[] = input.lines.map((line, i) => {
    const fee = batch.lines[i];
    assert(fee !== undefined, 'one fee per line');
    return {
      run_id: id,
      line_no: BigInt(i + 1),
      merchant_account_id: job.accountId,
      journal_seq: line.entry.seq,
      transfer_id: line.entry.transferId,
      kind: line.kind,
      payment_id: line.entry.reference,
      order_reference: orderReferences.get(line.entry.reference) ?? '',
      service_type: line.kind === 'other' ? 'other' : serviceType,
      commission_bps: fee.bps,
      gross_minor: fee.grossMinor,
      fee_minor: fee.feeMinor,
      net_minor: fee.netMinor,
      occurred_at_ms: line.entry.createdAtMs,
    };
  });
  for (let i = 0; i < lineRows.length; i += INSERT_CHUNK) {
    await t
      .insertInto('settlement_line')
      .values(lineRows.slice(i, i + INSERT_CHUNK))
      .execute();
  }
  return runFromRow(row);
}

/** The ledger ids of a run's transfers: derived from the run (associate, mode, currency, cycle). */
export function runTransferIds(runId: string): { adjustment: string; payout: string } {
  const key = runId.replace(/^stl_/, '');
  return { adjustment: derivedId('stladj', key), payout: derivedId('stlpay', key) };
}

function plannedTransfers(
  run: SettlementRun,
  adjustmentMinor: bigint,
  payoutMinor: bigint,
): PlannedTransfer[] {
  const ids = runTransferIds(run.id);
  const fee = systemAccountId(run.currency, 'fee_revenue');
  const out: PlannedTransfer[] = [];
  if (adjustmentMinor !== 0n) {
    const positive = adjustmentMinor > 0n;
    out.push({
      id: ids.adjustment,
      debitAccountId: positive ? run.merchantAccountId : fee,
      creditAccountId: positive ? fee : run.merchantAccountId,
      amountMinor: positive ? adjustmentMinor : -adjustmentMinor,
      currency: run.currency,
      code: SETTLEMENT_CODES.adjustment,
      reference: run.id,
    });
  }
  if (payoutMinor > 0n) {
    out.push({
      id: ids.payout,
      debitAccountId: run.merchantAccountId,
      creditAccountId: systemAccountId(run.currency, 'payout_clearing'),
      amountMinor: payoutMinor,
      currency: run.currency,
      code: SETTLEMENT_CODES.payout,
      reference: run.id,
    });
  }
  return out;
}

/** What an existing adjustment transfer did to the payable account's balance. */
function adjustmentEffect(run: SettlementRun, transfer: StoredTransfer | undefined): bigint {
  if (transfer === undefined) return 0n;
  return transfer.debitAccountId === run.merchantAccountId
    ? transfer.amountMinor
    : -transfer.amountMinor;
}

/**
 * Books a computed run in one transaction: the commission adjustment and the payout as one
 * linked pair with ids derived from the run, and the run's new state. If an earlier attempt's
 * transfers are already in the ledger (a crash between the ledger and the run's row), they are
 * taken as they are: the ledger answers `exists`, nothing moves twice.
 */
async function bookRun(
  ctx: SettlementContext,
  tx: Executor,
  runId: string,
  faults: RunFaults,
): Promise<Outcome<Omit<RunOutcome, 'how'>>> {
  // Two passes booking the same run queue here; the second then finds it booked.
  let query = settlementTables(tx).selectFrom('settlement_run').selectAll().where('id', '=', runId);
  if (ctx.db.dialect === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (row === undefined) return fail('settlement_run_not_found', 'run');
  const run = runFromRow(row);
  const lines = await runLines(tx, runId);
  if (run.state !== 'computed') return ok({ run, lines, transfers: bookedTransfers(run) });
  const t = settlementTables(tx);
  const previous = await t
    .selectFrom('settlement_run')
    .select(['id', 'state', 'carry_out_minor'])
    .where('merchant_account_id', '=', run.merchantAccountId)
    .where('to_seq', '=', run.fromSeq)
    .executeTakeFirst();
  if (previous?.state === 'computed') {
    return fail('settlement_state_invalid', 'run', `${previous.id} must be booked first`);
  }
  const carryInMinor = previous?.carry_out_minor ?? 0n;
  const adjustmentMinor = run.feeMinor - run.bookedFeeMinor;
  const nowMs = ctx.clock.nowMs();
  await ensureSystemAccounts(ctx.ledger, tx, run.currency, nowMs);
  const ids = runTransferIds(run.id);
  const doneAdjustment = await ctx.ledger.getTransfer(tx, ids.adjustment);
  const donePayout = await ctx.ledger.getTransfer(tx, ids.payout);
  let payoutMinor: bigint;
  if (donePayout !== undefined) {
    payoutMinor = donePayout.amountMinor;
  } else {
    const account = await ctx.ledger.getAccount(tx, run.merchantAccountId);
    assert(account !== undefined, 'the payable account exists');
    const plan = bookingPlan({
      netMinor: run.netMinor,
      adjustmentMinor,
      carryInMinor,
      availableMinor: availableBalance(account) + adjustmentEffect(run, doneAdjustment),
    });
    if (!plan.ok) {
      return fail(
        'settlement_balance_insufficient',
        undefined,
        `${run.id}: the commission adjustment ${adjustmentMinor} is more than the account holds`,
      );
    }
    payoutMinor = plan.payoutMinor;
  }
  const transfers = plannedTransfers(run, adjustmentMinor, payoutMinor);
  const requests: TransferRequest[] = transfers.map((tr, i) => ({
    ...tr,
    ...(i < transfers.length - 1 ? { flags: TransferFlags.linked } : {}),
  }));
  const results = await ctx.ledger.transfer(tx, requests, nowMs);
  if (!results.every(isApplied)) {
    const cause =
      results.find((r) => !isApplied(r) && r !== 'linked_event_failed') ?? results[0] ?? '';
    if (cause.startsWith('exists_with_different'))
      return fail('settlement_ledger_conflict', undefined, `${run.id}: ${cause}`);
    if (cause === 'exceeds_credits')
      return fail('settlement_balance_insufficient', undefined, `${run.id}: ${cause}`);
    return fail('ledger_rejected', undefined, cause);
  }
  faults.afterLedger?.(run);
  const state = payoutMinor > 0n ? 'booked' : 'closed';
  await t
    .updateTable('settlement_run')
    .set({
      state,
      adjustment_minor: adjustmentMinor,
      carry_in_minor: carryInMinor,
      payout_minor: payoutMinor,
      carry_out_minor: run.netMinor + carryInMinor - payoutMinor,
      adjustment_transfer_id: adjustmentMinor !== 0n ? ids.adjustment : null,
      payout_transfer_id: payoutMinor > 0n ? ids.payout : null,
      booked_at_ms: nowMs,
    })
    .where('id', '=', run.id)
    .where('state', '=', 'computed')
    .execute();
  const after = await getRun(tx, run.id);
  assert(after !== undefined, 'the run is still there');
  return ok({ run: after, lines, transfers });
}

/** The transfers a booked run made, rebuilt from its row. */
export function bookedTransfers(run: SettlementRun): PlannedTransfer[] {
  if (run.adjustmentMinor === null || run.payoutMinor === null) return [];
  return plannedTransfers(run, run.adjustmentMinor, run.payoutMinor);
}
