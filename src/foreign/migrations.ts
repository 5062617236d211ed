import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../storage/index.ts';

const big = 'bigint';

export const FOREIGN_MIGRATIONS: MigrationSet = {
  '0014_foreign': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Foreign PIN providers (patent FIG. 9): whose PINs we hold, in which currency.
      await db.schema
        .createTable('foreign_provider')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('contact_email', 'text', (c) => c.notNull())
        .addColumn('low_stock_default', big, (c) => c.notNull())
        .addColumn('margin_bps', big, (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addCheckConstraint('foreign_provider_state_known', sql`state in ('active','suspended')`)
        .addCheckConstraint(
          'foreign_provider_numbers_sane',
          sql`low_stock_default >= 0 and margin_bps >= 0 and margin_bps <= 5000`,
        )
        .execute();

      await db.schema
        .createTable('foreign_stock_level')
        .addColumn('provider_id', 'text', (c) => c.notNull().references('foreign_provider.id'))
        .addColumn('face_value_minor', big, (c) => c.notNull())
        .addColumn('threshold', big)
        .addColumn('alerted_at_ms', big)
        .addPrimaryKeyConstraint('foreign_stock_level_pk', ['provider_id', 'face_value_minor'])
        .execute();

      await db.schema
        .createTable('foreign_import_batch')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('provider_id', 'text', (c) => c.notNull().references('foreign_provider.id'))
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('pin_count', big, (c) => c.notNull())
        .addColumn('face_total_minor', big, (c) => c.notNull())
        .addColumn('cost_total_minor', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('transfer_id', 'text', (c) => c.notNull())
        .addColumn('imported_by', 'text', (c) => c.notNull())
        .addColumn('imported_at_ms', big, (c) => c.notNull())
        .execute();

      // The pool: each provider PIN sealed (it must be shown to the holder who buys it).
      await db.schema
        .createTable('foreign_pin')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('provider_id', 'text', (c) => c.notNull().references('foreign_provider.id'))
        .addColumn('batch_id', 'text', (c) => c.notNull().references('foreign_import_batch.id'))
        .addColumn('seq', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('face_value_minor', big, (c) => c.notNull())
        .addColumn('cost_minor', big, (c) => c.notNull())
        .addColumn('pin_sealed', 'text', (c) => c.notNull())
        .addColumn('pin_digest', 'text', (c) => c.notNull())
        .addColumn('pin_last4', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('switch_id', 'text', (c) => c.unique())
        .addColumn('card_id', 'text')
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('reserved_at_ms', big)
        .addColumn('sold_at_ms', big)
        .addColumn('voided_at_ms', big)
        .addUniqueConstraint('foreign_pin_digest_unique', ['provider_id', 'pin_digest'])
        .addCheckConstraint(
          'foreign_pin_state_known',
          sql`state in ('available','reserved','sold','void')`,
        )
        .addCheckConstraint(
          'foreign_pin_bound_when_taken',
          sql`(state in ('reserved','sold')) = (switch_id is not null)`,
        )
        .addCheckConstraint(
          'foreign_pin_amounts',
          sql`face_value_minor > 0 and cost_minor > 0 and cost_minor <= face_value_minor`,
        )
        .execute();
      await db.schema
        .createIndex('foreign_pin_stock')
        .on('foreign_pin')
        .columns(['provider_id', 'face_value_minor', 'state', 'seq'])
        .execute();

      await db.schema
        .createTable('foreign_rate')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('base_currency', 'text', (c) => c.notNull())
        .addColumn('quote_currency', 'text', (c) => c.notNull())
        .addColumn('rate_text', 'text', (c) => c.notNull())
        .addColumn('rate_num', 'text', (c) => c.notNull())
        .addColumn('rate_den', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('valid_from_ms', big, (c) => c.notNull())
        .addColumn('entered_by', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addCheckConstraint('foreign_rate_source_known', sql`source in ('manual','import')`)
        .execute();
      await db.schema
        .createIndex('foreign_rate_pair')
        .on('foreign_rate')
        .columns(['base_currency', 'quote_currency', 'valid_from_ms'])
        .execute();

      await db.schema
        .createTable('foreign_quote')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('card_id', 'text', (c) => c.notNull())
        .addColumn('provider_id', 'text', (c) => c.notNull().references('foreign_provider.id'))
        .addColumn('face_value_minor', big, (c) => c.notNull())
        .addColumn('face_currency', 'text', (c) => c.notNull())
        .addColumn('pay_minor', big, (c) => c.notNull())
        .addColumn('pay_currency', 'text', (c) => c.notNull())
        .addColumn('rate_id', 'text')
        .addColumn('rate_text', 'text', (c) => c.notNull())
        .addColumn('rate_num', 'text', (c) => c.notNull())
        .addColumn('rate_den', 'text', (c) => c.notNull())
        .addColumn('margin_bps', big, (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('expires_at_ms', big, (c) => c.notNull())
        .addCheckConstraint('foreign_quote_state_known', sql`state in ('open','used','expired')`)
        .addCheckConstraint('foreign_quote_amounts', sql`face_value_minor > 0 and pay_minor > 0`)
        .execute();
      await db.schema
        .createIndex('foreign_quote_due')
        .on('foreign_quote')
        .columns(['state', 'expires_at_ms'])
        .execute();

      await db.schema
        .createTable('foreign_switch')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('quote_id', 'text', (c) => c.notNull().unique().references('foreign_quote.id'))
        .addColumn('card_id', 'text', (c) => c.notNull())
        .addColumn('provider_id', 'text', (c) => c.notNull().references('foreign_provider.id'))
        // Not unique: a PIN released by a timed-out switch goes to a later one (its own
        // switch_id is what binds it to one switch at a time).
        .addColumn('pin_id', 'text')
        .addColumn('hold_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('failure_code', 'text')
        .addColumn('pay_minor', big, (c) => c.notNull())
        .addColumn('pay_currency', 'text', (c) => c.notNull())
        .addColumn('face_value_minor', big, (c) => c.notNull())
        .addColumn('face_currency', 'text', (c) => c.notNull())
        .addColumn('cost_minor', big)
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('hold_expires_at_ms', big, (c) => c.notNull())
        .addColumn('updated_at_ms', big, (c) => c.notNull())
        .addColumn('completed_at_ms', big)
        .addCheckConstraint(
          'foreign_switch_state_known',
          sql`state in ('held','reserved','completed','failed','expired')`,
        )
        .addCheckConstraint(
          'foreign_switch_pin_when_reserved',
          sql`state not in ('reserved','completed') or pin_id is not null`,
        )
        .execute();
      await db.schema
        .createIndex('foreign_switch_open')
        .on('foreign_switch')
        .columns(['state', 'hold_expires_at_ms'])
        .execute();
      await db.schema
        .createIndex('foreign_switch_card')
        .on('foreign_switch')
        .columns(['card_id', 'created_at_ms'])
        .execute();

      await db.schema
        .createTable('foreign_settlement')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('provider_id', 'text', (c) => c.notNull().references('foreign_provider.id'))
        .addColumn('period_key', 'text', (c) => c.notNull())
        .addColumn('period_end_ms', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('entry_count', big, (c) => c.notNull())
        .addColumn('transfer_id', 'text')
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addUniqueConstraint('foreign_settlement_period', ['provider_id', 'period_key'])
        .execute();

      await db.schema
        .createTable('foreign_payable_entry')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('provider_id', 'text', (c) => c.notNull().references('foreign_provider.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('ref', 'text', (c) => c.notNull().unique())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('at_ms', big, (c) => c.notNull())
        .addColumn('settlement_id', 'text', (c) => c.references('foreign_settlement.id'))
        .addCheckConstraint('foreign_payable_entry_kind_known', sql`kind in ('stock','void')`)
        .addCheckConstraint(
          'foreign_payable_entry_sign',
          sql`(kind = 'stock' and amount_minor > 0) or (kind = 'void' and amount_minor < 0)`,
        )
        .execute();
      await db.schema
        .createIndex('foreign_payable_open')
        .on('foreign_payable_entry')
        .columns(['provider_id', 'settlement_id', 'at_ms'])
        .execute();
    },
  },
};
