import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../storage/index.ts';

const big = 'bigint';

export const LEDGER_MIGRATIONS: MigrationSet = {
  '0001_ledger': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('ledger_account')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('flags', big, (c) => c.notNull())
        .addColumn('owner_ref', 'text')
        .addColumn('debits_pending', big, (c) => c.notNull().defaultTo(0))
        .addColumn('debits_posted', big, (c) => c.notNull().defaultTo(0))
        .addColumn('credits_pending', big, (c) => c.notNull().defaultTo(0))
        .addColumn('credits_posted', big, (c) => c.notNull().defaultTo(0))
        .addColumn('journal_seq', big, (c) => c.notNull().defaultTo(0))
        .addColumn('journal_hash', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addCheckConstraint(
          'ledger_account_totals_not_negative',
          sql`debits_pending >= 0 and debits_posted >= 0 and credits_pending >= 0 and credits_posted >= 0`,
        )
        .addCheckConstraint(
          'ledger_account_debits_must_not_exceed_credits',
          sql`(flags & 1) = 0 or debits_pending + debits_posted <= credits_posted`,
        )
        .addCheckConstraint(
          'ledger_account_credits_must_not_exceed_debits',
          sql`(flags & 2) = 0 or credits_pending + credits_posted <= debits_posted`,
        )
        .execute();
      await db.schema
        .createIndex('ledger_account_owner')
        .on('ledger_account')
        .columns(['owner_ref'])
        .execute();

      await db.schema
        .createTable('ledger_transfer')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('debit_account_id', 'text', (c) => c.notNull().references('ledger_account.id'))
        .addColumn('credit_account_id', 'text', (c) => c.notNull().references('ledger_account.id'))
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('flags', big, (c) => c.notNull())
        .addColumn('pending_id', 'text')
        .addColumn('timeout_ms', big, (c) => c.notNull())
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addCheckConstraint('ledger_transfer_amount_positive', sql`amount_minor > 0`)
        .execute();
      await db.schema
        .createIndex('ledger_transfer_reference')
        .on('ledger_transfer')
        .columns(['reference'])
        .execute();

      await db.schema
        .createTable('ledger_pending')
        .addColumn('transfer_id', 'text', (c) => c.primaryKey().references('ledger_transfer.id'))
        .addColumn('debit_account_id', 'text', (c) => c.notNull())
        .addColumn('credit_account_id', 'text', (c) => c.notNull())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('expires_at_ms', big, (c) => c.notNull())
        .addColumn('amount_posted_minor', big, (c) => c.notNull())
        .addColumn('resolved_by', 'text')
        .addCheckConstraint(
          'ledger_pending_status',
          sql`status in ('pending', 'posted', 'voided', 'expired')`,
        )
        .addCheckConstraint(
          'ledger_pending_posted_within_amount',
          sql`amount_posted_minor >= 0 and amount_posted_minor <= amount_minor`,
        )
        .execute();
      await db.schema
        .createIndex('ledger_pending_due')
        .on('ledger_pending')
        .columns(['status', 'expires_at_ms'])
        .execute();
      await db.schema
        .createIndex('ledger_pending_debit')
        .on('ledger_pending')
        .columns(['debit_account_id', 'status'])
        .execute();

      await db.schema
        .createTable('ledger_journal')
        .addColumn('account_id', 'text', (c) => c.notNull().references('ledger_account.id'))
        .addColumn('seq', big, (c) => c.notNull())
        .addColumn('transfer_id', 'text', (c) => c.notNull().references('ledger_transfer.id'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('d_debits_pending', big, (c) => c.notNull())
        .addColumn('d_debits_posted', big, (c) => c.notNull())
        .addColumn('d_credits_pending', big, (c) => c.notNull())
        .addColumn('d_credits_posted', big, (c) => c.notNull())
        .addColumn('debits_pending', big, (c) => c.notNull())
        .addColumn('debits_posted', big, (c) => c.notNull())
        .addColumn('credits_pending', big, (c) => c.notNull())
        .addColumn('credits_posted', big, (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_journal_pk', ['account_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('ledger_journal_transfer')
        .on('ledger_journal')
        .columns(['transfer_id'])
        .execute();
      await db.schema
        .createIndex('ledger_journal_account_time')
        .on('ledger_journal')
        .columns(['account_id', 'created_at_ms'])
        .execute();
    },
  },
};
