import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../storage/index.ts';

const big = 'bigint';

/**
 * Tariffs are stored as immutable versions: an import writes a whole new version and rating
 * uses the latest. Old versions stay, so a usage record's (version, rate id) can always be
 * looked up again.
 */
export const CHARGING_MIGRATIONS: MigrationSet = {
  '0008_charging': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('charging_tariff')
        .addColumn('version', big, (c) => c.primaryKey())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('country_code', 'text', (c) => c.notNull())
        .addColumn('national_prefix', 'text', (c) => c.notNull())
        /** `;`-separated, as in the CSV setting. */
        .addColumn('international_prefixes', 'text', (c) => c.notNull())
        .addColumn('source_name', 'text', (c) => c.notNull())
        .addColumn('source_sha256', 'text', (c) => c.notNull())
        .addColumn('imported_at_ms', big, (c) => c.notNull())
        .addCheckConstraint('charging_tariff_version_positive', sql`version > 0`)
        .execute();

      await db.schema
        .createTable('charging_destination')
        .addColumn('tariff_version', big, (c) => c.notNull().references('charging_tariff.version'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('charging_destination_pk', ['tariff_version', 'id'])
        .execute();

      await db.schema
        .createTable('charging_prefix')
        .addColumn('tariff_version', big, (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('destination_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('charging_prefix_pk', ['tariff_version', 'prefix'])
        .addForeignKeyConstraint(
          'charging_prefix_destination',
          ['tariff_version', 'destination_id'],
          'charging_destination',
          ['tariff_version', 'id'],
        )
        .execute();

      await db.schema
        .createTable('charging_rate')
        .addColumn('tariff_version', big, (c) => c.notNull().references('charging_tariff.version'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('connection_fee_minor', big, (c) => c.notNull())
        .addColumn('first_block_seconds', big, (c) => c.notNull())
        .addColumn('increment_seconds', big, (c) => c.notNull())
        .addColumn('price_minor', big, (c) => c.notNull())
        .addColumn('unit_seconds', big, (c) => c.notNull())
        .addColumn('minimum_cost_minor', big, (c) => c.notNull())
        .addColumn('disconnect_fee_minor', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('charging_rate_pk', ['tariff_version', 'id'])
        .addCheckConstraint(
          'charging_rate_money_not_negative',
          sql`connection_fee_minor >= 0 and price_minor >= 0 and minimum_cost_minor >= 0 and disconnect_fee_minor >= 0`,
        )
        .addCheckConstraint(
          'charging_rate_blocks_positive',
          sql`first_block_seconds > 0 and increment_seconds > 0 and unit_seconds > 0`,
        )
        .execute();

      await db.schema
        .createTable('charging_timing')
        .addColumn('tariff_version', big, (c) => c.notNull().references('charging_tariff.version'))
        .addColumn('id', 'text', (c) => c.notNull())
        /** `;`-separated weekdays (mon…sun), or `*any`. */
        .addColumn('weekdays', 'text', (c) => c.notNull())
        .addColumn('start_minute', big, (c) => c.notNull())
        .addColumn('end_minute', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('charging_timing_pk', ['tariff_version', 'id'])
        .addCheckConstraint(
          'charging_timing_window',
          sql`start_minute >= 0 and start_minute < 1440 and end_minute > 0 and end_minute <= 1440 and start_minute <> end_minute`,
        )
        .execute();

      await db.schema
        .createTable('charging_plan_entry')
        .addColumn('tariff_version', big, (c) => c.notNull())
        .addColumn('plan_id', 'text', (c) => c.notNull())
        .addColumn('destination_id', 'text', (c) => c.notNull())
        .addColumn('rate_id', 'text', (c) => c.notNull())
        .addColumn('timing_id', 'text', (c) => c.notNull())
        .addColumn('weight', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('charging_plan_entry_pk', [
          'tariff_version',
          'plan_id',
          'destination_id',
          'timing_id',
        ])
        .addUniqueConstraint('charging_plan_entry_weight_unique', [
          'tariff_version',
          'plan_id',
          'destination_id',
          'weight',
        ])
        .addForeignKeyConstraint(
          'charging_plan_entry_destination',
          ['tariff_version', 'destination_id'],
          'charging_destination',
          ['tariff_version', 'id'],
        )
        .addForeignKeyConstraint(
          'charging_plan_entry_rate',
          ['tariff_version', 'rate_id'],
          'charging_rate',
          ['tariff_version', 'id'],
        )
        .addForeignKeyConstraint(
          'charging_plan_entry_timing',
          ['tariff_version', 'timing_id'],
          'charging_timing',
          ['tariff_version', 'id'],
        )
        .execute();

      await db.schema
        .createTable('charging_plan_activation')
        .addColumn('tariff_version', big, (c) => c.notNull().references('charging_tariff.version'))
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('activates_at_ms', big, (c) => c.notNull())
        .addColumn('plan_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('charging_plan_activation_pk', [
          'tariff_version',
          'service',
          'activates_at_ms',
        ])
        .addCheckConstraint(
          'charging_plan_activation_service_known',
          sql`service in ('call','voicemail','sms','content')`,
        )
        .execute();
    },
  },
  '0009_charging_sessions': {
    async up(db: Kysely<unknown>): Promise<void> {
      // A subscriber token stands for a card on Diameter and in the charging API: the IVR (or a
      // switch's own front end) issues it after PIN + password, so no PIN travels further.
      await db.schema
        .createTable('charging_token')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('card_id', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('expires_at_ms', big, (c) => c.notNull())
        .execute();
      // The worker purges expired tokens every pass.
      await db.schema
        .createIndex('charging_token_expiry')
        .on('charging_token')
        .column('expires_at_ms')
        .execute();

      // One row per charging session or event: the session state while it is open, and the
      // usage record (CDR) once it has ended.
      await db.schema
        .createTable('charging_session')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_key', 'text', (c) => c.notNull().unique())
        .addColumn('client_session_id', 'text', (c) => c.notNull())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('card_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('called', 'text', (c) => c.notNull())
        .addColumn('e164', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('destination_id', 'text', (c) => c.notNull())
        .addColumn('destination_name', 'text', (c) => c.notNull())
        .addColumn('tariff_version', big, (c) => c.notNull())
        .addColumn('rate_id', 'text', (c) => c.notNull())
        .addColumn('rate_json', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('next_request_number', big, (c) => c.notNull())
        .addColumn('hold_seq', big, (c) => c.notNull())
        .addColumn('hold_id', 'text')
        .addColumn('hold_minor', big, (c) => c.notNull())
        .addColumn('granted_seconds', big, (c) => c.notNull())
        .addColumn('used_seconds', big, (c) => c.notNull())
        .addColumn('cost_minor', big, (c) => c.notNull())
        .addColumn('collected_minor', big, (c) => c.notNull())
        .addColumn('uncollected_minor', big, (c) => c.notNull())
        .addColumn('refunded_minor', big, (c) => c.notNull())
        .addColumn('balance_before_minor', big, (c) => c.notNull())
        .addColumn('balance_after_minor', big)
        .addColumn('started_at_ms', big, (c) => c.notNull())
        .addColumn('last_request_at_ms', big, (c) => c.notNull())
        .addColumn('timer_at_ms', big)
        .addColumn('ended_at_ms', big)
        .addColumn('end_reason', 'text')
        .addCheckConstraint(
          'charging_session_state_known',
          sql`state in ('open','closed','expired')`,
        )
        .addCheckConstraint('charging_session_kind_known', sql`kind in ('session','event')`)
        .addCheckConstraint(
          'charging_session_money_sane',
          sql`hold_minor >= 0 and cost_minor >= 0 and collected_minor >= 0 and uncollected_minor >= 0 and refunded_minor >= 0 and refunded_minor <= collected_minor and collected_minor + uncollected_minor = cost_minor`,
        )
        .execute();
      await db.schema
        .createIndex('charging_session_timer')
        .on('charging_session')
        .columns(['state', 'timer_at_ms'])
        .execute();
      await db.schema
        .createIndex('charging_session_card')
        .on('charging_session')
        .columns(['card_id', 'started_at_ms'])
        .execute();
      // The settlement export reads records by the time they ended.
      await db.schema
        .createIndex('charging_session_ended')
        .on('charging_session')
        .columns(['ended_at_ms', 'id'])
        .execute();

      // The answer to every request that changed something, by (session, request number): a
      // duplicate or a retransmission is answered from here and never charged twice.
      await db.schema
        .createTable('charging_request')
        .addColumn('client_key', 'text', (c) => c.notNull())
        .addColumn('request_number', big, (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('answer_json', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('charging_request_pk', ['client_key', 'request_number'])
        .execute();
    },
  },
  '0011_voicemail_mailboxes': {
    async up(db: Kysely<unknown>): Promise<void> {
      // A holder's prepaid voicemail box: a monthly fee taken from its card, deposits and
      // retrievals charged as voicemail events (see src/charging/voicemail.ts).
      await db.schema
        .createTable('voicemail_mailbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('card_id', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('fee_minor', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('opened_at_ms', big, (c) => c.notNull())
        .addColumn('anchor_at_ms', big, (c) => c.notNull())
        .addColumn('anchor_months', big, (c) => c.notNull())
        .addColumn('paid_until_ms', big, (c) => c.notNull())
        .addColumn('next_charge_at_ms', big)
        .addColumn('failed_charges', big, (c) => c.notNull())
        .addColumn('months_charged', big, (c) => c.notNull())
        .addColumn('charged_minor', big, (c) => c.notNull())
        .addColumn('suspended_at_ms', big)
        .addColumn('closed_at_ms', big)
        .addColumn('close_reason', 'text')
        .addCheckConstraint(
          'voicemail_mailbox_state_known',
          sql`state in ('open','suspended','closed')`,
        )
        .addCheckConstraint('voicemail_mailbox_language_known', sql`language in ('ko','en')`)
        .addCheckConstraint(
          'voicemail_mailbox_number_e164',
          sql`length(number) >= 5 and length(number) <= 15`,
        )
        .addCheckConstraint(
          'voicemail_mailbox_counts_sane',
          sql`fee_minor >= 0 and charged_minor >= 0 and failed_charges >= 0 and anchor_months >= 1 and months_charged >= 1 and paid_until_ms > anchor_at_ms and anchor_at_ms >= opened_at_ms`,
        )
        .addCheckConstraint(
          'voicemail_mailbox_closed_fields',
          sql`(state = 'closed') = (closed_at_ms is not null and close_reason is not null and next_charge_at_ms is null)`,
        )
        .addCheckConstraint(
          'voicemail_mailbox_suspended_fields',
          sql`state <> 'suspended' or suspended_at_ms is not null`,
        )
        .execute();
      // One live mailbox per phone number; a closed one frees its number.
      await db.schema
        .createIndex('voicemail_mailbox_number_live')
        .on('voicemail_mailbox')
        .column('number')
        .unique()
        .where(sql.ref('state'), '<>', 'closed')
        .execute();
      await db.schema
        .createIndex('voicemail_mailbox_due')
        .on('voicemail_mailbox')
        .columns(['next_charge_at_ms'])
        .execute();
      await db.schema
        .createIndex('voicemail_mailbox_card')
        .on('voicemail_mailbox')
        .columns(['card_id', 'opened_at_ms'])
        .execute();
    },
  },
};
