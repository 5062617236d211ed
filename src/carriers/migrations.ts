import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../storage/index.ts';

const big = 'bigint';

/**
 * The mobile carrier channel (docs/carriers.md): carriers, the PINs provisioned to them (sealed,
 * because the SMS to the buyer carries the PIN), their sale reports, the code requests the SMS
 * limits count, monthly billing imports with their reconciliation lines, and remittances.
 */
export const CARRIERS_MIGRATIONS: MigrationSet = {
  '0016_carriers': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('carrier')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('commission_bps', big, (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text')
        .addColumn('key_hash', 'text')
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addCheckConstraint(
          'carrier_commission_range',
          sql`commission_bps >= 0 and commission_bps <= 10000`,
        )
        .execute();

      await db.schema
        .createTable('carrier_pin')
        .addColumn('card_id', 'text', (c) => c.primaryKey())
        .addColumn('serial', 'text', (c) => c.notNull().unique())
        .addColumn('carrier_id', 'text', (c) => c.notNull())
        .addColumn('pin_nonce', 'text', (c) => c.notNull())
        .addColumn('pin_sealed', 'text', (c) => c.notNull())
        .addColumn('face_value_minor', big, (c) => c.notNull())
        .addColumn('provisioned_at_ms', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('carrier_pin_carrier')
        .on('carrier_pin')
        .columns(['carrier_id', 'serial'])
        .execute();

      await db.schema
        .createTable('carrier_sale')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('carrier_id', 'text', (c) => c.notNull())
        .addColumn('report_id', 'text', (c) => c.notNull())
        .addColumn('card_id', 'text', (c) => c.notNull().unique())
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('price_minor', big, (c) => c.notNull())
        .addColumn('sold_at_ms', big, (c) => c.notNull())
        .addColumn('transfer_id', 'text')
        .addColumn('sms_id', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('loaded_at_ms', big)
        .addColumn('registered_at_ms', big)
        .addUniqueConstraint('carrier_sale_report', ['carrier_id', 'report_id'])
        .addCheckConstraint(
          'carrier_sale_state',
          sql`state in ('reported', 'loaded', 'registered')`,
        )
        .execute();
      await db.schema
        .createIndex('carrier_sale_period')
        .on('carrier_sale')
        .columns(['carrier_id', 'sold_at_ms'])
        .execute();

      await db.schema
        .createTable('carrier_code_request')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('card_id', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('sms_id', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();
      for (const column of ['phone', 'prefix', 'ip'] as const) {
        await db.schema
          .createIndex(`carrier_code_request_${column}`)
          .on('carrier_code_request')
          .columns([column, 'created_at_ms'])
          .execute();
      }

      await db.schema
        .createTable('carrier_billing_import')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('carrier_id', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('file_digest', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('line_count', big, (c) => c.notNull())
        .addColumn('gross_minor', big, (c) => c.notNull())
        .addColumn('commission_minor', big, (c) => c.notNull())
        .addColumn('net_minor', big, (c) => c.notNull())
        .addColumn('net_transfer_id', 'text')
        .addColumn('commission_transfer_id', 'text')
        .addColumn('imported_at_ms', big, (c) => c.notNull())
        .addUniqueConstraint('carrier_billing_period', ['carrier_id', 'period'])
        .addUniqueConstraint('carrier_billing_digest', ['carrier_id', 'file_digest'])
        .execute();

      await db.schema
        .createTable('carrier_reconciliation_line')
        .addColumn('import_id', 'text', (c) => c.notNull())
        .addColumn('seq', big, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('serial', 'text')
        .addColumn('ours_minor', big)
        .addColumn('theirs_minor', big)
        .addColumn('note', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('carrier_reconciliation_line_pk', ['import_id', 'seq'])
        .addCheckConstraint(
          'carrier_reconciliation_kind',
          sql`kind in ('matched', 'missing_in_ours', 'missing_in_theirs', 'amount_mismatch', 'unknown_pin', 'totals_mismatch')`,
        )
        .execute();
    },
  },
};
