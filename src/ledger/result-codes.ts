/**
 * The closed list of transfer results, in order of precedence: when several rules fail, the one
 * listed first is returned. `ok` and `exists` are the only results that leave (or find) money
 * moved; every other result moves nothing. docs/ledger.md lists the same codes in the same order
 * (a test keeps them in step).
 */
export const TRANSFER_RESULTS = [
  'ok',
  'linked_event_failed',
  'linked_event_chain_open',
  'id_invalid',
  'reserved_flag',
  'flags_are_mutually_exclusive',
  'pending_id_must_be_empty',
  'pending_id_must_not_be_empty',
  'pending_id_must_be_different',
  'timeout_reserved_for_pending_transfer',
  'timeout_exceeds_limit',
  'debit_account_id_must_not_be_empty',
  'credit_account_id_must_not_be_empty',
  'accounts_must_be_different',
  'amount_must_be_positive',
  'amount_must_be_empty',
  'amount_exceeds_limit',
  'currency_invalid',
  'code_invalid',
  'reference_too_long',
  'exists_with_different_flags',
  'exists_with_different_pending_id',
  'exists_with_different_timeout',
  'exists_with_different_debit_account_id',
  'exists_with_different_credit_account_id',
  'exists_with_different_amount',
  'exists_with_different_currency',
  'exists_with_different_code',
  'exists_with_different_reference',
  'exists',
  'debit_account_not_found',
  'credit_account_not_found',
  'accounts_must_have_the_same_currency',
  'transfer_must_have_the_same_currency_as_accounts',
  'pending_transfer_not_found',
  'pending_transfer_not_pending',
  'pending_transfer_has_different_debit_account_id',
  'pending_transfer_has_different_credit_account_id',
  'pending_transfer_has_different_currency',
  'pending_transfer_already_posted',
  'pending_transfer_already_voided',
  'pending_transfer_already_expired',
  'pending_transfer_expired',
  'pending_transfer_not_expired',
  'exceeds_pending_transfer_amount',
  'overflows_debits',
  'overflows_credits',
  'exceeds_credits',
  'exceeds_debits',
] as const;

export type TransferResult = (typeof TRANSFER_RESULTS)[number];

export const ACCOUNT_RESULTS = [
  'ok',
  'id_invalid',
  'currency_invalid',
  'code_invalid',
  'flags_are_mutually_exclusive',
  'exists_with_different_currency',
  'exists_with_different_code',
  'exists_with_different_flags',
  'exists',
] as const;

export type AccountResult = (typeof ACCOUNT_RESULTS)[number];

/** The result listed first among several that apply. */
export function firstByPrecedence(results: readonly TransferResult[]): TransferResult | null {
  let best: TransferResult | null = null;
  for (const r of results) {
    if (best === null || TRANSFER_RESULTS.indexOf(r) < TRANSFER_RESULTS.indexOf(best)) best = r;
  }
  return best;
}

/** Results after which the transfer is on the books (now, or from an earlier identical call). */
export function isApplied(result: TransferResult): boolean {
  return result === 'ok' || result === 'exists';
}
