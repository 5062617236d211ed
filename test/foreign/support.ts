import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { cardBalance, rechargeCard } from '../../src/cards/index.ts';
import {
  addProvider,
  createForeignContext,
  importPins,
  setRate,
  type ForeignContext,
  type ForeignFaults,
  type ForeignPolicy,
  type Provider,
} from '../../src/foreign/index.ts';
import type { ManualClock } from '../../src/kernel/index.ts';
import { verifyLedger } from '../../src/ledger/index.ts';
import type { App } from '../../src/main/app.ts';
import { listEmails, getEmail, type EmailView } from '../../src/notify/index.ts';
import { activeTestCard, openTestApp } from '../support/app.ts';
import type { TestDatabase } from '../support/databases.ts';
import { snapshot } from '../support/snapshot.ts';

/** The provider's PINs the world starts with: three of 10.00 USD, one of 25.00 USD. */
export const START_PINS = [
  ['GC-1000-0000-0001', '10.00'],
  ['GC-1000-0000-0002', '10.00'],
  ['GC-1000-0000-0003', '10.00'],
  ['GC-2500-0000-0001', '25.00'],
] as const;
export const USD_KRW = '1385.27';
/** 10.00 USD at 1385.27 = 13,852.7 KRW, rounded up. */
export const PRICE_10_USD = 13_853n;
/** 25.00 USD at 1385.27 = 34,631.75 KRW, rounded up. */
export const PRICE_25_USD = 34_632n;
export const CONTACT = 'stock@globalcall.example';
export const HOLDER_EMAIL = 'holder@example.com';

/** JSON for assertion messages, bigints included. */
export function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

export function pinFile(lines: readonly (readonly [string, string])[]): string {
  return ['pin,face_value', ...lines.map(([pin, face]) => `${pin},${face}`)].join('\n');
}

export interface ForeignWorld {
  readonly app: App;
  readonly clock: ManualClock;
  readonly foreign: ForeignContext;
  readonly provider: Provider;
  /** An active card holding `balanceMinor` KRW (at least 10,000). */
  card(balanceMinor?: bigint): Promise<{ id: string; pin: string; password: string }>;
  balance(cardId: string): Promise<{ balance: bigint; held: bigint }>;
  /** Pool PIN states, sorted: 'GC-…:available'. */
  pool(): Promise<string[]>;
  mails(template: string): Promise<EmailView[]>;
  verify(): Promise<void>;
  /** Every row of the ledger, card, foreign and e-mail tables: equal snapshots = nothing changed. */
  snap(): Promise<string>;
  dispose(): Promise<void>;
}

const FOREIGN_TABLES = [
  'foreign_provider',
  'foreign_stock_level',
  'foreign_import_batch',
  'foreign_pin',
  'foreign_rate',
  'foreign_quote',
  'foreign_switch',
  'foreign_payable_entry',
  'foreign_settlement',
  'notify_email',
] as const;

export async function openForeignWorld(
  target: TestDatabase,
  options: {
    readonly faults?: ForeignFaults;
    readonly policy?: Partial<ForeignPolicy>;
    readonly lowStock?: bigint;
  } = {},
): Promise<ForeignWorld> {
  const t = await openTestApp(target);
  const { app, clock } = t;
  const foreign = createForeignContext({
    db: app.db,
    ledger: app.ledger,
    cards: app.cards,
    clock,
    notify: app.notify,
    keys: app.foreign.keys,
    ...(app.foreign.holderContact !== null ? { holderContact: app.foreign.holderContact } : {}),
    ...(options.faults !== undefined ? { faults: options.faults } : {}),
    ...(options.policy !== undefined ? { policy: options.policy } : {}),
  });
  const added = await addProvider(foreign, {
    name: 'GlobalCall',
    currency: 'USD',
    contactEmail: CONTACT,
    lowStockDefault: options.lowStock ?? 0n,
  });
  assert.ok(added.ok);
  const rate = await setRate(foreign, { pair: 'USD/KRW', rate: USD_KRW, enteredBy: 'test' });
  assert.ok(rate.ok);
  const imported = await importPins(foreign, {
    providerId: added.value.id,
    text: pinFile(START_PINS),
    fileName: 'start.csv',
    importedBy: 'test',
  });
  assert.ok(imported.ok && imported.value.valid, show(imported));
  let cards = 0;
  return {
    app,
    clock,
    foreign,
    provider: added.value,
    async card(balanceMinor = 50_000n) {
      const card = await activeTestCard(app);
      if (balanceMinor > 10_000n) {
        cards += 1;
        const topped = await rechargeCard(app.cards, {
          cardId: card.id,
          amountMinor: balanceMinor - 10_000n,
          currency: 'KRW',
          transferId: `topup_${cards}_${card.id}`,
        });
        assert.ok(topped.ok);
      }
      return card;
    },
    async balance(cardId) {
      const b = await cardBalance(app.cards, app.db.kysely, cardId);
      assert.ok(b.ok);
      return { balance: b.value.balanceMinor, held: b.value.heldMinor };
    },
    async pool() {
      const rows = await sql<{
        id: string;
        state: string;
        pin_last4: string;
        face_value_minor: bigint;
      }>`
        select id, state, pin_last4, face_value_minor from foreign_pin`.execute(app.db.kysely);
      return rows.rows.map((r) => `${r.face_value_minor}:${r.pin_last4}:${r.state}`).sort();
    },
    async mails(template) {
      const page = await listEmails(app.notify, app.db.kysely, { limit: 100 });
      assert.ok(page.ok);
      const out: EmailView[] = [];
      for (const m of page.value.data) {
        if (m.template !== template) continue;
        const view = await getEmail(app.notify, app.db.kysely, m.id);
        assert.ok(view !== undefined);
        out.push(view);
      }
      return out;
    },
    async verify() {
      const report = await verifyLedger(app.db);
      assert.ok(report.ok, report.problems.join('\n'));
    },
    async snap() {
      const parts = [await snapshot(app.db)];
      for (const table of FOREIGN_TABLES) {
        const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
          app.db.kysely,
        );
        parts.push(
          `${table}:${rows.rows
            .map((r) =>
              JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
            )
            .sort()
            .join('\n')}`,
        );
      }
      return parts.join('\n');
    },
    dispose: () => t.dispose(),
  };
}

/** An account's four totals, as `[dPending, dPosted, cPending, cPosted]`. */
export async function totals(app: App, accountId: string): Promise<bigint[]> {
  const account = await app.ledger.getAccount(app.db.kysely, accountId);
  assert.ok(account !== undefined, `account ${accountId}`);
  return [
    account.debitsPending,
    account.debitsPosted,
    account.creditsPending,
    account.creditsPosted,
  ];
}
