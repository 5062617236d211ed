import type { Kysely } from 'kysely';
import type { CardsContext, SecretKey } from '../cards/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { LedgerStore } from '../ledger/index.ts';
import { tablesOf, type Database, type Executor } from '../storage/index.ts';
import type { PaymentsTables } from './tables.ts';

/** Keys of the gateway, kept outside the database with the others (see keys-file.ts). */
export interface PaymentKeys {
  /** Derives each API key's request-signing secret, so the secret itself is never stored. */
  readonly apiSigningKey: SecretKey;
  /** Derives each associate's webhook (and return-URL) signing secret. */
  readonly webhookKey: SecretKey;
}

export interface PaymentsContext {
  readonly db: Database;
  readonly ledger: LedgerStore;
  readonly cards: CardsContext;
  readonly keys: PaymentKeys;
  readonly clock: Clock;
  /** Where holders reach us: the hosted payment page lives under it. */
  readonly publicUrl: string;
}

export function paymentTables(executor: Executor): Kysely<PaymentsTables> {
  return tablesOf<PaymentsTables>(executor);
}
