import { isLocale, isTemplateName, type Locale, type TemplateName } from './templates.ts';
import { emailStatusOf, type EmailStatus } from './status.ts';
import type { NotifyEmailTable } from './tables.ts';
import { assert } from '../kernel/index.ts';

/** An outbox row as the rest of the system sees it, without its body. */
export interface EmailSummary {
  readonly id: string;
  readonly dedupeKey: string;
  readonly to: string;
  readonly locale: Locale;
  readonly template: TemplateName;
  readonly subject: string;
  readonly status: EmailStatus;
  readonly attempts: number;
  /** When the next attempt is due (or, while sending, when the lease lapses); else null. */
  readonly nextAttemptAtMs: bigint | null;
  readonly lastError: string | null;
  readonly sendAfterMs: bigint;
  readonly createdAtMs: bigint;
  readonly sentAtMs: bigint | null;
  readonly messageId: string | null;
}

/** A mail with its opened body, for the mailbox and for operators. */
export interface EmailView extends EmailSummary {
  readonly text: string;
  readonly html: string;
}

export function emailFromRow(row: NotifyEmailTable): EmailSummary {
  assert(isLocale(row.locale), 'a stored locale is known');
  assert(isTemplateName(row.template), 'a stored template is known');
  return {
    id: row.id,
    dedupeKey: row.dedupe_key,
    to: row.to_address,
    locale: row.locale,
    template: row.template,
    subject: row.subject,
    status: emailStatusOf(row.status),
    attempts: Number(row.attempts),
    nextAttemptAtMs: row.next_attempt_at_ms,
    lastError: row.last_error,
    sendAfterMs: row.send_after_ms,
    createdAtMs: row.created_at_ms,
    sentAtMs: row.sent_at_ms,
    messageId: row.message_id,
  };
}
