import type { Kysely } from 'kysely';
import { tablesOf, type Executor } from '../storage/index.ts';

/** The SMS outbox's tables (migration 0012_sms_outbox). */
export interface NotifySmsTable {
  id: string;
  /** What the SMS is for (`carrier_pin`, `one_time_code`, …). */
  purpose: string;
  /** The caller's reference; one SMS per (purpose, reference), ever. */
  reference: string;
  /** E.164, `+` and digits. */
  to_number: string;
  /** AES-256-GCM nonce (base64, 12 bytes), fresh for every row. */
  text_nonce: string;
  /** The sealed text with its tag (base64); bound to the row id. */
  text_sealed: string;
  /** The concatenation reference (0–255) every part of this SMS carries. */
  concat_ref: bigint;
  /** Parts the text takes; known once the transport has split it. */
  parts_total: bigint | null;
  status: string;
  attempts: bigint;
  /** When the next attempt is due; while a send is in flight, when its lease lapses. */
  next_attempt_at_ms: bigint | null;
  last_error: string | null;
  /** Not sent after this time (a one-time code that would arrive too late); null: no limit. */
  expires_at_ms: bigint | null;
  created_at_ms: bigint;
  /** When the SMSC had accepted every part. */
  submitted_at_ms: bigint | null;
  /** When it became delivered, failed or expired. */
  finished_at_ms: bigint | null;
}

/** One part the SMSC accepted, with its message id and what its receipt said. */
export interface NotifySmsPartTable {
  sms_id: string;
  part_no: bigint;
  smsc_message_id: string;
  accepted_at_ms: bigint;
  /** null until a receipt comes: `delivered`, `failed`, `expired` or `pending`. */
  outcome: string | null;
  /** The receipt's words (`DELIVRD`, `UNDELIV`, `message_state=5`). */
  receipt_stat: string | null;
  receipt_error: string | null;
  receipt_at_ms: bigint | null;
}

/** A receipt that came before its part was recorded; applied when the part is. */
export interface NotifySmsReceiptTable {
  smsc_message_id: string;
  outcome: string;
  stat: string;
  error: string | null;
  received_at_ms: bigint;
}

export interface NotifySmsTables {
  notify_sms: NotifySmsTable;
  notify_sms_part: NotifySmsPartTable;
  notify_sms_receipt: NotifySmsReceiptTable;
}

export function smsTables(executor: Executor): Kysely<NotifySmsTables> {
  return tablesOf<NotifySmsTables>(executor);
}
