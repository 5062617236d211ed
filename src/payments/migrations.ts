import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../storage/index.ts';

const big = 'bigint';

export const PAYMENTS_MIGRATIONS: MigrationSet = {
  '0004_payments': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('associate')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('commission_bps', big, (c) => c.notNull())
        .addColumn('webhook_url', 'text')
        .addColumn('return_urls', 'text', (c) => c.notNull())
        .addColumn('settlement', 'text', (c) => c.notNull())
        .addColumn('trusted', big, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addCheckConstraint(
          'associate_commission_range',
          sql`commission_bps >= 0 and commission_bps <= 10000`,
        )
        .execute();

      await db.schema
        .createTable('api_key')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('associate_id', 'text', (c) => c.notNull().references('associate.id'))
        .addColumn('livemode', big, (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
        .addColumn('last4', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('expires_at_ms', big)
        .addColumn('revoked_at_ms', big)
        .execute();
      await db.schema
        .createIndex('api_key_associate')
        .on('api_key')
        .columns(['associate_id'])
        .execute();

      await db.schema
        .createTable('api_signature_seen')
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('expires_at_ms', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('api_signature_seen_pk', ['key_id', 'signature'])
        .execute();

      await db.schema
        .createTable('payment')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('associate_id', 'text', (c) => c.notNull().references('associate.id'))
        .addColumn('livemode', big, (c) => c.notNull())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('order_reference', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('return_url', 'text')
        .addColumn('capture_mode', 'text', (c) => c.notNull())
        .addColumn('hold_lifetime_ms', big, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('amount_authorized_minor', big, (c) => c.notNull())
        .addColumn('amount_captured_minor', big, (c) => c.notNull())
        .addColumn('amount_refunded_minor', big, (c) => c.notNull())
        .addColumn('fee_minor', big, (c) => c.notNull())
        .addColumn('fee_refunded_minor', big, (c) => c.notNull())
        .addColumn('expires_at_ms', big)
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('updated_at_ms', big, (c) => c.notNull())
        .addCheckConstraint(
          'payment_amounts_consistent',
          sql`amount_minor > 0 and amount_authorized_minor >= 0 and amount_authorized_minor <= amount_minor
              and amount_captured_minor >= 0 and amount_captured_minor <= amount_authorized_minor
              and amount_refunded_minor >= 0 and amount_refunded_minor <= amount_captured_minor
              and fee_refunded_minor >= 0 and fee_refunded_minor <= fee_minor`,
        )
        .execute();
      await db.schema
        .createIndex('payment_associate_created')
        .on('payment')
        .columns(['associate_id', 'livemode', 'created_at_ms', 'id'])
        .execute();
      await db.schema
        .createIndex('payment_due')
        .on('payment')
        .columns(['status', 'expires_at_ms'])
        .execute();

      await db.schema
        .createTable('payment_part')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('payment_id', 'text', (c) => c.notNull().references('payment.id'))
        .addColumn('seq', big, (c) => c.notNull())
        .addColumn('card_id', 'text', (c) => c.notNull())
        .addColumn('hold_id', 'text')
        .addColumn('hold_generation', big, (c) => c.notNull())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('amount_captured_minor', big, (c) => c.notNull())
        .addColumn('amount_refunded_minor', big, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addUniqueConstraint('payment_part_seq', ['payment_id', 'seq'])
        .addCheckConstraint(
          'payment_part_amounts_consistent',
          sql`amount_minor > 0 and amount_captured_minor >= 0 and amount_captured_minor <= amount_minor
              and amount_refunded_minor >= 0 and amount_refunded_minor <= amount_captured_minor`,
        )
        .execute();
      await db.schema
        .createIndex('payment_part_card')
        .on('payment_part')
        .columns(['card_id', 'created_at_ms'])
        .execute();

      await db.schema
        .createTable('payment_capture')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('payment_id', 'text', (c) => c.notNull().references('payment.id'))
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('fee_minor', big, (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('payment_capture_payment')
        .on('payment_capture')
        .columns(['payment_id'])
        .execute();

      await db.schema
        .createTable('refund')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('payment_id', 'text', (c) => c.notNull().references('payment.id'))
        .addColumn('associate_id', 'text', (c) => c.notNull())
        .addColumn('livemode', big, (c) => c.notNull())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('fee_returned_minor', big, (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('refund_associate_created')
        .on('refund')
        .columns(['associate_id', 'livemode', 'created_at_ms', 'id'])
        .execute();
      await db.schema.createIndex('refund_payment').on('refund').columns(['payment_id']).execute();

      await db.schema
        .createTable('idempotency_record')
        .addColumn('associate_id', 'text', (c) => c.notNull())
        .addColumn('livemode', big, (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status_code', big, (c) => c.notNull())
        .addColumn('response', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('expires_at_ms', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_record_pk', ['associate_id', 'livemode', 'key'])
        .execute();

      await db.schema
        .createTable('webhook_event')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('associate_id', 'text', (c) => c.notNull())
        .addColumn('livemode', big, (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhook_event_associate')
        .on('webhook_event')
        .columns(['associate_id', 'livemode', 'created_at_ms', 'id'])
        .execute();

      await db.schema
        .createTable('webhook_delivery')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().references('webhook_event.id'))
        .addColumn('associate_id', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', big, (c) => c.notNull())
        .addColumn('next_attempt_at_ms', big)
        .addColumn('last_status_code', big)
        .addColumn('last_error', 'text')
        .addColumn('delivered_at_ms', big)
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhook_delivery_due')
        .on('webhook_delivery')
        .columns(['status', 'next_attempt_at_ms'])
        .execute();
      await db.schema
        .createIndex('webhook_delivery_event')
        .on('webhook_delivery')
        .columns(['event_id'])
        .execute();

      await db.schema
        .createTable('webhook_attempt')
        .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_delivery.id'))
        .addColumn('attempt', big, (c) => c.notNull())
        .addColumn('at_ms', big, (c) => c.notNull())
        .addColumn('status_code', big)
        .addColumn('error', 'text')
        .addColumn('duration_ms', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('webhook_attempt_pk', ['delivery_id', 'attempt'])
        .execute();

      await db.schema
        .createTable('payment_flag')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('payment_id', 'text', (c) => c.notNull().references('payment.id'))
        .addColumn('card_id', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('card_suspended', big, (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();
    },
  },
};
