import type { CardsContext } from '../cards/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { LedgerStore } from '../ledger/index.ts';
import type { Database } from '../storage/index.ts';
import { assertPolicy, DEFAULT_CHARGING_POLICY, type ChargingPolicy } from './session-policy.ts';
import { TariffCache } from './tariff-cache.ts';

/** What rating needs. Built once by the composition root. */
export interface ChargingContext {
  readonly db: Database;
  readonly clock: Clock;
  /** Decoded tariff versions; one per context, so build the context once per process. */
  readonly tariffs: TariffCache;
}

/** What charging sessions and events need on top: the cards, the ledger and the grant policy. */
export interface SessionsContext extends ChargingContext {
  readonly ledger: LedgerStore;
  readonly cards: CardsContext;
  readonly policy: ChargingPolicy;
}

export function createChargingContext(options: {
  readonly db: Database;
  readonly clock: Clock;
}): ChargingContext {
  return { db: options.db, clock: options.clock, tariffs: new TariffCache() };
}

export function createSessionsContext(options: {
  readonly cards: CardsContext;
  readonly policy?: Partial<ChargingPolicy>;
}): SessionsContext {
  const { cards } = options;
  const policy = { ...DEFAULT_CHARGING_POLICY, ...options.policy };
  assertPolicy(policy);
  return {
    db: cards.db,
    clock: cards.clock,
    tariffs: new TariffCache(),
    ledger: cards.ledger,
    cards,
    policy,
  };
}
