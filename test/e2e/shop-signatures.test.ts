// The demo shop computes OnePIN's signatures itself (it never imports the gateway). These checks
// hold its code to the gateway's: request signatures and return links, without a browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signatureHeader as shopSignatureHeader } from '../../examples/shop/src/onepin.ts';
import { RETURN_LINK_MAX_AGE_S, verifyReturnLink } from '../../examples/shop/src/return-link.ts';
import { ManualClock } from '../../src/kernel/index.ts';
import {
  signatureHeader,
  signedReturnUrl,
  verifySignature,
  webhookSecretOf,
  type Payment,
  type PaymentsContext,
} from '../../src/payments/index.ts';
import { testPaymentKeys } from '../support/app.ts';

test('the shop signs requests exactly as the gateway verifies them', () => {
  // The worked example of docs/api.md, "Request signing".
  const request = {
    secret: 'ss_example_4eC39HqLyjWDarjtT1zdp7dc',
    nonce: 'a1b2c3',
    method: 'POST',
    path: '/api/v1/payments',
    idempotencyKey: 'order-1001-create',
    body: '{"amount":10000,"currency":"KRW","order_reference":"order-1001","return_url":"https://shop.example/return"}',
  };
  const fromShop = shopSignatureHeader({ ...request, timestampS: 1_767_225_600 });
  assert.equal(
    fromShop,
    't=1767225600,n=a1b2c3,v1=594e525150a95e34d6b5af87a85159347ae054e3db54cdb8bcaffb37f3239323',
  );
  assert.equal(fromShop, signatureHeader({ ...request, timestamp: 1_767_225_600 }));
  assert.ok(verifySignature({ ...request, header: fromShop, nowS: 1_767_225_610 }).ok);
});

test('the shop accepts the gateway’s return links and nothing else', () => {
  const clock = new ManualClock();
  // Only the keys and the clock are read by signedReturnUrl and webhookSecretOf.
  const ctx = { keys: testPaymentKeys(), clock } as unknown as PaymentsContext;
  const payment = {
    id: 'pay_example',
    associateId: 'asc_example',
    returnUrl: 'http://127.0.0.1:4000/return?from=shop',
  } as unknown as Payment;
  const secret = webhookSecretOf(ctx, payment.associateId);
  const link = new URL(signedReturnUrl(ctx, payment, 'succeeded') ?? '');
  const nowS = Math.floor(Number(clock.nowMs()) / 1000);

  assert.deepEqual(verifyReturnLink(link.searchParams, secret, nowS), {
    ok: true,
    paymentId: 'pay_example',
    status: 'succeeded',
  });
  const tampered = new URLSearchParams(link.searchParams);
  tampered.set('status', 'canceled');
  assert.equal(verifyReturnLink(tampered, secret, nowS).ok, false);
  const otherSecret = webhookSecretOf(ctx, 'asc_other');
  assert.equal(verifyReturnLink(link.searchParams, otherSecret, nowS).ok, false);
  assert.equal(
    verifyReturnLink(link.searchParams, secret, nowS + RETURN_LINK_MAX_AGE_S + 1).ok,
    false,
  );
  const unsigned = new URLSearchParams(link.searchParams);
  unsigned.delete('signature');
  assert.equal(verifyReturnLink(unsigned, secret, nowS).ok, false);
});
