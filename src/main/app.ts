import type { CardsContext, KeyRing } from '../cards/index.ts';
import { assertLimits, systemClock, type Clock } from '../kernel/index.ts';
import { LedgerStore } from '../ledger/index.ts';
import { migrate, openDatabase, type Database } from '../storage/index.ts';
import { ALL_MIGRATIONS } from './migrations.ts';

/** Everything wired together once: the composition root's product. */
export interface App {
  readonly db: Database;
  readonly ledger: LedgerStore;
  readonly cards: CardsContext;
  readonly clock: Clock;
  close(): Promise<void>;
}

export function wireApp(db: Database, keys: KeyRing, clock: Clock = systemClock): App {
  const ledger = new LedgerStore(db);
  return {
    db,
    ledger,
    clock,
    cards: { db, ledger, keys, clock },
    close: () => db.close(),
  };
}

export async function openApp(options: {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly keys: KeyRing;
  readonly clock?: Clock;
  readonly migrate?: boolean;
}): Promise<App> {
  assertLimits();
  const db = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  if (options.migrate !== false) await migrate(db, ALL_MIGRATIONS);
  return wireApp(db, options.keys, options.clock ?? systemClock);
}
