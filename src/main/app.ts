import { hkdfSync, randomBytes } from 'node:crypto';
import type { AgentsContext } from '../agents/index.ts';
import type { CardsContext, KeyRing } from '../cards/index.ts';
import {
  createSessionsContext,
  type ChargingPolicy,
  type SessionsContext,
} from '../charging/index.ts';
import { createCarriersContext, type CarriersContext } from '../carriers/index.ts';
import { createForeignContext, type ForeignContext } from '../foreign/index.ts';
import type { FundingProvider } from '../funding/index.ts';
import { assertLimits, fail, systemClock, type Clock } from '../kernel/index.ts';
import { LedgerStore } from '../ledger/index.ts';
import { deriveEmailBodyKey, type NotifyContext } from '../notify/index.ts';
import type { PaymentKeys, PaymentsContext } from '../payments/index.ts';
import {
  DEFAULT_BALANCE_REFUND_RULES,
  holderOf,
  type BalanceRefundRules,
  type SalesContext,
} from '../sales/index.ts';
import { migrate, openDatabase, type Database } from '../storage/index.ts';
import { ALL_MIGRATIONS } from './migrations.ts';

/** Everything wired together once: the composition root's product. */
export interface App {
  readonly db: Database;
  readonly ledger: LedgerStore;
  readonly cards: CardsContext;
  readonly payments: PaymentsContext;
  readonly notify: NotifyContext;
  readonly sales: SalesContext;
  /** Real-time charging: calls, voicemail, SMS and content against the card's balance. */
  readonly charging: SessionsContext;
  /** Foreign PIN exchange (FIG. 9): providers' PIN pools, FX quotes, switch-over, settlement. */
  readonly foreign: ForeignContext;
  /** Mobile carrier channel (FIG. 7–8): PIN pools, sale reports by SMS, monthly billing. */
  readonly carriers: CarriersContext;
  /** Selling agents (FIG. 2): consigned physical cards, POS sales, commission, remittance. */
  readonly agents: AgentsContext;
  readonly clock: Clock;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Required in production (from the key file); tests may leave them to be made up. */
  readonly keys?: PaymentKeys;
  /** A function when the URL is known only after the server listens (port 0). */
  readonly publicUrl?: string | (() => string);
  /** The card company / bank for web sales; absent, every purchase says it is unavailable. */
  readonly funding?: FundingProvider;
  /** False for a sandbox provider: what it sells are test cards. Default false. */
  readonly fundingLivemode?: boolean;
  readonly mailFrom?: string;
  readonly refundRules?: BalanceRefundRules;
  /** The charging grant policy; defaults in src/charging/session-policy.ts. */
  readonly chargingPolicy?: Partial<ChargingPolicy>;
  /** Where low foreign PIN stock is reported; absent, to each provider's contact address. */
  readonly foreignAlertEmail?: string;
}

function throwawayPaymentKeys(): PaymentKeys {
  return {
    apiSigningKey: { id: 's1', secret: randomBytes(32) },
    webhookKey: { id: 'w1', secret: randomBytes(32) },
  };
}

/** A provider for set-ups without one: nothing can be bought, and it says so. */
const NO_FUNDING: FundingProvider = {
  name: 'none',
  pageOrigin: null,
  createPayment: () => Promise.resolve(fail('funding_unavailable')),
  getPayment: () => Promise.resolve(fail('funding_unavailable')),
  refund: () => Promise.resolve(fail('funding_unavailable')),
  cancel: () => Promise.resolve(fail('funding_unavailable')),
  verifyWebhook: () => fail('signature_invalid'),
};

/**
 * The sales seal key (PINs waiting for their buyer, order and code hashes) is derived from the
 * webhook key with its own label, so no new secret has to be kept; rotating the webhook key
 * makes PINs not yet taken unreadable (they stay on the cards; the buyer re-keys).
 */
function salesSealKey(keys: PaymentKeys): Buffer {
  return Buffer.from(
    hkdfSync('sha256', keys.webhookKey.secret, Buffer.alloc(0), 'onepin:sales:seal:v1', 32),
  );
}

/**
 * The foreign PIN keys (sealing provider PINs in the pool, and the digest duplicates are found
 * on) are derived from the webhook key with their own labels, like the sales seal key. Unlike a
 * sales PIN, a pool PIN waits for months: rotating the webhook key makes unsold pool PINs
 * unreadable (see docs/foreign-exchange.md, "Keys").
 */
function foreignKeys(keys: PaymentKeys): { seal: Buffer; digest: Buffer } {
  const derive = (label: string): Buffer =>
    Buffer.from(hkdfSync('sha256', keys.webhookKey.secret, Buffer.alloc(0), label, 32));
  return { seal: derive('onepin:foreign:seal:v1'), digest: derive('onepin:foreign:digest:v1') };
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
  const publicUrlOf = (): string => (typeof url === 'function' ? url() : url);
  const paymentKeys = gateway.keys ?? throwawayPaymentKeys();
  const payments: PaymentsContext = {
    db,
    ledger,
    cards,
    clock,
    keys: paymentKeys,
    get publicUrl() {
      return publicUrlOf();
    },
  };
  const notify: NotifyContext = {
    db,
    clock,
    bodyKey: deriveEmailBodyKey(paymentKeys.webhookKey.secret),
    from: gateway.mailFrom ?? 'OnePIN <no-reply@onepin.example>',
    get publicUrl() {
      return publicUrlOf();
    },
  };
  const sales: SalesContext = {
    db,
    ledger,
    cards,
    clock,
    notify,
    funding: gateway.funding ?? NO_FUNDING,
    fundingLivemode: gateway.fundingLivemode ?? false,
    sealKey: salesSealKey(paymentKeys),
    refundRules: gateway.refundRules ?? DEFAULT_BALANCE_REFUND_RULES,
    get publicUrl() {
      return publicUrlOf();
    },
  };
  const charging = createSessionsContext({
    cards,
    ...(gateway.chargingPolicy !== undefined ? { policy: gateway.chargingPolicy } : {}),
  });
  const foreign = createForeignContext({
    db,
    ledger,
    cards,
    clock,
    notify,
    keys: foreignKeys(paymentKeys),
    ...(gateway.foreignAlertEmail !== undefined ? { alertEmail: gateway.foreignAlertEmail } : {}),
    holderContact: async (executor, cardId) => {
      const holder = await holderOf(sales, executor, cardId);
      return holder === null ? null : { email: holder.email, locale: holder.locale };
    },
  });
  const carriers = createCarriersContext({
    db,
    ledger,
    cards,
    notify,
    clock,
    pinKey: Buffer.from(
      hkdfSync(
        'sha256',
        paymentKeys.webhookKey.secret,
        Buffer.alloc(0),
        'onepin:carriers:pin:v1',
        32,
      ),
    ),
  });
  return {
    db,
    ledger,
    clock,
    cards,
    payments,
    notify,
    sales,
    charging,
    foreign,
    carriers,
    agents: { db, ledger, clock, cards, signingKey: paymentKeys.apiSigningKey.secret },
    close: () => db.close(),
  };
}

export async function openApp(options: {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly keys: KeyRing;
  readonly paymentKeys: PaymentKeys;
  readonly publicUrl?: string | (() => string);
  readonly clock?: Clock;
  readonly migrate?: boolean;
  readonly funding?: FundingProvider;
  readonly fundingLivemode?: boolean;
  readonly mailFrom?: string;
}): Promise<App> {
  assertLimits();
  const db = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  if (options.migrate !== false) await migrate(db, ALL_MIGRATIONS);
  return wireApp(db, options.keys, options.clock ?? systemClock, {
    keys: options.paymentKeys,
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    ...(options.funding !== undefined ? { funding: options.funding } : {}),
    ...(options.fundingLivemode !== undefined ? { fundingLivemode: options.fundingLivemode } : {}),
    ...(options.mailFrom !== undefined ? { mailFrom: options.mailFrom } : {}),
  });
}
