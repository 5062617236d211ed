import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../storage/index.ts';

const big = 'bigint';

export const NOTIFY_MIGRATIONS: MigrationSet = {
  '0006_notify': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('notify_email')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dedupe_key', 'text', (c) => c.notNull())
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('template', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body_nonce', 'text', (c) => c.notNull())
        .addColumn('body_sealed', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', big, (c) => c.notNull())
        .addColumn('next_attempt_at_ms', big)
        .addColumn('last_error', 'text')
        .addColumn('send_after_ms', big, (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('sent_at_ms', big)
        .addColumn('message_id', 'text')
        .addUniqueConstraint('notify_email_dedupe_key', ['dedupe_key'])
        .addCheckConstraint(
          'notify_email_status_known',
          sql`status in ('queued', 'sending', 'sent', 'failed', 'held')`,
        )
        .addCheckConstraint('notify_email_locale_known', sql`locale in ('ko', 'en')`)
        .addCheckConstraint(
          'notify_email_due_when_pending',
          sql`(status in ('queued', 'sending')) = (next_attempt_at_ms is not null)`,
        )
        .addCheckConstraint('notify_email_attempts_nonnegative', sql`attempts >= 0`)
        .execute();
      // The delivery pass: due rows in due order.
      await db.schema
        .createIndex('notify_email_due')
        .on('notify_email')
        .columns(['status', 'next_attempt_at_ms'])
        .execute();
      // The mailbox: newest first, for everyone or for one address.
      await db.schema
        .createIndex('notify_email_created')
        .on('notify_email')
        .columns(['created_at_ms', 'id'])
        .execute();
      await db.schema
        .createIndex('notify_email_to_created')
        .on('notify_email')
        .columns(['to_address', 'created_at_ms', 'id'])
        .execute();
    },
  },
  '0012_sms_outbox': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('notify_sms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('to_number', 'text', (c) => c.notNull())
        .addColumn('text_nonce', 'text', (c) => c.notNull())
        .addColumn('text_sealed', 'text', (c) => c.notNull())
        .addColumn('concat_ref', big, (c) => c.notNull())
        .addColumn('parts_total', big)
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', big, (c) => c.notNull())
        .addColumn('next_attempt_at_ms', big)
        .addColumn('last_error', 'text')
        .addColumn('expires_at_ms', big)
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('submitted_at_ms', big)
        .addColumn('finished_at_ms', big)
        .addUniqueConstraint('notify_sms_purpose_reference', ['purpose', 'reference'])
        .addCheckConstraint(
          'notify_sms_status_known',
          sql`status in ('queued', 'sending', 'submitted', 'delivered', 'failed', 'expired')`,
        )
        .addCheckConstraint(
          'notify_sms_due_when_pending',
          sql`(status in ('queued', 'sending')) = (next_attempt_at_ms is not null)`,
        )
        .addCheckConstraint('notify_sms_attempts_nonnegative', sql`attempts >= 0`)
        .addCheckConstraint('notify_sms_concat_ref_octet', sql`concat_ref between 0 and 255`)
        .execute();
      // The delivery pass: due rows in due order.
      await db.schema
        .createIndex('notify_sms_due')
        .on('notify_sms')
        .columns(['status', 'next_attempt_at_ms'])
        .execute();
      await db.schema
        .createIndex('notify_sms_to_created')
        .on('notify_sms')
        .columns(['to_number', 'created_at_ms', 'id'])
        .execute();
      await db.schema
        .createTable('notify_sms_part')
        .addColumn('sms_id', 'text', (c) => c.notNull().references('notify_sms.id'))
        .addColumn('part_no', big, (c) => c.notNull())
        .addColumn('smsc_message_id', 'text', (c) => c.notNull())
        .addColumn('accepted_at_ms', big, (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('receipt_stat', 'text')
        .addColumn('receipt_error', 'text')
        .addColumn('receipt_at_ms', big)
        .addPrimaryKeyConstraint('notify_sms_part_pk', ['sms_id', 'part_no'])
        .addCheckConstraint(
          'notify_sms_part_outcome_known',
          sql`outcome is null or outcome in ('delivered', 'failed', 'expired', 'pending')`,
        )
        .execute();
      // Receipts find their part by the SMSC's message id.
      await db.schema
        .createIndex('notify_sms_part_message')
        .on('notify_sms_part')
        .columns(['smsc_message_id'])
        .execute();
      await db.schema
        .createTable('notify_sms_receipt')
        .addColumn('smsc_message_id', 'text', (c) => c.primaryKey())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('stat', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('received_at_ms', big, (c) => c.notNull())
        .addCheckConstraint(
          'notify_sms_receipt_outcome_known',
          sql`outcome in ('delivered', 'failed', 'expired', 'pending')`,
        )
        .execute();
      await db.schema
        .createIndex('notify_sms_receipt_received')
        .on('notify_sms_receipt')
        .columns(['received_at_ms'])
        .execute();
    },
  },
};
