import type { Executor } from '../storage/index.ts';
import { smsStatusOf, type SmsStatus } from './sms-status.ts';
import { smsTables } from './sms-tables.ts';
import type { SmsReceiptOutcome } from './sms-transport.ts';

const SMS_ID = /^sms_[a-z0-9]{1,40}$/;

export interface SmsPartView {
  readonly part: number;
  readonly messageId: string;
  readonly acceptedAtMs: bigint;
  /** null until a receipt comes. */
  readonly outcome: SmsReceiptOutcome | null;
  readonly receiptStat: string | null;
  readonly receiptError: string | null;
  readonly receiptAtMs: bigint | null;
}

/** An SMS as operators see it: everything but its text (which stays sealed). */
export interface SmsView {
  readonly id: string;
  readonly purpose: string;
  readonly reference: string;
  readonly to: string;
  readonly status: SmsStatus;
  readonly attempts: number;
  readonly partsTotal: number | null;
  readonly nextAttemptAtMs: bigint | null;
  readonly lastError: string | null;
  readonly expiresAtMs: bigint | null;
  readonly createdAtMs: bigint;
  readonly submittedAtMs: bigint | null;
  readonly finishedAtMs: bigint | null;
  readonly parts: readonly SmsPartView[];
}

/** One SMS with its parts; undefined when there is no such SMS. */
export async function getSms(executor: Executor, id: string): Promise<SmsView | undefined> {
  if (typeof id !== 'string' || !SMS_ID.test(id)) return undefined;
  const t = smsTables(executor);
  const row = await t.selectFrom('notify_sms').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) return undefined;
  const parts = await t
    .selectFrom('notify_sms_part')
    .selectAll()
    .where('sms_id', '=', id)
    .orderBy('part_no')
    .execute();
  return {
    id: row.id,
    purpose: row.purpose,
    reference: row.reference,
    to: row.to_number,
    status: smsStatusOf(row.status),
    attempts: Number(row.attempts),
    partsTotal: row.parts_total === null ? null : Number(row.parts_total),
    nextAttemptAtMs: row.next_attempt_at_ms,
    lastError: row.last_error,
    expiresAtMs: row.expires_at_ms,
    createdAtMs: row.created_at_ms,
    submittedAtMs: row.submitted_at_ms,
    finishedAtMs: row.finished_at_ms,
    parts: parts.map((p) => ({
      part: Number(p.part_no),
      messageId: p.smsc_message_id,
      acceptedAtMs: p.accepted_at_ms,
      outcome: p.outcome as SmsReceiptOutcome | null,
      receiptStat: p.receipt_stat,
      receiptError: p.receipt_error,
      receiptAtMs: p.receipt_at_ms,
    })),
  };
}
