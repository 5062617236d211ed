import { assert, type Currency } from '../kernel/index.ts';
import { CHART, ensureSystemAccounts, systemAccountId } from '../ledger/index.ts';
import type { Executor } from '../storage/index.ts';
import type { ForeignContext } from './context.ts';

/**
 * The ledger accounts of the foreign exchange (DESIGN.md §4, docs/foreign-exchange.md):
 * per provider, in its currency, what we owe it (`foreign_payable`) and the PINs bought from
 * it and not yet switched, at cost (`foreign_inventory`); per currency the system accounts
 * `fx_position` (both legs of a switch meet there) and `payout_clearing` (settlements).
 */
export function payableAccountId(providerId: string): string {
  return `acc_fxpay_${providerId}`;
}

export function inventoryAccountId(providerId: string): string {
  return `acc_fxinv_${providerId}`;
}

export function fxPositionAccountId(currency: Currency): string {
  return systemAccountId(currency, 'fx_position');
}

export function payoutClearingAccountId(currency: Currency): string {
  return systemAccountId(currency, 'payout_clearing');
}

/** Creates a provider's two accounts and its currency's system accounts; safe to call again. */
export async function ensureProviderAccounts(
  ctx: ForeignContext,
  tx: Executor,
  providerId: string,
  currency: Currency,
  nowMs: bigint,
): Promise<void> {
  await ensureSystemAccounts(ctx.ledger, tx, currency, nowMs);
  const results = await ctx.ledger.createAccounts(
    tx,
    [
      {
        id: payableAccountId(providerId),
        currency,
        code: 'foreign_payable',
        flags: CHART.foreign_payable.flags,
        ownerRef: providerId,
      },
      {
        id: inventoryAccountId(providerId),
        currency,
        code: 'foreign_inventory',
        flags: CHART.foreign_inventory.flags,
        ownerRef: providerId,
      },
    ],
    nowMs,
  );
  assert(
    results.every((r) => r === 'ok' || r === 'exists'),
    'provider accounts created',
  );
}
