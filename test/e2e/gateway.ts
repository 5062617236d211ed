import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/http/index.ts';
import { startWorker } from '../../src/jobs/index.ts';
import { openApp, type App } from '../../src/main/app.ts';
import { seedDemo, type DemoCard } from '../../src/main/demo.ts';
import {
  createApiKey,
  createAssociate,
  updateAssociate,
  webhookSecretOf,
} from '../../src/payments/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { testKeyRing, testPaymentKeys } from '../support/app.ts';

/** How often the in-process worker runs (delivers webhooks): fast, so the test need not wait. */
const WORKER_INTERVAL_MS = 200;

export interface RunningGateway {
  readonly url: string;
  readonly app: App;
  readonly server: FastifyInstance;
  readonly demoCards: readonly DemoCard[];
  readonly associateId: string;
  /** What the shop is configured with, as the CLI would print it. */
  readonly shopEnv: {
    readonly ONEPIN_URL: string;
    readonly ONEPIN_API_KEY: string;
    readonly ONEPIN_SIGNING_SECRET: string;
    readonly ONEPIN_WEBHOOK_SECRET: string;
  };
  /** Points the associate's webhook and return URL at the shop once its URL is known. */
  connectShop(shopUrl: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The gateway as `npm start` runs it (server + worker, embedded database, demo cards), in this
 * process on 127.0.0.1 and a free port, in a temporary data directory, with a test associate.
 */
export async function startGateway(): Promise<RunningGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'onepin-e2e-'));
  let url = 'http://127.0.0.1:0';
  const app = await openApp({
    databaseUrl: undefined,
    dataDir,
    keys: testKeyRing(),
    paymentKeys: testPaymentKeys(),
    publicUrl: () => url,
  });
  const seeded = await seedDemo(app, dataDir);
  assert.ok(seeded !== null, 'demo cards in a fresh database');
  const { associateId, key } = await writeTransaction(app.db, async (tx) => {
    const associate = await createAssociate(app.payments, tx, {
      name: 'OnePIN Demo Shop',
      category: 'shopping',
      commissionBps: 250n,
    });
    assert.ok(associate.ok);
    const created = await createApiKey(app.payments, tx, {
      associateId: associate.value.id,
      livemode: false,
    });
    assert.ok(created.ok);
    return { associateId: associate.value.id, key: created.value };
  });
  const server = await buildServer({
    db: app.db,
    payments: app.payments,
    cards: app.cards,
    logLevel: 'error',
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  assert.ok(typeof address === 'object' && address !== null);
  url = `http://127.0.0.1:${address.port}`;
  const worker = startWorker(
    {
      db: app.db,
      ledger: app.ledger,
      cards: app.cards,
      payments: app.payments,
      clock: app.clock,
      log: server.log,
    },
    WORKER_INTERVAL_MS,
  );
  return {
    url,
    app,
    server,
    demoCards: seeded.cards,
    associateId,
    shopEnv: {
      ONEPIN_URL: url,
      ONEPIN_API_KEY: key.secret,
      ONEPIN_SIGNING_SECRET: key.signingSecret,
      ONEPIN_WEBHOOK_SECRET: webhookSecretOf(app.payments, associateId),
    },
    async connectShop(shopUrl) {
      const updated = await writeTransaction(app.db, (tx) =>
        updateAssociate(app.payments, tx, associateId, {
          webhookUrl: `${shopUrl}/webhooks`,
          returnUrls: [`${shopUrl}/return`],
        }),
      );
      assert.ok(updated.ok, 'associate points at the shop');
    },
    async stop() {
      await server.close();
      await worker.stop();
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
