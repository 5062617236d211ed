import type { Kysely } from 'kysely';
import type { CardsContext } from '../cards/index.ts';
import type { FundingProvider } from '../funding/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { LedgerStore } from '../ledger/index.ts';
import type { NotifyContext } from '../notify/index.ts';
import { tablesOf, type Database, type Executor } from '../storage/index.ts';
import type { BalanceRefundRules } from './rules.ts';
import type { SalesTables } from './tables.ts';

export interface SalesContext {
  readonly db: Database;
  readonly ledger: LedgerStore;
  readonly cards: CardsContext;
  readonly clock: Clock;
  readonly funding: FundingProvider;
  /**
   * Cards bought through a sandbox provider (test card numbers) are test cards: they pay only
   * test-mode payments, as money that was never paid must not buy real goods.
   */
  readonly fundingLivemode: boolean;
  readonly notify: NotifyContext;
  /** 32 bytes, outside the database: seals PINs waiting for their buyer, and hashes tokens. */
  readonly sealKey: Buffer;
  readonly refundRules: BalanceRefundRules;
  /** Where holders reach the site (links in e-mails, return URLs for the acquirer). */
  readonly publicUrl: string;
}

export function salesTables(executor: Executor): Kysely<SalesTables> {
  return tablesOf<SalesTables>(executor);
}
