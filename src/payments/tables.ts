/** The payments module's tables. */
export interface AssociateTable {
  id: string;
  name: string;
  category: string;
  commission_bps: bigint;
  webhook_url: string | null;
  /** JSON array of allowed return-URL prefixes. */
  return_urls: string;
  /** JSON object: bank, account, holder (for settlement). */
  settlement: string;
  /** 1 when the associate may charge with PIN + password server to server (IVR, PC). */
  trusted: bigint;
  status: string;
  created_at_ms: bigint;
}

export interface ApiKeyTable {
  id: string;
  associate_id: string;
  livemode: bigint;
  secret_hash: string;
  last4: string;
  /** Space-separated scopes. */
  scopes: string;
  created_at_ms: bigint;
  expires_at_ms: bigint | null;
  revoked_at_ms: bigint | null;
}

export interface ApiSignatureSeenTable {
  key_id: string;
  signature: string;
  expires_at_ms: bigint;
}

export interface PaymentTable {
  id: string;
  associate_id: string;
  livemode: bigint;
  amount_minor: bigint;
  currency: string;
  order_reference: string;
  description: string;
  return_url: string | null;
  capture_mode: string;
  hold_lifetime_ms: bigint;
  status: string;
  amount_authorized_minor: bigint;
  amount_captured_minor: bigint;
  amount_refunded_minor: bigint;
  fee_minor: bigint;
  fee_refunded_minor: bigint;
  /** When uncaptured holds expire (set at the first authorization). */
  expires_at_ms: bigint | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
}

export interface PaymentPartTable {
  id: string;
  payment_id: string;
  seq: bigint;
  card_id: string;
  /** The ledger hold currently open for this part (re-made after each partial capture). */
  hold_id: string | null;
  hold_generation: bigint;
  amount_minor: bigint;
  amount_captured_minor: bigint;
  amount_refunded_minor: bigint;
  status: string;
  created_at_ms: bigint;
}

export interface PaymentCaptureTable {
  id: string;
  payment_id: string;
  amount_minor: bigint;
  fee_minor: bigint;
  created_at_ms: bigint;
}

export interface RefundTable {
  id: string;
  payment_id: string;
  associate_id: string;
  livemode: bigint;
  amount_minor: bigint;
  fee_returned_minor: bigint;
  reason: string;
  status: string;
  created_at_ms: bigint;
}

export interface IdempotencyTable {
  associate_id: string;
  livemode: bigint;
  key: string;
  request_hash: string;
  status_code: bigint;
  response: string;
  created_at_ms: bigint;
  expires_at_ms: bigint;
}

export interface WebhookEventTable {
  id: string;
  associate_id: string;
  livemode: bigint;
  type: string;
  payload: string;
  created_at_ms: bigint;
}

export interface WebhookDeliveryTable {
  id: string;
  event_id: string;
  associate_id: string;
  url: string;
  status: string;
  attempts: bigint;
  next_attempt_at_ms: bigint | null;
  last_status_code: bigint | null;
  last_error: string | null;
  delivered_at_ms: bigint | null;
  created_at_ms: bigint;
}

export interface WebhookAttemptTable {
  delivery_id: string;
  attempt: bigint;
  at_ms: bigint;
  status_code: bigint | null;
  error: string | null;
  duration_ms: bigint;
}

export interface PaymentFlagTable {
  id: string;
  payment_id: string;
  card_id: string;
  note: string;
  card_suspended: bigint;
  created_at_ms: bigint;
}

export interface PaymentsTables {
  associate: AssociateTable;
  api_key: ApiKeyTable;
  api_signature_seen: ApiSignatureSeenTable;
  payment: PaymentTable;
  payment_part: PaymentPartTable;
  payment_capture: PaymentCaptureTable;
  refund: RefundTable;
  idempotency_record: IdempotencyTable;
  webhook_event: WebhookEventTable;
  webhook_delivery: WebhookDeliveryTable;
  webhook_attempt: WebhookAttemptTable;
  payment_flag: PaymentFlagTable;
}
