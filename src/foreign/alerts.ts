import { formatMoney, isoFromMs } from '../kernel/index.ts';
import { enqueueEmail } from '../notify/index.ts';
import type { Executor } from '../storage/index.ts';
import { foreignTables, type ForeignContext } from './context.ts';
import type { Provider } from './providers.ts';
import { stockSignal } from './stock-rules.ts';

export interface LowStockAlert {
  readonly providerId: string;
  readonly providerName: string;
  readonly faceValueMinor: bigint;
  readonly available: bigint;
  readonly threshold: bigint;
  /** Where the alert e-mail went. */
  readonly to: string;
}

export async function availableCount(
  executor: Executor,
  providerId: string,
  faceValueMinor: bigint,
): Promise<bigint> {
  const row = await foreignTables(executor)
    .selectFrom('foreign_pin')
    .select((eb) => eb.fn.countAll<bigint | number | string>().as('n'))
    .where('provider_id', '=', providerId)
    .where('face_value_minor', '=', faceValueMinor)
    .where('state', '=', 'available')
    .executeTakeFirst();
  return BigInt(row?.n ?? 0);
}

/**
 * After stock of one value changed (a switch took a PIN, an import or a void), inside the
 * same transaction: alert once when the available count falls below the threshold, re-arm when
 * stock is back. The alert is an e-mail (to the configured operator address, else the
 * provider's contact) queued with the change, and returned so the caller can log it.
 */
export async function checkStockLevel(
  ctx: ForeignContext,
  tx: Executor,
  provider: Provider,
  faceValueMinor: bigint,
  cause: string,
): Promise<LowStockAlert | null> {
  const t = foreignTables(tx);
  const level = await t
    .selectFrom('foreign_stock_level')
    .selectAll()
    .where('provider_id', '=', provider.id)
    .where('face_value_minor', '=', faceValueMinor)
    .executeTakeFirst();
  const threshold = level?.threshold ?? provider.lowStockDefault;
  const available = await availableCount(tx, provider.id, faceValueMinor);
  const alerted = level?.alerted_at_ms !== undefined && level.alerted_at_ms !== null;
  const signal = stockSignal({ available, threshold, alerted });
  if (signal === 'none') return null;
  const nowMs = ctx.clock.nowMs();
  const alertedAt = signal === 'alert' ? nowMs : null;
  await t
    .insertInto('foreign_stock_level')
    .values({
      provider_id: provider.id,
      face_value_minor: faceValueMinor,
      threshold: null,
      alerted_at_ms: alertedAt,
    })
    .onConflict((oc) =>
      oc.columns(['provider_id', 'face_value_minor']).doUpdateSet({ alerted_at_ms: alertedAt }),
    )
    .execute();
  if (signal === 'rearm') return null;
  const to = ctx.alertEmail ?? provider.contactEmail;
  const queued = await enqueueEmail(ctx.notify, tx, {
    dedupeKey: `foreign:low-stock:${provider.id}:${faceValueMinor}:${cause}`,
    to,
    locale: 'en',
    template: 'foreign_low_stock',
    data: {
      providerName: provider.name,
      value: formatMoney(faceValueMinor, provider.currency),
      available: available.toString(),
      threshold: threshold.toString(),
      at: isoFromMs(nowMs),
    },
  });
  if (!queued.ok) return null;
  return {
    providerId: provider.id,
    providerName: provider.name,
    faceValueMinor,
    available,
    threshold,
    to,
  };
}
