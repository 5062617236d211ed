import type { Kysely } from 'kysely';
import type { CardsContext } from '../cards/index.ts';
import { MS_PER_DAY, assert, type Clock } from '../kernel/index.ts';
import type { LedgerStore } from '../ledger/index.ts';
import type { Locale, NotifyContext } from '../notify/index.ts';
import { tablesOf, type Database, type Executor } from '../storage/index.ts';
import { assertForeignKeys, type ForeignKeys } from './pin-seal.ts';
import type { ForeignTables } from './tables.ts';

/** How long things last in a switch-over; defaults below, documented in docs/foreign-exchange.md. */
export interface ForeignPolicy {
  /** A quote's price holds this long (2 minutes). */
  readonly quoteTtlMs: bigint;
  /** The hold on the card while a PIN is allocated (5 minutes); past it the switch is released. */
  readonly holdTimeoutMs: bigint;
  /** A rate older than this is not used for new quotes (1 day). */
  readonly rateMaxAgeMs: bigint;
}

export const DEFAULT_FOREIGN_POLICY: ForeignPolicy = {
  quoteTtlMs: 120_000n,
  holdTimeoutMs: 300_000n,
  rateMaxAgeMs: MS_PER_DAY,
};

export function assertForeignPolicy(policy: ForeignPolicy): void {
  assert(policy.quoteTtlMs > 0n, 'quotes last a while');
  assert(policy.holdTimeoutMs > policy.quoteTtlMs, 'a hold outlives the quote it pays');
  assert(policy.holdTimeoutMs <= 30n * MS_PER_DAY, 'a hold within the ledger limit');
  assert(policy.rateMaxAgeMs > 0n, 'rates last a while');
}

/** Where the PIN e-mail goes by default: the holder's address on file, if any. */
export type HolderContact = (
  executor: Executor,
  cardId: string,
) => Promise<{ readonly email: string; readonly locale: Locale } | null>;

/**
 * Points a test can make fail, to prove that a crash between the steps of a switch leaves
 * nothing double-spent. Production never sets them.
 */
export interface ForeignFaults {
  /** Called after the hold committed and before a PIN is reserved. */
  readonly afterHold?: (switchId: string) => void | Promise<void>;
  /** Called after the PIN was reserved and before the linked transfers post. */
  readonly afterReserve?: (switchId: string) => void | Promise<void>;
}

/** What the foreign PIN exchange needs. Built once by the composition root. */
export interface ForeignContext {
  readonly db: Database;
  readonly ledger: LedgerStore;
  readonly cards: CardsContext;
  readonly clock: Clock;
  readonly notify: NotifyContext;
  /** Outside the database (derived from the key file). */
  readonly keys: ForeignKeys;
  readonly policy: ForeignPolicy;
  /** Low-stock alerts go here; absent, to the provider's contact address. */
  readonly alertEmail: string | null;
  readonly holderContact: HolderContact | null;
  readonly faults: ForeignFaults;
}

export function createForeignContext(options: {
  readonly db: Database;
  readonly ledger: LedgerStore;
  readonly cards: CardsContext;
  readonly clock: Clock;
  readonly notify: NotifyContext;
  readonly keys: ForeignKeys;
  readonly policy?: Partial<ForeignPolicy>;
  readonly alertEmail?: string;
  readonly holderContact?: HolderContact;
  readonly faults?: ForeignFaults;
}): ForeignContext {
  assertForeignKeys(options.keys);
  const policy = { ...DEFAULT_FOREIGN_POLICY, ...options.policy };
  assertForeignPolicy(policy);
  return {
    db: options.db,
    ledger: options.ledger,
    cards: options.cards,
    clock: options.clock,
    notify: options.notify,
    keys: options.keys,
    policy,
    alertEmail: options.alertEmail ?? null,
    holderContact: options.holderContact ?? null,
    faults: options.faults ?? {},
  };
}

export function foreignTables(executor: Executor): Kysely<ForeignTables> {
  return tablesOf<ForeignTables>(executor);
}
