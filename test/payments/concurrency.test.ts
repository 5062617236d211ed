import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { cardBalance } from '../../src/cards/index.ts';
import { verifyLedger } from '../../src/ledger/index.ts';
import { authorizeWithCard, signatureHeader } from '../../src/payments/index.ts';
import { DATABASES } from '../support/databases.ts';
import { openTestGateway, type TestGateway } from '../support/gateway.ts';

/**
 * Races on one payment resolve exactly once, on both databases: capture against void, refunds
 * against each other, and a storm of identical requests under one Idempotency-Key.
 */
for (const target of DATABASES) {
  describe(`payment races on ${target.name}`, { skip: target.skip }, () => {
    let g: TestGateway;
    before(async () => {
      g = await openTestGateway(target);
    });
    after(async () => {
      const report = await verifyLedger(g.app.db);
      assert.equal(report.ok, true, report.problems.join('\n'));
      await g.server.close();
      await g.dispose();
    });

    /** A fresh payment of `amount`, authorized by a new card of 10,000. */
    async function authorized(amount: number): Promise<{ id: string; cardId: string }> {
      const card = await g.card();
      const created = await g.call('POST', '/api/v1/payments', {
        body: { amount, currency: 'KRW', order_reference: `race-${amount}-${Math.random()}` },
      });
      assert.equal(created.status, 201);
      const id = String(created.body.id);
      const auth = await authorizeWithCard(g.app.payments, {
        paymentId: id,
        pin: card.pin,
        password: card.password,
      });
      assert.ok(auth.ok);
      return { id, cardId: card.id };
    }

    /** Sends the same request n times at once, each with its own signature (distinct timestamps). */
    async function storm(
      n: number,
      path: string,
      body: unknown,
      idempotencyKey?: string,
      offsetS = 0,
    ) {
      const payload = JSON.stringify(body);
      const nowS = Math.floor(Number(g.clock.nowMs()) / 1000);
      return Promise.all(
        Array.from({ length: n }, (_, i) => {
          const key = idempotencyKey ?? `storm-${path}-${i}-${Math.random()}`;
          return g.server.inject({
            method: 'POST',
            url: path,
            headers: {
              authorization: `Bearer ${g.key.secret}`,
              'content-type': 'application/json',
              'idempotency-key': key,
              // Each attempt signs afresh: the nonce keeps identical retries distinct.
              'onepin-signature': signatureHeader({
                secret: g.key.signingSecret,
                timestamp: nowS - offsetS,
                nonce: `attempt-${i}`,
                method: 'POST',
                path,
                idempotencyKey: key,
                body: payload,
              }),
            },
            payload,
          });
        }),
      );
    }

    test('capture and void racing on one authorization: exactly one wins', async () => {
      for (let round = 0; round < 5; round += 1) {
        const { id, cardId } = await authorized(6_000);
        const [capture, voided] = await Promise.all([
          storm(1, `/api/v1/payments/${id}/capture`, {}),
          storm(1, `/api/v1/payments/${id}/void`, {}),
        ]);
        const codes = [capture[0]?.statusCode, voided[0]?.statusCode];
        assert.equal(
          codes.filter((c) => c === 200).length,
          1,
          `one winner: ${JSON.stringify(codes)}`,
        );
        assert.equal(
          codes.filter((c) => c === 409).length,
          1,
          `one loser: ${JSON.stringify(codes)}`,
        );
        const payment = await g.call('GET', `/api/v1/payments/${id}`);
        const balance = await cardBalance(g.app.cards, g.app.db.kysely, cardId);
        assert.ok(balance.ok);
        if (payment.body.status === 'succeeded') {
          assert.equal(payment.body.amount_captured, 6_000);
          assert.equal(balance.value.balanceMinor, 4_000n);
        } else {
          assert.equal(payment.body.status, 'voided');
          assert.equal(balance.value.balanceMinor, 10_000n);
        }
        assert.equal(balance.value.heldMinor, 0n);
      }
    });

    test('two captures racing never capture more than authorized', async () => {
      const { id } = await authorized(8_000);
      const results = await Promise.all([
        storm(1, `/api/v1/payments/${id}/capture`, { amount: 5_000 }),
        storm(1, `/api/v1/payments/${id}/capture`, { amount: 5_000 }),
      ]);
      const statuses = results.map((r) => r[0]?.statusCode);
      assert.deepEqual([...statuses].sort(), [200, 400]);
      const payment = await g.call('GET', `/api/v1/payments/${id}`);
      assert.equal(payment.body.amount_captured, 5_000);
    });

    test('refunds racing never exceed the captured amount', async () => {
      const { id, cardId } = await authorized(9_000);
      const captured = await g.call('POST', `/api/v1/payments/${id}/capture`, {});
      assert.equal(captured.status, 200);
      const responses = await storm(10, '/api/v1/refunds', { payment: id, amount: 2_000 });
      const accepted = responses.filter((r) => r.statusCode === 201).length;
      assert.equal(
        accepted,
        4,
        `exactly 4 × 2,000 fit in 9,000: ${responses.map((r) => r.statusCode).join(',')}`,
      );
      assert.ok(responses.every((r) => r.statusCode === 201 || r.statusCode === 400));
      const payment = await g.call('GET', `/api/v1/payments/${id}`);
      assert.equal(payment.body.amount_refunded, 8_000);
      const balance = await cardBalance(g.app.cards, g.app.db.kysely, cardId);
      assert.ok(balance.ok);
      assert.equal(balance.value.balanceMinor, 1_000n + 8_000n);
    });

    test('50 concurrent identical requests with one Idempotency-Key: one effect, identical bodies', async () => {
      const before = await sql<{ n: bigint }>`select count(*) as n from payment`.execute(
        g.app.db.kysely,
      );
      const responses = await storm(
        50,
        '/api/v1/payments',
        { amount: 1234, currency: 'KRW', order_reference: 'storm-1' },
        'one-key-for-all',
      );
      const after = await sql<{ n: bigint }>`select count(*) as n from payment`.execute(
        g.app.db.kysely,
      );
      assert.equal(after.rows[0]?.n, (before.rows[0]?.n ?? 0n) + 1n, 'exactly one payment created');
      assert.ok(
        responses.every((r) => r.statusCode === 201),
        responses.map((r) => r.statusCode).join(','),
      );
      const bodies = new Set(responses.map((r) => r.body));
      assert.equal(bodies.size, 1, 'every answer is the same body');
      assert.equal(responses.filter((r) => r.headers['idempotent-replayed'] === 'true').length, 49);

      const { id } = await authorized(7_000);
      const captures = await storm(
        50,
        `/api/v1/payments/${id}/capture`,
        { amount: 3_000 },
        `cap-${id}`,
      );
      assert.ok(captures.every((r) => r.statusCode === 200));
      assert.equal(new Set(captures.map((r) => r.body)).size, 1);
      const payment = await g.call('GET', `/api/v1/payments/${id}`);
      assert.equal(payment.body.amount_captured, 3_000, 'captured once');
    });
  });
}
