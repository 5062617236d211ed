import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { BANK_DUE_DEFAULT_MS, CARD_PAGE_TTL_DEFAULT_MS } from '../../src/acquirer/index.ts';
import type { CreatePaymentInput, ProviderPayment } from '../../src/funding/index.ts';
import { ManualClock } from '../../src/kernel/index.ts';
import {
  QUIET_MS,
  api,
  cardInput,
  create,
  fetchPayment,
  getPage,
  payByCard,
  postForm,
  show,
  startHarness,
  type Harness,
} from './support.ts';

/** Bank transfers: a virtual account per payment, deposits matched by the exact amount. */
describe('sandbox acquirer: bank transfers', () => {
  const clock = new ManualClock();
  let h: Harness;
  before(async () => {
    h = await startHarness({ clock });
  });
  after(async () => {
    await h.close();
  });

  function bankInput(amountMinor = 30_000n): CreatePaymentInput {
    return { ...cardInput(h.hooks, { amountMinor }), method: 'bank' };
  }

  function accountOf(payment: ProviderPayment): string {
    assert.ok(payment.virtualAccount, 'bank payments carry a virtual account');
    return payment.virtualAccount.number;
  }

  test('create → wrong amount refused → exact deposit succeeds with a webhook', async () => {
    const payment = await create(h.provider, bankInput(30_000n));
    assert.equal(payment.status, 'awaiting_deposit');
    assert.equal(payment.redirectUrl, undefined);
    assert.deepEqual(payment.virtualAccount, {
      bank: 'Sandbox Bank',
      number: accountOf(payment),
      holder: 'OnePIN',
      dueAtMs: clock.nowMs() + BANK_DUE_DEFAULT_MS,
    });
    const other = await create(h.provider, bankInput(30_000n));
    assert.notEqual(accountOf(other), accountOf(payment), 'one virtual account per payment');

    const account = accountOf(payment);
    const wrong = await api(h.acquirer.url, 'POST', '/v1/sandbox/deposits', {
      account_number: account,
      amount: 29_999,
    });
    assert.equal(wrong.status, 422);
    assert.equal((wrong.json.error as { code: string }).code, 'amount_mismatch');
    assert.equal((wrong.json.deposit as { status: string }).status, 'unmatched');
    assert.equal((await fetchPayment(h.provider, payment.id)).status, 'awaiting_deposit');
    await sleep(QUIET_MS);
    assert.deepEqual(h.hooks.for(payment.id), [], 'a refused deposit sends nothing');

    const exact = await api(h.acquirer.url, 'POST', '/v1/sandbox/deposits', {
      account_number: account.replace(/^(\d{4})/, '$1-'),
      amount: 30_000,
      from_account: '110-234-567890',
    });
    assert.equal(exact.status, 201, show(exact.json));
    assert.equal(exact.json.status, 'matched');

    const [hook] = await h.hooks.waitFor(payment.id);
    assert.ok(hook);
    const event = h.provider.verifyWebhook(
      hook.body,
      hook.headers['acquirer-signature'] as string,
      clock.nowMs(),
    );
    assert.ok(event.ok, show(event));
    assert.equal(event.value.type, 'payment.succeeded');
    assert.equal(event.value.payment.amountMinor, 30_000n);
    const got = await fetchPayment(h.provider, payment.id);
    assert.equal(got.status, 'succeeded');
    assert.deepEqual(got.instrument, { kind: 'bank', bank: 'Sandbox Bank', last4: '7890' });

    const twice = await api(h.acquirer.url, 'POST', '/v1/sandbox/deposits', {
      account_number: account,
      amount: 30_000,
    });
    assert.equal(twice.status, 409, 'a paid account takes no second transfer');
    const unknown = await api(h.acquirer.url, 'POST', '/v1/sandbox/deposits', {
      account_number: '79000000000000',
      amount: 30_000,
    });
    assert.equal(unknown.status, 404);
    const badAmount = await api(h.acquirer.url, 'POST', '/v1/sandbox/deposits', {
      account_number: account,
      amount: 30_000.5,
    });
    assert.equal(badAmount.status, 400);
  });

  test('the bank page: a form with labels, refusals shown, the exact amount accepted', async () => {
    const payment = await create(h.provider, bankInput(50_000n));
    const account = accountOf(payment);
    const form = await getPage(`${h.acquirer.url}/bank?account=${account}&amount=50000`);
    assert.equal(form.status, 200);
    assert.match(form.body, /<label for="account_number">/);
    assert.match(form.body, /<label for="amount">/);
    assert.match(form.body, /계좌 이체/);
    assert.match(form.body, new RegExp(`value="${account}"`), 'prefilled from the link');

    const malformed = await postForm(`${h.acquirer.url}/bank`, {
      account_number: '12',
      amount: '1.5',
    });
    assert.equal(malformed.status, 422);
    assert.match(malformed.body, /id="account_number-error"/);
    assert.match(malformed.body, /id="amount-error"/);

    const wrong = await postForm(`${h.acquirer.url}/bank`, {
      account_number: account,
      amount: '5000',
    });
    assert.equal(wrong.status, 422);
    assert.match(wrong.body, /Transfer refused/);
    assert.equal((await fetchPayment(h.provider, payment.id)).status, 'awaiting_deposit');

    const exact = await postForm(`${h.acquirer.url}/bank`, {
      account_number: account,
      amount: '50,000',
    });
    assert.equal(exact.status, 200);
    assert.match(exact.body, /Transfer sent/);
    assert.match(exact.body, /role="status"/);
    await h.hooks.waitFor(payment.id);
    assert.equal((await fetchPayment(h.provider, payment.id)).status, 'succeeded');
  });

  test('past its due date the payment expires and refuses the transfer', async () => {
    const payment = await create(h.provider, bankInput(10_000n));
    clock.advance(BANK_DUE_DEFAULT_MS + 1n);
    const late = await api(h.acquirer.url, 'POST', '/v1/sandbox/deposits', {
      account_number: accountOf(payment),
      amount: 10_000,
    });
    assert.equal(late.status, 409);
    assert.equal((late.json.error as { code: string }).code, 'payment_not_awaiting_deposit');
    const got = await fetchPayment(h.provider, payment.id);
    assert.equal(got.status, 'expired');
    const [hook] = await h.hooks.waitFor(payment.id);
    assert.equal(hook?.json.type, 'payment.expired');
    const cancel = await h.provider.cancel(payment.id);
    assert.ok(!cancel.ok);
    assert.equal(cancel.error.code, 'payment_state_invalid');
  });

  test('an unpaid card page expires too', async () => {
    const payment = await create(h.provider, cardInput(h.hooks));
    clock.advance(CARD_PAGE_TTL_DEFAULT_MS + 1n);
    const answer = await payByCard(payment, '4242424242424242');
    assert.equal(answer.status, 409);
    assert.match(answer.body, /expired/);
    assert.equal((await fetchPayment(h.provider, payment.id)).status, 'expired');
  });
});
