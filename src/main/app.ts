import { randomBytes } from 'node:crypto';
import type { CardsContext, KeyRing } from '../cards/index.ts';
import { assertLimits, systemClock, type Clock } from '../kernel/index.ts';
import { LedgerStore } from '../ledger/index.ts';
import type { PaymentKeys, PaymentsContext } from '../payments/index.ts';
import { migrate, openDatabase, type Database } from '../storage/index.ts';
import { ALL_MIGRATIONS } from './migrations.ts';

/** Everything wired together once: the composition root's product. */
export interface App {
  readonly db: Database;
  readonly ledger: LedgerStore;
  readonly cards: CardsContext;
  readonly payments: PaymentsContext;
  readonly clock: Clock;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Required in production (from the key file); tests may leave them to be made up. */
  readonly keys?: PaymentKeys;
  /** A function when the URL is known only after the server listens (port 0). */
  readonly publicUrl?: string | (() => string);
}

function throwawayPaymentKeys(): PaymentKeys {
  return {
    apiSigningKey: { id: 's1', secret: randomBytes(32) },
    webhookKey: { id: 'w1', secret: randomBytes(32) },
  };
}

export function wireApp(
  db: Database,
  keys: KeyRing,
  clock: Clock = systemClock,
  gateway: GatewayOptions = {},
): App {
  const ledger = new LedgerStore(db);
  const cards: CardsContext = { db, ledger, keys, clock };
  const url = gateway.publicUrl ?? 'http://127.0.0.1:3000';
  const payments: PaymentsContext = {
    db,
    ledger,
    cards,
    clock,
    keys: gateway.keys ?? throwawayPaymentKeys(),
    get publicUrl() {
      return typeof url === 'function' ? url() : url;
    },
  };
  return { db, ledger, clock, cards, payments, close: () => db.close() };
}

export async function openApp(options: {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly keys: KeyRing;
  readonly paymentKeys: PaymentKeys;
  readonly publicUrl?: string | (() => string);
  readonly clock?: Clock;
  readonly migrate?: boolean;
}): Promise<App> {
  assertLimits();
  const db = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  if (options.migrate !== false) await migrate(db, ALL_MIGRATIONS);
  return wireApp(db, options.keys, options.clock ?? systemClock, {
    keys: options.paymentKeys,
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
  });
}
