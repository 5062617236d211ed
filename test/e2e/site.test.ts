// End to end: a holder uses the site in Chromium — switches to Korean, signs in to My card with
// a demo card, opens the statement, sees the spending chart and downloads the CSV file — and
// signs in again with the keyboard alone. Screenshots go to test-artifacts/screens/. Needs
// Debian's Chromium: without it the test is skipped under plain `npm test` and fails under CI.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { getCard, spend } from '../../src/cards/index.ts';
import { systemAccountId } from '../../src/ledger/index.ts';
import { merchantAccountId } from '../../src/payments/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { REPO_ROOT } from '../main/helpers.ts';
import { chromiumMissing, launchBrowser } from './browser.ts';
import { startGateway } from './gateway.ts';

const SCREENS = join(REPO_ROOT, 'test-artifacts', 'screens');
const STEP_TIMEOUT_MS = 15_000;
/** Tab presses allowed to reach a field from the top of a page (the nav has about a dozen). */
const TAB_STOPS_MAX = 40;

const missing = chromiumMissing();
const ci = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

/** Presses Tab until the element with `id` has the focus; fails after TAB_STOPS_MAX presses. */
async function tabTo(page: Page, id: string): Promise<number> {
  for (let presses = 1; presses <= TAB_STOPS_MAX; presses += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.locator(':focus').getAttribute('id');
    if (focused === id) return presses;
  }
  return assert.fail(`#${id} not reached in ${TAB_STOPS_MAX} Tab presses`);
}

test(
  'a holder reads the statement in Korean, sees the chart and downloads the CSV',
  { skip: missing !== null && !ci ? missing : false, timeout: 180_000 },
  async (t) => {
    if (missing !== null) assert.fail(`${missing}; CI runs the browser test`);
    mkdirSync(SCREENS, { recursive: true });
    let step = 0;
    const snap = async (page: Page, name: string): Promise<void> => {
      step += 1;
      await page.screenshot({
        path: join(SCREENS, `site-${String(step).padStart(2, '0')}-${name}.png`),
        fullPage: true,
      });
    };

    const stops: (() => Promise<void>)[] = [];
    t.after(async () => {
      for (const stop of stops.reverse()) await stop();
    });
    const gateway = await startGateway();
    stops.push(() => gateway.stop());
    const { app } = gateway;

    // A demo card that spent at the demo shop and on voicemail, so the chart has two series.
    const demo = gateway.demoCards.find((c) => c.state === 'active' && c.password !== null);
    assert.ok(demo?.password, 'an active demo card with a password');
    const found = await getCard(app.cards, app.db.kysely, { serial: demo.serial });
    assert.ok(found.ok);
    const shopAccount = merchantAccountId(gateway.associateId, false, 'KRW');
    await writeTransaction(app.db, (tx) =>
      app.ledger.createAccounts(
        tx,
        [
          {
            id: shopAccount,
            currency: 'KRW',
            code: 'merchant_payable',
            flags: 1n,
            ownerRef: gateway.associateId,
          },
        ],
        app.clock.nowMs(),
      ),
    );
    for (const [to, amountMinor, code] of [
      [shopAccount, 2_500n, 'payment'],
      [systemAccountId('KRW', 'service_revenue'), 700n, 'voicemail'],
    ] as const) {
      const spent = await spend(app.cards, {
        cardId: found.value.id,
        creditAccountId: to,
        amountMinor,
        currency: 'KRW',
        transferId: `e2e_site_${code}`,
        code,
      });
      assert.ok(spent.ok);
    }

    const browser = await launchBrowser();
    stops.push(() => browser.close());
    const page = await browser.context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    await page.setViewportSize({ width: 390, height: 844 });

    try {
      await page.goto(`${gateway.url}/`);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await snap(page, 'home-en');

      // Switch to Korean: the page answers in Korean and remembers the choice.
      await page.click('a[hreflang="ko"]');
      await page.waitForURL(/\?lang=ko$/);
      assert.equal(await page.getAttribute('html', 'lang'), 'ko');
      assert.match(await page.locator('h1').innerText(), /선불카드/);
      await snap(page, 'home-ko');

      await page.click('nav.main-nav a[href="/card"]');
      await page.waitForURL(`${gateway.url}/card`);
      assert.equal(await page.getAttribute('html', 'lang'), 'ko', 'the cookie keeps Korean');
      await page.fill('#pin', demo.pin);
      await page.fill('#password', demo.password);
      await snap(page, 'sign-in-ko');
      await page.locator('form[action="/card"] button[type="submit"]').click();
      await page.waitForSelector('#balance');
      assert.match(await page.locator('#balance').innerText(), /KRW/);
      await snap(page, 'my-card-ko');

      await page.click('a[href="/card/statement"]');
      await page.waitForURL(`${gateway.url}/card/statement`);
      const chart = page.locator('section.chart svg[role="img"]');
      assert.ok(await chart.isVisible(), 'the chart is drawn');
      assert.equal(await chart.locator('rect[data-series="shopping"]').count(), 1);
      assert.equal(await chart.locator('rect[data-series="voicemail"]').count(), 1);
      assert.equal((await page.locator('#chart-total-spent').innerText()).trim(), '3,200 KRW');
      await snap(page, 'statement-ko');

      const downloading = page.waitForEvent('download');
      await page.click('a[href^="/card/statement.csv"]');
      const download = await downloading;
      assert.equal(download.suggestedFilename(), `onepin-statement-${found.value.pinLast4}.csv`);
      const path = await download.path();
      const csv = readFileSync(path, 'utf8');
      assert.ok(csv.startsWith('\uFEFF일시 (KST),가맹점·서비스'), csv.slice(0, 80));
      assert.match(csv, /,OnePIN Demo Shop,쇼핑,결제,-2500,0,/);
      assert.match(csv, /,OnePIN 음성사서함,음성사서함,음성사서함,-700,0,/);

      // Sign out, then sign in again with the keyboard only.
      await page.locator('header form.signout button').click();
      await page.waitForURL(`${gateway.url}/card?done=signedout`);
      await page.keyboard.press('Tab');
      assert.equal(
        await page.locator(':focus').getAttribute('class'),
        'skip',
        'the skip link is the first stop',
      );
      await snap(page, 'skip-link-focused');
      await page.keyboard.press('Enter');
      await tabTo(page, 'pin');
      await page.keyboard.type(demo.pin);
      await tabTo(page, 'password');
      await page.keyboard.type(demo.password);
      await snap(page, 'keyboard-sign-in');
      await page.keyboard.press('Enter');
      await page.waitForURL(`${gateway.url}/card`);
      await page.waitForSelector('#balance');
      await snap(page, 'keyboard-signed-in');
    } catch (error) {
      await snap(page, 'failure').catch(() => undefined);
      throw error;
    }
  },
);
