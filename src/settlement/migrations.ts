import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../storage/index.ts';

const big = 'bigint';

/**
 * Associate settlement: profiles (cycle, bank account), commission overrides per service type,
 * runs with their lines, and payout batches (bank-transfer files). See docs/settlement.md.
 */
export const SETTLEMENT_MIGRATIONS: MigrationSet = {
  '0013_settlement': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('settlement_profile')
        .addColumn('associate_id', 'text', (c) => c.primaryKey())
        .addColumn('cycle', 'text', (c) => c.notNull())
        .addColumn('bank_code', 'text')
        .addColumn('account_number', 'text')
        .addColumn('account_holder', 'text')
        .addColumn('updated_at_ms', big, (c) => c.notNull())
        .addCheckConstraint('settlement_profile_cycle', sql`cycle in ('daily', 'weekly')`)
        .execute();

      await db.schema
        .createTable('settlement_commission')
        .addColumn('associate_id', 'text', (c) => c.notNull())
        .addColumn('service_type', 'text', (c) => c.notNull())
        .addColumn('commission_bps', big, (c) => c.notNull())
        .addColumn('updated_at_ms', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('settlement_commission_pk', ['associate_id', 'service_type'])
        .addCheckConstraint(
          'settlement_commission_range',
          sql`commission_bps >= 0 and commission_bps <= 10000`,
        )
        .execute();

      await db.schema
        .createTable('settlement_run')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('associate_id', 'text', (c) => c.notNull())
        .addColumn('livemode', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('merchant_account_id', 'text', (c) => c.notNull())
        .addColumn('cycle', 'text', (c) => c.notNull())
        .addColumn('period_start_ms', big, (c) => c.notNull())
        .addColumn('period_end_ms', big, (c) => c.notNull())
        .addColumn('from_seq', big, (c) => c.notNull())
        .addColumn('to_seq', big, (c) => c.notNull())
        .addColumn('line_count', big, (c) => c.notNull())
        .addColumn('gross_minor', big, (c) => c.notNull())
        .addColumn('fee_minor', big, (c) => c.notNull())
        .addColumn('net_minor', big, (c) => c.notNull())
        .addColumn('booked_fee_minor', big, (c) => c.notNull())
        .addColumn('adjustment_minor', big)
        .addColumn('carry_in_minor', big)
        .addColumn('payout_minor', big)
        .addColumn('carry_out_minor', big)
        .addColumn('adjustment_transfer_id', 'text')
        .addColumn('payout_transfer_id', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('payout_batch_id', 'text')
        // The bank account the payout file named, kept so the file can be written again.
        .addColumn('payout_bank_code', 'text')
        .addColumn('payout_account_number', 'text')
        .addColumn('payout_account_holder', 'text')
        .addColumn('paid_reference', 'text')
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('booked_at_ms', big)
        .addColumn('exported_at_ms', big)
        .addColumn('paid_at_ms', big)
        // One run per account and cycle end, and runs never overlap: two runs racing for the
        // same range collide on from_seq.
        .addUniqueConstraint('settlement_run_period', ['merchant_account_id', 'period_end_ms'])
        .addUniqueConstraint('settlement_run_from', ['merchant_account_id', 'from_seq'])
        .addCheckConstraint(
          'settlement_run_state',
          sql`state in ('computed', 'booked', 'exported', 'paid', 'closed')`,
        )
        .addCheckConstraint(
          'settlement_run_amounts',
          sql`to_seq > from_seq and fee_minor + net_minor = gross_minor
              and (payout_minor is null or payout_minor >= 0)`,
        )
        .execute();
      await db.schema
        .createIndex('settlement_run_state_idx')
        .on('settlement_run')
        .columns(['state', 'livemode', 'currency', 'period_end_ms'])
        .execute();
      await db.schema
        .createIndex('settlement_run_associate')
        .on('settlement_run')
        .columns(['associate_id', 'period_end_ms'])
        .execute();

      await db.schema
        .createTable('settlement_line')
        .addColumn('run_id', 'text', (c) => c.notNull().references('settlement_run.id'))
        .addColumn('line_no', big, (c) => c.notNull())
        .addColumn('merchant_account_id', 'text', (c) => c.notNull())
        .addColumn('journal_seq', big, (c) => c.notNull())
        .addColumn('transfer_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payment_id', 'text', (c) => c.notNull())
        .addColumn('order_reference', 'text', (c) => c.notNull())
        .addColumn('service_type', 'text', (c) => c.notNull())
        .addColumn('commission_bps', big, (c) => c.notNull())
        .addColumn('gross_minor', big, (c) => c.notNull())
        .addColumn('fee_minor', big, (c) => c.notNull())
        .addColumn('net_minor', big, (c) => c.notNull())
        .addColumn('occurred_at_ms', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('settlement_line_pk', ['run_id', 'line_no'])
        // A journal line is settled once, whatever run tries again.
        .addUniqueConstraint('settlement_line_once', ['merchant_account_id', 'journal_seq'])
        .addCheckConstraint('settlement_line_sum', sql`fee_minor + net_minor = gross_minor`)
        .execute();

      await db.schema
        .createTable('settlement_payout_batch')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('livemode', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('until_ms', big, (c) => c.notNull())
        .addColumn('run_count', big, (c) => c.notNull())
        .addColumn('total_minor', big, (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();
    },
  },
};
