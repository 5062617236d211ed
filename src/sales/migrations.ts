import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../storage/index.ts';

const big = 'bigint';

export const SALES_MIGRATIONS: MigrationSet = {
  '0007_sales': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('sales_order')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_key', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('buyer_name', 'text', (c) => c.notNull())
        .addColumn('buyer_email', 'text', (c) => c.notNull())
        .addColumn('buyer_phone', 'text')
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('livemode', big, (c) => c.notNull())
        .addColumn('card_id', 'text')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('provider_payment_id', 'text')
        .addColumn('redirect_url', 'text')
        .addColumn('virtual_account', 'text')
        .addColumn('instrument', 'text')
        .addColumn('failure_code', 'text')
        .addColumn('lease_until_ms', big)
        .addColumn('next_check_at_ms', big, (c) => c.notNull())
        .addColumn('checks', big, (c) => c.notNull())
        .addColumn('refunded_minor', big, (c) => c.notNull())
        .addColumn('pins_shown_at_ms', big)
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('updated_at_ms', big, (c) => c.notNull())
        .addColumn('paid_at_ms', big)
        .addColumn('fulfilled_at_ms', big)
        .addCheckConstraint(
          'sales_order_amounts',
          sql`amount_minor > 0 and refunded_minor >= 0 and refunded_minor <= amount_minor`,
        )
        .execute();
      await db.schema
        .createIndex('sales_order_due')
        .on('sales_order')
        .columns(['status', 'next_check_at_ms'])
        .execute();
      await db.schema
        .createIndex('sales_order_card_day')
        .on('sales_order')
        .columns(['card_id', 'created_at_ms'])
        .execute();

      await db.schema
        .createTable('sales_order_line')
        .addColumn('order_id', 'text', (c) => c.notNull().references('sales_order.id'))
        .addColumn('line_no', big, (c) => c.notNull())
        .addColumn('denomination_id', 'text', (c) => c.notNull())
        .addColumn('quantity', big, (c) => c.notNull())
        .addColumn('unit_minor', big, (c) => c.notNull())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('sales_order_line_pk', ['order_id', 'line_no'])
        .execute();

      await db.schema
        .createTable('sales_order_card')
        .addColumn('order_id', 'text', (c) => c.notNull().references('sales_order.id'))
        .addColumn('card_id', 'text', (c) => c.notNull().unique())
        .addColumn('line_no', big, (c) => c.notNull())
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('pin_last4', 'text', (c) => c.notNull())
        .addColumn('face_value_minor', big, (c) => c.notNull())
        .addColumn('pin_sealed', 'text')
        .addColumn('secret_sealed', 'text')
        .addColumn('handover', 'text')
        .addColumn('handed_over_at_ms', big)
        .addColumn('refunded_minor', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('sales_order_card_pk', ['order_id', 'card_id'])
        .addCheckConstraint(
          'sales_order_card_refunded',
          sql`refunded_minor >= 0 and refunded_minor <= face_value_minor`,
        )
        .execute();

      await db.schema
        .createTable('sales_gift')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('sales_order.id'))
        .addColumn('card_id', 'text', (c) => c.notNull().unique())
        .addColumn('sender_name', 'text', (c) => c.notNull())
        .addColumn('recipient_name', 'text', (c) => c.notNull())
        .addColumn('recipient_email', 'text', (c) => c.notNull())
        .addColumn('design', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('deliver_at_ms', big, (c) => c.notNull())
        .addColumn('claim_expires_at_ms', big, (c) => c.notNull())
        .addColumn('claimed_at_ms', big)
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sales_card_holder')
        .addColumn('card_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('updated_at_ms', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sales_one_time_code')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('card_id', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at_ms', big, (c) => c.notNull())
        .addColumn('used_at_ms', big)
        .addColumn('attempts', big, (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sales_one_time_code_card')
        .on('sales_one_time_code')
        .columns(['card_id', 'purpose', 'created_at_ms'])
        .execute();

      await db.schema
        .createTable('sales_balance_refund')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('card_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('fee_minor', big, (c) => c.notNull())
        .addColumn('payout_minor', big, (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('hold_transfer_id', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('payouts', 'text', (c) => c.notNull())
        .addColumn('review_note', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('failure_code', 'text')
        .addColumn('requested_at_ms', big, (c) => c.notNull())
        .addColumn('decided_at_ms', big)
        .addColumn('paid_at_ms', big)
        .addCheckConstraint(
          'sales_balance_refund_amounts',
          sql`amount_minor > 0 and fee_minor >= 0 and payout_minor > 0 and fee_minor + payout_minor = amount_minor`,
        )
        .execute();
      // One open request per card: a second request while one is open is refused by the database.
      await sql`create unique index sales_balance_refund_open on sales_balance_refund (card_id) where status in ('review', 'approved')`.execute(
        db,
      );
    },
  },
  '0017_expiry_notices': {
    async up(db: Kysely<unknown>): Promise<void> {
      // One row per (card, notice window, expiry date): a re-run or a second worker finds the
      // row and sends nothing; a card whose expiry date changes is told again.
      await db.schema
        .createTable('sales_expiry_notice')
        .addColumn('card_id', 'text', (c) => c.notNull())
        .addColumn('window_days', big, (c) => c.notNull())
        .addColumn('expires_at_ms', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('balance_minor', big, (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('email_id', 'text')
        .addColumn('sms_id', 'text')
        .addColumn('sent_at_ms', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('sales_expiry_notice_pk', [
          'card_id',
          'window_days',
          'expires_at_ms',
        ])
        .execute();
    },
  },
};
