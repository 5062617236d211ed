import { assert } from '../kernel/index.ts';

/**
 * An SMS's life: `queued` → `sending` (a worker holds a lease on it while the SMSC takes its
 * parts) → `submitted` (the SMSC accepted every part) → `delivered`, `failed` or `expired` (from
 * the delivery receipts). A failed send goes back to `queued` with a later due time, and after
 * the last retry, or when the SMSC refuses it for good, to `failed`; one not sent before its
 * expiry time becomes `expired` without being sent.
 */
export const SMS_STATUSES = [
  'queued',
  'sending',
  'submitted',
  'delivered',
  'failed',
  'expired',
] as const;
export type SmsStatus = (typeof SMS_STATUSES)[number];

export function isSmsStatus(text: string): text is SmsStatus {
  return (SMS_STATUSES as readonly string[]).includes(text);
}

export function smsStatusOf(text: string): SmsStatus {
  assert(isSmsStatus(text), 'a known SMS status');
  return text;
}
