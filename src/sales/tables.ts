/** The sales module's tables (web orders, gifts, holder details, codes, refunds of balance). */
export interface SalesOrderTable {
  id: string;
  /**
   * HMAC of the order form's one-time key. A double submit finds the first order by it, and the
   * buyer's browser, which holds the key, may see the order with it.
   */
  order_key: string;
  kind: string;
  status: string;
  locale: string;
  buyer_name: string;
  buyer_email: string;
  buyer_phone: string | null;
  method: string;
  currency: string;
  amount_minor: bigint;
  livemode: bigint;
  /** The card a recharge credits. */
  card_id: string | null;
  provider: string;
  provider_payment_id: string | null;
  redirect_url: string | null;
  /** JSON of the bank's virtual account for a transfer. */
  virtual_account: string | null;
  /** The instrument that paid (brand and last four, or bank): where refunds go back to. */
  instrument: string | null;
  failure_code: string | null;
  /** A fulfilment in progress holds the order until then; a crashed one is picked up after. */
  lease_until_ms: bigint | null;
  next_check_at_ms: bigint;
  checks: bigint;
  refunded_minor: bigint;
  pins_shown_at_ms: bigint | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
  paid_at_ms: bigint | null;
  fulfilled_at_ms: bigint | null;
}

export interface SalesOrderLineTable {
  order_id: string;
  line_no: bigint;
  denomination_id: string;
  quantity: bigint;
  unit_minor: bigint;
  amount_minor: bigint;
}

export interface SalesOrderCardTable {
  order_id: string;
  card_id: string;
  line_no: bigint;
  serial: string;
  pin_last4: string;
  face_value_minor: bigint;
  pin_sealed: string | null;
  secret_sealed: string | null;
  /** 'self' or 'gift' once the buyer chose; null while the card waits for the choice. */
  handover: string | null;
  handed_over_at_ms: bigint | null;
  refunded_minor: bigint;
}

export interface SalesGiftTable {
  id: string;
  order_id: string;
  card_id: string;
  sender_name: string;
  recipient_name: string;
  recipient_email: string;
  design: string;
  message: string;
  locale: string;
  deliver_at_ms: bigint;
  claim_expires_at_ms: bigint;
  claimed_at_ms: bigint | null;
  created_at_ms: bigint;
}

export interface SalesCardHolderTable {
  card_id: string;
  name: string;
  email: string;
  phone: string | null;
  locale: string;
  updated_at_ms: bigint;
}

export interface SalesOneTimeCodeTable {
  id: string;
  card_id: string;
  purpose: string;
  code_hash: string;
  expires_at_ms: bigint;
  used_at_ms: bigint | null;
  attempts: bigint;
  created_at_ms: bigint;
}

export interface SalesBalanceRefundTable {
  id: string;
  card_id: string;
  status: string;
  currency: string;
  amount_minor: bigint;
  fee_minor: bigint;
  payout_minor: bigint;
  rule: string;
  hold_transfer_id: string;
  locale: string;
  email: string;
  /** JSON: [{ kind: 'purchase'|'recharge', orderId, amountMinor, refundId }] */
  payouts: string;
  review_note: string | null;
  decided_by: string | null;
  failure_code: string | null;
  requested_at_ms: bigint;
  decided_at_ms: bigint | null;
  paid_at_ms: bigint | null;
}

/** An expiry notice sent (e-mail, and SMS when a phone is known) for one card and window. */
export interface SalesExpiryNoticeTable {
  card_id: string;
  window_days: bigint;
  expires_at_ms: bigint;
  currency: string;
  balance_minor: bigint;
  locale: string;
  email_id: string | null;
  sms_id: string | null;
  sent_at_ms: bigint;
}

export interface SalesTables {
  sales_order: SalesOrderTable;
  sales_order_line: SalesOrderLineTable;
  sales_order_card: SalesOrderCardTable;
  sales_gift: SalesGiftTable;
  sales_card_holder: SalesCardHolderTable;
  sales_one_time_code: SalesOneTimeCodeTable;
  sales_balance_refund: SalesBalanceRefundTable;
  sales_expiry_notice: SalesExpiryNoticeTable;
}
