import { sql } from 'kysely';
import { MS_PER_DAY, assert } from '../kernel/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import type { NotifyContext } from './context.ts';
import { smsTables } from './sms-tables.ts';
import type { SmsPartAccepted, SmsReceipt, SmsReceiptOutcome } from './sms-transport.ts';

/** A receipt whose part never shows up is dropped after this long. */
export const SMS_RECEIPT_WAIT_MAX_MS = 7n * MS_PER_DAY;
const OUTCOMES: readonly SmsReceiptOutcome[] = ['delivered', 'failed', 'expired', 'pending'];
const FIELD_MAX = 64;

function isFinal(outcome: string | null): boolean {
  return outcome === 'delivered' || outcome === 'failed' || outcome === 'expired';
}

/**
 * A receipt and the recording of its part may race (the SMSC can send the receipt before our
 * worker has written the part's message id). Both take this lock on PostgreSQL, so exactly one
 * of them sees the other's row; SQLite's BEGIN IMMEDIATE already serializes them.
 */
async function lockMessageId(ctx: NotifyContext, tx: Executor, messageId: string): Promise<void> {
  if (ctx.db.dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtextextended(${messageId}, 20120))`.execute(tx);
  }
}

/**
 * Moves a submitted SMS to its end state once its parts' receipts say so: any part failed →
 * failed; else any part expired → expired; else every part delivered → delivered.
 */
export async function settleSmsFromParts(
  tx: Executor,
  smsId: string,
  nowMs: bigint,
): Promise<void> {
  const t = smsTables(tx);
  const sms = await t
    .selectFrom('notify_sms')
    .select(['status', 'parts_total'])
    .where('id', '=', smsId)
    .executeTakeFirst();
  if (sms?.status !== 'submitted' || sms.parts_total === null) return;
  const parts = await t
    .selectFrom('notify_sms_part')
    .select(['part_no', 'outcome', 'receipt_stat', 'receipt_error'])
    .where('sms_id', '=', smsId)
    .orderBy('part_no')
    .execute();
  const failed = parts.find((p) => p.outcome === 'failed');
  const expired = parts.find((p) => p.outcome === 'expired');
  const bad = failed ?? expired;
  let status: 'delivered' | 'failed' | 'expired' | null = null;
  let lastError: string | null = null;
  if (bad !== undefined) {
    status = failed !== undefined ? 'failed' : 'expired';
    const err = bad.receipt_error === null ? '' : ` err:${bad.receipt_error}`;
    lastError = `part ${bad.part_no} receipt ${bad.receipt_stat ?? ''}${err}`;
  } else if (
    parts.length === Number(sms.parts_total) &&
    parts.every((p) => p.outcome === 'delivered')
  ) {
    status = 'delivered';
  }
  if (status === null) return;
  await t
    .updateTable('notify_sms')
    .set({
      status,
      finished_at_ms: nowMs,
      ...(lastError !== null ? { last_error: lastError } : {}),
    })
    .where('id', '=', smsId)
    .where('status', '=', 'submitted')
    .execute();
}

/**
 * Records a part the SMSC accepted (once: a part already recorded keeps its first id), learns
 * the part count, and applies a receipt that came first.
 */
export async function recordAcceptedPart(
  ctx: NotifyContext,
  smsId: string,
  accepted: SmsPartAccepted,
): Promise<void> {
  assert(
    Number.isSafeInteger(accepted.part) && accepted.part >= 1 && accepted.part <= accepted.parts,
    'a part within its message',
  );
  await writeTransaction(ctx.db, async (tx) => {
    await lockMessageId(ctx, tx, accepted.messageId);
    const t = smsTables(tx);
    const nowMs = ctx.clock.nowMs();
    await t
      .updateTable('notify_sms')
      .set({ parts_total: BigInt(accepted.parts) })
      .where('id', '=', smsId)
      .where('parts_total', 'is', null)
      .execute();
    const known = await t
      .selectFrom('notify_sms_part')
      .select('smsc_message_id')
      .where('sms_id', '=', smsId)
      .where('part_no', '=', BigInt(accepted.part))
      .executeTakeFirst();
    if (known !== undefined) return;
    const early = await t
      .selectFrom('notify_sms_receipt')
      .selectAll()
      .where('smsc_message_id', '=', accepted.messageId)
      .executeTakeFirst();
    await t
      .insertInto('notify_sms_part')
      .values({
        sms_id: smsId,
        part_no: BigInt(accepted.part),
        smsc_message_id: accepted.messageId,
        accepted_at_ms: nowMs,
        outcome: early?.outcome ?? null,
        receipt_stat: early?.stat ?? null,
        receipt_error: early?.error ?? null,
        receipt_at_ms: early?.received_at_ms ?? null,
      })
      .execute();
    if (early !== undefined) {
      await t
        .deleteFrom('notify_sms_receipt')
        .where('smsc_message_id', '=', accepted.messageId)
        .execute();
    }
    await settleSmsFromParts(tx, smsId, nowMs);
  });
}

/** What became of a receipt: applied to its part, kept for a part not recorded yet, or ignored. */
export type SmsReceiptResult = 'applied' | 'waiting' | 'ignored';

/**
 * Stores a delivery receipt (the SMPP client calls it before it answers the SMSC, so a receipt
 * is never lost between the two). A final outcome is never replaced; a `pending` one is. A
 * receipt for a message id we have not recorded yet waits in notify_sms_receipt for its part
 * (the SMSC can be faster than our worker's write), and is dropped after
 * SMS_RECEIPT_WAIT_MAX_MS if none comes.
 */
export async function recordSmsReceipt(
  ctx: NotifyContext,
  receipt: SmsReceipt,
): Promise<SmsReceiptResult> {
  if (
    typeof receipt.messageId !== 'string' ||
    receipt.messageId.length === 0 ||
    receipt.messageId.length > FIELD_MAX ||
    !OUTCOMES.includes(receipt.outcome)
  ) {
    return 'ignored';
  }
  const stat = String(receipt.stat).slice(0, FIELD_MAX);
  const error = receipt.error === null ? null : String(receipt.error).slice(0, FIELD_MAX);
  return writeTransaction(ctx.db, async (tx) => {
    await lockMessageId(ctx, tx, receipt.messageId);
    const t = smsTables(tx);
    const nowMs = ctx.clock.nowMs();
    const parts = await t
      .selectFrom('notify_sms_part')
      .select(['sms_id', 'part_no', 'outcome'])
      .where('smsc_message_id', '=', receipt.messageId)
      .execute();
    if (parts.length === 0) {
      const waiting = await t
        .selectFrom('notify_sms_receipt')
        .select('outcome')
        .where('smsc_message_id', '=', receipt.messageId)
        .executeTakeFirst();
      if (waiting === undefined) {
        await t
          .insertInto('notify_sms_receipt')
          .values({
            smsc_message_id: receipt.messageId,
            outcome: receipt.outcome,
            stat,
            error,
            received_at_ms: nowMs,
          })
          .execute();
      } else if (!isFinal(waiting.outcome)) {
        await t
          .updateTable('notify_sms_receipt')
          .set({ outcome: receipt.outcome, stat, error, received_at_ms: nowMs })
          .where('smsc_message_id', '=', receipt.messageId)
          .execute();
      }
      return 'waiting';
    }
    for (const part of parts) {
      if (isFinal(part.outcome)) continue;
      await t
        .updateTable('notify_sms_part')
        .set({
          outcome: receipt.outcome,
          receipt_stat: stat,
          receipt_error: error,
          receipt_at_ms: nowMs,
        })
        .where('sms_id', '=', part.sms_id)
        .where('part_no', '=', part.part_no)
        .execute();
      await settleSmsFromParts(tx, part.sms_id, nowMs);
    }
    return 'applied';
  });
}

/** Drops receipts that waited longer than SMS_RECEIPT_WAIT_MAX_MS for their part. */
export async function pruneWaitingReceipts(ctx: NotifyContext, limit: number): Promise<number> {
  if (limit === 0) return 0;
  return writeTransaction(ctx.db, async (tx) => {
    const t = smsTables(tx);
    const before = ctx.clock.nowMs() - SMS_RECEIPT_WAIT_MAX_MS;
    const old = await t
      .selectFrom('notify_sms_receipt')
      .select('smsc_message_id')
      .where('received_at_ms', '<', before)
      .orderBy('received_at_ms')
      .limit(limit)
      .execute();
    if (old.length === 0) return 0;
    await t
      .deleteFrom('notify_sms_receipt')
      .where(
        'smsc_message_id',
        'in',
        old.map((r) => r.smsc_message_id),
      )
      .execute();
    return old.length;
  });
}
