// The real-time charging API (/api/v1/charging/…) over HTTP JSON: subscriber tokens, sessions
// (initial, update, terminate), events (debit, refund, balance, price) and usage records, on
// both databases. Exact amounts, duplicates answered once, sessions private to their associate
// and mode, bad input refused with a code and no change, and the OpenAPI document.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import { sql } from 'kysely';
import type { OpenAPIV3_1 } from 'openapi-types';
import { cardBalance, spend } from '../../src/cards/index.ts';
import { importTariff } from '../../src/charging/index.ts';
import { limits } from '../../src/kernel/index.ts';
import { systemAccountId, verifyLedger } from '../../src/ledger/index.ts';
import {
  API_SCOPES,
  createApiKey,
  createAssociate,
  type ApiScope,
  type NewApiKey,
} from '../../src/payments/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { SESSION_TARIFF } from '../charging/session-support.ts';
import { DATABASES } from '../support/databases.ts';
import { buildServer } from '../../src/http/index.ts';
import { openTestGateway, type TestGateway } from '../support/gateway.ts';
import { snapshot } from '../support/snapshot.ts';

/**
 * SESSION_TARIFF with its catch-all call rate narrowed to Seoul (822…): Seoul fixed lines still
 * cost 1 won a second, and a call to a number no destination prices (New York) is refused.
 */
const TARIFF = SESSION_TARIFF.replace(
  'plan,RP_CALL,ANY,RT_SEC,ALWAYS,10\n',
  'destination,SEOUL,822,Seoul\nplan,RP_CALL,SEOUL,RT_SEC,ALWAYS,10\n',
);
/** A Seoul fixed line: 1 won a second, billed 1/1, no fees. */
const SEOUL = '02-123-4567';
/** Korea mobile: 60/6 at 108 won a minute, connection 50. */
const MOBILE = '010-1234-5678';
/** Matches only the catch-all destination, which the call plan does not price. */
const NEW_YORK = '+1 212 555 0100';

type Reply = Awaited<ReturnType<TestGateway['call']>>;

function show(res: Reply): string {
  return `${res.status} ${JSON.stringify(res.body)}`;
}

function expectError(res: Reply, status: number, code: string, param?: string): void {
  assert.equal(res.status, status, show(res));
  assert.equal(res.body.error?.code, code, show(res));
  if (param !== undefined) assert.equal(res.body.error?.param, param, show(res));
}

let sessionCounter = 0;
const sid = (): string => `call-${++sessionCounter};${Date.now()}`;

for (const target of DATABASES) {
  describe(`charging API (${target.name})`, { skip: target.skip }, () => {
    let g: TestGateway;
    /** A trusted associate other than g's, with its own key. */
    let stranger: NewApiKey;
    /** g's associate, live mode. */
    let liveKey: NewApiKey;
    const lacking = new Map<ApiScope, NewApiKey>();
    const lack = (scope: ApiScope): NewApiKey => {
      const key = lacking.get(scope);
      assert.ok(key !== undefined);
      return key;
    };

    async function newKey(
      associateId: string,
      options: { scopes?: readonly ApiScope[]; livemode?: boolean } = {},
    ): Promise<NewApiKey> {
      return writeTransaction(g.app.db, async (tx) => {
        const k = await createApiKey(g.app.payments, tx, {
          associateId,
          livemode: options.livemode ?? false,
          ...(options.scopes !== undefined ? { scopes: options.scopes } : {}),
        });
        assert.ok(k.ok);
        return k.value;
      });
    }

    before(async () => {
      g = await openTestGateway(target, { trusted: true, rateLimitPerMinute: 1_000_000 });
      const report = await importTariff(g.app.charging, { text: TARIFF, sourceName: 'api.csv' });
      assert.ok(report.stored, JSON.stringify(report.errors));
      const strangerId = await writeTransaction(g.app.db, async (tx) => {
        const a = await createAssociate(g.app.payments, tx, {
          name: 'Other Switch',
          category: 'contents',
          commissionBps: 0n,
          trusted: true,
        });
        assert.ok(a.ok);
        return a.value.id;
      });
      stranger = await newKey(strangerId);
      liveKey = await newKey(g.associateId, { livemode: true });
      for (const scope of ['charging:write', 'charging:read'] as const) {
        lacking.set(
          scope,
          await newKey(g.associateId, { scopes: API_SCOPES.filter((s) => s !== scope) }),
        );
      }
    });
    after(async () => {
      await g.server.close();
      await g.dispose();
    });

    /** A fresh test card with `balance` won available, and a token from the API. */
    async function subscriber(balance = 10_000n): Promise<{ cardId: string; token: string }> {
      const card = await g.card();
      if (balance < 10_000n) {
        const spent = await spend(g.app.cards, {
          cardId: card.id,
          creditAccountId: systemAccountId('KRW', 'fee_revenue'),
          amountMinor: 10_000n - balance,
          currency: 'KRW',
          transferId: `down_${card.id}`,
          code: 'test_spend',
        });
        assert.ok(spent.ok);
      }
      const res = await g.call('POST', '/api/v1/charging/subscribers', {
        body: { pin: card.pin, password: card.password },
      });
      assert.equal(res.status, 201, show(res));
      return { cardId: card.id, token: String(res.body.token) };
    }

    async function balanceOf(cardId: string): Promise<number> {
      const b = await cardBalance(g.app.cards, g.app.db.kysely, cardId);
      assert.ok(b.ok);
      return Number(b.value.balanceMinor);
    }

    /** The ledger transfers of one charging session, as `code amount`, sorted. */
    async function transfersOf(sessionId: unknown): Promise<string[]> {
      const rows = await sql<{ code: string; amount_minor: bigint | number }>`
        select code, amount_minor from ledger_transfer where reference = ${String(sessionId)}
      `.execute(g.app.db.kysely);
      return rows.rows.map((r) => `${r.code} ${String(r.amount_minor)}`).sort();
    }

    /** Every ledger and card row, and how many charging rows there are. */
    async function world(): Promise<string> {
      const counts: string[] = [];
      for (const table of ['charging_session', 'charging_request', 'charging_token']) {
        const r = await sql<{ n: unknown }>`select count(*) as n from ${sql.table(table)}`.execute(
          g.app.db.kysely,
        );
        counts.push(`${table}=${String(r.rows[0]?.n)}`);
      }
      return `${await snapshot(g.app.db)}\n${counts.join(' ')}`;
    }

    const start = (body: Record<string, unknown>, key?: NewApiKey) =>
      g.call('POST', '/api/v1/charging/sessions', { body, ...(key ? { key } : {}) });
    const update = (id: string, body: Record<string, unknown>, key?: NewApiKey) =>
      g.call('POST', `/api/v1/charging/sessions/${encodeURIComponent(id)}/updates`, {
        body,
        ...(key ? { key } : {}),
      });
    const terminate = (id: string, body: Record<string, unknown>, key?: NewApiKey) =>
      g.call('POST', `/api/v1/charging/sessions/${encodeURIComponent(id)}/terminate`, {
        body,
        ...(key ? { key } : {}),
      });
    const record = (id: string, key?: NewApiKey) =>
      g.call('GET', `/api/v1/charging/sessions/${encodeURIComponent(id)}`, key ? { key } : {});
    const event = (body: Record<string, unknown>, key?: NewApiKey) =>
      g.call('POST', '/api/v1/charging/events', { body, ...(key ? { key } : {}) });

    test('a subscriber token: 201 with the card’s balance and the token’s expiry', async () => {
      const card = await g.card();
      const res = await g.call('POST', '/api/v1/charging/subscribers', {
        body: { pin: card.pin, password: card.password },
      });
      assert.equal(res.status, 201, show(res));
      assert.match(String(res.body.token), /^st_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(
        { ...res.body, token: 'st' },
        {
          object: 'subscriber_token',
          token: 'st',
          card: { currency: 'KRW', balance: 10_000 },
          // 2026-01-01T00:00:00Z (the test clock) + 12 hours.
          expires_at: new Date(Number(g.clock.nowMs()) + 43_200_000).toISOString(),
        },
      );
    });

    test('a call: initial, update with and without a new grant, terminate — exact amounts', async () => {
      const { cardId, token } = await subscriber();
      const id = sid();
      const i = await start({
        session_id: id,
        token,
        service: 'call',
        number: SEOUL,
        requested_seconds: 120,
      });
      assert.equal(i.status, 201, show(i));
      assert.equal(i.headers['idempotent-replayed'], undefined);
      assert.match(String(i.body.id), /^cs_/);
      const rating = {
        service: 'call',
        number_e164: '8221234567',
        prefix: '822',
        destination_id: 'SEOUL',
        destination_name: 'Seoul',
        rate_id: 'RT_SEC',
        tariff_version: 1,
      };
      assert.deepEqual(i.body, {
        object: 'charging_session',
        id: i.body.id,
        session_id: id,
        request_type: 'initial',
        request_number: 0,
        status: 'ok',
        state: 'open',
        granted_seconds: 120,
        final_unit: false,
        validity_time_seconds: 900,
        charged: 0,
        reserved: 120,
        used_seconds: 0,
        cost: 0,
        uncollected: 0,
        refunded: 0,
        balance: 9_880,
        currency: 'KRW',
        rating,
      });
      assert.equal(await balanceOf(cardId), 9_880);

      const u1 = await update(id, { request_number: 1, used_seconds: 100, requested_seconds: 200 });
      assert.equal(u1.status, 200, show(u1));
      assert.deepEqual(
        [u1.body.request_type, u1.body.charged, u1.body.granted_seconds, u1.body.reserved],
        ['update', 100, 200, 200],
      );
      assert.deepEqual([u1.body.used_seconds, u1.body.cost, u1.body.balance], [100, 100, 9_700]);

      // No requested_seconds: the 50 s are committed and nothing is granted.
      const u2 = await update(id, { request_number: 2, used_seconds: 50 });
      assert.equal(u2.status, 200, show(u2));
      assert.deepEqual(
        [u2.body.charged, u2.body.granted_seconds, u2.body.reserved, u2.body.validity_time_seconds],
        [50, null, 0, null],
      );
      assert.deepEqual([u2.body.state, u2.body.balance], ['open', 9_850]);
      // null means the same as absent.
      const u3 = await update(id, { request_number: 3, used_seconds: 0, requested_seconds: null });
      assert.equal(u3.status, 200, show(u3));
      assert.deepEqual([u3.body.charged, u3.body.granted_seconds], [0, null]);

      // 30 s more than granted: taken directly from the card.
      const t = await terminate(id, { request_number: 4, used_seconds: 30 });
      assert.equal(t.status, 200, show(t));
      assert.deepEqual(
        [t.body.request_type, t.body.state, t.body.charged, t.body.cost, t.body.used_seconds],
        ['terminate', 'closed', 30, 180, 180],
      );
      assert.deepEqual([t.body.reserved, t.body.uncollected, t.body.balance], [0, 0, 9_820]);
      assert.equal(await balanceOf(cardId), 9_820);
      assert.deepEqual(await transfersOf(i.body.id), [
        'call 100',
        'call 30',
        'call 50',
        'reservation 120',
        'reservation 200',
      ]);

      const r = await record(id);
      assert.equal(r.status, 200, show(r));
      const now = new Date(Number(g.clock.nowMs())).toISOString();
      assert.deepEqual(r.body, {
        object: 'charging_usage_record',
        id: i.body.id,
        session_id: id,
        kind: 'session',
        state: 'closed',
        number: SEOUL,
        rating,
        currency: 'KRW',
        used_seconds: 180,
        granted_seconds: 0,
        reserved: 0,
        cost: 180,
        collected: 180,
        uncollected: 0,
        refunded: 0,
        balance_before: 10_000,
        balance_after: 9_820,
        next_request_number: 5,
        started_at: now,
        last_request_at: now,
        timer_expires_at: null,
        ended_at: now,
        end_reason: 'terminated',
      });
      // After the end, the session takes no more requests.
      expectError(
        await update(id, { request_number: 5, used_seconds: 1 }),
        404,
        'session_not_found',
        'session_id',
      );
    });

    test('a mobile call: connection fee and first block reserved, then one block more', async () => {
      const { token } = await subscriber();
      const id = sid();
      const i = await start({
        session_id: id,
        token,
        service: 'call',
        number: MOBILE,
        requested_seconds: 30,
      });
      assert.equal(i.status, 201, show(i));
      // 50 connection + 60 s first block at 108/min: 158 held for a 30 s grant.
      assert.deepEqual([i.body.granted_seconds, i.body.reserved, i.body.balance], [30, 158, 9_842]);
      assert.equal((i.body.rating as { destination_id: string }).destination_id, 'KR_MOBILE');
      const t = await terminate(id, { request_number: 1, used_seconds: 66 });
      assert.equal(t.status, 200, show(t));
      // 66 s is billed 66 (60 + one 6 s block): 50 + 108 × 66 / 60 = 168.8 → 169.
      assert.deepEqual([t.body.cost, t.body.charged, t.body.balance], [169, 169, 9_831]);
    });

    test('events: debit, refund in two parts, balance and price', async () => {
      const { cardId, token } = await subscriber();
      const eventId = `sms-${sid()}`;
      const debit = {
        action: 'debit',
        event_id: eventId,
        token,
        service: 'sms',
        number: MOBILE,
        units: 3,
      };
      const d = await event(debit);
      assert.equal(d.status, 200, show(d));
      assert.deepEqual(
        [d.body.object, d.body.request_type, d.body.request_number, d.body.state],
        ['charging_session', 'event', 0, 'closed'],
      );
      assert.deepEqual(
        [d.body.charged, d.body.cost, d.body.granted_seconds, d.body.balance],
        [60, 60, 3, 9_940],
      );
      const repeated = await event(debit);
      assert.equal(repeated.status, 200, show(repeated));
      assert.equal(repeated.headers['idempotent-replayed'], 'true');
      assert.deepEqual(repeated.body, d.body);
      assert.equal(await balanceOf(cardId), 9_940, 'a repeated debit takes nothing more');
      const content = await event({
        action: 'debit',
        event_id: `item-${sid()}`,
        request_number: 7,
        token,
        service: 'content',
        units: 2,
      });
      assert.equal(content.status, 200, show(content));
      assert.deepEqual(
        [content.body.request_number, content.body.charged, content.body.balance],
        [7, 1_000, 8_940],
      );
      assert.equal((content.body.rating as { number_e164: string }).number_e164, '');

      const r1 = await event({ action: 'refund', event_id: eventId, request_number: 1, units: 1 });
      assert.equal(r1.status, 200, show(r1));
      assert.deepEqual([r1.body.charged, r1.body.refunded, r1.body.balance], [-20, 20, 8_960]);
      const r2 = await event({ action: 'refund', event_id: eventId, request_number: 2 });
      assert.equal(r2.status, 200, show(r2));
      assert.deepEqual([r2.body.charged, r2.body.refunded, r2.body.balance], [-40, 60, 9_000]);
      expectError(
        await event({ action: 'refund', event_id: eventId, request_number: 3, units: 1 }),
        400,
        'refund_exceeds_charge',
        'units',
      );
      assert.equal(await balanceOf(cardId), 9_000);
      assert.deepEqual(await transfersOf(d.body.id), [
        'charging_refund 20',
        'charging_refund 40',
        'sms 60',
      ]);

      const b = await event({
        action: 'balance',
        token,
        service: 'call',
        number: MOBILE,
        units: 60,
      });
      assert.equal(b.status, 200, show(b));
      // 9,000 won: 50 connection leaves 8,950, which pays 4,972 s at 1.8 won/s; billed in 6 s
      // blocks after the first minute, that is 4,968 s (4,968 s cost 50 + 8,942.4 → 8,993).
      assert.deepEqual(b.body, {
        object: 'charging_balance',
        currency: 'KRW',
        balance: 9_000,
        enough_credit: true,
        max_seconds: 4_968,
        cost: 158,
      });
      const plain = await event({ action: 'balance', token });
      assert.deepEqual(plain.body, {
        object: 'charging_balance',
        currency: 'KRW',
        balance: 9_000,
        enough_credit: true,
        max_seconds: null,
        cost: null,
      });

      const p = await event({ action: 'price', service: 'call', number: MOBILE, units: 95 });
      assert.equal(p.status, 200, show(p));
      assert.deepEqual(p.body, {
        object: 'charging_price',
        units: 95,
        billed_units: 96,
        // 50 + 108 × 96 / 60 = 222.8 → 223
        cost: 223,
        currency: 'KRW',
        rate_description: p.body.rate_description,
        rating: {
          service: 'call',
          number_e164: '821012345678',
          prefix: '8210',
          destination_id: 'KR_MOBILE',
          destination_name: 'Korea mobile',
          rate_id: 'RT_MOBILE',
          tariff_version: 1,
        },
      });
      assert.match(String(p.body.rate_description), /108 KRW\/min/);
      assert.equal(await balanceOf(cardId), 9_000, 'balance and price change nothing');
    });

    test('a repeated update gets the same answer, replayed, and charges once', async () => {
      const { cardId, token } = await subscriber();
      const id = sid();
      const i = await start({
        session_id: id,
        token,
        service: 'call',
        number: SEOUL,
        requested_seconds: 60,
      });
      assert.equal(i.status, 201, show(i));
      const again = await start({
        session_id: id,
        token,
        service: 'call',
        number: SEOUL,
        requested_seconds: 60,
      });
      assert.equal(again.status, 201, show(again));
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.deepEqual(again.body, i.body);

      // Request numbers may skip (a request lost on the way): 1 is never sent.
      const body = { request_number: 2, used_seconds: 40, requested_seconds: 60 };
      const first = await update(id, body);
      assert.equal(first.status, 200, show(first));
      assert.equal(first.headers['idempotent-replayed'], undefined);
      const before = await world();
      // Without an Idempotency-Key (it is not needed) and with one: the same stored answer.
      const second = await g.call(
        'POST',
        `/api/v1/charging/sessions/${encodeURIComponent(id)}/updates`,
        {
          body,
          idempotencyKey: null,
        },
      );
      assert.equal(second.status, 200, show(second));
      assert.equal(second.headers['idempotent-replayed'], 'true');
      assert.deepEqual(second.body, first.body);
      assert.equal(await world(), before, 'a replay changes nothing');
      // The same request number with another body is a conflict, and changes nothing.
      expectError(
        await update(id, { request_number: 2, used_seconds: 41, requested_seconds: 60 }),
        409,
        'request_conflict',
        'request_number',
      );
      expectError(
        await update(id, { request_number: 1, used_seconds: 1 }),
        409,
        'request_number_invalid',
        'request_number',
      );
      assert.equal(await world(), before);
      assert.equal(await balanceOf(cardId), 10_000 - 40 - 60);
    });

    test('20 identical updates at once: one effect, one answer', async () => {
      const { cardId, token } = await subscriber();
      const id = sid();
      const i = await start({
        session_id: id,
        token,
        service: 'call',
        number: SEOUL,
        requested_seconds: 100,
      });
      assert.equal(i.status, 201, show(i));
      const body = { request_number: 1, used_seconds: 70, requested_seconds: 50 };
      const all = await Promise.all(Array.from({ length: 20 }, () => update(id, body)));
      for (const res of all) {
        assert.equal(res.status, 200, show(res));
        assert.deepEqual(res.body, all[0]?.body);
      }
      assert.equal(all.filter((r) => r.headers['idempotent-replayed'] === undefined).length, 1);
      assert.deepEqual([all[0]?.body.charged, all[0]?.body.reserved], [70, 50]);
      assert.equal(await balanceOf(cardId), 10_000 - 70 - 50);
      assert.deepEqual(await transfersOf(i.body.id), [
        'call 70',
        'reservation 100',
        'reservation 50',
      ]);
    });

    test('sessions are private: another associate (or mode) reads and updates nothing', async () => {
      const { cardId, token } = await subscriber();
      const id = sid();
      const i = await start({
        session_id: id,
        token,
        service: 'call',
        number: SEOUL,
        requested_seconds: 60,
      });
      assert.equal(i.status, 201, show(i));
      const before = await world();
      expectError(await record(id, stranger), 404, 'session_not_found', 'session_id');
      expectError(await record(id, g.otherKey), 404, 'session_not_found', 'session_id');
      expectError(await record(id, liveKey), 404, 'session_not_found', 'session_id');
      expectError(
        await update(id, { request_number: 1, used_seconds: 60, requested_seconds: 60 }, stranger),
        404,
        'session_not_found',
        'session_id',
      );
      expectError(
        await terminate(id, { request_number: 1, used_seconds: 60 }, stranger),
        404,
        'session_not_found',
      );
      expectError(
        await terminate(id, { request_number: 1, used_seconds: 60 }, liveKey),
        404,
        'session_not_found',
      );
      expectError(
        await event({ action: 'refund', event_id: id, request_number: 1 }, stranger),
        404,
        'session_not_found',
        'event_id',
      );
      assert.equal(await world(), before);
      // The same session id is the stranger's own, separate session.
      const { token: theirToken } = await subscriber();
      const theirs = await start(
        { session_id: id, token: theirToken, service: 'call', number: SEOUL },
        stranger,
      );
      assert.equal(theirs.status, 201, show(theirs));
      assert.notEqual(theirs.body.id, i.body.id);
      // And the owner's session goes on unchanged.
      const mine = await record(id);
      assert.deepEqual(
        [mine.body.id, mine.body.state, mine.body.reserved],
        [i.body.id, 'open', 60],
      );
      const t = await terminate(id, { request_number: 1, used_seconds: 10 });
      assert.deepEqual([t.status, t.body.charged, t.body.balance], [200, 10, 9_990]);
      assert.equal(await balanceOf(cardId), 9_990);
      const done = await terminate(id, { request_number: 1, used_seconds: 1 }, stranger);
      assert.deepEqual([done.status, done.body.charged], [200, 1]);
    });

    test('bad input: a coded 4xx and nothing changed', async () => {
      const { cardId, token } = await subscriber(100n);
      const id = sid();
      const open = await start({
        session_id: id,
        token,
        service: 'call',
        number: SEOUL,
        requested_seconds: 10,
      });
      assert.equal(open.status, 201, show(open));
      const smsId = sid();
      const sms = await event({
        action: 'debit',
        event_id: smsId,
        request_number: 5,
        token,
        service: 'sms',
        units: 1,
      });
      assert.equal(sms.status, 200, show(sms));
      const ok = { session_id: sid(), token, service: 'call', number: SEOUL };
      const without = (field: string) =>
        Object.fromEntries(Object.entries(ok).filter(([k]) => k !== field));
      const before = await world();
      const cases: readonly [string, () => Promise<Reply>, number, string, string | undefined][] = [
        [
          'no session_id',
          () => start(without('session_id')),
          400,
          'parameter_invalid',
          'session_id',
        ],
        ['no token', () => start(without('token')), 400, 'parameter_invalid', 'token'],
        ['no number', () => start(without('number')), 400, 'parameter_invalid', 'number'],
        [
          'an unknown service',
          () => start({ ...ok, service: 'fax' }),
          400,
          'parameter_invalid',
          'service',
        ],
        ['an unknown field', () => start({ ...ok, amount: 5 }), 400, 'parameter_invalid', 'amount'],
        [
          'a session id with a space',
          () => start({ ...ok, session_id: 'a b' }),
          400,
          'parameter_invalid',
          'session_id',
        ],
        [
          'requested seconds as text',
          () => start({ ...ok, requested_seconds: '60' }),
          400,
          'parameter_invalid',
          'requested_seconds',
        ],
        [
          'requested seconds over a day',
          () => start({ ...ok, requested_seconds: 86_401 }),
          400,
          'parameter_invalid',
          'requested_seconds',
        ],
        [
          'a number with letters',
          () => start({ ...ok, number: '010-CALL-ME' }),
          400,
          'number_invalid',
          'number',
        ],
        [
          'a number no destination prices',
          () => start({ ...ok, number: NEW_YORK }),
          422,
          'destination_not_found',
          'number',
        ],
        [
          'a bad token',
          () => start({ ...ok, token: 'st_nothing' }),
          404,
          'subscriber_unknown',
          'token',
        ],
        [
          'an unaffordable call',
          () => start({ ...ok, number: MOBILE }),
          402,
          'credit_limit_reached',
          undefined,
        ],
        [
          'a session id in use',
          () => start({ ...ok, session_id: id }),
          409,
          'request_conflict',
          'session_id',
        ],
        [
          'the id of an event',
          () => start({ ...ok, session_id: smsId }),
          409,
          'session_exists',
          'session_id',
        ],
        [
          'negative used seconds',
          () => update(id, { request_number: 1, used_seconds: -1 }),
          400,
          'parameter_invalid',
          'used_seconds',
        ],
        [
          'no request number',
          () => update(id, { used_seconds: 1 }),
          400,
          'parameter_invalid',
          'request_number',
        ],
        [
          'a fractional request number',
          () => terminate(id, { request_number: 1.5, used_seconds: 1 }),
          400,
          'parameter_invalid',
          'request_number',
        ],
        [
          'an unknown session',
          () => update('no-such-call', { request_number: 1, used_seconds: 1 }),
          404,
          'session_not_found',
          'session_id',
        ],
        [
          'terminate with requested seconds',
          () => terminate(id, { request_number: 1, used_seconds: 1, requested_seconds: 5 }),
          400,
          'parameter_invalid',
          'requested_seconds',
        ],
        ['an event without an action', () => event({ token }), 400, 'parameter_invalid', 'action'],
        [
          'a debit without a token',
          () => event({ action: 'debit', event_id: sid(), service: 'sms', units: 1 }),
          400,
          'parameter_invalid',
          'token',
        ],
        [
          'a debit without units',
          () => event({ action: 'debit', event_id: sid(), token, service: 'sms' }),
          400,
          'parameter_invalid',
          'units',
        ],
        [
          'a debit of zero units',
          () => event({ action: 'debit', event_id: sid(), token, service: 'sms', units: 0 }),
          400,
          'parameter_invalid',
          'units',
        ],
        [
          'a debit with a bad token',
          () =>
            event({ action: 'debit', event_id: sid(), token: 'st_x', service: 'sms', units: 1 }),
          404,
          'subscriber_unknown',
          'token',
        ],
        [
          'a debit the balance cannot cover',
          () => event({ action: 'debit', event_id: sid(), token, service: 'content', units: 1 }),
          402,
          'credit_limit_reached',
          undefined,
        ],
        [
          'a refund with a token',
          () => event({ action: 'refund', event_id: id, request_number: 1, token }),
          400,
          'parameter_invalid',
          'token',
        ],
        [
          'a refund without a request number',
          () => event({ action: 'refund', event_id: id }),
          400,
          'parameter_invalid',
          'request_number',
        ],
        [
          'a refund of an open session',
          () => event({ action: 'refund', event_id: id, request_number: 1 }),
          409,
          'session_state_invalid',
          'event_id',
        ],
        [
          'a refund of nothing',
          () => event({ action: 'refund', event_id: 'nothing', request_number: 1 }),
          404,
          'session_not_found',
          'event_id',
        ],
        [
          'a balance with units but no service',
          () => event({ action: 'balance', token, units: 5 }),
          400,
          'parameter_invalid',
          'service',
        ],
        [
          'a balance with an event id',
          () => event({ action: 'balance', token, event_id: 'x' }),
          400,
          'parameter_invalid',
          'event_id',
        ],
        [
          'a price without a number',
          () => event({ action: 'price', service: 'call', units: 5 }),
          400,
          'parameter_invalid',
          'number',
        ],
        [
          'a price nobody prices',
          () => event({ action: 'price', service: 'call', number: NEW_YORK, units: 5 }),
          422,
          'destination_not_found',
          'number',
        ],
      ];
      for (const [name, send, status, code, param] of cases) {
        const res = await send();
        assert.equal(res.status, status, `${name}: ${show(res)}`);
        assert.equal(res.body.error?.code, code, `${name}: ${show(res)}`);
        assert.equal(res.body.error?.param, param, `${name}: ${show(res)}`);
      }
      assert.equal(await world(), before, 'no refused request changed a row');
      assert.equal(await balanceOf(cardId), 100 - 10 - 20);
    });

    test('signatures, scopes, trust and mode', async () => {
      const { token } = await subscriber();
      const body = { session_id: sid(), token, service: 'call', number: SEOUL };
      const before = await world();
      expectError(
        await g.call('POST', '/api/v1/charging/sessions', { body, sign: false }),
        401,
        'signature_missing',
      );
      expectError(await start(body, lack('charging:write')), 403, 'scope_missing');
      expectError(
        await g.call('POST', '/api/v1/charging/events', {
          body: { action: 'price', service: 'call', number: SEOUL, units: 1 },
          key: lack('charging:write'),
        }),
        403,
        'scope_missing',
      );
      expectError(await record(body.session_id, lack('charging:read')), 403, 'scope_missing');
      // g.otherKey's associate is not a trusted channel.
      expectError(await start(body, g.otherKey), 403, 'associate_not_trusted');
      // A test card's token with a live key.
      expectError(await start(body, liveKey), 402, 'card_mode_mismatch', 'token');
      expectError(
        await event({ action: 'balance', token }, liveKey),
        402,
        'card_mode_mismatch',
        'token',
      );
      assert.equal(await world(), before);
      const card = await g.card();
      const creds = { pin: card.pin, password: card.password };
      expectError(
        await g.call('POST', '/api/v1/charging/subscribers', { body: creds, key: liveKey }),
        402,
        'card_mode_mismatch',
      );
      expectError(
        await g.call('POST', '/api/v1/charging/subscribers', { body: creds, key: g.otherKey }),
        403,
        'associate_not_trusted',
      );
      expectError(
        await g.call('POST', '/api/v1/charging/subscribers', { body: creds, sign: false }),
        401,
        'signature_missing',
      );
    });

    test('wrong secrets count toward the card’s lockout', async () => {
      const card = await g.card();
      const wrong = { pin: card.pin, password: card.password === '0000' ? '1111' : '0000' };
      for (let n = 1; n < limits.pinAttemptsMax; n += 1) {
        expectError(
          await g.call('POST', '/api/v1/charging/subscribers', { body: wrong }),
          401,
          'credentials_invalid',
        );
      }
      expectError(
        await g.call('POST', '/api/v1/charging/subscribers', { body: wrong }),
        423,
        'card_locked',
      );
      expectError(
        await g.call('POST', '/api/v1/charging/subscribers', {
          body: { pin: card.pin, password: card.password },
        }),
        423,
        'card_locked',
      );
    });

    test('the OpenAPI document describes every charging route', async () => {
      const res = await g.server.inject({ method: 'GET', url: '/openapi.json' });
      const doc = res.json<OpenAPIV3_1.Document>();
      const result = await validate(structuredClone(doc));
      assert.ok(result.valid, result.valid ? '' : compileErrors(result));
      assert.deepEqual(result.warnings, []);
      const ops = Object.entries(doc.paths ?? {})
        .filter(([path]) => path.startsWith('/api/v1/charging/'))
        .flatMap(([path, item]) =>
          (['get', 'post'] as const).flatMap((m) =>
            item?.[m] ? [{ name: `${m} ${path}`, op: item[m] }] : [],
          ),
        );
      assert.deepEqual(ops.map((o) => o.name).sort(), [
        'get /api/v1/charging/sessions/{session_id}',
        'post /api/v1/charging/events',
        'post /api/v1/charging/sessions',
        'post /api/v1/charging/sessions/{session_id}/terminate',
        'post /api/v1/charging/sessions/{session_id}/updates',
        'post /api/v1/charging/subscribers',
      ]);
      for (const { name, op } of ops) {
        assert.deepEqual(op.tags, ['charging'], name);
        assert.ok((op.summary ?? '').length > 0 && (op.description ?? '').length > 0, name);
        const statuses = Object.keys(op.responses ?? {});
        assert.equal(statuses.filter((s) => s.startsWith('2')).length, 1, name);
        for (const s of ['400', '401', '402', '403', '404', '409', '422', '429']) {
          assert.ok(statuses.includes(s), `${name} documents ${s}`);
        }
        const signed = (op.security ?? []).some((req) => 'signature' in req);
        assert.equal(signed, name.startsWith('post'), `${name}: signed`);
      }
      // Without a charging context, the routes are not there at all.
      const plain = await buildServer({
        db: g.app.db,
        payments: g.app.payments,
        cards: g.app.cards,
        logLevel: 'silent',
      });
      try {
        const missing = await plain.inject({
          method: 'GET',
          url: '/api/v1/charging/sessions/x',
          headers: { authorization: `Bearer ${g.key.secret}` },
        });
        assert.equal(missing.statusCode, 404);
        assert.equal(missing.json<{ error: { code: string } }>().error.code, 'route_not_found');
      } finally {
        await plain.close();
      }
    });

    test('the ledger verifies after everything above', async () => {
      const report = await verifyLedger(g.app.db);
      assert.ok(report.ok, report.problems.join('; '));
    });
  });
}
