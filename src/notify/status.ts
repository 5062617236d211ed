import { assert } from '../kernel/index.ts';

/**
 * An e-mail's life: `queued` (waiting for its time) → `sending` (a worker holds a lease on it)
 * → `sent`; a failed send goes back to `queued` with a later due time, and after the last
 * retry to `failed`. Without SMTP a due e-mail becomes `held`: kept for the dev mailbox.
 */
export const EMAIL_STATUSES = ['queued', 'sending', 'sent', 'failed', 'held'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

export function isEmailStatus(text: string): text is EmailStatus {
  return (EMAIL_STATUSES as readonly string[]).includes(text);
}

export function emailStatusOf(text: string): EmailStatus {
  assert(isEmailStatus(text), 'a known e-mail status');
  return text;
}
