import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { ProviderPayment } from '../../src/funding/index.ts';
import {
  QUIET_MS,
  cardInput,
  create,
  fetchPayment,
  getPage,
  payByCard,
  postForm,
  show,
  startHarness,
  waitUntil,
  type Harness,
} from './support.ts';

/** Refunds, cancels and webhook retries at the sandbox acquirer, through the provider. */
describe('sandbox acquirer: refunds, cancels, webhook retries', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  async function paid(amountMinor = 10_000n): Promise<ProviderPayment> {
    const payment = await create(h.provider, cardInput(h.hooks, { amountMinor }));
    const answer = await payByCard(payment, '4242424242424242');
    assert.equal(answer.status, 303);
    await h.hooks.waitFor(payment.id);
    return payment;
  }

  test('partial refunds, an over-refund refused, idempotent by reference', async () => {
    const payment = await paid(10_000n);
    const first = await h.provider.refund({
      paymentId: payment.id,
      amountMinor: 3_000n,
      reference: 'rf_1',
    });
    assert.ok(first.ok, show(first));
    assert.match(first.value.id, /^acr_/);
    assert.equal(first.value.status, 'succeeded');
    assert.equal(first.value.amountMinor, 3_000n);

    const replay = await h.provider.refund({
      paymentId: payment.id,
      amountMinor: 3_000n,
      reference: 'rf_1',
    });
    assert.ok(replay.ok);
    assert.equal(replay.value.id, first.value.id, 'the same reference is the same refund');

    const conflict = await h.provider.refund({
      paymentId: payment.id,
      amountMinor: 4_000n,
      reference: 'rf_1',
    });
    assert.ok(!conflict.ok);
    assert.equal(conflict.error.code, 'idempotency_conflict');

    const over = await h.provider.refund({
      paymentId: payment.id,
      amountMinor: 7_001n,
      reference: 'rf_2',
    });
    assert.ok(!over.ok);
    assert.equal(over.error.code, 'amount_exceeds_refundable');
    assert.equal(
      (await fetchPayment(h.provider, payment.id)).refundedMinor,
      3_000n,
      'refused changes nothing',
    );

    const rest = await h.provider.refund({
      paymentId: payment.id,
      amountMinor: 7_000n,
      reference: 'rf_2',
    });
    assert.ok(rest.ok, show(rest));
    const after = await fetchPayment(h.provider, payment.id);
    assert.equal(after.refundedMinor, 10_000n);
    assert.equal(after.status, 'succeeded');

    const more = await h.provider.refund({
      paymentId: payment.id,
      amountMinor: 1n,
      reference: 'rf_3',
    });
    assert.ok(!more.ok);
    assert.equal(more.error.code, 'amount_exceeds_refundable');

    // One webhook for the payment, then one per refund (not for the replay or the refusals).
    const hooks = await h.hooks.waitFor(payment.id, 3);
    await sleep(QUIET_MS);
    assert.deepEqual(
      h.hooks.for(payment.id).map((hook) => hook.json.type),
      ['payment.succeeded', 'payment.refunded', 'payment.refunded'],
    );
    const last = hooks[2];
    assert.ok(last);
    const event = h.provider.verifyWebhook(
      last.body,
      last.headers['acquirer-signature'] as string,
      BigInt(Date.now()),
    );
    assert.ok(event.ok, show(event));
    assert.equal(event.value.payment.refundedMinor, 10_000n);
    assert.equal(event.value.refund?.amountMinor, 7_000n);
  });

  test('refunds of unpaid or unknown payments, and bad amounts, are refused', async () => {
    const unpaid = await create(h.provider, cardInput(h.hooks));
    const notPaid = await h.provider.refund({
      paymentId: unpaid.id,
      amountMinor: 1n,
      reference: 'rf',
    });
    assert.ok(!notPaid.ok);
    assert.equal(notPaid.error.code, 'payment_state_invalid');

    const unknown = await h.provider.refund({
      paymentId: `acq_${'0'.repeat(22)}`,
      amountMinor: 1n,
      reference: 'rf',
    });
    assert.ok(!unknown.ok);
    assert.equal(unknown.error.code, 'payment_not_found');

    const payment = await paid();
    for (const amountMinor of [0n, -1n]) {
      const bad = await h.provider.refund({
        paymentId: payment.id,
        amountMinor,
        reference: 'rf_bad',
      });
      assert.ok(!bad.ok);
      assert.equal(bad.error.code, 'amount_must_be_positive');
    }
    assert.equal((await fetchPayment(h.provider, payment.id)).refundedMinor, 0n);
  });

  test('cancel before success (API and card page), not after', async () => {
    const payment = await create(h.provider, cardInput(h.hooks));
    const canceled = await h.provider.cancel(payment.id);
    assert.ok(canceled.ok, show(canceled));
    assert.equal(canceled.value.status, 'canceled');
    const again = await h.provider.cancel(payment.id);
    assert.ok(again.ok, 'canceling twice answers the canceled payment');
    assert.equal(again.value.status, 'canceled');
    const [hook] = await h.hooks.waitFor(payment.id);
    assert.equal(hook?.json.type, 'payment.canceled');
    assert.ok(payment.redirectUrl);
    const page = await getPage(payment.redirectUrl);
    assert.equal(page.status, 409);
    assert.match(page.body, /canceled/);
    const pay = await payByCard(payment, '4242424242424242');
    assert.equal(pay.status, 409, 'a canceled payment takes no card');

    const byHolder = await create(h.provider, cardInput(h.hooks));
    const back = await postForm(`${byHolder.redirectUrl ?? ''}/cancel`, {});
    assert.equal(back.status, 303);
    assert.equal(new URL(back.location ?? '').searchParams.get('status'), 'canceled');
    assert.equal((await fetchPayment(h.provider, byHolder.id)).status, 'canceled');

    const done = await paid();
    const late = await h.provider.cancel(done.id);
    assert.ok(!late.ok);
    assert.equal(late.error.code, 'payment_state_invalid');
    assert.equal((await fetchPayment(h.provider, done.id)).status, 'succeeded');
  });

  test('a webhook our server does not accept is retried, with the same event id, a bounded number of times', async () => {
    h.hooks.failNext = 2;
    const attemptsBefore = h.hooks.attempts;
    const payment = await create(h.provider, cardInput(h.hooks));
    await payByCard(payment, '4242424242424242');
    const [hook] = await h.hooks.waitFor(payment.id);
    assert.ok(hook);
    assert.equal(h.hooks.attempts - attemptsBefore, 3, 'two failures, then delivered');
    assert.deepEqual(h.hooks.attemptEventIds.slice(attemptsBefore), [
      hook.json.id,
      hook.json.id,
      hook.json.id,
    ]);

    // With every attempt failing, the acquirer gives up after 1 + 2 retries.
    h.hooks.failNext = 100;
    const attemptsThen = h.hooks.attempts;
    const lost = await create(h.provider, cardInput(h.hooks));
    await payByCard(lost, '4242424242424242');
    await waitUntil(() => h.hooks.attempts - attemptsThen >= 3, 'three attempts');
    await sleep(QUIET_MS);
    assert.equal(h.hooks.attempts - attemptsThen, 3);
    h.hooks.failNext = 0;
    assert.deepEqual(h.hooks.for(lost.id), []);
    // Our side still learns the outcome by asking.
    assert.equal((await fetchPayment(h.provider, lost.id)).status, 'succeeded');
  });
});
