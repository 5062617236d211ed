import type { CardsContext } from '../cards/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { LedgerStore } from '../ledger/index.ts';
import type { Database } from '../storage/index.ts';

/** What the agent channel needs. Built once by the composition root. */
export interface AgentsContext {
  readonly db: Database;
  readonly ledger: LedgerStore;
  readonly clock: Clock;
  readonly cards: CardsContext;
  /** Derives each agent key's request-signing secret (the server's API signing key). */
  readonly signingKey: Buffer;
}
