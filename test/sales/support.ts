import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { startSandboxAcquirer, type SandboxAcquirer } from '../../src/acquirer/index.ts';
import { DEFAULT_CATALOGUE, upsertDenomination } from '../../src/cards/index.ts';
import { sandboxProvider } from '../../src/funding/index.ts';
import { buildServer } from '../../src/http/index.ts';
import { systemClock } from '../../src/kernel/index.ts';
import { ensureSystemAccounts } from '../../src/ledger/index.ts';
import { wireApp, type App } from '../../src/main/app.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { testKeyRing, testPaymentKeys } from '../support/app.ts';
import type { TestDatabase } from '../support/databases.ts';
import { Browser, csrfOf, type Page } from '../http/pages-support.ts';
import { postForm } from '../funding/support.ts';

/**
 * A whole web-sales world for tests: our server (listening on loopback, so the acquirer's
 * webhooks arrive), the sandbox acquirer in-process on its own port, the real clock (webhook
 * signatures are checked against it), and a browser-like client for our pages.
 */
export const ACQ_KEY = 'sk_test_sales_acquirer';
export const ACQ_SECRET = 'whsec_test_sales_acquirer';
export const APPROVE = '4242424242424242';
export const DECLINE = '4000000000000002';
export const LOST = '4000000000000119';

export interface SalesWorld {
  readonly app: App;
  readonly server: FastifyInstance;
  readonly acquirer: SandboxAcquirer;
  readonly url: string;
  browser(ip?: string): Browser;
  close(): Promise<void>;
}

export async function openSalesWorld(
  target: TestDatabase,
  options: { readonly slowAnswerMs?: number } = {},
): Promise<SalesWorld> {
  const { db, dispose } = await target.open();
  const dir = mkdtempSync(join(tmpdir(), 'onepin-sales-'));
  const acquirer = await startSandboxAcquirer({
    host: '127.0.0.1',
    port: 0,
    dataFile: join(dir, 'acquirer.sqlite'),
    apiKey: ACQ_KEY,
    webhookSecret: ACQ_SECRET,
    slowAnswerMs: options.slowAnswerMs ?? 50,
  });
  let url = 'http://127.0.0.1:1';
  const app = wireApp(db, testKeyRing(), systemClock, {
    keys: testPaymentKeys(),
    publicUrl: () => url,
    funding: sandboxProvider({ baseUrl: acquirer.url, apiKey: ACQ_KEY, webhookSecret: ACQ_SECRET }),
    fundingLivemode: false,
  });
  await writeTransaction(db, async (tx) => {
    await ensureSystemAccounts(app.ledger, tx, 'KRW', systemClock.nowMs());
    for (const d of DEFAULT_CATALOGUE) await upsertDenomination(tx, d, systemClock.nowMs());
  });
  const server = await buildServer({
    db,
    payments: app.payments,
    cards: app.cards,
    sales: app.sales,
    mailbox: app.notify,
    logLevel: 'silent',
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  assert.ok(address !== null && typeof address === 'object');
  url = `http://127.0.0.1:${address.port}`;
  let ips = 0;
  return {
    app,
    server,
    acquirer,
    url,
    browser: (ip?: string) => {
      ips += 1;
      return new Browser(server, [], ip ?? `127.0.${ips}.${randomBytes(1)[0] ?? 1}`);
    },
    async close() {
      await server.close();
      await acquirer.close();
      await dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The form of a page, filled and posted the way a browser does (CSRF token included). */
export async function submit(
  browser: Browser,
  pageUrl: string,
  action: string,
  fields: Record<string, string>,
): Promise<Page> {
  const page = await browser.get(pageUrl);
  assert.equal(page.status, 200, `GET ${pageUrl}: ${page.body.slice(0, 300)}`);
  const key = /name="order_key" value="([^"]+)"/.exec(page.body)?.[1];
  return browser.post(action, {
    _csrf: csrfOf(page),
    ...(key !== undefined ? { order_key: key } : {}),
    ...fields,
  });
}

/** Pays on the acquirer's hosted card page; returns where the acquirer sends the browser. */
export async function payAtAcquirer(redirectUrl: string, number: string): Promise<string | null> {
  const answer = await postForm(redirectUrl, {
    number,
    expiry: '12/39',
    cvc: '123',
    name: 'Hong Gildong',
  });
  return answer.location;
}

/** The path and query of a URL on our server, for the inject-based browser. */
export function localPath(world: SalesWorld, url: string): string {
  assert.ok(url.startsWith(world.url), `${url} is on our server`);
  return url.slice(world.url.length);
}

export function pinsOn(page: Page): string[] {
  return [...page.body.matchAll(/class="mono pin-digits">([0-9 ]+)</g)].map((m) =>
    (m[1] ?? '').replace(/ /g, ''),
  );
}

export const BUYER = { name: 'Kim Minji', email: 'minji@example.com', phone: '010-1234-5678' };
