// The holder site's sales, end to end over HTTP on both databases: buying cards by card and by
// bank transfer through the sandbox acquirer, the one-time PIN view, keeping a card and giving
// one, the gift claim, recharge, refund of balance, password reset, re-key; and every refusal
// changing nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authenticate, cardBalance, getCard } from '../../src/cards/index.ts';
import { verifyLedger } from '../../src/ledger/index.ts';
import { getEmail, listEmails } from '../../src/notify/index.ts';
import {
  completeOrders,
  decideBalanceRefundReview,
  requestBalanceRefund,
} from '../../src/sales/index.ts';
import { DATABASES } from '../support/databases.ts';
import { api } from '../funding/support.ts';
import type { Browser, Page } from '../http/pages-support.ts';
import {
  ACQ_KEY,
  APPROVE,
  BUYER,
  DECLINE,
  LOST,
  localPath,
  openSalesWorld,
  payAtAcquirer,
  pinsOn,
  submit,
  type SalesWorld,
} from './support.ts';
import { csrfOf } from '../http/pages-support.ts';

async function count(world: SalesWorld, table: string): Promise<number> {
  const rows = await world.app.db.kysely
    .selectFrom(table as never)
    .select((eb) => eb.fn.countAll<number | bigint | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number((rows as { n: unknown }).n);
}

async function mailsTo(world: SalesWorld, to: string) {
  const page = await listEmails(world.app.notify, world.app.db.kysely, { to, limit: 50 });
  const out = [];
  assert.ok(page.ok);
  for (const m of page.value.data) {
    const full = await getEmail(world.app.notify, world.app.db.kysely, m.id);
    assert.ok(full);
    out.push(full);
  }
  return out;
}

/** Buys with the card form and comes back from the acquirer; returns the order page. */
async function buyByCard(
  world: SalesWorld,
  browser: Browser,
  qty: Record<string, string>,
  number: string,
): Promise<{ orderPath: string; page: Page }> {
  const fields: Record<string, string> = { ...BUYER, method: 'card' };
  for (const [d, n] of Object.entries(qty)) fields[`qty_${d}`] = n;
  const posted = await submit(browser, '/buy', '/buy', fields);
  assert.equal(posted.status, 303, posted.body.slice(0, 400));
  const payAt = posted.location ?? '';
  assert.ok(payAt.startsWith(world.acquirer.url), `to the acquirer: ${payAt}`);
  const back = await payAtAcquirer(payAt, number);
  assert.ok(back !== null, 'the acquirer sends the browser back');
  const returned = await browser.get(localPath(world, back));
  assert.equal(returned.status, 303);
  const orderPath = returned.location ?? '';
  return { orderPath, page: await browser.get(orderPath) };
}

for (const target of DATABASES) {
  describe(`web sales (${target.name})`, { skip: target.skip }, () => {
    let world: SalesWorld;
    before(async () => {
      world = await openSalesWorld(target);
    });
    after(async () => {
      await world.close();
    });

    test('buy two cards by card: PINs shown once, one kept, one given and claimed', async () => {
      const buyer = world.browser();
      const { orderPath, page } = await buyByCard(world, buyer, { den_krw_10000: '2' }, APPROVE);
      assert.equal(page.status, 200);
      const pins = pinsOn(page);
      assert.equal(pins.length, 2, 'both PINs on the first view');
      const again = await buyer.get(orderPath);
      assert.equal(pinsOn(again).length, 0, 'never again');
      assert.match(again.body, /PIN ending/);

      const cardIds = [...page.body.matchAll(/\/cards\/(card_[a-z0-9]+)\/self/g)].map(
        (m) => m[1] ?? '',
      );
      assert.equal(cardIds.length, 2);
      // Keep the first: weak password refused (nothing changes), then a good one.
      const weak = await buyer.post(`${orderPath}/cards/${cardIds[0] ?? ''}/self`, {
        _csrf: csrfOf(again),
        password: '1234',
        password_confirm: '1234',
      });
      assert.equal(weak.status, 400);
      const kept = await buyer.post(`${orderPath}/cards/${cardIds[0] ?? ''}/self`, {
        _csrf: csrfOf(again),
        password: '2580',
        password_confirm: '2580',
      });
      assert.equal(kept.status, 303);
      const mine = await authenticate(world.app.cards, { pin: pins[0] ?? '', password: '2580' });
      assert.ok(mine.ok, 'the kept card opens with its password');
      assert.equal(mine.value.state, 'active');
      assert.equal(mine.value.livemode, false, 'sandbox money buys test cards');
      const balance = await cardBalance(world.app.cards, world.app.db.kysely, mine.value.id);
      assert.ok(balance.ok);
      assert.equal(balance.value.balanceMinor, 10_000n);

      // Give the second.
      const giftPath = `${orderPath}/cards/${cardIds[1] ?? ''}/gift`;
      const bad = await submit(buyer, giftPath, giftPath, {
        sender_name: 'Minji',
        recipient_name: 'Jisoo',
        recipient_email: 'not-an-address',
        design: 'birthday',
        message: 'Happy birthday!',
        deliver_on: '',
      });
      assert.equal(bad.status, 400);
      assert.equal((await mailsTo(world, 'jisoo@example.com')).length, 0);
      const sent = await submit(buyer, giftPath, giftPath, {
        sender_name: 'Minji',
        recipient_name: 'Jisoo',
        recipient_email: 'jisoo@example.com',
        design: 'birthday',
        message: 'Happy birthday! <script>alert(1)</script>',
        deliver_on: '',
      });
      assert.equal(sent.status, 303, sent.body.slice(0, 300));
      const [gift] = await mailsTo(world, 'jisoo@example.com');
      assert.ok(gift, 'a gift e-mail');
      assert.equal(gift.template, 'gift');
      assert.ok(gift.text.replace(/[\s-]/g, '').includes(pins[1] ?? 'x'), 'the PIN is in the gift');
      const claim = /https?:\/\/[^\s"<]+\/claim\/[^\s"<]+/.exec(gift.text)?.[0];
      assert.ok(claim, 'a claim link');
      assert.ok(!gift.html.includes('<script>'), 'the message is escaped');

      // The recipient claims: a wrong PIN is refused and nothing changes; the right one works.
      const recipient = world.browser();
      const claimPath = localPath(world, claim);
      const wrong = await submit(recipient, claimPath, claimPath, {
        pin: pins[0] ?? '',
        password: '3691',
        password_confirm: '3691',
      });
      assert.ok(wrong.status >= 400);
      const gifted = await getCard(world.app.cards, world.app.db.kysely, { id: cardIds[1] ?? '' });
      assert.ok(gifted.ok);
      assert.equal(gifted.value.state, 'sold');
      const claimed = await submit(recipient, claimPath, claimPath, {
        pin: pins[1] ?? '',
        password: '3691',
        password_confirm: '3691',
      });
      assert.equal(claimed.status, 200, claimed.body.slice(0, 300));
      const theirs = await authenticate(world.app.cards, { pin: pins[1] ?? '', password: '3691' });
      assert.ok(theirs.ok);
      const twice = await recipient.get(claimPath);
      assert.match(twice.body, /already claimed|이미 등록/);

      // One receipt to the buyer, however often the order was looked at.
      const receipts = (await mailsTo(world, BUYER.email)).filter(
        (m) => m.template === 'order_receipt',
      );
      assert.equal(receipts.length, 1);
      const report = await verifyLedger(world.app.db);
      assert.ok(report.ok, report.problems.join('\n'));
    });

    test('a double submit makes one order and one payment', async () => {
      const browser = world.browser();
      const form = await browser.get('/buy');
      const key = /name="order_key" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
      const fields = {
        _csrf: csrfOf(form),
        order_key: key,
        ...BUYER,
        method: 'card',
        qty_den_krw_5000: '1',
      };
      const orders = await count(world, 'sales_order');
      const first = await browser.post('/buy', fields);
      const second = await browser.post('/buy', fields);
      assert.equal(first.status, 303);
      assert.equal(second.location, first.location, 'the same payment page');
      assert.equal(await count(world, 'sales_order'), orders + 1);
    });

    test('a declined card ends the order cleanly: no cards, no value', async () => {
      const cards = await count(world, 'card');
      const { page } = await buyByCard(world, world.browser(), { den_krw_5000: '1' }, DECLINE);
      assert.match(page.body, /not paid|결제되지 않았/);
      assert.equal(await count(world, 'card'), cards, 'nothing issued');
      assert.equal(pinsOn(page).length, 0);
    });

    test('a lost acquirer answer is found by the completer and fulfilled once', async () => {
      const browser = world.browser();
      const posted = await submit(browser, '/buy', '/buy', {
        ...BUYER,
        method: 'card',
        qty_den_krw_5000: '1',
      });
      assert.ok(posted.location);
      const back = await payAtAcquirer(posted.location, LOST);
      assert.equal(back, null, 'the browser never comes back');
      const cards = await count(world, 'card');
      // Time passes: the order is due for a check with the provider.
      await world.app.db.kysely
        .updateTable('sales_order' as never)
        .set({ next_check_at_ms: 0n } as never)
        .where('status' as never, '=', 'awaiting_payment' as never)
        .execute();
      await completeOrders(world.app.sales);
      await completeOrders(world.app.sales);
      assert.equal(await count(world, 'card'), cards + 1, 'issued exactly once');
      const orderId = /acq_[a-z0-9]+/.exec(posted.location)?.[0];
      assert.ok(orderId);
    });

    test('bad input is refused with field errors and changes nothing', async () => {
      const browser = world.browser();
      const orders = await count(world, 'sales_order');
      const cases: [Record<string, string>, RegExp][] = [
        [{ ...BUYER, email: 'nope', method: 'card', qty_den_krw_5000: '1' }, /id="email-error"/],
        [{ ...BUYER, phone: '12', method: 'card', qty_den_krw_5000: '1' }, /id="phone-error"/],
        [{ ...BUYER, method: 'card', qty_den_krw_5000: '11' }, /id="quantity-error"/],
        [{ ...BUYER, method: 'cash', qty_den_krw_5000: '1' }, /id="method-error"/],
        [{ ...BUYER, method: 'card' }, /id="quantity-error"/],
      ];
      for (const [fields, marker] of cases) {
        const page = await submit(browser, '/buy', '/buy', fields);
        assert.equal(page.status, 400, JSON.stringify(fields));
        assert.match(page.body, marker);
        assert.match(page.body, /value="Kim Minji"/, 'what was typed is kept');
      }
      const noCsrf = await browser.post('/buy', {
        ...BUYER,
        method: 'card',
        qty_den_krw_5000: '1',
      });
      assert.equal(noCsrf.status, 403);
      assert.equal(await count(world, 'sales_order'), orders);
    });

    test('recharge by bank transfer, then the limits', async () => {
      const browser = world.browser();
      const { page } = await buyByCard(world, browser, { den_krw_10000: '1' }, APPROVE);
      const [pin] = pinsOn(page);
      const cardId = /\/cards\/(card_[a-z0-9]+)\/self/.exec(page.body)?.[1] ?? '';
      const orderPath = /action="(\/orders\/ord_[a-z0-9]+)\/cards/.exec(page.body)?.[1] ?? '';
      await browser.post(`${orderPath}/cards/${cardId}/self`, {
        _csrf: csrfOf(page),
        password: '2580',
        password_confirm: '2580',
      });
      const wrong = await submit(browser, '/recharge', '/recharge', {
        pin: pin ?? '',
        password: '9999',
        amount: '20000',
        method: 'bank',
        email: '',
      });
      assert.equal(wrong.status, 401);
      const over = await submit(browser, '/recharge', '/recharge', {
        pin: pin ?? '',
        password: '2580',
        amount: '1500000',
        method: 'bank',
        email: '',
      });
      assert.ok(over.status >= 400 && over.status < 500);
      assert.match(over.body, /id="amount-error"/);
      const started = await submit(browser, '/recharge', '/recharge', {
        pin: pin ?? '',
        password: '2580',
        amount: '20000',
        method: 'bank',
        email: '',
      });
      assert.equal(started.status, 303);
      const orderPage = await browser.get(started.location ?? '');
      const account = /class="mono">([0-9-]+)</.exec(orderPage.body)?.[1];
      assert.ok(account, 'the virtual account is shown');
      const deposit = await api(
        world.acquirer.url,
        'POST',
        '/v1/sandbox/deposits',
        {
          account_number: account,
          amount: 20_000,
        },
        ACQ_KEY,
      );
      assert.equal(deposit.status, 201, JSON.stringify(deposit.json));
      // The webhook (or the next check) credits the card once.
      const receiptsNow = async () =>
        (await mailsTo(world, BUYER.email)).filter((m) => m.template === 'recharge_receipt');
      for (let i = 0; i < 200 && (await receiptsNow()).length === 0; i += 1)
        await new Promise((r) => setTimeout(r, 20));
      await completeOrders(world.app.sales);
      const b = await cardBalance(world.app.cards, world.app.db.kysely, cardId);
      assert.ok(b.ok);
      assert.equal(b.value.balanceMinor, 30_000n);
      assert.equal((await receiptsNow()).length, 1);
    });

    test('refund of balance, password reset by code, and a new PIN', async () => {
      const browser = world.browser();
      const { page, orderPath } = await buyByCard(world, browser, { den_krw_20000: '1' }, APPROVE);
      const [pin] = pinsOn(page);
      const cardId = /\/cards\/(card_[a-z0-9]+)\/self/.exec(page.body)?.[1] ?? '';
      await browser.post(`${orderPath}/cards/${cardId}/self`, {
        _csrf: csrfOf(page),
        password: '2580',
        password_confirm: '2580',
      });

      // Forgot the password: a code by e-mail; a wrong code and a reused code are refused.
      const asked = await submit(browser, '/password/reset', '/password/reset', { pin: pin ?? '' });
      assert.equal(asked.status, 200);
      const codeMail = (await mailsTo(world, BUYER.email)).find(
        (m) => m.template === 'one_time_code',
      );
      const code = /\b([0-9]{6})\b/.exec(codeMail?.text ?? '')?.[1];
      assert.ok(code, 'a code arrived');
      const confirm = (c: string) =>
        submit(browser, '/password/reset', '/password/reset/confirm', {
          pin: pin ?? '',
          code: c,
          new_password: '4826',
          new_password_confirm: '4826',
        });
      const badCode = await confirm(code === '000000' ? '111111' : '000000');
      assert.equal(badCode.status, 400);
      assert.ok((await authenticate(world.app.cards, { pin: pin ?? '', password: '2580' })).ok);
      assert.equal((await confirm(code)).status, 200);
      assert.ok((await authenticate(world.app.cards, { pin: pin ?? '', password: '4826' })).ok);
      assert.equal((await confirm(code)).status, 400, 'a code works once');

      // Sign in, get a new PIN: the old one dies, the balance stays.
      const signIn = await submit(browser, '/card', '/card', { pin: pin ?? '', password: '4826' });
      assert.equal(signIn.status, 303);
      const rekeyed = await submit(browser, '/card/rekey', '/card/rekey', {});
      assert.equal(rekeyed.status, 200);
      const newPin = pinsOn(rekeyed)[0];
      assert.ok(newPin && newPin !== pin);
      assert.equal(
        (await authenticate(world.app.cards, { pin: pin ?? '', password: '4826' })).ok,
        false,
      );
      assert.ok((await authenticate(world.app.cards, { pin: newPin, password: '4826' })).ok);

      // Unused and bought today: the whole balance goes back to the paying card.
      const refundPage = await browser.get('/card/refund');
      assert.match(refundPage.body, /20,000/);
      const refunded = await browser.post('/card/refund', { _csrf: csrfOf(refundPage) });
      assert.equal(refunded.status, 200, refunded.body.slice(0, 300));
      const card = await getCard(world.app.cards, world.app.db.kysely, { id: cardId });
      assert.ok(card.ok);
      assert.equal(card.value.state, 'refunded');
      const b = await cardBalance(world.app.cards, world.app.db.kysely, cardId);
      assert.ok(b.ok);
      assert.equal(b.value.balanceMinor, 0n);
      const again = await browser.post('/card/refund', { _csrf: csrfOf(refundPage) });
      assert.ok(again.status >= 300, 'nothing to refund twice');
      const steps = (await mailsTo(world, BUYER.email)).filter(
        (m) => m.template === 'balance_refund',
      );
      assert.ok(steps.length >= 2, 'requested and paid e-mails');
      const report = await verifyLedger(world.app.db);
      assert.ok(report.ok, report.problems.join('\n'));
    });
    test('large refunds wait for an operator: approve pays out, reject gives the balance back', async () => {
      const browser = world.browser();
      const { page, orderPath } = await buyByCard(world, browser, { den_krw_50000: '2' }, APPROVE);
      const ids = [...page.body.matchAll(/\/cards\/(card_[a-z0-9]+)\/self/g)].map(
        (m) => m[1] ?? '',
      );
      assert.equal(ids.length, 2);
      for (const id of ids)
        await browser.post(`${orderPath}/cards/${id}/self`, {
          _csrf: csrfOf(page),
          password: '2580',
          password_confirm: '2580',
        });
      const rules = { ...world.app.sales.refundRules, reviewAboveMinor: 40_000n };
      const sales = { ...world.app.sales, refundRules: rules };
      const [first, second] = ids as [string, string];
      const asked = await requestBalanceRefund(sales, { cardId: first, locale: 'en' });
      assert.ok(asked.ok);
      assert.equal(asked.value.status, 'review');
      const held = await cardBalance(world.app.cards, world.app.db.kysely, first);
      assert.ok(held.ok);
      assert.equal(held.value.balanceMinor, 0n);
      assert.equal(held.value.heldMinor, 50_000n);
      const noOperator = await decideBalanceRefundReview(sales, {
        id: asked.value.id,
        decision: 'approve',
        operator: ' ',
        note: '',
      });
      assert.equal(noOperator.ok, false);
      const approved = await decideBalanceRefundReview(sales, {
        id: asked.value.id,
        decision: 'approve',
        operator: 'kim',
        note: 'checked',
      });
      assert.ok(approved.ok);
      assert.equal(approved.value.status, 'paid');
      const twice = await decideBalanceRefundReview(sales, {
        id: asked.value.id,
        decision: 'reject',
        operator: 'lee',
        note: '',
      });
      assert.equal(twice.ok, false, 'nobody decides twice');

      const other = await requestBalanceRefund(sales, { cardId: second, locale: 'ko' });
      assert.ok(other.ok);
      const rejected = await decideBalanceRefundReview(sales, {
        id: other.value.id,
        decision: 'reject',
        operator: 'kim',
        note: 'no',
      });
      assert.ok(rejected.ok);
      assert.equal(rejected.value.status, 'rejected');
      const back = await cardBalance(world.app.cards, world.app.db.kysely, second);
      assert.ok(back.ok);
      assert.equal(back.value.balanceMinor, 50_000n);
      assert.equal(back.value.state, 'active');
      const report = await verifyLedger(world.app.db);
      assert.ok(report.ok, report.problems.join('\n'));
    });
  });
}
