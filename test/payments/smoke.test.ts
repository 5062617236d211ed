import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorizeWithCard } from '../../src/payments/index.ts';
import { DATABASES } from '../support/databases.ts';
import { openTestGateway } from '../support/gateway.ts';

test('smoke: create, authorize with a card, capture, refund', async () => {
  const target = DATABASES[0];
  assert.ok(target);
  const g = await openTestGateway(target);
  try {
    const card = await g.card();
    const created = await g.call('POST', '/api/v1/payments', {
      body: {
        amount: 7000,
        currency: 'KRW',
        order_reference: 'order-1',
        return_url: 'https://shop.example/return?o=1',
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = String(created.body.id);
    const auth = await authorizeWithCard(g.app.payments, {
      paymentId: id,
      pin: card.pin,
      password: card.password,
    });
    assert.ok(auth.ok, JSON.stringify(!auth.ok && auth.error));
    assert.equal(auth.value.payment.status, 'requires_capture');
    const cap = await g.call('POST', `/api/v1/payments/${id}/capture`, { body: { amount: 5000 } });
    assert.equal(cap.status, 200, JSON.stringify(cap.body));
    assert.equal(cap.body.status, 'partially_captured');
    const cap2 = await g.call('POST', `/api/v1/payments/${id}/capture`, {});
    assert.equal(cap2.status, 200, JSON.stringify(cap2.body));
    assert.equal(cap2.body.status, 'succeeded');
    assert.equal(cap2.body.amount_captured, 7000);
    const refund = await g.call('POST', '/api/v1/refunds', { body: { payment: id, amount: 3000 } });
    assert.equal(refund.status, 201, JSON.stringify(refund.body));
    const got = await g.call('GET', `/api/v1/payments/${id}`);
    assert.equal(got.body.amount_refunded, 3000);
    const openapi = await g.server.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(openapi.statusCode, 200);
  } finally {
    await g.server.close();
    await g.dispose();
  }
});
