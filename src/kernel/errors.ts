/**
 * The catalog of every error code the system answers with. Each code has a type (Stripe-style),
 * an HTTP status and a message for people. docs/errors.md lists the same codes: a test fails
 * when they differ. Codes are stable; messages may be improved.
 */
export type ErrorType =
  'invalid_request_error' | 'card_error' | 'authentication_error' | 'state_error' | 'api_error';

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
