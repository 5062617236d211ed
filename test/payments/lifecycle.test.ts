import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cardBalance, cardStatement } from '../../src/cards/index.ts';
import { availableBalance, systemAccountId, verifyLedger } from '../../src/ledger/index.ts';
import {
  authorizeWithCard,
  createApiKey,
  expireDuePayments,
  listEvents,
  merchantAccountId,
} from '../../src/payments/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { DATABASES } from '../support/databases.ts';
import { openTestGateway, type TestGateway } from '../support/gateway.ts';

for (const target of DATABASES) {
  describe(`payment lifecycle on ${target.name}`, { skip: target.skip }, () => {
    let g: TestGateway;
    before(async () => {
      g = await openTestGateway(target, { commissionBps: 300n });
    });
    after(async () => {
      const report = await verifyLedger(g.app.db);
      assert.equal(report.ok, true, report.problems.join('\n'));
      await g.server.close();
      await g.dispose();
    });

    const create = async (body: Record<string, unknown>) => {
      const r = await g.call('POST', '/api/v1/payments', {
        body: { currency: 'KRW', order_reference: `o-${Math.random()}`, ...body },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return String(r.body.id);
    };

    test('two cards cover one payment; each share is kept; capture books commission', async () => {
      const first = await g.card({ denomination: 'den_krw_5000' });
      const second = await g.card({ denomination: 'den_krw_10000' });
      const id = await create({ amount: 12_000 });
      const a = await authorizeWithCard(g.app.payments, {
        paymentId: id,
        pin: first.pin,
        password: first.password,
      });
      assert.ok(a.ok);
      assert.equal(a.value.part.amountMinor, 5_000n);
      assert.equal(a.value.payment.status, 'requires_payment');
      const b = await authorizeWithCard(g.app.payments, {
        paymentId: id,
        pin: second.pin,
        password: second.password,
      });
      assert.ok(b.ok);
      assert.equal(b.value.part.amountMinor, 7_000n);
      assert.equal(b.value.payment.status, 'requires_capture');
      const third = await g.card();
      const c = await authorizeWithCard(g.app.payments, {
        paymentId: id,
        pin: third.pin,
        password: third.password,
      });
      assert.equal(!c.ok && c.error.code, 'payment_state_invalid');

      const captured = await g.call('POST', `/api/v1/payments/${id}/capture`, {
        body: { amount: 6_000 },
      });
      assert.equal(captured.status, 200);
      assert.deepEqual(
        (captured.body.parts as { amount_captured: number }[]).map((p) => p.amount_captured),
        [5_000, 1_000],
      );
      assert.equal(captured.body.fee, 180);
      const fee = await g.app.ledger.getAccount(
        g.app.db.kysely,
        systemAccountId('KRW', 'fee_revenue'),
      );
      assert.ok(fee && fee.creditsPosted - fee.debitsPosted >= 180n);
      const merchant = await g.app.ledger.getAccount(
        g.app.db.kysely,
        merchantAccountId(g.associateId, false, 'KRW'),
      );
      assert.ok(merchant);
      assert.equal(merchant.creditsPending, 6_000n, 'the rest is still held for the associate');

      const rest = await g.call('POST', `/api/v1/payments/${id}/capture`, {});
      assert.equal(rest.body.status, 'succeeded');
      assert.equal(rest.body.amount_captured, 12_000);
      assert.equal(rest.body.fee, 360);
      const statement = await cardStatement(g.app.cards, g.app.db.kysely, second.id);
      assert.ok(statement.ok);
      assert.equal(statement.value.balanceMinor, 3_000n);
      assert.ok(
        statement.value.entries.some(
          (e) => e.kind === 'capture' && e.counterparty.ownerRef === g.associateId,
        ),
      );

      const refund = await g.call('POST', '/api/v1/refunds', {
        body: { payment: id, amount: 6_000 },
      });
      assert.equal(refund.status, 201);
      assert.equal(refund.body.fee_returned, 180);
      const firstBalance = await cardBalance(g.app.cards, g.app.db.kysely, first.id);
      assert.ok(firstBalance.ok);
      assert.equal(
        firstBalance.value.balanceMinor,
        5_000n,
        'refunds go back to the cards in order',
      );
      const secondBalance = await cardBalance(g.app.cards, g.app.db.kysely, second.id);
      assert.ok(secondBalance.ok);
      assert.equal(secondBalance.value.balanceMinor, 4_000n);
      const after = await g.call('GET', `/api/v1/payments/${id}`);
      assert.equal(after.body.fee, 180);
      assert.equal(after.body.amount_refunded, 6_000);
    });

    test('auto capture completes at authorization; the events tell the associate', async () => {
      const card = await g.card();
      const id = await create({ amount: 2_500, capture_mode: 'auto' });
      const a = await authorizeWithCard(g.app.payments, {
        paymentId: id,
        pin: card.pin,
        password: card.password,
      });
      assert.ok(a.ok);
      assert.equal(a.value.payment.status, 'succeeded');
      const events = await listEvents(
        g.app.db.kysely,
        { associateId: g.associateId, livemode: false },
        { limit: 100 },
      );
      assert.ok(events.ok);
      const mine = events.value.data
        .filter((e) => (e.data.object as { id?: string }).id === id)
        .map((e) => e.type);
      assert.deepEqual(mine.sort(), ['payment.authorized', 'payment.captured']);
    });

    test('uncaptured holds expire with the payment and the money goes back', async () => {
      const card = await g.card();
      const id = await create({ amount: 4_000, hold_lifetime_seconds: 60 });
      const a = await authorizeWithCard(g.app.payments, {
        paymentId: id,
        pin: card.pin,
        password: card.password,
      });
      assert.ok(a.ok);
      assert.equal(await expireDuePayments(g.app.payments), 0, 'not yet');
      g.clock.advance(60_000n);
      const late = await g.call('POST', `/api/v1/payments/${id}/capture`, {});
      assert.equal(late.status, 409);
      assert.equal(await expireDuePayments(g.app.payments), 1);
      const payment = await g.call('GET', `/api/v1/payments/${id}`);
      assert.equal(payment.body.status, 'expired');
      const balance = await cardBalance(g.app.cards, g.app.db.kysely, card.id);
      assert.ok(balance.ok);
      assert.equal(balance.value.balanceMinor, 10_000n);
      assert.equal(balance.value.heldMinor, 0n);
      assert.equal(await expireDuePayments(g.app.payments), 0, 'expires once');
    });

    test('lists page newest first without gaps or repeats', async () => {
      const made: { id: string; t: bigint }[] = [];
      for (let i = 0; i < 5; i += 1) {
        made.push({ id: await create({ amount: 100 + i }), t: g.clock.nowMs() });
        if (i % 2 === 0) g.clock.advance(1n); // some share a timestamp: the id breaks the tie
      }
      const expected = [...made]
        .sort((a, b) => (a.t !== b.t ? (a.t > b.t ? -1 : 1) : a.id > b.id ? -1 : 1))
        .map((m) => m.id);
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 20; page += 1) {
        const q = after === undefined ? '' : `&starting_after=${after}`;
        const r = await g.call('GET', `/api/v1/payments?limit=2${q}`);
        assert.equal(r.status, 200);
        const data = r.body.data as { id: string }[];
        seen.push(...data.map((d) => d.id));
        if (r.body.has_more !== true) break;
        after = data.at(-1)?.id;
      }
      assert.equal(new Set(seen).size, seen.length, 'no repeats');
      for (const m of made) assert.ok(seen.includes(m.id), 'no gaps');
      assert.deepEqual(seen.slice(0, 5), expected, 'newest first, ties by id');
    });

    test('a test card cannot pay a live payment', async () => {
      const live = await writeTransaction(g.app.db, (tx) =>
        createApiKey(g.app.payments, tx, { associateId: g.associateId, livemode: true }),
      );
      assert.ok(live.ok);
      const created = await g.call('POST', '/api/v1/payments', {
        key: live.value,
        body: { amount: 1_000, currency: 'KRW', order_reference: 'live-1' },
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.livemode, true);
      const card = await g.card({ livemode: false });
      const a = await authorizeWithCard(g.app.payments, {
        paymentId: String(created.body.id),
        pin: card.pin,
        password: card.password,
      });
      assert.equal(!a.ok && a.error.code, 'card_mode_mismatch');
      const hidden = await g.call('GET', `/api/v1/payments/${String(created.body.id)}`);
      assert.equal(hidden.status, 404, 'a test key does not see live payments');
      const merchant = await g.app.ledger.getAccount(
        g.app.db.kysely,
        merchantAccountId(g.associateId, true, 'KRW'),
      );
      assert.ok(merchant === undefined || availableBalance(merchant) === 0n);
    });
  });
}
