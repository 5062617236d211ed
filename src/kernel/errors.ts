/**
 * The catalog of every error code the system answers with. Each code has a type (Stripe-style),
 * an HTTP status and a message for people. docs/errors.md lists the same codes: a test fails
 * when they differ. Codes are stable; messages may be improved.
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'card_error'
  | 'authentication_error'
  | 'permission_error'
  | 'rate_limit_error'
  | 'state_error'
  | 'api_error';

interface ErrorSpec {
  readonly type: ErrorType;
  readonly status: number;
  readonly message: string;
}

export const ERROR_CATALOG = {
  // Input
  amount_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The amount must be a whole number of minor units (no fractions, no exponents).',
  },
  amount_must_be_positive: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The amount must be greater than zero.',
  },
  amount_exceeds_limit: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The amount is larger than allowed.',
  },
  currency_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The currency is not supported.',
  },
  currency_mismatch: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The currency does not match the card.',
  },
  id_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The id must be 1–64 letters, digits, or . _ : - characters.',
  },
  parameter_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'A parameter is missing or malformed.',
  },
  count_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The count must be a whole number from 1 to the issuance limit.',
  },
  pin_malformed: {
    type: 'invalid_request_error',
    status: 400,
    message: 'A PIN is 20 digits, optionally grouped with spaces or hyphens.',
  },
  pin_check_digit_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The PIN has a typing error (its check digit does not match).',
  },
  password_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The password must be 4 to 12 digits.',
  },
  password_too_weak: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The password is too easy to guess (repeated or consecutive digits).',
  },
  period_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The period is invalid: "from" must be before "to".',
  },
  denomination_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The denomination is not in the catalogue or is not on sale.',
  },
  // Not found
  card_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'No card with that serial or id.',
  },
  // Credentials and card state
  credentials_invalid: {
    type: 'authentication_error',
    status: 401,
    message: 'The PIN or the password is not correct.',
  },
  activation_secret_invalid: {
    type: 'authentication_error',
    status: 401,
    message: 'The PIN or the activation code is not correct, or the code has expired.',
  },
  card_locked: {
    type: 'card_error',
    status: 423,
    message: 'The card is locked (too many failed attempts, or by an operator); contact support.',
  },
  card_not_active: {
    type: 'card_error',
    status: 409,
    message: 'The card cannot be used in its current state.',
  },
  card_expired: {
    type: 'card_error',
    status: 409,
    message: 'The card has passed its validity date.',
  },
  card_state_invalid: {
    type: 'state_error',
    status: 409,
    message: 'The card is not in a state that allows this step.',
  },
  card_mode_mismatch: {
    type: 'card_error',
    status: 402,
    message: 'A test card pays only test payments, and a live card only live ones.',
  },
  insufficient_funds: {
    type: 'card_error',
    status: 402,
    message: 'The balance is not enough for this amount.',
  },
  recharge_exceeds_limit: {
    type: 'card_error',
    status: 422,
    message: 'The recharge is larger than a single recharge may be.',
  },
  balance_exceeds_limit: {
    type: 'card_error',
    status: 422,
    message: 'The card would hold more than its maximum balance.',
  },
  // Idempotency and ledger
  idempotency_conflict: {
    type: 'invalid_request_error',
    status: 409,
    message: 'This id was already used with different parameters.',
  },
  ledger_rejected: {
    type: 'api_error',
    status: 409,
    message: 'The ledger refused the transfer; see the detail code.',
  },
  // Gateway: resources
  associate_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'No associate with that id.',
  },
  api_key_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'No active API key with that id.',
  },
  payment_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'No payment with that id.',
  },
  refund_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'No refund with that id.',
  },
  event_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'No event with that id.',
  },
  webhook_delivery_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'No webhook delivery with that id.',
  },
  route_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'No such endpoint.',
  },
  // Gateway: authentication and request rules
  api_key_invalid: {
    type: 'authentication_error',
    status: 401,
    message: 'The API key is missing, unknown, revoked or expired.',
  },
  signature_missing: {
    type: 'authentication_error',
    status: 401,
    message: 'This call moves money and must carry an OnePIN-Signature header.',
  },
  signature_invalid: {
    type: 'authentication_error',
    status: 401,
    message: 'The OnePIN-Signature header does not match the request.',
  },
  signature_expired: {
    type: 'authentication_error',
    status: 401,
    message: 'The signature timestamp is more than 300 seconds from our clock.',
  },
  signature_replayed: {
    type: 'authentication_error',
    status: 401,
    message: 'This signature was already used; sign each request afresh.',
  },
  scope_missing: {
    type: 'permission_error',
    status: 403,
    message: 'The API key does not have the scope this call needs.',
  },
  associate_not_trusted: {
    type: 'permission_error',
    status: 403,
    message: 'Only associates marked as trusted channels may charge with a PIN and password.',
  },
  idempotency_key_required: {
    type: 'invalid_request_error',
    status: 400,
    message: 'Every mutating call needs an Idempotency-Key header (1–255 printable characters).',
  },
  rate_limited: {
    type: 'rate_limit_error',
    status: 429,
    message: 'Too many requests; slow down and retry after the Retry-After seconds.',
  },
  csrf_invalid: {
    type: 'invalid_request_error',
    status: 403,
    message: 'The form expired or did not come from this site; reload the page and try again.',
  },
  // Gateway: payment rules
  return_url_not_allowed: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The return URL is not on the associate’s allow-list.',
  },
  payment_state_invalid: {
    type: 'state_error',
    status: 409,
    message: 'The payment is not in a state that allows this step.',
  },
  amount_exceeds_capturable: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The amount is more than what is authorized and not yet captured.',
  },
  amount_exceeds_refundable: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The amount is more than what was captured and not yet refunded.',
  },
  associate_balance_insufficient: {
    type: 'state_error',
    status: 409,
    message: 'What we owe the associate is less than the refund (it was already paid out).',
  },
  // Sales (holder site: orders, recharge, refund of balance)
  order_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'There is no such order.',
  },
  order_state_invalid: {
    type: 'state_error',
    status: 409,
    message: 'The order is not in a state that allows this step.',
  },
  quantity_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The quantity must be a whole number within the order limits.',
  },
  order_limit_exceeded: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The order is larger than one order may be.',
  },
  name_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The name is missing or too long.',
  },
  email_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The e-mail address is not valid.',
  },
  phone_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The phone number is not valid.',
  },
  payment_method_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The payment method must be card or bank transfer.',
  },
  design_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'There is no such card design.',
  },
  delivery_date_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The delivery date must be today or within the next 90 days.',
  },
  recharge_daily_limit_exceeded: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The card has reached its recharge limit for today.',
  },
  one_time_code_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The code is wrong, expired or already used.',
  },
  balance_refund_not_allowed: {
    type: 'state_error',
    status: 409,
    message: "The refund rules do not allow a refund of this card's balance now.",
  },
  balance_refund_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'There is no such refund request.',
  },
  balance_refund_state_invalid: {
    type: 'state_error',
    status: 409,
    message: 'The refund request is not in a state that allows this step.',
  },
  // Funding (card company and bank, through the acquirer)
  funding_declined: {
    type: 'card_error',
    status: 402,
    message: 'The card company declined the payment.',
  },
  funding_insufficient_funds: {
    type: 'card_error',
    status: 402,
    message: 'The card or account does not have enough funds.',
  },
  funding_unavailable: {
    type: 'api_error',
    status: 503,
    message:
      'The card company or bank did not answer. Nothing was charged by this step; try again.',
  },
  funding_failed: {
    type: 'card_error',
    status: 402,
    message: 'The payment at the card company or bank did not go through.',
  },
  // Charging (rating, tariffs, sessions): codes go here
  number_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message:
      'The number is not a telephone number we can rate (digits, an optional + or international prefix, 5 to 15 digits in E.164).',
  },
  destination_not_found: {
    type: 'invalid_request_error',
    status: 422,
    message: 'No destination of the tariff in force matches the number.',
  },
  rate_not_found: {
    type: 'invalid_request_error',
    status: 422,
    message: 'The destination has no rate at that time.',
  },
  rating_plan_not_found: {
    type: 'invalid_request_error',
    status: 422,
    message: 'No rating plan for the service is in force at that time (or no tariff is imported).',
  },
  tariff_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The tariff file has errors (see the report by line and field); nothing was stored.',
  },
  subscriber_unknown: {
    type: 'invalid_request_error',
    status: 404,
    message:
      'No card stands behind the subscriber token (unknown, expired or revoked): authenticate with PIN and password again.',
  },
  session_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message:
      'There is no open charging session with that id (it ended, or its timer ran out and released its reservation).',
  },
  session_exists: {
    type: 'state_error',
    status: 409,
    message: 'A charging session with that id already exists; use a new session id for a new call.',
  },
  session_state_invalid: {
    type: 'state_error',
    status: 409,
    message:
      'The charging session is not in a state that allows this request (for example a refund of a session still open).',
  },
  request_number_invalid: {
    type: 'invalid_request_error',
    status: 409,
    message: 'The request number is older than the last one answered for this session.',
  },
  request_conflict: {
    type: 'invalid_request_error',
    status: 409,
    message: 'This request number of the session was already used for a different request.',
  },
  credit_limit_reached: {
    type: 'card_error',
    status: 402,
    message:
      'The balance does not cover the request (a call needs at least its connection fee and first block).',
  },
  refund_exceeds_charge: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The refund is larger than what the charge took from the card, less earlier refunds.',
  },
  ivr_signature_invalid: {
    type: 'permission_error',
    status: 403,
    message:
      'The IVR webhook request does not carry a valid X-Twilio-Signature for the configured IVR_AUTH_TOKEN.',
  },
  ivr_state_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message:
      'The call state in the IVR action URL is malformed, belongs to another call or step, or has expired.',
  },
  mailbox_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'There is no voicemail mailbox with that id.',
  },
  mailbox_exists: {
    type: 'state_error',
    status: 409,
    message:
      'That phone number already has a voicemail mailbox (open or suspended); close it first.',
  },
  mailbox_suspended: {
    type: 'state_error',
    status: 409,
    message:
      'The voicemail mailbox is suspended: its monthly fee could not be taken. Recharge the card and resume it.',
  },
  mailbox_closed: {
    type: 'state_error',
    status: 409,
    message: 'The voicemail mailbox is closed (or its grace period for the unpaid fee ended).',
  },
  // Foreign PIN exchange (providers, pools, FX rates and quotes, switch-over, settlement)
  foreign_provider_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'There is no foreign PIN provider with that id.',
  },
  foreign_provider_exists: {
    type: 'invalid_request_error',
    status: 409,
    message: 'A foreign PIN provider with that name already exists.',
  },
  foreign_provider_suspended: {
    type: 'state_error',
    status: 409,
    message: 'The foreign PIN provider is suspended: its PINs are not offered now.',
  },
  foreign_pool_empty: {
    type: 'state_error',
    status: 409,
    message:
      'No PIN of that provider and value is left in the pool; choose another value or try later. Nothing was charged.',
  },
  foreign_pins_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message:
      'The PIN file has errors (see the report by line and field, duplicates included); nothing was stored.',
  },
  foreign_pin_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'There is no pool PIN with that id.',
  },
  foreign_pin_state_invalid: {
    type: 'state_error',
    status: 409,
    message:
      'The pool PIN is not in a state that allows this step (only available PINs can be voided).',
  },
  fx_rate_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message:
      'A rate is a positive decimal (at most 12 digits before and after the point) for a pair of two different currencies, like USD/KRW 1385.27.',
  },
  fx_rate_not_found: {
    type: 'invalid_request_error',
    status: 422,
    message:
      'No exchange rate for the pair is in force (none entered yet, or the latest is older than the policy allows).',
  },
  fx_quote_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'There is no such quote for this card.',
  },
  fx_quote_expired: {
    type: 'state_error',
    status: 409,
    message:
      'The quote has expired (or its hold ran out before the PIN was allocated); ask for a new quote. Nothing was charged.',
  },
  // Settlement (associate settlement runs, payout files)
  settlement_run_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'There is no settlement run with that id.',
  },
  settlement_state_invalid: {
    type: 'state_error',
    status: 409,
    message: 'The settlement run is not in a state that allows this step.',
  },
  settlement_cycle_open: {
    type: 'invalid_request_error',
    status: 400,
    message: 'That cycle has not ended yet: a cycle is settled only after it ends.',
  },
  settlement_balance_insufficient: {
    type: 'state_error',
    status: 409,
    message:
      "The associate's payable account does not hold the commission adjustment (refunds used it); the run stays computed and is retried by the next run.",
  },
  settlement_ledger_conflict: {
    type: 'api_error',
    status: 409,
    message:
      "The ledger already holds this run's transfer with a different amount or accounts; nothing was booked. See the reconciliation.",
  },
  settlement_bank_account_missing: {
    type: 'state_error',
    status: 409,
    message:
      'The associate has no bank account for payouts (set one with onepin associates set-settlement).',
  },
  settlement_backlog_too_large: {
    type: 'api_error',
    status: 422,
    message: 'Too many journal lines since the last settlement of this account for one run.',
  },
  // Agents (selling agents: consignment, print runs, POS sales, remittance)
  agent_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'There is no selling agent with that id.',
  },
  agent_key_invalid: {
    type: 'authentication_error',
    status: 401,
    message: 'The agent key is missing, unknown or revoked.',
  },
  serial_range_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message:
      'A serial range is written first-last with 1 to 12 digits each, first not after last, and at most 100000 cards per range.',
  },
  serial_range_overlap: {
    type: 'invalid_request_error',
    status: 409,
    message:
      'Two serial ranges overlap (in the request, or with a consignment still waiting for approval).',
  },
  serial_unknown: {
    type: 'invalid_request_error',
    status: 404,
    message: 'A serial in the range was never issued.',
  },
  stock_not_available: {
    type: 'state_error',
    status: 409,
    message:
      'A card in the range is not unsold stock in the vault (already consigned, sold or closed); nothing was consigned.',
  },
  stock_not_consigned: {
    type: 'state_error',
    status: 409,
    message: 'The card is not unsold stock consigned to this agent; nothing was sold or returned.',
  },
  consignment_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'There is no consignment with that id.',
  },
  consignment_state_invalid: {
    type: 'state_error',
    status: 409,
    message: 'The consignment was already approved or rejected.',
  },
  approval_self: {
    type: 'permission_error',
    status: 403,
    message:
      'A consignment must be approved or rejected by a different operator than the one who proposed it.',
  },
  agent_reference_conflict: {
    type: 'state_error',
    status: 409,
    message: "The agent's sale reference was already used for another card.",
  },
  print_run_exported: {
    type: 'state_error',
    status: 409,
    message:
      'The print run of this issue batch was already exported; its PINs exist only as keyed hashes and are never exported again.',
  },
  remittance_exceeds_owed: {
    type: 'state_error',
    status: 409,
    message: 'The remittance is larger than what the agent owes; nothing was booked.',
  },
  // Carriers (mobile carrier channel: pools, sale reports, registration codes, billing)
  carrier_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'There is no carrier with that id or name.',
  },
  carrier_exists: {
    type: 'state_error',
    status: 409,
    message: 'A carrier with that name exists.',
  },
  carrier_key_invalid: {
    type: 'authentication_error',
    status: 401,
    message: 'The carrier key or the request signature is missing, unknown or wrong.',
  },
  carrier_pin_not_in_pool: {
    type: 'invalid_request_error',
    status: 404,
    message: 'That serial is not in this carrier’s PIN pool.',
  },
  carrier_pin_sold: {
    type: 'state_error',
    status: 409,
    message:
      'That PIN was already reported sold under another report id; nothing was loaded again.',
  },
  carrier_sale_conflict: {
    type: 'state_error',
    status: 409,
    message:
      'This report id was used for another sale (serial, phone, price or time differ); nothing changed.',
  },
  carrier_sale_price_mismatch: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The reported price is not the face value of the card.',
  },
  carrier_sale_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'There is no such carrier sale.',
  },
  carrier_registration_refused: {
    type: 'invalid_request_error',
    status: 400,
    message: 'No code can be sent: check the PIN and use the phone number the PIN was sent to.',
  },
  sms_limit_exceeded: {
    type: 'rate_limit_error',
    status: 429,
    message:
      'Too many codes were sent to this number, this number range or from this address; try again later. Nothing was sent.',
  },
  carrier_billing_invalid: {
    type: 'invalid_request_error',
    status: 400,
    message: 'The billing file has malformed lines (see the line report); nothing was imported.',
  },
  carrier_billing_period_imported: {
    type: 'state_error',
    status: 409,
    message: 'Another billing file was imported for this carrier and period; nothing changed.',
  },
  carrier_billing_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'No billing file was imported for this carrier and period.',
  },
  carrier_remittance_conflict: {
    type: 'api_error',
    status: 409,
    message:
      'The ledger already holds this period’s remittance with other amounts or accounts; nothing was booked.',
  },
  // Notify (e-mail outbox): codes go here
  email_not_found: {
    type: 'invalid_request_error',
    status: 404,
    message: 'There is no such e-mail in the outbox.',
  },
  email_state_invalid: {
    type: 'state_error',
    status: 409,
    message: 'The e-mail is not in a state that allows this step (it was sent, or is being sent).',
  },
  internal_error: {
    type: 'api_error',
    status: 500,
    message: 'Something went wrong on our side. The request can be retried safely.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** An expected failure: returned, not thrown, by business code. */
export interface DomainError {
  readonly code: ErrorCode;
  /** The input field at fault, when there is one. */
  readonly param?: string;
  /** More detail for people (never a secret). */
  readonly detail?: string;
}

export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DomainError };

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, param?: string, detail?: string): Outcome<T> {
  return {
    ok: false,
    error: {
      code,
      ...(param !== undefined ? { param } : {}),
      ...(detail !== undefined ? { detail } : {}),
    },
  };
}

export function describeError(error: DomainError): string {
  const spec = ERROR_CATALOG[error.code];
  const where = error.param !== undefined ? ` (${error.param})` : '';
  const detail = error.detail !== undefined ? `: ${error.detail}` : '';
  return `${error.code}${where}: ${spec.message}${detail}`;
}
