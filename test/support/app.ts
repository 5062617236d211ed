import { randomBytes } from 'node:crypto';
import { DEFAULT_CATALOGUE, upsertDenomination, type KeyRing } from '../../src/cards/index.ts';
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
