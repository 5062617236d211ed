import { createHash } from 'node:crypto';
import type { AccountTotals } from './types.ts';

/** Every account's journal chain starts from this hash. */
export const GENESIS_HASH = '0'.repeat(64);

export interface JournalLine {
  readonly accountId: string;
  readonly seq: bigint;
  readonly transferId: string;
  readonly code: string;
  readonly reference: string;
  readonly delta: AccountTotals;
  readonly after: AccountTotals;
  readonly createdAtMs: bigint;
  readonly prevHash: string;
}

/**
 * Each journal line's hash covers its content and the previous line's hash of the same account,
 * so changing, removing or reordering any line breaks the chain. The account row keeps the last
 * hash and seq, so removing the newest line is caught too. Chains are per account because the
 * account row is already locked when its line is written: no global hot spot.
 */
export function journalHash(line: JournalLine): string {
  const fields = [
    line.accountId,
    line.seq.toString(),
    line.transferId,
    line.code,
    line.reference,
    line.delta.debitsPending.toString(),
    line.delta.debitsPosted.toString(),
    line.delta.creditsPending.toString(),
    line.delta.creditsPosted.toString(),
    line.after.debitsPending.toString(),
    line.after.debitsPosted.toString(),
    line.after.creditsPending.toString(),
    line.after.creditsPosted.toString(),
    line.createdAtMs.toString(),
    line.prevHash,
  ];
  // JSON keeps field boundaries unambiguous whatever a reference contains.
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}
