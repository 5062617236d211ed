import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { mapDecline, sandboxProvider } from '../../src/funding/index.ts';
import {
  API_KEY,
  QUIET_MS,
  WEBHOOK_SECRET,
  api,
  cardInput,
  closedPort,
  create,
  eventually,
  fetchPayment,
  getPage,
  payByCard,
  show,
  startHarness,
  type Harness,
} from './support.ts';

/** Card payments through the sandbox acquirer: the provider client and the hosted card page. */
describe('sandbox acquirer: card payments', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  function returnOf(location: string | null): URL {
    assert.ok(location !== null, 'the browser is redirected');
    return new URL(location);
  }

  test('approve: 303 back to the return URL, a signed webhook, GET shows succeeded', async () => {
    const payment = await create(h.provider, cardInput(h.hooks));
    assert.equal(payment.status, 'requires_action');
    assert.equal(payment.amountMinor, 10_000n);
    assert.equal(payment.refundedMinor, 0n);
    assert.match(payment.id, /^acq_[0-9a-z]{22}$/);
    assert.equal(payment.redirectUrl, `${h.acquirer.url}/pay/${payment.id}`);

    const form = await getPage(payment.redirectUrl);
    assert.equal(form.status, 200);
    assert.match(form.body, /10,000 KRW/);

    const answer = await payByCard(payment, '4242 4242 4242 4242');
    assert.equal(answer.status, 303);
    const back = returnOf(answer.location);
    assert.equal(`${back.origin}${back.pathname}`, 'http://shop.test/orders/return');
    assert.equal(back.searchParams.get('acquirer_payment'), payment.id);
    assert.equal(back.searchParams.get('status'), 'succeeded');

    const [hook] = await h.hooks.waitFor(payment.id);
    assert.ok(hook);
    const event = h.provider.verifyWebhook(
      hook.body,
      hook.headers['acquirer-signature'] as string | undefined,
      BigInt(Date.now()),
    );
    assert.ok(event.ok, show(event));
    assert.equal(event.value.type, 'payment.succeeded');
    assert.match(event.value.id, /^evt_/);
    assert.equal(event.value.payment.status, 'succeeded');
    assert.equal(event.value.payment.amountMinor, 10_000n);

    const got = await fetchPayment(h.provider, payment.id);
    assert.equal(got.status, 'succeeded');
    assert.deepEqual(got.instrument, { kind: 'card', brand: 'visa', last4: '4242' });
    assert.equal(got.declineCode, undefined);
  });

  const declines = [
    ['4000 0000 0000 0002', 'card_declined', 'funding_declined'],
    ['4000000000009995', 'insufficient_funds', 'funding_insufficient_funds'],
    ['4000-0000-0000-0069', 'expired_card', 'funding_declined'],
    ['4000 0000 0000 0127', 'incorrect_cvc', 'funding_declined'],
  ] as const;
  for (const [number, declineCode, ourCode] of declines) {
    test(`decline ${declineCode}: redirect, webhook, GET, and our code ${ourCode}`, async () => {
      const payment = await create(h.provider, cardInput(h.hooks));
      const answer = await payByCard(payment, number);
      assert.equal(answer.status, 303);
      assert.equal(returnOf(answer.location).searchParams.get('status'), 'declined');
      const [hook] = await h.hooks.waitFor(payment.id);
      assert.ok(hook);
      const event = h.provider.verifyWebhook(
        hook.body,
        hook.headers['acquirer-signature'] as string,
        BigInt(Date.now()),
      );
      assert.ok(event.ok, show(event));
      assert.equal(event.value.type, 'payment.declined');
      assert.equal(event.value.payment.declineCode, declineCode);
      const got = await fetchPayment(h.provider, payment.id);
      assert.equal(got.status, 'declined');
      assert.equal(got.declineCode, declineCode);
      assert.equal(got.instrument?.last4, number.replace(/\D/g, '').slice(-4));
      assert.equal(mapDecline(got.declineCode), ourCode);
    });
  }

  test('slow answer: processing meanwhile, then approved after slowAnswerMs', async () => {
    const payment = await create(h.provider, cardInput(h.hooks));
    const started = Date.now();
    const answering = payByCard(payment, '4000 0000 0000 3220');
    // While the card company thinks, our side sees `processing` (and must not pay again).
    await eventually(
      async () => (await fetchPayment(h.provider, payment.id)).status === 'processing',
      'the payment to be processing',
    );
    assert.deepEqual(h.hooks.for(payment.id), [], 'no webhook before the answer');
    const answer = await answering;
    assert.ok(Date.now() - started >= 300, 'the answer took at least slowAnswerMs');
    assert.equal(answer.status, 303);
    assert.equal(returnOf(answer.location).searchParams.get('status'), 'succeeded');
    const [hook] = await h.hooks.waitFor(payment.id);
    assert.equal(hook?.json.type, 'payment.succeeded');
    assert.equal((await fetchPayment(h.provider, payment.id)).status, 'succeeded');
  });

  test('lost answer: an error page, no redirect, no webhook, but GET shows succeeded', async () => {
    const payment = await create(h.provider, cardInput(h.hooks));
    const answer = await payByCard(payment, '4000 0000 0000 0119');
    assert.equal(answer.status, 502);
    assert.equal(answer.location, null);
    assert.match(answer.body, /Connection lost/);
    assert.match(answer.body, /연결이 끊어졌습니다/);
    const got = await fetchPayment(h.provider, payment.id);
    assert.equal(got.status, 'succeeded');
    assert.equal(got.instrument?.last4, '0119');
    const byReference = await h.provider.getPayment({ reference: payment.reference });
    assert.ok(byReference.ok && byReference.value?.id === payment.id);
    await sleep(QUIET_MS);
    assert.deepEqual(h.hooks.for(payment.id), [], 'no webhook for a lost answer');
  });

  test('malformed or unknown numbers re-show the form with a field error and change nothing', async () => {
    const payment = await create(h.provider, cardInput(h.hooks));
    const cases = [
      ['4242 4242 4242 4241', /typing error/], // Luhn fails
      ['4242', /12 to 19 digits/],
      ['4242-4242-abcd-4242', /12 to 19 digits/],
      ['4111 1111 1111 1111', /test card numbers/], // a valid number, but not a sandbox card
      ['', /Enter the card number/],
    ] as const;
    for (const [number, message] of cases) {
      const answer = await payByCard(payment, number, { cvc: '987' });
      assert.equal(answer.status, 422, number);
      assert.equal(answer.location, null);
      assert.match(answer.body, message);
      assert.match(answer.body, /id="number-error"/);
      assert.match(answer.body, /aria-describedby="number-hint number-error" aria-invalid="true"/);
      assert.match(answer.body, /role="alert"/);
      assert.match(answer.body, /lang="ko"/);
      // Neither the number nor the CVC is ever written back into the page.
      const digits = number.replace(/\D/g, '');
      if (digits.length >= 12) assert.ok(!answer.body.includes(digits), `${number} not echoed`);
      if (number.length >= 12) assert.ok(!answer.body.includes(number), `${number} not echoed`);
      assert.match(answer.body, /name="number" [^>]*value=""/);
      assert.match(answer.body, /name="cvc" [^>]*value=""/);
      // No form field carries anything typed except the expiry and the name.
      const values = [...answer.body.matchAll(/value="([^"]*)"/g)].map((m) => m[1]);
      assert.deepEqual(values, ['', '12/39', '', 'Hong Gildong']);
    }
    const badFields = await payByCard(payment, '4242424242424242', {
      expiry: '13/30',
      cvc: '12',
      name: ' ',
    });
    assert.equal(badFields.status, 422);
    assert.match(badFields.body, /id="expiry-error"/);
    assert.match(badFields.body, /id="cvc-error"/);
    assert.match(badFields.body, /id="name-error"/);
    assert.ok(!badFields.body.includes('4242424242424242'));
    const expired = await payByCard(payment, '4242424242424242', { expiry: '01/20' });
    assert.equal(expired.status, 422);
    assert.match(expired.body, /expiry date has passed/);
    assert.match(expired.body, /value="01\/20"/, 'the expiry is kept for correction');

    const got = await fetchPayment(h.provider, payment.id);
    assert.equal(got.status, 'requires_action');
    assert.equal(got.instrument, undefined);
    await sleep(QUIET_MS);
    assert.deepEqual(h.hooks.for(payment.id), []);
  });

  test('the card page: labels, autocomplete, both languages, strict CSP, not cached', async () => {
    const payment = await create(h.provider, cardInput(h.hooks));
    assert.ok(payment.redirectUrl);
    const page = await getPage(payment.redirectUrl);
    for (const field of ['number', 'expiry', 'cvc', 'name']) {
      assert.match(page.body, new RegExp(`<label for="${field}">`), field);
      assert.match(page.body, new RegExp(`id="${field}" name="${field}"`), field);
    }
    assert.match(page.body, /autocomplete="cc-number"/);
    assert.match(page.body, /autocomplete="cc-exp"/);
    assert.match(page.body, /카드 번호/);
    assert.match(page.body, /<form class="pay" method="post" action="\/pay\/acq_/);
    assert.doesNotMatch(page.body, /<script/i);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /form-action 'self' http:\/\/shop\.test/);
    assert.equal(page.headers.get('cache-control'), 'no-store');

    const unknown = await getPage(`${h.acquirer.url}/pay/acq_${'0'.repeat(22)}`);
    assert.equal(unknown.status, 404);
    const junk = await getPage(`${h.acquirer.url}/pay/..%2F..%2Fetc`);
    assert.equal(junk.status, 404);
  });

  test('a decided payment cannot be paid again', async () => {
    const payment = await create(h.provider, cardInput(h.hooks));
    const first = await payByCard(payment, '4000 0000 0000 0002');
    assert.equal(first.status, 303);
    const again = await payByCard(payment, '4242 4242 4242 4242');
    assert.equal(again.status, 409);
    assert.match(again.body, /declined/);
    const got = await fetchPayment(h.provider, payment.id);
    assert.equal(got.status, 'declined');
    await h.hooks.waitFor(payment.id);
    await sleep(QUIET_MS);
    assert.equal(h.hooks.for(payment.id).length, 1);
  });

  test('create is idempotent by reference; a different body under it is a conflict', async () => {
    const input = cardInput(h.hooks);
    const first = await create(h.provider, input);
    const second = await create(h.provider, input);
    assert.equal(second.id, first.id);
    const different = await h.provider.createPayment({ ...input, amountMinor: 20_000n });
    assert.ok(!different.ok);
    assert.equal(different.error.code, 'idempotency_conflict');
    assert.equal(different.error.param, 'reference');
    const otherMethod = await h.provider.createPayment({ ...input, method: 'bank' });
    assert.ok(!otherMethod.ok);
    assert.equal(otherMethod.error.code, 'idempotency_conflict');
    const byReference = await h.provider.getPayment({ reference: input.reference });
    assert.ok(byReference.ok);
    assert.equal(byReference.value?.id, first.id);
    assert.equal(byReference.value.amountMinor, 10_000n);
  });

  test('bad input is refused before anything is sent', async () => {
    const cases = [
      [{ amountMinor: 0n }, 'amount_must_be_positive'],
      [{ amountMinor: -5n }, 'amount_must_be_positive'],
      [{ amountMinor: 2n ** 60n }, 'amount_exceeds_limit'],
      [{ reference: 'has space' }, 'parameter_invalid'],
      [{ reference: '' }, 'parameter_invalid'],
      [{ returnUrl: 'javascript:alert(1)' }, 'parameter_invalid'],
      [{ notifyUrl: 'not a url' }, 'parameter_invalid'],
      [{ description: 'x'.repeat(201) }, 'parameter_invalid'],
    ] as const;
    for (const [overrides, code] of cases) {
      const input = { ...cardInput(h.hooks), ...overrides };
      const result = await h.provider.createPayment(input);
      assert.ok(!result.ok, show(overrides));
      assert.equal(result.error.code, code, show(overrides));
      if (input.reference !== '' && !input.reference.includes(' ')) {
        const lookup = await h.provider.getPayment({ reference: input.reference });
        assert.ok(lookup.ok && lookup.value === null, 'nothing was created');
      }
    }
    const unknown = await h.provider.getPayment({ id: `acq_${'0'.repeat(22)}` });
    assert.ok(unknown.ok && unknown.value === null);
    const badId = await h.provider.getPayment({ id: '../../v1/payments' });
    assert.ok(!badId.ok);
    assert.equal(badId.error.code, 'id_invalid');
  });

  test('the acquirer API checks JSON integers and the API key', async () => {
    const base = {
      reference: 'raw_1',
      method: 'card',
      currency: 'KRW',
      return_url: 'http://shop.test/r',
    };
    for (const amount of [10_000.5, '10000', 2 ** 53, 0, -1, null]) {
      const answer = await api(h.acquirer.url, 'POST', '/v1/payments', { ...base, amount });
      assert.equal(answer.status, 400, String(amount));
      assert.deepEqual((answer.json.error as { param: string }).param, 'amount');
    }
    const wrongKey = await api(
      h.acquirer.url,
      'GET',
      '/v1/payments?reference=raw_1',
      undefined,
      'sk_wrong_key',
    );
    assert.equal(wrongKey.status, 401);
    assert.equal((wrongKey.json.error as { code: string }).code, 'unauthorized');
    const noKey = await fetch(`${h.acquirer.url}/v1/payments/acq_x`);
    assert.equal(noKey.status, 401);

    const wrong = sandboxProvider({
      baseUrl: h.acquirer.url,
      apiKey: 'sk_wrong_key',
      webhookSecret: WEBHOOK_SECRET,
    });
    const refused = await wrong.createPayment(cardInput(h.hooks));
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, 'funding_unavailable');
    assert.match(refused.error.detail ?? '', /API key/);
  });
});

describe('sandbox acquirer unreachable', () => {
  const input = {
    reference: 'ord_down',
    method: 'card',
    amountMinor: 10_000n,
    currency: 'KRW',
    description: 'x',
    returnUrl: 'http://shop.test/r',
    notifyUrl: 'http://shop.test/n',
  } as const;

  async function expectUnavailable(baseUrl: string, timeoutMs = 2_000): Promise<void> {
    const provider = sandboxProvider({
      baseUrl,
      apiKey: API_KEY,
      webhookSecret: WEBHOOK_SECRET,
      timeoutMs,
    });
    const results = [
      await provider.createPayment(input),
      await provider.getPayment({ id: 'acq_1' }),
      await provider.getPayment({ reference: 'ord_down' }),
      await provider.refund({ paymentId: 'acq_1', amountMinor: 1n, reference: 'r1' }),
      await provider.cancel('acq_1'),
    ];
    for (const result of results) {
      assert.ok(!result.ok, show(result));
      assert.equal(result.error.code, 'funding_unavailable');
    }
  }

  test('nothing listening → funding_unavailable', async () => {
    await expectUnavailable(`http://127.0.0.1:${await closedPort()}`);
  });

  test('no answer within the timeout → funding_unavailable', async () => {
    const server = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      await expectUnavailable(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 150);
      assert.ok(Date.now() - started < 4_000, 'each call gave up at its deadline');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('5xx or a body that is not JSON → funding_unavailable', async () => {
    for (const [status, body] of [
      [503, '{"error":{"code":"internal_error"}}'],
      [200, '<html>proxy error</html>'],
      [200, '{"id":"acq_1","amount":1.5}'],
    ] as const) {
      const server = createServer((_request, response) => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        await expectUnavailable(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }
  });
});
