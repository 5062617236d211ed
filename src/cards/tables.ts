/** The cards module's tables. */
export interface CardTable {
  id: string;
  serial: string;
  pin_hash: string;
  pin_key_id: string;
  pin_last4: string;
  denomination_id: string;
  currency: string;
  face_value_minor: bigint;
  state: string;
  state_reason: string;
  state_changed_at_ms: bigint;
  account_id: string | null;
  password_hash: string | null;
  failed_attempts: bigint;
  activation_kind: string | null;
  activation_hash: string | null;
  activation_expires_at_ms: bigint | null;
  validity_kind: string;
  validity_days: bigint | null;
  validity_until_ms: bigint | null;
  expires_at_ms: bigint | null;
  first_used_at_ms: bigint | null;
  sold_at_ms: bigint | null;
  activated_at_ms: bigint | null;
  channel: string | null;
  /** 1 while an expired card still has holds whose release must be swept to breakage. */
  breakage_open: bigint;
  /** 1 for live cards, 0 for test cards (which pay only test payments). */
  livemode: bigint;
  issue_batch_id: string;
  created_at_ms: bigint;
}

export interface CardDenominationTable {
  id: string;
  amount_minor: bigint;
  currency: string;
  name: string;
  design: string;
  validity_kind: string;
  validity_days: bigint | null;
  validity_until_ms: bigint | null;
  on_sale: bigint;
  created_at_ms: bigint;
}

export interface CardIssueBatchTable {
  id: string;
  denomination_id: string;
  count: bigint;
  serial_first: string;
  serial_last: string;
  created_at_ms: bigint;
}

export interface CardCounterTable {
  name: string;
  value: bigint;
}

export interface CardEventTable {
  card_id: string;
  at_ms: bigint;
  transition: string;
  from_state: string;
  to_state: string;
  reason: string;
}

export interface CardKeyChainTable {
  chain: string;
}

export interface CardsTables {
  card_key_chain: CardKeyChainTable;
  card: CardTable;
  card_denomination: CardDenominationTable;
  card_issue_batch: CardIssueBatchTable;
  card_counter: CardCounterTable;
  card_event: CardEventTable;
}
