import { assert } from '../kernel/index.ts';
import type { Currency } from '../kernel/index.ts';
import type { Executor } from '../storage/index.ts';
import { CHART, SYSTEM_ACCOUNT_CODES, systemAccountId } from './chart.ts';
import type { LedgerStore } from './store.ts';

/** Creates the per-currency system accounts of the chart; safe to call again. */
export async function ensureSystemAccounts(
  ledger: LedgerStore,
  tx: Executor,
  currency: Currency,
  nowMs: bigint,
): Promise<void> {
  const results = await ledger.createAccounts(
    tx,
    SYSTEM_ACCOUNT_CODES.map((code) => ({
      id: systemAccountId(currency, code),
      currency,
      code,
      flags: CHART[code].flags,
    })),
    nowMs,
  );
  assert(
    results.every((r) => r === 'ok' || r === 'exists'),
    'system accounts created',
  );
}
