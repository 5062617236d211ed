/** The foreign module's tables (migration 0014_foreign). No other module reads them. */

export type ProviderState = 'active' | 'suspended';
export type PoolPinState = 'available' | 'reserved' | 'sold' | 'void';
export type QuoteState = 'open' | 'used' | 'expired';
export type SwitchState = 'held' | 'reserved' | 'completed' | 'failed' | 'expired';
export type RateSource = 'manual' | 'import';

export interface ForeignProviderTable {
  id: string;
  name: string;
  currency: string;
  contact_email: string;
  /** Alert when fewer than this many PINs of a value are available (per-value rows override). */
  low_stock_default: bigint;
  /** Our margin on the price, basis points. */
  margin_bps: bigint;
  state: ProviderState;
  created_at_ms: bigint;
}

/** Per provider and face value: its own low-stock threshold and whether the alert went out. */
export interface ForeignStockLevelTable {
  provider_id: string;
  face_value_minor: bigint;
  /** null = the provider's default. */
  threshold: bigint | null;
  /** When the last alert was sent; null = armed (stock at or above the threshold since). */
  alerted_at_ms: bigint | null;
}

export interface ForeignImportBatchTable {
  id: string;
  provider_id: string;
  file_name: string;
  pin_count: bigint;
  face_total_minor: bigint;
  cost_total_minor: bigint;
  currency: string;
  /** The ledger transfer that booked what we owe for it. */
  transfer_id: string;
  imported_by: string;
  imported_at_ms: bigint;
}

export interface ForeignPinTable {
  id: string;
  provider_id: string;
  batch_id: string;
  /** Its place in the provider's pool: PINs go out in the order they were imported. */
  seq: bigint;
  currency: string;
  face_value_minor: bigint;
  cost_minor: bigint;
  /** AES-256-GCM under the foreign seal key, bound to this row's id. */
  pin_sealed: string;
  /** HMAC-SHA256 of the normalized PIN: duplicates are refused on it, per provider. */
  pin_digest: string;
  pin_last4: string;
  state: PoolPinState;
  switch_id: string | null;
  card_id: string | null;
  created_at_ms: bigint;
  reserved_at_ms: bigint | null;
  sold_at_ms: bigint | null;
  voided_at_ms: bigint | null;
}

export interface ForeignRateTable {
  id: string;
  base_currency: string;
  quote_currency: string;
  rate_text: string;
  rate_num: string;
  rate_den: string;
  source: RateSource;
  valid_from_ms: bigint;
  entered_by: string;
  created_at_ms: bigint;
}

export interface ForeignQuoteTable {
  id: string;
  card_id: string;
  provider_id: string;
  face_value_minor: bigint;
  face_currency: string;
  pay_minor: bigint;
  pay_currency: string;
  rate_id: string | null;
  rate_text: string;
  rate_num: string;
  rate_den: string;
  margin_bps: bigint;
  state: QuoteState;
  created_at_ms: bigint;
  expires_at_ms: bigint;
}

export interface ForeignSwitchTable {
  id: string;
  quote_id: string;
  card_id: string;
  provider_id: string;
  pin_id: string | null;
  hold_id: string;
  state: SwitchState;
  failure_code: string | null;
  pay_minor: bigint;
  pay_currency: string;
  face_value_minor: bigint;
  face_currency: string;
  cost_minor: bigint | null;
  email: string;
  locale: string;
  created_at_ms: bigint;
  hold_expires_at_ms: bigint;
  updated_at_ms: bigint;
  completed_at_ms: bigint | null;
}

/** What we owe a provider, line by line: stock bought (+) and stock voided (−). */
export interface ForeignPayableEntryTable {
  id: string;
  provider_id: string;
  kind: 'stock' | 'void';
  ref: string;
  currency: string;
  amount_minor: bigint;
  at_ms: bigint;
  settlement_id: string | null;
}

export interface ForeignSettlementTable {
  id: string;
  provider_id: string;
  period_key: string;
  period_end_ms: bigint;
  currency: string;
  amount_minor: bigint;
  entry_count: bigint;
  transfer_id: string | null;
  created_at_ms: bigint;
}

export interface ForeignTables {
  foreign_provider: ForeignProviderTable;
  foreign_stock_level: ForeignStockLevelTable;
  foreign_import_batch: ForeignImportBatchTable;
  foreign_pin: ForeignPinTable;
  foreign_rate: ForeignRateTable;
  foreign_quote: ForeignQuoteTable;
  foreign_switch: ForeignSwitchTable;
  foreign_payable_entry: ForeignPayableEntryTable;
  foreign_settlement: ForeignSettlementTable;
}
