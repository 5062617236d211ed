import { fail, type Outcome } from '../kernel/index.ts';
import type { TransferResult } from '../ledger/index.ts';

/** Turns a ledger refusal into the error a card holder or channel sees. */
export function fromLedger<T>(result: TransferResult): Outcome<T> {
  if (result === 'exceeds_credits') return fail('insufficient_funds', 'amount');
  if (result.startsWith('exists_with_different')) return fail('idempotency_conflict', 'id', result);
  if (result === 'amount_exceeds_limit') return fail('amount_exceeds_limit', 'amount');
  if (result === 'amount_must_be_positive') return fail('amount_must_be_positive', 'amount');
  if (result === 'id_invalid') return fail('id_invalid', 'id');
  return fail('ledger_rejected', undefined, result);
}
