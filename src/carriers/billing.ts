import { createHash } from 'node:crypto';
import { derivedId, fail, ok, type Outcome } from '../kernel/index.ts';
import { systemAccountId } from '../ledger/index.ts';
import { writeTransaction } from '../storage/index.ts';
import { getCarrier } from './carriers.ts';
import { carrierId, carrierTables, type CarriersContext } from './context.ts';
import {
  commissionSplit,
  parseBillingFile,
  periodBounds,
  reconcile,
  type ReconciliationLine,
} from './rules.ts';

export interface BillingReport {
  readonly carrierId: string;
  readonly period: string;
  readonly importId: string | null;
  readonly lines: readonly ReconciliationLine[];
  /** Our amount of the matched lines: what this remittance settles. */
  readonly grossMinor: bigint;
  readonly commissionMinor: bigint;
  readonly netMinor: bigint;
  readonly netTransferId: string;
  readonly commissionTransferId: string;
  /** What this call did: `simulated` (nothing written), `booked`, or `replayed` (the same file again). */
  readonly outcome: 'simulated' | 'booked' | 'replayed';
}

/** The remittance's transfers: one pair per (carrier, period), so a re-run never books twice. */
export function remittanceTransferIds(
  carrierId: string,
  period: string,
): { net: string; commission: string } {
  return {
    net: derivedId('carrem', `${carrierId}:${period}`),
    commission: derivedId('carcom', `${carrierId}:${period}`),
  };
}

class RemittanceRefused extends Error {}

/**
 * Imports a carrier's monthly billing file: parses it (malformed lines refuse the whole file
 * with a line report, `carrier_billing_invalid`), reconciles it against our carrier sales of the
 * period (by serial), stores the reconciliation and books the remittance of the matched lines:
 * `funding_clearing` ← `carrier_receivable` for the net (the money the carrier pays us) and
 * `commission_expense` ← `carrier_receivable` for its commission. Differences stay open on the
 * receivable and are listed. The same file again answers with the stored result (`replayed`);
 * another file for a period already imported is refused. `simulate` writes nothing.
 */
export async function importBilling(
  ctx: CarriersContext,
  input: {
    readonly carrierId: string;
    readonly period: string;
    readonly fileName: string;
    readonly text: string;
    readonly simulate: boolean;
  },
): Promise<Outcome<BillingReport>> {
  const carrier = await getCarrier(ctx, input.carrierId);
  if (!carrier.ok) return carrier;
  const bounds = periodBounds(input.period);
  if (bounds === null) return fail('parameter_invalid', 'period', 'YYYY-MM');
  const parsed = parseBillingFile(input.text);
  if (parsed.errors.length > 0)
    return fail(
      'carrier_billing_invalid',
      'file',
      parsed.errors
        .slice(0, 5)
        .map((e) => `line ${e.line}, ${e.field}: ${e.reason}`)
        .join('; '),
    );
  const digest = createHash('sha256').update(input.text).digest('hex');
  const ids = remittanceTransferIds(carrier.value.id, input.period);
  const t = carrierTables(ctx.db.kysely);
  const previous = await t
    .selectFrom('carrier_billing_import')
    .selectAll()
    .where('carrier_id', '=', carrier.value.id)
    .where('period', '=', input.period)
    .executeTakeFirst();
  if (previous !== undefined) {
    if (previous.file_digest !== digest)
      return fail(
        'carrier_billing_period_imported',
        'period',
        `imported from ${previous.file_name}`,
      );
    return ok(await storedReport(ctx, previous.id, 'replayed'));
  }
  const ours = await t
    .selectFrom('carrier_sale')
    .select(['serial', 'price_minor'])
    .where('carrier_id', '=', carrier.value.id)
    .where('state', 'in', ['loaded', 'registered'])
    .where('sold_at_ms', '>=', bounds.startMs)
    .where('sold_at_ms', '<', bounds.endMs)
    .execute();
  const serials = parsed.file.lines.map((l) => l.serial);
  const pool = new Set<string>();
  for (let i = 0; i < serials.length; i += 500) {
    const rows = await t
      .selectFrom('carrier_pin')
      .select('serial')
      .where('carrier_id', '=', carrier.value.id)
      .where('serial', 'in', serials.slice(i, i + 500))
      .execute();
    for (const r of rows) pool.add(r.serial);
  }
  const rec = reconcile(
    parsed.file,
    ours.map((o) => ({ serial: o.serial, amountMinor: o.price_minor })),
    pool,
  );
  const split = commissionSplit(rec.matchedGrossMinor, carrier.value.commissionBps);
  const report: BillingReport = {
    carrierId: carrier.value.id,
    period: input.period,
    importId: null,
    lines: rec.lines,
    grossMinor: rec.matchedGrossMinor,
    commissionMinor: split.commissionMinor,
    netMinor: split.netMinor,
    netTransferId: ids.net,
    commissionTransferId: ids.commission,
    outcome: 'simulated',
  };
  if (input.simulate) return ok(report);
  const importId = carrierId('cbi');
  const nowMs = ctx.clock.nowMs();
  const currency = carrier.value.currency;
  try {
    await writeTransaction(ctx.db, async (tx) => {
      const w = carrierTables(tx);
      await w
        .insertInto('carrier_billing_import')
        .values({
          id: importId,
          carrier_id: carrier.value.id,
          period: input.period,
          file_digest: digest,
          file_name: input.fileName.slice(0, 200),
          line_count: BigInt(parsed.file.lines.length),
          gross_minor: report.grossMinor,
          commission_minor: report.commissionMinor,
          net_minor: report.netMinor,
          net_transfer_id: report.netMinor > 0n ? ids.net : null,
          commission_transfer_id: report.commissionMinor > 0n ? ids.commission : null,
          imported_at_ms: nowMs,
        })
        .execute();
      let seq = 0n;
      for (let i = 0; i < rec.lines.length; i += 200) {
        await w
          .insertInto('carrier_reconciliation_line')
          .values(
            rec.lines.slice(i, i + 200).map((l) => ({
              import_id: importId,
              seq: (seq += 1n),
              kind: l.kind,
              serial: l.serial,
              ours_minor: l.oursMinor,
              theirs_minor: l.theirsMinor,
              note: l.note,
            })),
          )
          .execute();
      }
      const transfers = [
        {
          id: ids.net,
          debitAccountId: systemAccountId(currency, 'funding_clearing'),
          creditAccountId: carrier.value.accountId,
          amountMinor: report.netMinor,
          currency,
          code: 'carrier_remittance',
          reference: importId,
        },
        {
          id: ids.commission,
          debitAccountId: systemAccountId(currency, 'commission_expense'),
          creditAccountId: carrier.value.accountId,
          amountMinor: report.commissionMinor,
          currency,
          code: 'carrier_commission',
          reference: importId,
        },
      ].filter((x) => x.amountMinor > 0n);
      const results = await ctx.ledger.transfer(tx, transfers, nowMs);
      for (const r of results) if (r !== 'ok') throw new RemittanceRefused(r);
    });
  } catch (error) {
    if (error instanceof RemittanceRefused)
      return fail('carrier_remittance_conflict', undefined, error.message);
    throw error;
  }
  return ok({ ...report, importId, outcome: 'booked' });
}

async function storedReport(
  ctx: CarriersContext,
  importId: string,
  outcome: BillingReport['outcome'],
): Promise<BillingReport> {
  const t = carrierTables(ctx.db.kysely);
  const row = await t
    .selectFrom('carrier_billing_import')
    .selectAll()
    .where('id', '=', importId)
    .executeTakeFirstOrThrow();
  const lines = await t
    .selectFrom('carrier_reconciliation_line')
    .selectAll()
    .where('import_id', '=', importId)
    .orderBy('seq')
    .execute();
  const ids = remittanceTransferIds(row.carrier_id, row.period);
  return {
    carrierId: row.carrier_id,
    period: row.period,
    importId,
    lines: lines.map((l) => ({
      kind: l.kind as ReconciliationLine['kind'],
      serial: l.serial,
      oursMinor: l.ours_minor,
      theirsMinor: l.theirs_minor,
      note: l.note,
    })),
    grossMinor: row.gross_minor,
    commissionMinor: row.commission_minor,
    netMinor: row.net_minor,
    netTransferId: ids.net,
    commissionTransferId: ids.commission,
    outcome,
  };
}

/** The stored reconciliation of a carrier's period. */
export async function reconciliationOf(
  ctx: CarriersContext,
  input: { readonly carrierId: string; readonly period: string },
): Promise<Outcome<BillingReport>> {
  const carrier = await getCarrier(ctx, input.carrierId);
  if (!carrier.ok) return carrier;
  const row = await carrierTables(ctx.db.kysely)
    .selectFrom('carrier_billing_import')
    .select('id')
    .where('carrier_id', '=', carrier.value.id)
    .where('period', '=', input.period)
    .executeTakeFirst();
  if (row === undefined) return fail('carrier_billing_not_found', 'period');
  return ok(await storedReport(ctx, row.id, 'replayed'));
}
