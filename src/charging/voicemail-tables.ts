import type { Kysely } from 'kysely';
import { tablesOf, type Executor } from '../storage/index.ts';
import type { MailboxLanguage, MailboxState } from './voicemail-rules.ts';

/** A holder's prepaid voicemail box; see migration 0011_voicemail_mailboxes. */
export interface VoicemailMailboxTable {
  /** `vm_…` */
  id: string;
  /** The card that pays the monthly fee, the deposits and the retrievals. */
  card_id: string;
  /** E.164 digits (no `+`) of the holder's phone: unique among mailboxes not closed. */
  number: string;
  language: MailboxLanguage;
  /** The monthly fee, fixed at opening, in the card's currency. */
  fee_minor: bigint;
  currency: string;
  state: MailboxState;
  opened_at_ms: bigint;
  /** Months are counted from here: the opening, or when a suspended mailbox paid again. */
  anchor_at_ms: bigint;
  /** Months paid since the anchor. */
  anchor_months: bigint;
  /** The paid time ends here (exclusive). */
  paid_until_ms: bigint;
  /** When the worker looks at the mailbox next (a fee, a retry); null once closed. */
  next_charge_at_ms: bigint | null;
  /** Failed attempts to take the fee since the last one that succeeded. */
  failed_charges: bigint;
  /** Monthly fees taken over the mailbox's life, and what they came to. */
  months_charged: bigint;
  charged_minor: bigint;
  suspended_at_ms: bigint | null;
  closed_at_ms: bigint | null;
  /** `holder`, `operator` or `unpaid` (the grace period ended). */
  close_reason: string | null;
}

export interface VoicemailTables {
  voicemail_mailbox: VoicemailMailboxTable;
}

export function voicemailTables(executor: Executor): Kysely<VoicemailTables> {
  return tablesOf<VoicemailTables>(executor);
}
