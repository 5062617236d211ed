import { assert, isCurrency, isoFromMs, jsonInteger, type Currency } from '../kernel/index.ts';
import type { Executor } from '../storage/index.ts';
import { paymentTables, type PaymentsContext } from './context.ts';
import { paymentStatus, type PaymentStatus } from './rules.ts';
import type { PaymentPartTable, PaymentTable } from './tables.ts';

export type CaptureMode = 'auto' | 'manual';
export type PartStatus = 'authorized' | 'captured' | 'voided' | 'expired';

export interface PaymentPart {
  readonly id: string;
  readonly seq: bigint;
  readonly cardId: string;
  readonly holdId: string | null;
  readonly holdGeneration: bigint;
  readonly amountMinor: bigint;
  readonly capturedMinor: bigint;
  readonly refundedMinor: bigint;
  readonly status: PartStatus;
  readonly createdAtMs: bigint;
}

export interface Payment {
  readonly id: string;
  readonly associateId: string;
  readonly livemode: boolean;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly orderReference: string;
  readonly description: string;
  readonly returnUrl: string | null;
  readonly captureMode: CaptureMode;
  readonly holdLifetimeMs: bigint;
  readonly status: PaymentStatus;
  readonly authorizedMinor: bigint;
  readonly capturedMinor: bigint;
  readonly refundedMinor: bigint;
  readonly feeMinor: bigint;
  readonly feeRefundedMinor: bigint;
  readonly expiresAtMs: bigint | null;
  readonly createdAtMs: bigint;
  readonly updatedAtMs: bigint;
  readonly parts: readonly PaymentPart[];
}

export function partFromRow(row: PaymentPartTable): PaymentPart {
  return {
    id: row.id,
    seq: row.seq,
    cardId: row.card_id,
    holdId: row.hold_id,
    holdGeneration: row.hold_generation,
    amountMinor: row.amount_minor,
    capturedMinor: row.amount_captured_minor,
    refundedMinor: row.amount_refunded_minor,
    status: row.status as PartStatus,
    createdAtMs: row.created_at_ms,
  };
}

export function paymentFromRows(row: PaymentTable, parts: readonly PaymentPartTable[]): Payment {
  assert(isCurrency(row.currency), 'stored currency is known');
  return {
    id: row.id,
    associateId: row.associate_id,
    livemode: row.livemode === 1n,
    amountMinor: row.amount_minor,
    currency: row.currency,
    orderReference: row.order_reference,
    description: row.description,
    returnUrl: row.return_url,
    captureMode: row.capture_mode === 'auto' ? 'auto' : 'manual',
    holdLifetimeMs: row.hold_lifetime_ms,
    status: row.status as PaymentStatus,
    authorizedMinor: row.amount_authorized_minor,
    capturedMinor: row.amount_captured_minor,
    refundedMinor: row.amount_refunded_minor,
    feeMinor: row.fee_minor,
    feeRefundedMinor: row.fee_refunded_minor,
    expiresAtMs: row.expires_at_ms,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
    parts: [...parts].sort((a, b) => (a.seq < b.seq ? -1 : 1)).map(partFromRow),
  };
}

/** What is still held (authorized, not captured, not released) across a payment's parts. */
export function heldMinor(parts: readonly PaymentPart[]): bigint {
  return parts
    .filter((p) => p.status === 'authorized')
    .reduce((sum, p) => sum + p.amountMinor - p.capturedMinor, 0n);
}

/**
 * Loads a payment with its parts. With `associateId` the payment must belong to that associate
 * and mode (another associate's payment is simply not found). `lock` takes the row lock on
 * PostgreSQL: payment rows are locked before card rows and ledger rows.
 */
export async function loadPayment(
  ctx: PaymentsContext,
  executor: Executor,
  id: string,
  options: {
    readonly associateId?: string;
    readonly livemode?: boolean;
    readonly lock?: boolean;
  } = {},
): Promise<Payment | undefined> {
  const t = paymentTables(executor);
  let query = t.selectFrom('payment').selectAll().where('id', '=', id);
  if (options.associateId !== undefined)
    query = query.where('associate_id', '=', options.associateId);
  if (options.livemode !== undefined)
    query = query.where('livemode', '=', options.livemode ? 1n : 0n);
  if (options.lock === true && ctx.db.dialect === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (row === undefined) return undefined;
  const parts = await t
    .selectFrom('payment_part')
    .selectAll()
    .where('payment_id', '=', id)
    .execute();
  return paymentFromRows(row, parts);
}

/** Writes a payment's aggregate amounts and the status they imply. */
export async function savePaymentTotals(
  ctx: PaymentsContext,
  tx: Executor,
  payment: Payment,
  ended: 'voided' | 'expired' | null,
): Promise<Payment> {
  const parts = await paymentTables(tx)
    .selectFrom('payment_part')
    .selectAll()
    .where('payment_id', '=', payment.id)
    .execute();
  const view = parts.map(partFromRow);
  const authorized = view.reduce((s, p) => s + p.amountMinor, 0n);
  const captured = view.reduce((s, p) => s + p.capturedMinor, 0n);
  const refunded = view.reduce((s, p) => s + p.refundedMinor, 0n);
  const status = paymentStatus({
    amountMinor: payment.amountMinor,
    authorizedMinor: authorized,
    capturedMinor: captured,
    heldMinor: heldMinor(view),
    ended,
  });
  const nowMs = ctx.clock.nowMs();
  await paymentTables(tx)
    .updateTable('payment')
    .set({
      status,
      amount_authorized_minor: authorized,
      amount_captured_minor: captured,
      amount_refunded_minor: refunded,
      fee_minor: payment.feeMinor,
      fee_refunded_minor: payment.feeRefundedMinor,
      // Once nothing is held (all captured, voided or expired) no hold can expire any more.
      expires_at_ms:
        status === 'requires_payment' || heldMinor(view) > 0n ? payment.expiresAtMs : null,
      updated_at_ms: nowMs,
    })
    .where('id', '=', payment.id)
    .execute();
  const after = await loadPayment(ctx, tx, payment.id);
  assert(after !== undefined, 'payment reads back');
  assert(
    after.capturedMinor <= after.authorizedMinor && after.refundedMinor <= after.capturedMinor,
    'payment amounts stay ordered',
  );
  return after;
}

export interface PaymentJson {
  id: string;
  object: 'payment';
  livemode: boolean;
  status: PaymentStatus;
  amount: number;
  currency: string;
  amount_authorized: number;
  amount_captured: number;
  amount_refunded: number;
  fee: number;
  capture_mode: CaptureMode;
  order_reference: string;
  description: string;
  return_url: string | null;
  hosted_url: string;
  hold_expires_at: string | null;
  created: string;
  parts: {
    id: string;
    amount: number;
    amount_captured: number;
    amount_refunded: number;
    status: PartStatus;
  }[];
}

/** A payment as the API shows it (snake_case, integer minor units, ISO times). */
export function paymentJson(ctx: PaymentsContext, p: Payment): PaymentJson {
  return {
    id: p.id,
    object: 'payment' as const,
    livemode: p.livemode,
    status: p.status,
    amount: jsonInteger(p.amountMinor),
    currency: p.currency,
    amount_authorized: jsonInteger(p.authorizedMinor),
    amount_captured: jsonInteger(p.capturedMinor),
    amount_refunded: jsonInteger(p.refundedMinor),
    fee: jsonInteger(p.feeMinor - p.feeRefundedMinor),
    capture_mode: p.captureMode,
    order_reference: p.orderReference,
    description: p.description,
    return_url: p.returnUrl,
    hosted_url: `${ctx.publicUrl}/pay/${p.id}`,
    hold_expires_at: p.expiresAtMs === null ? null : isoFromMs(p.expiresAtMs),
    created: isoFromMs(p.createdAtMs),
    parts: p.parts.map((part) => ({
      id: part.id,
      amount: jsonInteger(part.amountMinor),
      amount_captured: jsonInteger(part.capturedMinor),
      amount_refunded: jsonInteger(part.refundedMinor),
      status: part.status,
    })),
  };
}
