import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../storage/index.ts';

const big = 'bigint';

export const CARDS_MIGRATIONS: MigrationSet = {
  '0002_cards': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('card_denomination')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('design', 'text', (c) => c.notNull())
        .addColumn('validity_kind', 'text', (c) => c.notNull())
        .addColumn('validity_days', big)
        .addColumn('validity_until_ms', big)
        .addColumn('on_sale', big, (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addCheckConstraint('card_denomination_amount_positive', sql`amount_minor > 0`)
        .execute();

      await db.schema
        .createTable('card_issue_batch')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('denomination_id', 'text', (c) => c.notNull().references('card_denomination.id'))
        .addColumn('count', big, (c) => c.notNull())
        .addColumn('serial_first', 'text', (c) => c.notNull())
        .addColumn('serial_last', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('card_counter')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('card')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('serial', 'text', (c) => c.notNull().unique())
        .addColumn('pin_hash', 'text', (c) => c.notNull())
        .addColumn('pin_key_id', 'text', (c) => c.notNull())
        .addColumn('pin_last4', 'text', (c) => c.notNull())
        .addColumn('denomination_id', 'text', (c) => c.notNull().references('card_denomination.id'))
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('face_value_minor', big, (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('state_reason', 'text', (c) => c.notNull())
        .addColumn('state_changed_at_ms', big, (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.unique())
        .addColumn('password_hash', 'text')
        .addColumn('failed_attempts', big, (c) => c.notNull().defaultTo(0))
        .addColumn('activation_kind', 'text')
        .addColumn('activation_hash', 'text')
        .addColumn('activation_expires_at_ms', big)
        .addColumn('validity_kind', 'text', (c) => c.notNull())
        .addColumn('validity_days', big)
        .addColumn('validity_until_ms', big)
        .addColumn('expires_at_ms', big)
        .addColumn('first_used_at_ms', big)
        .addColumn('sold_at_ms', big)
        .addColumn('activated_at_ms', big)
        .addColumn('channel', 'text')
        .addColumn('breakage_open', big, (c) => c.notNull().defaultTo(0))
        .addColumn('issue_batch_id', 'text', (c) => c.notNull().references('card_issue_batch.id'))
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addCheckConstraint(
          'card_state_known',
          sql`state in ('issued','consigned','sold','active','suspended','locked','expired','refunded','closed')`,
        )
        .addCheckConstraint(
          'card_stock_has_no_value',
          sql`state not in ('issued','consigned') or account_id is null`,
        )
        .addCheckConstraint(
          'card_sold_has_account',
          sql`state not in ('sold','active','suspended','locked','expired','refunded') or account_id is not null`,
        )
        .addCheckConstraint(
          'card_active_has_password',
          sql`state <> 'active' or password_hash is not null`,
        )
        .addCheckConstraint('card_attempts_not_negative', sql`failed_attempts >= 0`)
        .execute();
      await db.schema
        .createIndex('card_pin_hash')
        .on('card')
        .columns(['pin_hash'])
        .unique()
        .execute();
      await db.schema.createIndex('card_pin_last4').on('card').columns(['pin_last4']).execute();
      await db.schema
        .createIndex('card_expiry_due')
        .on('card')
        .columns(['state', 'expires_at_ms'])
        .execute();
      await db.schema.createIndex('card_pin_key').on('card').columns(['pin_key_id']).execute();

      await db.schema
        .createTable('card_event')
        .addColumn('card_id', 'text', (c) => c.notNull().references('card.id'))
        .addColumn('at_ms', big, (c) => c.notNull())
        .addColumn('transition', 'text', (c) => c.notNull())
        .addColumn('from_state', 'text', (c) => c.notNull())
        .addColumn('to_state', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('card_event_card')
        .on('card_event')
        .columns(['card_id', 'at_ms'])
        .execute();
    },
  },
  '0003_cards_livemode': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Test cards (livemode 0) pay only test payments; live cards only live ones.
      await db.schema
        .alterTable('card')
        .addColumn('livemode', big, (c) => c.notNull().defaultTo(1))
        .execute();
    },
  },
  '0005_card_key_chains': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The PIN-hash key chains in use, so a lookup need not scan every card to learn them.
      await db.schema
        .createTable('card_key_chain')
        .addColumn('chain', 'text', (c) => c.primaryKey())
        .execute();
      await sql`insert into card_key_chain (chain) select distinct pin_key_id from card`.execute(
        db,
      );
    },
  },
};
