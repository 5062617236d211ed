import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import {
  DEFAULT_CATALOGUE,
  activateCard,
  issueCards,
  sellCard,
  upsertDenomination,
  type KeyRing,
} from '../../src/cards/index.ts';
import { ManualClock } from '../../src/kernel/index.ts';
import type { PaymentKeys } from '../../src/payments/index.ts';
import { ensureSystemAccounts } from '../../src/ledger/index.ts';
import { wireApp, type App } from '../../src/main/app.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import type { TestDatabase } from './databases.ts';

export function testKeyRing(): KeyRing {
  return {
    pinKeys: [{ id: 'k1', secret: randomBytes(32) }],
    passwordKey: { id: 'p1', secret: randomBytes(32) },
    activationKey: { id: 'a1', secret: randomBytes(32) },
  };
}

export function testPaymentKeys(): PaymentKeys {
  return {
    apiSigningKey: { id: 's1', secret: randomBytes(32) },
    webhookKey: { id: 'w1', secret: randomBytes(32) },
  };
}

export interface TestApp {
  readonly app: App;
  readonly clock: ManualClock;
  dispose(): Promise<void>;
}

/** A fresh database with the default catalogue and KRW system accounts, on a manual clock. */
export async function openTestApp(
  target: TestDatabase,
  keys: KeyRing = testKeyRing(),
): Promise<TestApp> {
  const { db, dispose } = await target.open();
  const clock = new ManualClock();
  const app = wireApp(db, keys, clock);
  await writeTransaction(db, async (tx) => {
    await ensureSystemAccounts(app.ledger, tx, 'KRW', clock.nowMs());
    for (const d of DEFAULT_CATALOGUE) await upsertDenomination(tx, d, clock.nowMs());
  });
  return { app, clock, dispose };
}

/** Issues, sells and activates one card (password 2580); returns its id and secrets. */
export async function activeTestCard(
  app: App,
  options: { readonly denominationId?: string; readonly livemode?: boolean } = {},
): Promise<{ id: string; pin: string; password: string; serial: string }> {
  const issued = await issueCards(app.cards, {
    denominationId: options.denominationId ?? 'den_krw_10000',
    count: 1,
    ...(options.livemode !== undefined ? { livemode: options.livemode } : {}),
  });
  assert.ok(issued.ok);
  const card = issued.value.cards[0];
  assert.ok(card);
  const sold = await sellCard(app.cards, {
    serial: card.serial,
    channel: 'web',
    activationKind: 'otp',
  });
  assert.ok(sold.ok);
  const active = await activateCard(app.cards, {
    pin: card.pin,
    activationSecret: sold.value.activationSecret,
    password: '2580',
  });
  assert.ok(active.ok);
  return { id: card.cardId, pin: card.pin, password: '2580', serial: card.serial };
}

/** A merchant payable account for tests that spend without the gateway. */
export async function testMerchantAccount(t: TestApp, id: string): Promise<void> {
  await writeTransaction(t.app.db, (tx) =>
    t.app.ledger.createAccounts(
      tx,
      [{ id, currency: 'KRW', code: 'merchant_payable', flags: 1n }],
      t.clock.nowMs(),
    ),
  );
}
