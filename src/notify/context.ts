import type { Kysely } from 'kysely';
import type { Clock } from '../kernel/index.ts';
import { tablesOf, type Database, type Executor } from '../storage/index.ts';
import type { NotifyTables } from './tables.ts';

export interface NotifyContext {
  readonly db: Database;
  readonly clock: Clock;
  /**
   * 32 bytes, kept outside the database with the other keys: seals every rendered body, since
   * a gift mail carries the card's PIN.
   */
  readonly bodyKey: Buffer;
  /** Where holders reach the site (no trailing slash); the mail footer links to it. */
  readonly publicUrl: string;
  /** The From header, e.g. `OnePIN <no-reply@onepin.example>`. */
  readonly from: string;
}

export function notifyTables(executor: Executor): Kysely<NotifyTables> {
  return tablesOf<NotifyTables>(executor);
}
