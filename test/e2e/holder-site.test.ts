// End to end in Chromium: the holder site's web sales against our server and the sandbox
// acquirer (both listening on loopback in this process). A holder buys a card for themself and
// signs in; recharges it by bank transfer on the acquirer's bank page; has the balance refunded;
// buys a gift in Korean, and the recipient claims it from the dev mailbox and pays with it in the
// demo shop (examples/shop, its own process); reads the statement and its chart; and a declined
// card and a lost answer end cleanly. A screenshot per step goes to test-artifacts/screens/.
// Needs Debian's Chromium: without it the test is skipped under plain `npm test` and fails
// under CI.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { authenticate, cardBalance, getCard } from '../../src/cards/index.ts';
import { verifyLedger } from '../../src/ledger/index.ts';
import {
  createApiKey,
  createAssociate,
  updateAssociate,
  webhookSecretOf,
} from '../../src/payments/index.ts';
import { completeOrders } from '../../src/sales/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { api } from '../funding/support.ts';
import { REPO_ROOT } from '../main/helpers.ts';
import {
  ACQ_KEY,
  APPROVE,
  BUYER,
  DECLINE,
  LOST,
  openSalesWorld,
  type SalesWorld,
} from '../sales/support.ts';
import { DATABASES } from '../support/databases.ts';
import { chromiumMissing, launchBrowser } from './browser.ts';
import { startShop } from './shop-process.ts';

const SCREENS = join(REPO_ROOT, 'test-artifacts', 'screens');
const STEP_TIMEOUT_MS = 15_000;

const missing = chromiumMissing();
const ci = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const sqlite = DATABASES[0];

/** `^<base><rest>$` for page.waitForURL, with the base URL taken literally. */
function urlOf(base: string, rest: string): RegExp {
  return new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}${rest}$`);
}

function digits(text: string): string {
  return text.replace(/[^0-9]/g, '');
}

describe(
  'the holder site in a browser: buy, recharge, refund, gift, statement',
  { skip: missing !== null && !ci ? missing : false, timeout: 300_000 },
  () => {
    let world: SalesWorld;
    let context: BrowserContext;
    let page: Page;
    const stops: (() => Promise<void>)[] = [];
    let step = 0;
    const startedAt = Date.now();
    /** The browser console's errors (a CSP refusal shows only there). */
    const consoleErrors: string[] = [];

    /** What the first flow bought: a card for the buyer, signed in with password 2580. */
    const mine = { pin: '', cardId: '', orderId: '', rechargeOrderId: '' };
    /** What the gift flow sent: the recipient's card, claimed with password 3691. */
    const gift = { pin: '', cardId: '' };

    async function snap(t: TestContext, name: string): Promise<void> {
      step += 1;
      t.diagnostic(`${name} at ${Date.now() - startedAt} ms`);
      await page.screenshot({
        path: join(SCREENS, `holder-${String(step).padStart(2, '0')}-${name}.png`),
        fullPage: true,
      });
    }

    /** Runs a step; on failure keeps a screenshot of where the browser was. */
    async function guarded(t: TestContext, body: () => Promise<void>): Promise<void> {
      try {
        await body();
      } catch (error) {
        await snap(t, 'failure').catch(() => undefined);
        throw error;
      }
    }

    /** Fills the order sheet and goes to payment; lands on the acquirer's card page. */
    async function orderCards(
      qty: Record<string, string>,
      buyer: { name: string; email: string; phone: string },
    ): Promise<void> {
      for (const [d, n] of Object.entries(qty)) await page.fill(`#qty_${d}`, n);
      await page.fill('#name', buyer.name);
      await page.fill('#email', buyer.email);
      await page.fill('#phone', buyer.phone);
      await page.check('#method-card');
    }

    async function submitOrderSheet(): Promise<void> {
      const seen = consoleErrors.length;
      await page.click('form[action="/buy"] button[type="submit"]');
      try {
        await page.waitForURL(urlOf(world.acquirer.url, '/pay/acq_[a-z0-9]+'));
      } catch (error) {
        // Say why the browser did not get there (a refused redirect is only in the console).
        const why = consoleErrors.slice(seen).join('\n');
        assert.fail(
          `not on the card company's page but on ${page.url()}:\n${why || String(error)}`,
        );
      }
    }

    async function fillCard(number: string): Promise<void> {
      await page.fill('#number', number);
      await page.fill('#expiry', '12/39');
      await page.fill('#cvc', '123');
      await page.fill('#name', 'Hong Gildong');
    }

    async function payCard(): Promise<void> {
      await page.click('form.pay button[type="submit"]');
    }

    async function orderCookie(): Promise<string> {
      // The cookie lives under /orders: asked for with a URL there.
      const cookie = (await context.cookies(`${world.url}/orders/`)).find(
        (c) => c.name === 'onepin_order',
      );
      const orderId = cookie?.value.split('.')[0] ?? '';
      assert.match(orderId, /^ord_[a-z0-9]+$/, 'the browser holds its order');
      return orderId;
    }

    async function signIn(pin: string, password: string): Promise<void> {
      await page.goto(`${world.url}/card`);
      // Another card may still be signed in: sign it out first.
      const signOut = page.locator('main form[action="/card/signout"] button[type="submit"]');
      if ((await signOut.count()) > 0) {
        await signOut.click();
        await page.waitForURL(/\/card\?done=signedout$/);
      }
      await page.fill('#pin', pin);
      await page.fill('#password', password);
      await page.click('form[action="/card"] button[type="submit"]');
      await page.waitForSelector('#balance');
    }

    async function orderStatus(orderId: string): Promise<string> {
      const row = await world.app.db.kysely
        .selectFrom('sales_order' as never)
        .select('status' as never)
        .where('id' as never, '=', orderId as never)
        .executeTakeFirst();
      return (row as { status?: string } | undefined)?.status ?? 'missing';
    }

    before(async () => {
      if (missing !== null) assert.fail(`${missing}; CI runs the browser test`);
      assert.ok(sqlite);
      mkdirSync(SCREENS, { recursive: true });
      world = await openSalesWorld(sqlite);
      stops.push(() => world.close());
      const browser = await launchBrowser();
      stops.push(() => browser.close());
      context = browser.context;
      page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.setDefaultTimeout(STEP_TIMEOUT_MS);
      page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    });

    after(async () => {
      // Stopped in reverse order of starting: shop, browser, our server and the acquirer.
      for (const stop of stops.reverse()) await stop();
    });

    test('a) buy a card for myself: pay by card, see the PIN once, set a password, sign in', async (t) => {
      await guarded(t, async () => {
        await page.goto(`${world.url}/buy?lang=en`);
        assert.equal(await page.locator('#buy-title').innerText(), 'Buy OnePIN cards');
        await orderCards({ den_krw_10000: '1' }, BUYER);
        await snap(t, 'a-order-sheet');
        await submitOrderSheet();
        await snap(t, 'a-card-page');
        await fillCard(APPROVE);
        await snap(t, 'a-card-filled');
        await payCard();
        await page.waitForURL(urlOf(world.url, '/orders/ord_[a-z0-9]+'));
        mine.orderId = await orderCookie();
        assert.match(await page.locator('.alert.warning').innerText(), /shown only this once/);
        const pins = await page.locator('.pin-digits').allInnerTexts();
        assert.equal(pins.length, 1, 'one PIN, shown');
        mine.pin = digits(pins[0] ?? '');
        assert.equal(mine.pin.length, 20);
        const action = (await page.locator('form[action$="/self"]').getAttribute('action')) ?? '';
        mine.cardId = /card_[a-z0-9]+/.exec(action)?.[0] ?? '';
        assert.ok(mine.cardId, 'a form to keep the card');
        await snap(t, 'a-pin-once');

        await page.fill(`#password-${mine.cardId}`, '2580');
        await page.fill(`#password-confirm-${mine.cardId}`, '2580');
        await page.click(`form[action="${action}"] button[type="submit"]`);
        await page.waitForURL(/\?done=self$/);
        assert.match(await page.locator('.alert.success').innerText(), /Your card is active/);
        assert.equal(await page.locator('.pin-digits').count(), 0, 'the PIN is not shown again');
        assert.match(
          await page.locator('.card-view').innerText(),
          new RegExp(`PIN ending ${mine.pin.slice(-4)}`),
        );
        await snap(t, 'a-activated');

        await signIn(mine.pin, '2580');
        assert.equal(await page.locator('#balance').innerText(), '10,000 KRW');
        assert.equal(await page.locator('[data-state]').getAttribute('data-state'), 'active');
        await snap(t, 'a-my-card');
        const opened = await authenticate(world.app.cards, { pin: mine.pin, password: '2580' });
        assert.ok(opened.ok);
        assert.equal(opened.value.id, mine.cardId);
      });
    });

    test('c) recharge by bank transfer on the acquirer’s bank page; the balance grows', async (t) => {
      assert.ok(mine.cardId, 'needs the card of a)');
      await guarded(t, async () => {
        await page.goto(`${world.url}/recharge`);
        await page.fill('#pin', mine.pin);
        await page.fill('#password', '2580');
        await page.fill('#amount', '20000');
        await page.check('#method-bank');
        await snap(t, 'c-recharge-form');
        await page.click('form[action="/recharge"] button[type="submit"]');
        await page.waitForURL(urlOf(world.url, '/orders/ord_[a-z0-9]+'));
        const orderUrl = page.url();
        mine.rechargeOrderId = /ord_[a-z0-9]+/.exec(orderUrl)?.[0] ?? '';
        assert.match(
          await page.locator('.panel h2').first().innerText(),
          /Transfer to this account/,
        );
        const account = (await page.locator('dd.mono').innerText()).trim();
        assert.match(account, /^[0-9-]{6,}$/, `a virtual account: ${account}`);
        await snap(t, 'c-virtual-account');

        await page.goto(`${world.acquirer.url}/bank`);
        await page.fill('#account_number', account);
        await page.fill('#amount', '20000');
        await snap(t, 'c-bank-transfer');
        await page.click('form.pay button[type="submit"]');
        await page.waitForSelector('text=Transfer sent');
        await snap(t, 'c-bank-sent');

        await page.goto(orderUrl);
        assert.match(
          await page.locator('.alert.success').innerText(),
          /20,000 KRW was added to your card/,
        );
        await snap(t, 'c-recharged');
        await page.goto(`${world.url}/card`);
        assert.equal(await page.locator('#balance').innerText(), '30,000 KRW');
        await snap(t, 'c-my-card');
        const balance = await cardBalance(world.app.cards, world.app.db.kysely, mine.cardId);
        assert.ok(balance.ok);
        assert.equal(balance.value.balanceMinor, 30_000n);
      });
    });

    test('e) the refund of balance at /card/refund pays both payments back', async (t) => {
      assert.ok(mine.rechargeOrderId, 'needs the recharge of c)');
      await guarded(t, async () => {
        await page.goto(`${world.url}/card/refund`);
        assert.match(
          await page.locator('.panel').first().innerText(),
          /Balance 30,000 KRW, fee 0 KRW: 30,000 KRW would be paid back/,
        );
        await snap(t, 'e-refund-preview');
        await page.click('form[action="/card/refund"] button[type="submit"]');
        await page.waitForSelector('text=was paid back');
        assert.match(
          await page.locator('[role="status"]').first().innerText(),
          /30,000 KRW was paid back\. The card is closed\./,
        );
        assert.equal(
          await page.locator('form[action="/card/refund"]').count(),
          0,
          'nothing left to ask',
        );
        await snap(t, 'e-refund-paid');
        const card = await getCard(world.app.cards, world.app.db.kysely, { id: mine.cardId });
        assert.ok(card.ok);
        assert.equal(card.value.state, 'refunded');
        // Both payments that loaded the card went back at the acquirer, each in full.
        for (const [orderId, amount] of [
          [mine.orderId, 10_000],
          [mine.rechargeOrderId, 20_000],
        ] as const) {
          const paid = await api(
            world.acquirer.url,
            'GET',
            `/v1/payments?reference=${orderId}`,
            undefined,
            ACQ_KEY,
          );
          assert.equal(paid.status, 200);
          assert.equal(paid.json.refunded_amount, amount, `${orderId} paid back`);
        }
      });
    });

    test('b) a gift, in Korean: the recipient claims it from the mailbox and pays in the demo shop', async (t) => {
      await guarded(t, async () => {
        await page.goto(`${world.url}/buy?lang=ko`);
        assert.equal(await page.locator('#buy-title').innerText(), 'OnePIN 카드 구매');
        await orderCards(
          { den_krw_20000: '1' },
          { name: '김민지', email: 'minji.gift@example.com', phone: '010-2345-6789' },
        );
        await snap(t, 'b-order-sheet-ko');
        await submitOrderSheet();
        await fillCard(APPROVE);
        await payCard();
        await page.waitForURL(urlOf(world.url, '/orders/ord_[a-z0-9]+'));
        assert.equal(await page.locator('#order-title').innerText(), '주문 내역');
        const giftLink = page.locator('a[href$="/gift"]');
        const href = (await giftLink.getAttribute('href')) ?? '';
        gift.cardId = /card_[a-z0-9]+/.exec(href)?.[0] ?? '';
        await snap(t, 'b-order-ko');
        await giftLink.click();
        await page.waitForURL(/\/gift$/);
        assert.equal(await page.locator('#gift-title').innerText(), '카드 선물하기');
        await page.fill('#recipient_name', '박지수');
        await page.fill('#recipient_email', 'jisoo@example.com');
        await page.check('#design-thanks');
        await page.fill('#message', '늘 고마워! <3 & 건강해');
        await snap(t, 'b-gift-form-ko');
        await page.click('form[action$="/gift"] button[type="submit"]');
        await page.waitForURL(/\?done=gift$/);
        assert.match(await page.locator('.alert.success').innerText(), /선물을 보냈습니다/);
        await snap(t, 'b-gift-sent-ko');

        // The recipient's mail, in the dev mailbox: the PIN and the claim link.
        await page.goto(`${world.url}/dev/mailbox`);
        await snap(t, 'b-mailbox');
        await page.click('a:has-text("김민지님이 선물카드를 보냈어요")');
        await page.waitForSelector('pre.mail-text');
        const text = await page.locator('pre.mail-text').innerText();
        gift.pin = digits(/PIN 번호: ([0-9 -]+)/.exec(text)?.[1] ?? '');
        assert.equal(gift.pin.length, 20, 'the PIN is in the mail');
        assert.match(text, /늘 고마워! <3 & 건강해/);
        await snap(t, 'b-gift-mail');
        const claimLink = page.locator('.mail-links a[href*="/claim/gft_"]');
        const [claimPage] = await Promise.all([context.waitForEvent('page'), claimLink.click()]);
        claimPage.setDefaultTimeout(STEP_TIMEOUT_MS);
        await claimPage.waitForLoadState();
        assert.match(claimPage.url(), urlOf(world.url, '/claim/gft_[a-z0-9]+/[A-Za-z0-9_-]+'));
        const claimTab = page;
        page = claimPage;
        assert.equal(
          await page.locator('#claim-title').innerText(),
          'OnePIN 선물 카드가 도착했습니다',
        );
        assert.match(await page.locator('.gift-message').innerText(), /늘 고마워! <3 & 건강해/);
        await page.fill('#pin', gift.pin);
        await page.fill('#password', '3691');
        await page.fill('#password_confirm', '3691');
        await snap(t, 'b-claim-ko');
        await page.click('form[action*="/claim/"] button[type="submit"]');
        await page.waitForSelector('.alert.success');
        assert.match(
          await page.locator('.alert.success').innerText(),
          new RegExp(`끝자리 ${gift.pin.slice(-4)} 카드가 등록되었습니다`),
        );
        await snap(t, 'b-claimed-ko');
        await page.close();
        page = claimTab;
        const claimed = await authenticate(world.app.cards, { pin: gift.pin, password: '3691' });
        assert.ok(claimed.ok);
        assert.equal(claimed.value.id, gift.cardId);
        assert.equal(claimed.value.state, 'active');

        // The demo shop, as its own process, takes OnePIN through our merchant API.
        const { associateId, key } = await writeTransaction(world.app.db, async (tx) => {
          const associate = await createAssociate(world.app.payments, tx, {
            name: 'OnePIN Demo Shop',
            category: 'shopping',
            commissionBps: 250n,
          });
          assert.ok(associate.ok);
          const created = await createApiKey(world.app.payments, tx, {
            associateId: associate.value.id,
            livemode: false,
          });
          assert.ok(created.ok);
          return { associateId: associate.value.id, key: created.value };
        });
        const running = await startShop({
          ONEPIN_URL: world.url,
          ONEPIN_API_KEY: key.secret,
          ONEPIN_SIGNING_SECRET: key.signingSecret,
          ONEPIN_WEBHOOK_SECRET: webhookSecretOf(world.app.payments, associateId),
        });
        stops.push(() => running.stop());
        const connected = await writeTransaction(world.app.db, (tx) =>
          updateAssociate(world.app.payments, tx, associateId, {
            webhookUrl: `${running.url}/webhooks`,
            returnUrls: [`${running.url}/return`],
          }),
        );
        assert.ok(connected.ok);
        await page.goto(running.url);
        await page.click('button[data-product="green-tea"]');
        await page.waitForURL(`${running.url}/cart`);
        assert.match(await page.locator('#total').innerText(), /8,000/);
        await snap(t, 'b-shop-cart');
        await page.click('#checkout');
        await page.waitForURL(urlOf(world.url, '/pay/pay_[a-z0-9]+'));
        await page.fill('input[name="pin"]', gift.pin);
        await page.fill('input[name="password"]', '3691');
        await snap(t, 'b-hosted-page');
        await page.locator('form:has(input[name="pin"]) [type="submit"]').click();
        await page.waitForURL(urlOf(running.url, '/orders/ord_[0-9a-f]+'));
        assert.equal(await page.locator('#order-status').innerText(), 'paid');
        await snap(t, 'b-shop-paid');
        const balance = await cardBalance(world.app.cards, world.app.db.kysely, gift.cardId);
        assert.ok(balance.ok);
        assert.equal(balance.value.balanceMinor, 12_000n, '20,000 less the 8,000 tea');
        assert.equal(balance.value.heldMinor, 0n, 'captured, not held');
      });
    });

    test('d) the statement of the gift card shows the spending chart', async (t) => {
      assert.ok(gift.pin, 'needs the gift card of b)');
      await guarded(t, async () => {
        await page.goto(`${world.url}/card?lang=en`);
        await signIn(gift.pin, '3691');
        assert.equal(await page.locator('#balance').innerText(), '12,000 KRW');
        await page.goto(`${world.url}/card/statement`);
        const chart = page.locator('section.chart figure svg');
        assert.ok((await chart.count()) >= 1, 'the chart is drawn');
        assert.ok(await chart.first().isVisible());
        assert.match(await page.locator('#chart-total-spent').innerText(), /8,000/);
        await snap(t, 'd-statement-chart');
      });
    });

    test('f) a declined card and a lost answer end cleanly', async (t) => {
      await guarded(t, async () => {
        const cardsBefore = await world.app.db.kysely
          .selectFrom('card' as never)
          .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
          .executeTakeFirstOrThrow();
        // Declined: back on our order page with a clear message, nothing issued.
        await page.goto(`${world.url}/buy?lang=en`);
        await orderCards({ den_krw_5000: '1' }, BUYER);
        await submitOrderSheet();
        await fillCard(DECLINE);
        await payCard();
        await page.waitForURL(urlOf(world.url, '/orders/ord_[a-z0-9]+'));
        const declinedId = await orderCookie();
        const alert = await page.locator('.alert.error').innerText();
        assert.match(alert, /This order was not paid, and nothing was charged\./);
        assert.equal(await page.locator('.pin-digits').count(), 0);
        assert.equal(
          await page.locator('a.button[href="/buy"]').count(),
          1,
          'a way to start again',
        );
        await snap(t, 'f-declined');
        assert.equal(await orderStatus(declinedId), 'failed');

        // Lost: the acquirer approves but the browser never comes back.
        await page.goto(`${world.url}/buy`);
        await orderCards({ den_krw_5000: '1' }, BUYER);
        await submitOrderSheet();
        await fillCard(LOST);
        await payCard();
        await page.waitForSelector('text=Connection lost');
        assert.match(page.url(), urlOf(world.acquirer.url, '/pay/acq_[a-z0-9]+'));
        await snap(t, 'f-lost-answer');
        const lostId = await orderCookie();
        assert.equal(await orderStatus(lostId), 'awaiting_payment', 'we do not know yet');
        // Time passes: the order is due for its check; the completer finds the payment.
        await world.app.db.kysely
          .updateTable('sales_order' as never)
          .set({ next_check_at_ms: 0n } as never)
          .where('id' as never, '=', lostId as never)
          .execute();
        const report = await completeOrders(world.app.sales);
        assert.ok(report.checked >= 1 && report.fulfilled >= 1, JSON.stringify(report));
        assert.equal(await orderStatus(lostId), 'fulfilled');
        await page.goto(`${world.url}/orders/${lostId}`);
        assert.equal(
          (await page.locator('.pin-digits').allInnerTexts()).length,
          1,
          'the PIN, once',
        );
        await snap(t, 'f-lost-completed');
        const cardsAfter = await world.app.db.kysely
          .selectFrom('card' as never)
          .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
          .executeTakeFirstOrThrow();
        assert.equal(Number(cardsAfter.n), Number(cardsBefore.n) + 1, 'one card: the lost one');
        const report2 = await completeOrders(world.app.sales);
        assert.equal(report2.fulfilled, 0, 'nothing more to do');
        const ledger = await verifyLedger(world.app.db);
        assert.ok(ledger.ok, ledger.problems.join('\n'));
      });
    });
  },
);
