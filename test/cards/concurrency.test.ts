import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cardBalance, spend } from '../../src/cards/index.ts';
import { verifyLedger } from '../../src/ledger/index.ts';
import { DATABASES } from '../support/databases.ts';
import { activeTestCard, openTestApp, testMerchantAccount, type TestApp } from '../support/app.ts';

const SHOP = 'acc_race_shop';

/** 200 holds of 700 race on one card of 10,000: exactly 14 fit, the balance never goes negative. */
for (const target of DATABASES) {
  describe(`concurrent spending on ${target.name}`, { skip: target.skip }, () => {
    let t: TestApp;
    let cardId: string;
    before(async () => {
      t = await openTestApp(target);
      await testMerchantAccount(t, SHOP);
      const card = await activeTestCard(t.app);
      cardId = card.id;
    });
    after(async () => {
      assert.equal((await verifyLedger(t.app.db)).ok, true);
      await t.dispose();
    });

    test('200 concurrent holds of 700 on a card of 10,000 → exactly 14 accepted', async () => {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          spend(t.app.cards, {
            cardId,
            creditAccountId: SHOP,
            amountMinor: 700n,
            currency: 'KRW',
            transferId: `race_${i}`,
            code: 'authorization',
            holdTimeoutMs: 600_000n,
          }),
        ),
      );
      assert.equal(results.filter((r) => r.ok).length, 14);
      assert.ok(results.every((r) => r.ok || r.error.code === 'insufficient_funds'));
      const balance = await cardBalance(t.app.cards, t.app.db.kysely, cardId);
      assert.ok(balance.ok);
      assert.equal(balance.value.balanceMinor, 200n);
      assert.equal(balance.value.heldMinor, 9_800n);
    });
  });
}

describe('concurrent spending from several SQLite processes', () => {
  test('four connections, 50 holds each, on one card: exactly 14 accepted', async () => {
    const sqlite = DATABASES.find((d) => d.name === 'sqlite');
    assert.ok(sqlite);
    const t = await openTestApp(sqlite);
    try {
      await testMerchantAccount(t, SHOP);
      const card = await activeTestCard(t.app);
      const file = t.app.db.describe;
      const keys = {
        pinKeys: t.app.cards.keys.pinKeys.map((k) => ({
          id: k.id,
          secret: k.secret.toString('base64'),
        })),
        passwordKey: { id: 'p1', secret: t.app.cards.keys.passwordKey.secret.toString('base64') },
        activationKey: {
          id: 'a1',
          secret: t.app.cards.keys.activationKey.secret.toString('base64'),
        },
      };
      const workerPath = fileURLToPath(new URL('./spend-worker.ts', import.meta.url));
      const counts = await Promise.all(
        [0, 1, 2, 3].map(
          (w) =>
            new Promise<number>((resolve, reject) => {
              const job = {
                file,
                keys,
                cardId: card.id,
                shop: SHOP,
                prefix: `w${w}`,
                count: 50,
              };
              const child = spawn(process.execPath, ['--import', 'tsx', workerPath], {
                env: { ...process.env, ONEPIN_SPEND_JOB: JSON.stringify(job) },
                stdio: ['ignore', 'pipe', 'inherit'],
                timeout: 60_000,
              });
              let out = '';
              child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
              child.once('error', reject);
              child.once('exit', (code) =>
                code === 0
                  ? resolve(Number.parseInt(out.trim(), 10))
                  : reject(new Error(`worker exited ${String(code)}`)),
              );
            }),
        ),
      );
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        14,
      );
      const balance = await cardBalance(t.app.cards, t.app.db.kysely, card.id);
      assert.ok(balance.ok);
      assert.equal(balance.value.balanceMinor, 200n);
      assert.equal((await verifyLedger(t.app.db)).ok, true);
    } finally {
      await t.dispose();
    }
  });
});
