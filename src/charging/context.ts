import type { Clock } from '../kernel/index.ts';
import type { Database } from '../storage/index.ts';
import { TariffCache } from './tariff-cache.ts';

/** What the charging use cases need. Built once by the composition root. */
export interface ChargingContext {
  readonly db: Database;
  readonly clock: Clock;
  /** Decoded tariff versions; one per context, so build the context once per process. */
  readonly tariffs: TariffCache;
}

export function createChargingContext(options: {
  readonly db: Database;
  readonly clock: Clock;
}): ChargingContext {
  return { db: options.db, clock: options.clock, tariffs: new TariffCache() };
}
