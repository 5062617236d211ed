import { fail, formatMoney, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { TransferFlags, isApplied } from '../ledger/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { inventoryAccountId, payableAccountId, ensureProviderAccounts } from './accounts.ts';
import { checkStockLevel, type LowStockAlert } from './alerts.ts';
import { foreignTables, type ForeignContext } from './context.ts';
import { foreignId, stockTransferId, voidTransferId } from './ids.ts';
import { pinDigest, sealPin } from './pin-seal.ts';
import { loadProvider } from './providers.ts';
import { parsePinFile, REPORT_ERRORS_MAX, type LineError, type PinLine } from './stock-rules.ts';
import type { ForeignPinTable } from './tables.ts';

/** Digests per IN (…) list, well under both engines' bound-parameter limits. */
const IN_CHUNK = 500;
/** Pool rows per multi-row INSERT. */
const INSERT_CHUNK = 200;

export interface ValueCount {
  readonly faceValueMinor: bigint;
  readonly count: number;
  readonly costMinor: bigint;
}

export interface PinImportReport {
  readonly valid: boolean;
  readonly dryRun: boolean;
  readonly providerId: string;
  readonly currency: Currency;
  readonly errors: readonly LineError[];
  readonly errorCount: number;
  /** PINs per face value (what is, or would be, stored). */
  readonly values: readonly ValueCount[];
  readonly pinCount: number;
  readonly faceTotalMinor: bigint;
  /** What we owe the provider for them, booked to its `foreign_payable`. */
  readonly costTotalMinor: bigint;
  /** Set when stored. */
  readonly batchId: string | null;
  readonly transferId: string | null;
}

/** Lines whose PIN the provider's pool already holds (in any state). */
async function duplicatesInPool(
  ctx: ForeignContext,
  executor: Executor,
  providerId: string,
  rows: readonly PinLine[],
): Promise<LineError[]> {
  const byDigest = new Map(rows.map((r) => [pinDigest(ctx.keys, providerId, r.normalized), r]));
  const digests = [...byDigest.keys()];
  const errors: LineError[] = [];
  for (let i = 0; i < digests.length; i += IN_CHUNK) {
    const found = await foreignTables(executor)
      .selectFrom('foreign_pin')
      .select('pin_digest')
      .where('provider_id', '=', providerId)
      .where('pin_digest', 'in', digests.slice(i, i + IN_CHUNK))
      .execute();
    for (const f of found) {
      const line = byDigest.get(f.pin_digest);
      if (line !== undefined) {
        errors.push({ line: line.line, field: 'pin', reason: 'already in the pool' });
      }
    }
  }
  return errors.sort((a, b) => a.line - b.line);
}

function summarize(rows: readonly PinLine[]): {
  values: ValueCount[];
  faceTotalMinor: bigint;
  costTotalMinor: bigint;
} {
  const byValue = new Map<bigint, { count: number; costMinor: bigint }>();
  let faceTotalMinor = 0n;
  let costTotalMinor = 0n;
  for (const r of rows) {
    const v = byValue.get(r.faceMinor) ?? { count: 0, costMinor: 0n };
    byValue.set(r.faceMinor, { count: v.count + 1, costMinor: v.costMinor + r.costMinor });
    faceTotalMinor += r.faceMinor;
    costTotalMinor += r.costMinor;
  }
  const values = [...byValue.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([faceValueMinor, v]) => ({ faceValueMinor, ...v }));
  return { values, faceTotalMinor, costTotalMinor };
}

/**
 * Imports a provider's PIN file into its pool: every line is checked (format, duplicates in
 * the file and against the pool) before anything is stored, and one bad line refuses the whole
 * file. When stored, in one transaction: the batch, each PIN sealed, the payable line, and the
 * ledger transfer `foreign_inventory` ← `foreign_payable` for the cost (what we now owe the
 * provider, in its currency). A dry run checks and stores nothing.
 */
export async function importPins(
  ctx: ForeignContext,
  input: {
    readonly providerId: string;
    readonly text: string;
    readonly fileName: string;
    readonly importedBy: string;
    readonly dryRun?: boolean;
  },
): Promise<Outcome<PinImportReport>> {
  const importedBy = input.importedBy.trim();
  if (importedBy === '' || importedBy.length > 80) return fail('parameter_invalid', 'imported_by');
  const provider = await loadProvider(ctx.db.kysely, input.providerId);
  if (provider === null) return fail('foreign_provider_not_found', 'provider');
  const parsed = parsePinFile(input.text, provider.currency);
  const dryRun = input.dryRun === true;
  const refused = (errors: readonly LineError[], count: number): PinImportReport => ({
    valid: false,
    dryRun,
    providerId: provider.id,
    currency: provider.currency,
    errors: errors.slice(0, REPORT_ERRORS_MAX),
    errorCount: count,
    values: [],
    pinCount: 0,
    faceTotalMinor: 0n,
    costTotalMinor: 0n,
    batchId: null,
    transferId: null,
  });
  if (parsed.errorCount > 0) return ok(refused(parsed.errors, parsed.errorCount));
  const summary = summarize(parsed.rows);
  if (dryRun) {
    const dup = await duplicatesInPool(ctx, ctx.db.kysely, provider.id, parsed.rows);
    if (dup.length > 0) return ok(refused(dup, dup.length));
    return ok({
      valid: true,
      dryRun,
      providerId: provider.id,
      currency: provider.currency,
      errors: [],
      errorCount: 0,
      ...summary,
      pinCount: parsed.rows.length,
      batchId: null,
      transferId: null,
    });
  }
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<PinImportReport>> => {
    // Checked again inside the transaction: a concurrent import of the same PINs loses here.
    const dup = await duplicatesInPool(ctx, tx, provider.id, parsed.rows);
    if (dup.length > 0) return ok(refused(dup, dup.length));
    await ensureProviderAccounts(ctx, tx, provider.id, provider.currency, nowMs);
    const t = foreignTables(tx);
    const batchId = foreignId('fxb');
    const transferId = stockTransferId(batchId);
    await t
      .insertInto('foreign_import_batch')
      .values({
        id: batchId,
        provider_id: provider.id,
        file_name: input.fileName.slice(0, 200),
        pin_count: BigInt(parsed.rows.length),
        face_total_minor: summary.faceTotalMinor,
        cost_total_minor: summary.costTotalMinor,
        currency: provider.currency,
        transfer_id: transferId,
        imported_by: importedBy,
        imported_at_ms: nowMs,
      })
      .execute();
    const last = await t
      .selectFrom('foreign_pin')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('provider_id', '=', provider.id)
      .executeTakeFirst();
    const firstSeq = BigInt(last?.seq ?? 0) + 1n;
    const pins: ForeignPinTable[] = parsed.rows.map((r, i) => {
      const id = foreignId('fpn');
      return {
        id,
        provider_id: provider.id,
        batch_id: batchId,
        seq: firstSeq + BigInt(i),
        currency: provider.currency,
        face_value_minor: r.faceMinor,
        cost_minor: r.costMinor,
        pin_sealed: sealPin(ctx.keys, id, r.pin),
        pin_digest: pinDigest(ctx.keys, provider.id, r.normalized),
        pin_last4: r.normalized.slice(-4),
        state: 'available',
        switch_id: null,
        card_id: null,
        created_at_ms: nowMs,
        reserved_at_ms: null,
        sold_at_ms: null,
        voided_at_ms: null,
      };
    });
    for (let i = 0; i < pins.length; i += INSERT_CHUNK) {
      await t
        .insertInto('foreign_pin')
        .values(pins.slice(i, i + INSERT_CHUNK))
        .execute();
    }
    await t
      .insertInto('foreign_payable_entry')
      .values({
        id: foreignId('fxe'),
        provider_id: provider.id,
        kind: 'stock',
        ref: batchId,
        currency: provider.currency,
        amount_minor: summary.costTotalMinor,
        at_ms: nowMs,
        settlement_id: null,
      })
      .execute();
    const [booked] = await ctx.ledger.transfer(
      tx,
      [
        {
          id: transferId,
          debitAccountId: inventoryAccountId(provider.id),
          creditAccountId: payableAccountId(provider.id),
          amountMinor: summary.costTotalMinor,
          currency: provider.currency,
          code: 'foreign_stock',
          reference: batchId,
        },
      ],
      nowMs,
    );
    if (booked !== 'ok') throw new Error(`foreign stock booking refused: ${booked ?? 'none'}`);
    for (const v of summary.values) {
      await checkStockLevel(ctx, tx, provider, v.faceValueMinor, batchId);
    }
    return ok({
      valid: true,
      dryRun,
      providerId: provider.id,
      currency: provider.currency,
      errors: [],
      errorCount: 0,
      ...summary,
      pinCount: parsed.rows.length,
      batchId,
      transferId,
    });
  });
}

export interface StockLine {
  readonly providerId: string;
  readonly providerName: string;
  readonly currency: Currency;
  readonly faceValueMinor: bigint;
  readonly available: number;
  readonly reserved: number;
  readonly sold: number;
  readonly void: number;
  readonly threshold: bigint;
  /** Fewer available than the threshold. */
  readonly low: boolean;
}

/** Counts per provider and face value, with the low-stock flags (`onepin foreign stock`). */
export async function stockReport(ctx: ForeignContext, providerId?: string): Promise<StockLine[]> {
  const db = foreignTables(ctx.db.kysely);
  let providersQuery = db.selectFrom('foreign_provider').selectAll().orderBy('name');
  if (providerId !== undefined) providersQuery = providersQuery.where('id', '=', providerId);
  const providers = await providersQuery.execute();
  const out: StockLine[] = [];
  for (const p of providers) {
    const counts = await db
      .selectFrom('foreign_pin')
      .select([
        'face_value_minor',
        'state',
        (eb) => eb.fn.countAll<bigint | number | string>().as('n'),
      ])
      .where('provider_id', '=', p.id)
      .groupBy(['face_value_minor', 'state'])
      .execute();
    const levels = await db
      .selectFrom('foreign_stock_level')
      .selectAll()
      .where('provider_id', '=', p.id)
      .execute();
    const values = new Set<bigint>([
      ...counts.map((c) => c.face_value_minor),
      ...levels.map((l) => l.face_value_minor),
    ]);
    for (const face of [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const n = (state: string): number =>
        Number(counts.find((c) => c.face_value_minor === face && c.state === state)?.n ?? 0);
      const threshold =
        levels.find((l) => l.face_value_minor === face)?.threshold ?? p.low_stock_default;
      const available = n('available');
      out.push({
        providerId: p.id,
        providerName: p.name,
        currency: p.currency as Currency,
        faceValueMinor: face,
        available,
        reserved: n('reserved'),
        sold: n('sold'),
        void: n('void'),
        threshold,
        low: BigInt(available) < threshold,
      });
    }
  }
  return out;
}

/** The values a provider offers now: at least one PIN available. */
export async function offeredValues(
  ctx: ForeignContext,
  executor: Executor,
  providerId: string,
): Promise<bigint[]> {
  const rows = await foreignTables(executor)
    .selectFrom('foreign_pin')
    .select('face_value_minor')
    .distinct()
    .where('provider_id', '=', providerId)
    .where('state', '=', 'available')
    .orderBy('face_value_minor')
    .execute();
  return rows.map((r) => r.face_value_minor);
}

/**
 * Takes an available PIN out of the pool for good (the provider recalled it, or it is
 * defective): what we owe the provider shrinks by its cost (`foreign_payable` →
 * `foreign_inventory`), and the next settlement pays that much less.
 */
export async function voidPoolPin(
  ctx: ForeignContext,
  input: { readonly pinId: string },
): Promise<
  Outcome<{
    readonly pinId: string;
    readonly costMinor: bigint;
    readonly alert: LowStockAlert | null;
  }>
> {
  const nowMs = ctx.clock.nowMs();
  return writeTransaction(ctx.db, async (tx) => {
    const t = foreignTables(tx);
    const pin = await t
      .selectFrom('foreign_pin')
      .selectAll()
      .where('id', '=', input.pinId)
      .executeTakeFirst();
    if (pin === undefined) return fail('foreign_pin_not_found', 'pin');
    if (pin.state !== 'available') return fail('foreign_pin_state_invalid', 'pin', pin.state);
    const provider = await loadProvider(tx, pin.provider_id);
    if (provider === null) return fail('foreign_provider_not_found', 'provider');
    const updated = await t
      .updateTable('foreign_pin')
      .set({ state: 'void', voided_at_ms: nowMs })
      .where('id', '=', pin.id)
      .where('state', '=', 'available')
      .executeTakeFirst();
    if (updated.numUpdatedRows !== 1n) return fail('foreign_pin_state_invalid', 'pin');
    await t
      .insertInto('foreign_payable_entry')
      .values({
        id: foreignId('fxe'),
        provider_id: provider.id,
        kind: 'void',
        ref: pin.id,
        currency: provider.currency,
        amount_minor: -pin.cost_minor,
        at_ms: nowMs,
        settlement_id: null,
      })
      .execute();
    const [result] = await ctx.ledger.transfer(
      tx,
      [
        {
          id: voidTransferId(pin.id),
          debitAccountId: payableAccountId(provider.id),
          creditAccountId: inventoryAccountId(provider.id),
          amountMinor: pin.cost_minor,
          currency: provider.currency,
          code: 'foreign_stock_void',
          reference: pin.id,
          flags: TransferFlags.none,
        },
      ],
      nowMs,
    );
    if (result === undefined || !isApplied(result)) {
      throw new Error(`foreign stock void refused: ${result ?? 'none'}`);
    }
    const alert = await checkStockLevel(ctx, tx, provider, pin.face_value_minor, `void:${pin.id}`);
    return ok({ pinId: pin.id, costMinor: pin.cost_minor, alert });
  });
}

/** "10.00 USD (3 PINs)" lines for reports. */
export function describeValues(values: readonly ValueCount[], currency: Currency): string[] {
  return values.map((v) => `${formatMoney(v.faceValueMinor, currency)}: ${v.count} PINs`);
}
