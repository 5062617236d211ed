import type { Kysely } from 'kysely';
import type { MigrationSet } from '../storage/index.ts';

const big = 'bigint';

export const AGENTS_MIGRATIONS: MigrationSet = {
  '0015_agents': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('agent')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('contact', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        /** JSON: denomination id (or `*`) → `500bps` / `fixed:300`. */
        .addColumn('commission', 'text', (c) => c.notNull())
        .addColumn('terms_days', big, (c) => c.notNull())
        .addColumn('receivable_account_id', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text')
        .addColumn('key_hash', 'text', (c) => c.unique())
        .addColumn('key_last4', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('agent_consignment')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agent.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('card_count', big, (c) => c.notNull())
        .addColumn('proposed_by', 'text', (c) => c.notNull())
        .addColumn('proposed_at_ms', big, (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at_ms', big)
        .execute();

      await db.schema
        .createTable('agent_consignment_range')
        .addColumn('consignment_id', 'text', (c) => c.notNull().references('agent_consignment.id'))
        .addColumn('serial_first', 'text', (c) => c.notNull())
        .addColumn('serial_last', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('agent_consignment_range_pk', ['consignment_id', 'serial_first'])
        .execute();

      /** Which agent holds which consigned card; removed when the card is returned. */
      await db.schema
        .createTable('agent_stock')
        .addColumn('card_id', 'text', (c) => c.primaryKey())
        .addColumn('serial', 'text', (c) => c.notNull().unique())
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agent.id'))
        .addColumn('consignment_id', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('agent_stock_agent')
        .on('agent_stock')
        .columns(['agent_id', 'serial'])
        .execute();

      await db.schema
        .createTable('agent_print_run')
        .addColumn('issue_batch_id', 'text', (c) => c.primaryKey())
        .addColumn('design', 'text', (c) => c.notNull())
        .addColumn('card_count', big, (c) => c.notNull())
        .addColumn('exported_by', 'text', (c) => c.notNull())
        .addColumn('exported_at_ms', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('agent_sale')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agent.id'))
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('card_id', 'text', (c) => c.notNull().unique())
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('denomination_id', 'text', (c) => c.notNull())
        .addColumn('face_minor', big, (c) => c.notNull())
        .addColumn('commission_minor', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        /** `pending` until the card is sold and the commission booked, then `done`. */
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('sold_at_ms', big, (c) => c.notNull())
        .addColumn('due_at_ms', big, (c) => c.notNull())
        .addUniqueConstraint('agent_sale_reference', ['agent_id', 'reference'])
        .execute();

      await db.schema
        .createTable('agent_remittance')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agent.id'))
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('paid_at_ms', big, (c) => c.notNull())
        .addUniqueConstraint('agent_remittance_reference', ['agent_id', 'reference'])
        .execute();
    },
  },
};
