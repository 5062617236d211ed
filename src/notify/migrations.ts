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
};
