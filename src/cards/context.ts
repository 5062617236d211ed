import type { Kysely } from 'kysely';
import type { Clock } from '../kernel/index.ts';
import type { LedgerStore } from '../ledger/index.ts';
import { tablesOf, type Database, type Executor } from '../storage/index.ts';
import type { KeyRing } from './keys.ts';
import type { CardsTables } from './tables.ts';

/** What every card use case needs. Built once by the composition root. */
export interface CardsContext {
  readonly db: Database;
  readonly ledger: LedgerStore;
  readonly keys: KeyRing;
  readonly clock: Clock;
}

export function cardTables(executor: Executor): Kysely<CardsTables> {
  return tablesOf<CardsTables>(executor);
}
