import type { Kysely } from 'kysely';
import type { Clock } from '../kernel/index.ts';
import type { LedgerStore } from '../ledger/index.ts';
import type { PaymentsContext } from '../payments/index.ts';
import { tablesOf, type Database, type Executor } from '../storage/index.ts';
import type { SettlementTables } from './tables.ts';

/** What settlement needs: the database, the ledger, the clock, and the gateway's payments. */
export interface SettlementContext {
  readonly db: Database;
  readonly ledger: LedgerStore;
  readonly clock: Clock;
  readonly payments: PaymentsContext;
}

export function settlementTables(executor: Executor): Kysely<SettlementTables> {
  return tablesOf<SettlementTables>(executor);
}
