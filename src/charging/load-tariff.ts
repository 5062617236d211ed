import { fail, ok, type Outcome } from '../kernel/index.ts';
import type { ChargingContext } from './context.ts';
import { planInForce } from './rating-rules.ts';
import { latestTariffVersion } from './tariff-store.ts';
import type { Service, Tariff } from './types.ts';

/**
 * The latest tariff version, decoded and indexed (cached by version). Reads outside any
 * transaction: call it before opening a write transaction, not inside one (on SQLite the one
 * connection would wait for itself).
 */
export async function currentTariff(ctx: ChargingContext): Promise<Tariff | null> {
  const version = await latestTariffVersion(ctx.db.kysely);
  if (version === null) return null;
  return ctx.tariffs.get(ctx.db.kysely, version);
}

/**
 * The tariff to rate `service` at `atMs` with: the latest version, provided it has a plan for
 * the service in force at that time (`rating_plan_not_found` otherwise, also before the first
 * import).
 */
export async function loadTariff(
  ctx: ChargingContext,
  query: { readonly service: Service; readonly atMs: bigint },
): Promise<Outcome<Tariff>> {
  const tariff = await currentTariff(ctx);
  if (tariff === null) return fail('rating_plan_not_found', 'service', 'no tariff imported yet');
  if (planInForce(tariff, query.service, query.atMs) === null) {
    return fail('rating_plan_not_found', 'service', `no ${query.service} plan in force`);
  }
  return ok(tariff);
}

/**
 * A given stored version (cached like the latest), or null if there is none: for a session
 * that keeps its call's `Rating` by (tariff version, rate id) and needs the rate again later,
 * whatever was imported since.
 */
export async function loadTariffVersion(
  ctx: ChargingContext,
  version: number,
): Promise<Tariff | null> {
  if (!Number.isSafeInteger(version) || version < 1) return null;
  return ctx.tariffs.get(ctx.db.kysely, version);
}
