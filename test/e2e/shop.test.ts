// End to end: a browser buys in the demo shop (examples/shop, its own process, talking to the
// gateway only over HTTP), pays on the hosted page with a demo test card, comes back to the shop,
// and the card statement and the shop's verified webhooks agree. Needs Debian's Chromium: without
// it the test is skipped under plain `npm test` and fails under CI.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { cardStatement, getCard } from '../../src/cards/index.ts';
import { REPO_ROOT } from '../main/helpers.ts';
import { chromiumMissing, launchBrowser } from './browser.ts';
import { startGateway } from './gateway.ts';
import { startShop } from './shop-process.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'e2e');
const STEP_TIMEOUT_MS = 15_000;
const WEBHOOK_WAIT_MS = 20_000;

interface ShopOrder {
  readonly id: string;
  readonly status: string;
  readonly paymentId: string | null;
  readonly amountKrw: number;
  readonly webhooks: readonly { readonly id: string; readonly type: string }[];
}

const missing = chromiumMissing();
const ci = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

test(
  'a holder buys in the demo shop and pays on the hosted page',
  { skip: missing !== null && !ci ? missing : false, timeout: 180_000 },
  async (t) => {
    if (missing !== null) assert.fail(`${missing}; CI runs the browser test`);
    mkdirSync(ARTIFACTS, { recursive: true });
    let step = 0;
    const started = Date.now();
    const snap = async (page: Page, name: string): Promise<void> => {
      step += 1;
      t.diagnostic(`${name} at ${Date.now() - started} ms`);
      await page.screenshot({
        path: join(ARTIFACTS, `${String(step).padStart(2, '0')}-${name}.png`),
        fullPage: true,
      });
    };

    // Stopped in reverse order of starting: browser, shop, gateway.
    const stops: (() => Promise<void>)[] = [];
    t.after(async () => {
      for (const stop of stops.reverse()) {
        const at = Date.now();
        await stop();
        t.diagnostic(`stopped in ${Date.now() - at} ms`);
      }
    });
    const gateway = await startGateway();
    stops.push(() => gateway.stop());
    t.diagnostic(`gateway up at ${Date.now() - started} ms`);
    const shop = await startShop({ ...gateway.shopEnv });
    stops.push(() => shop.stop());
    await gateway.connectShop(shop.url);
    t.diagnostic(`shop up at ${Date.now() - started} ms`);
    const browser = await launchBrowser();
    stops.push(() => browser.close());
    t.diagnostic(`browser up at ${Date.now() - started} ms`);
    const page = await browser.context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);

    const card = gateway.demoCards.find((c) => c.state === 'active' && c.password !== null);
    assert.ok(card?.password, 'an active demo card with a password');

    try {
      // The shop: add the tea to the cart and check out.
      await page.goto(shop.url);
      await snap(page, 'products');
      await page.click('button[data-product="green-tea"]');
      await page.waitForURL(`${shop.url}/cart`);
      assert.match(await page.locator('#total').innerText(), /8,000/);
      await snap(page, 'cart');
      await page.click('#checkout');

      // The hosted page on the gateway: PIN and password.
      await page.waitForURL(new RegExp(`^${gateway.url}/pay/pay_[a-z0-9]+$`));
      const paymentId = new URL(page.url()).pathname.split('/').pop() ?? '';
      await snap(page, 'hosted-page');
      await page.fill('input[name="pin"]', card.pin);
      await page.fill('input[name="password"]', card.password);
      await snap(page, 'hosted-page-filled');
      await page.locator('form:has(input[name="pin"]) [type="submit"]').click();

      // Back in the shop, which verified the return link and captured the payment.
      await page.waitForURL(new RegExp(`^${shop.url}/orders/ord_[0-9a-f]+$`));
      await snap(page, 'order-paid');
      assert.match(await page.locator('#order-heading').innerText(), /is paid/);
      assert.equal(await page.locator('#order-status').innerText(), 'paid');

      // The card statement shows the payment: held, then captured.
      const found = await getCard(gateway.app.cards, gateway.app.db.kysely, {
        serial: card.serial,
      });
      assert.ok(found.ok);
      const statement = await cardStatement(
        gateway.app.cards,
        gateway.app.db.kysely,
        found.value.id,
      );
      assert.ok(statement.ok);
      const entries = statement.value.entries.filter((e) => e.reference === paymentId);
      assert.ok(
        entries.some((e) => e.kind === 'capture'),
        `a capture of ${paymentId} on the statement: ${JSON.stringify(entries.map((e) => e.kind))}`,
      );
      const faceValue = found.value.faceValueMinor;
      assert.equal(statement.value.balanceMinor, faceValue - 8_000n);
      assert.equal(statement.value.heldMinor, 0n);

      // The shop received the webhooks and verified their signatures.
      const deadline = Date.now() + WEBHOOK_WAIT_MS;
      let order: ShopOrder | undefined;
      for (;;) {
        const res = await fetch(`${shop.url}/orders.json`, { signal: AbortSignal.timeout(5_000) });
        const body = (await res.json()) as { orders: ShopOrder[]; rejected_webhooks: number };
        assert.equal(body.rejected_webhooks, 0, 'no webhook failed verification');
        order = body.orders.find((o) => o.paymentId === paymentId);
        assert.ok(order, `the shop has an order for ${paymentId}`);
        if (order.webhooks.some((w) => w.type === 'payment.captured')) break;
        if (Date.now() > deadline)
          assert.fail(`no payment.captured webhook in ${WEBHOOK_WAIT_MS} ms: ${shop.output()}`);
        await sleep(250);
      }
      assert.equal(order.status, 'paid');
      assert.equal(order.amountKrw, 8_000);
      assert.ok(order.webhooks.some((w) => w.type === 'payment.authorized'));
      await page.goto(`${shop.url}/orders`);
      const row = page.locator(`tr[data-order="${order.id}"]`);
      assert.match(await row.innerText(), /paid/);
      assert.match(await row.innerText(), /webhook verified ✓/);
      await snap(page, 'orders');
    } catch (error) {
      await snap(page, 'failure').catch(() => undefined);
      throw error;
    }
  },
);
