import assert from 'node:assert/strict';
import { createHmac, randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { cardBalance, changePassword, formatPin, getCard } from '../../src/cards/index.ts';
import { dammCheckDigit } from '../../src/cards/pin.ts';
import { buildServer } from '../../src/http/index.ts';
import { createApiKey, listEvents, webhookSecretOf } from '../../src/payments/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { DATABASES } from '../support/databases.ts';
import { openTestGateway, type TestCard, type TestGateway } from '../support/gateway.ts';

import { Browser, csrfOf } from './pages-support.ts';

/** A page with its per-response random parts (CSRF tokens) blanked, for comparing answers. */
function stable(body: string): string {
  return body.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""');
}

/** A well-formed PIN (valid check digit) that no card has. */
function unknownPin(): string {
  let digits = '';
  for (let i = 0; i < 19; i += 1) digits += String(randomInt(10));
  return `${digits}${dammCheckDigit(digits)}`;
}

for (const target of DATABASES) {
  describe(`hosted payment page (${target.name})`, { skip: target.skip }, () => {
    let gw: TestGateway;
    let pages: FastifyInstance;
    const logLines: string[] = [];
    const seen: string[] = [];
    const secrets: string[] = [];
    let ipCounter = 0;
    let orderCounter = 0;

    before(async () => {
      gw = await openTestGateway(target);
      pages = await buildServer({
        db: gw.app.db,
        payments: gw.app.payments,
        cards: gw.app.cards,
        logLevel: 'trace',
        logStream: { write: (line: string) => void logLines.push(line) },
      });
    });

    after(async () => {
      await pages.close();
      await gw.server.close();
      await gw.dispose();
    });

    /** Each test browses from its own address, so the per-IP POST limit is its own. */
    function browser(): Browser {
      ipCounter += 1;
      return new Browser(pages, seen, `10.0.${Math.floor(ipCounter / 250)}.${ipCounter % 250}`);
    }

    async function card(o: { readonly denomination?: string } = {}): Promise<TestCard> {
      const c = await gw.card(o);
      secrets.push(c.pin, formatPin(c.pin));
      return c;
    }

    async function createPayment(fields: Record<string, unknown>, key = gw.key): Promise<string> {
      orderCounter += 1;
      const res = await gw.call('POST', '/api/v1/payments', {
        key,
        body: {
          currency: 'KRW',
          order_reference: `order-${orderCounter}`,
          description: 'Blue socks',
          ...fields,
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return String(res.body.id);
    }

    async function apiPayment(id: string): Promise<Record<string, unknown>> {
      const res = await gw.call('GET', `/api/v1/payments/${id}`);
      assert.equal(res.status, 200);
      return res.body;
    }

    async function balanceOf(c: TestCard): Promise<bigint> {
      const b = await cardBalance(gw.app.cards, gw.app.db.kysely, c.id);
      assert.ok(b.ok);
      return b.value.balanceMinor;
    }

    /** The return URL's signature, checked the way an associate would. */
    function assertSignedReturn(location: string | undefined, paymentId: string, status: string) {
      assert.ok(location, 'a redirect');
      const url = new URL(location);
      assert.equal(`${url.origin}${url.pathname}`, 'https://shop.example/return');
      assert.equal(url.searchParams.get('payment_id'), paymentId);
      assert.equal(url.searchParams.get('status'), status);
      const ts = url.searchParams.get('ts') ?? '';
      const secret = Buffer.from(
        webhookSecretOf(gw.app.payments, gw.associateId).slice('whsec_'.length),
        'base64',
      );
      const expected = createHmac('sha256', secret)
        .update(`${paymentId}.${status}.${ts}`)
        .digest('hex');
      assert.equal(url.searchParams.get('signature'), expected);
      return url;
    }

    test('one card pays the whole amount and is sent back with a signed return URL', async () => {
      const c = await card();
      const id = await createPayment({
        amount: 5000,
        return_url: 'https://shop.example/return?order=42',
      });
      const b = browser();
      const page = await b.get(`/pay/${id}`);
      assert.equal(page.status, 200);
      for (const text of ['Test Shop', 'Blue socks', '5,000 KRW', '결제 금액', 'Cancel payment']) {
        assert.ok(page.body.includes(text), text);
      }
      assert.match(page.body, /<label for="pin">/);
      assert.match(page.body, /<label for="password">/);
      assert.match(
        page.body,
        /id="pin" name="pin" type="text" inputmode="numeric" autocomplete="off"/,
      );
      assert.match(
        page.body,
        /id="password" name="password" type="password" inputmode="numeric" autocomplete="off"/,
      );
      assert.doesNotMatch(page.body, /<script/i);

      const csp = String(page.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'none'/);
      assert.match(csp, /form-action 'self' https:\/\/shop\.example(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      assert.equal(page.headers['x-frame-options'], 'DENY');
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      const csrfCookie = page.setCookies.find((l) => l.startsWith('onepin_csrf='));
      assert.ok(csrfCookie);
      assert.match(csrfCookie, /; HttpOnly/);
      assert.match(csrfCookie, /; SameSite=Strict/);
      assert.doesNotMatch(csrfCookie, /; Secure/, 'the public URL is http here');

      const paid = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(page),
        pin: c.pin,
        password: c.password,
      });
      assert.equal(paid.status, 303);
      const back = assertSignedReturn(paid.location, id, 'succeeded');
      assert.equal(back.searchParams.get('order'), '42', 'the shop’s own query is kept');

      const p = await apiPayment(id);
      assert.equal(p.status, 'requires_capture');
      assert.equal(p.amount_authorized, 5000);
      assert.equal(await balanceOf(c), 5000n);

      const state = await b.get(`/pay/${id}`);
      assert.equal(state.status, 200);
      assert.match(state.body, /Paid/);
      assert.ok(state.body.includes(c.pin.slice(-4)));
      assert.doesNotMatch(state.body, /name="pin"/, 'a paid payment has no form');
      assert.match(state.body, /href="https:\/\/shop\.example\/return\?order=42&amp;payment_id=/);
    });

    test('two cards cover one payment: each share is shown and kept', async () => {
      const first = await card();
      const second = await card();
      const id = await createPayment({ amount: 15000, return_url: 'https://shop.example/return' });
      const b = browser();
      const page = await b.get(`/pay/${id}`);
      const part = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(page),
        pin: first.pin,
        password: first.password,
      });
      assert.equal(part.status, 200, 'asks for another card');
      assert.ok(part.body.includes(`Card ending ${first.pin.slice(-4)}`));
      assert.ok(part.body.includes('10,000 KRW'));
      assert.match(part.body, /Still to pay[\s\S]*5,000 KRW/);
      assert.match(part.body, /role="status"[\s\S]*covered 10,000 KRW/);
      assert.match(part.body, /Pay the rest with another card/);

      // The shares survive a reload.
      const again = await b.get(`/pay/${id}`);
      assert.ok(again.body.includes(`Card ending ${first.pin.slice(-4)}`));
      assert.match(again.body, /Still to pay[\s\S]*5,000 KRW/);

      const done = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(again),
        pin: second.pin,
        password: second.password,
      });
      assert.equal(done.status, 303);
      assertSignedReturn(done.location, id, 'succeeded');

      const p = await apiPayment(id);
      assert.equal(p.status, 'requires_capture');
      const parts = p.parts as { amount: number }[];
      assert.deepEqual(
        parts.map((x) => x.amount),
        [10000, 5000],
      );
      assert.equal(await balanceOf(first), 0n);
      assert.equal(await balanceOf(second), 5000n);

      const state = await b.get(`/pay/${id}`);
      assert.ok(state.body.includes(`Card ending ${first.pin.slice(-4)}`));
      assert.ok(state.body.includes(`Card ending ${second.pin.slice(-4)}`));
      assert.match(state.body, /10,000 KRW[\s\S]*5,000 KRW/);
    });

    test('without a return URL the holder lands on our paid page', async () => {
      const c = await card();
      const id = await createPayment({ amount: 1000 });
      const b = browser();
      const page = await b.get(`/pay/${id}`);
      assert.match(String(page.headers['content-security-policy']), /form-action 'self'(;|$)/);
      const paid = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(page),
        pin: c.pin,
        password: c.password,
      });
      assert.equal(paid.status, 303);
      assert.equal(paid.location, `/pay/${id}`);
      const state = await b.get(`/pay/${id}`);
      assert.match(state.body, /Paid/);
      assert.match(state.body, /You can close this page/);
    });

    test('a POST without the CSRF cookie and token is refused with 403 and changes nothing', async () => {
      const c = await card();
      const id = await createPayment({ amount: 3000, return_url: 'https://shop.example/return' });
      const b = browser();
      const page = await b.get(`/pay/${id}`);
      const token = csrfOf(page);
      const attempts = [
        await b.post(`/pay/${id}`, { pin: c.pin, password: c.password }),
        await b.post(`/pay/${id}`, { _csrf: `${token}x`, pin: c.pin, password: c.password }),
        await b.post(`/pay/${id}`, { _csrf: 'forged', pin: c.pin, password: c.password }),
        // Another browser (no cookie) replaying a token it saw.
        await browser().post(`/pay/${id}`, { _csrf: token, pin: c.pin, password: c.password }),
        await b.post(`/pay/${id}/cancel`, {}),
        await browser().post(`/pay/${id}/cancel`, { _csrf: token }),
      ];
      for (const res of attempts) {
        assert.equal(res.status, 403);
        assert.match(res.body, /The form expired or did not come from this site/);
        assert.equal(res.location, undefined);
      }
      const p = await apiPayment(id);
      assert.equal(p.status, 'requires_payment');
      assert.equal(p.amount_authorized, 0);
      assert.equal(await balanceOf(c), 10000n);
      const stored = await getCard(gw.app.cards, gw.app.db.kysely, { id: c.id });
      assert.ok(stored.ok);
      assert.equal(stored.value.failedAttempts, 0);
    });

    test('an unknown PIN and a wrong password get the same status and the same page', async () => {
      const c = await card();
      const id = await createPayment({ amount: 2000, return_url: 'https://shop.example/return' });
      const b = browser();
      const page = await b.get(`/pay/${id}`);
      const unknown = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(page),
        pin: unknownPin(),
        password: c.password,
      });
      const wrong = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(page),
        pin: c.pin,
        password: '9731',
      });
      assert.equal(unknown.status, 401);
      assert.equal(wrong.status, 401);
      assert.equal(stable(unknown.body), stable(wrong.body));
      assert.match(wrong.body, /The PIN or the password is not correct/);
      // The message is tied to both fields, which are marked invalid and left empty.
      assert.match(
        wrong.body,
        /id="pin"[^>]*aria-describedby="pin-hint card-error" aria-invalid="true"/,
      );
      assert.match(
        wrong.body,
        /id="password"[^>]*aria-describedby="password-hint card-error" aria-invalid="true"/,
      );
      assert.doesNotMatch(wrong.body, /name="pin"[^>]*value=/);
    });

    test('field errors: a malformed PIN and an empty password, without touching the card', async () => {
      const c = await card();
      const id = await createPayment({ amount: 2000 });
      const b = browser();
      const page = await b.get(`/pay/${id}`);
      const short = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(page),
        pin: '1234',
        password: '2580',
      });
      assert.equal(short.status, 400);
      assert.match(short.body, /A PIN is 20 digits/);
      assert.match(
        short.body,
        /id="pin"[^>]*aria-describedby="pin-hint card-error" aria-invalid="true"/,
      );
      assert.match(short.body, /id="password"[^>]*aria-describedby="password-hint"/);

      const typo = `${c.pin.slice(0, 19)}${(Number(c.pin.slice(19)) + 1) % 10}`;
      const check = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(page),
        pin: typo,
        password: '2580',
      });
      assert.equal(check.status, 400);
      assert.match(check.body, /typing error/);

      const empty = await b.post(`/pay/${id}`, { _csrf: csrfOf(page), pin: c.pin, password: '' });
      assert.equal(empty.status, 400);
      assert.match(
        empty.body,
        /id="password"[^>]*aria-describedby="password-hint card-error" aria-invalid="true"/,
      );
      const stored = await getCard(gw.app.cards, gw.app.db.kysely, { id: c.id });
      assert.ok(stored.ok);
      assert.equal(stored.value.failedAttempts, 0);
    });

    test('five wrong passwords lock the card, and the right one no longer helps', async () => {
      const c = await card();
      const id = await createPayment({ amount: 2000 });
      const b = browser();
      const page = await b.get(`/pay/${id}`);
      const token = csrfOf(page);
      for (let i = 1; i <= 4; i += 1) {
        const res = await b.post(`/pay/${id}`, { _csrf: token, pin: c.pin, password: '9731' });
        assert.equal(res.status, 401, `attempt ${i}`);
      }
      const fifth = await b.post(`/pay/${id}`, { _csrf: token, pin: c.pin, password: '9731' });
      assert.equal(fifth.status, 423);
      assert.match(fifth.body, /This card is locked/);
      const right = await b.post(`/pay/${id}`, { _csrf: token, pin: c.pin, password: c.password });
      assert.equal(right.status, 423);
      assert.match(right.body, /This card is locked/);
      const p = await apiPayment(id);
      assert.equal(p.status, 'requires_payment');
      assert.equal(await balanceOf(c), 10000n);
    });

    test('a test card cannot pay a live payment', async () => {
      const live = await writeTransaction(gw.app.db, (tx) =>
        createApiKey(gw.app.payments, tx, { associateId: gw.associateId, livemode: true }),
      );
      assert.ok(live.ok);
      const id = await createPayment({ amount: 1000 }, live.value);
      const c = await card();
      const b = browser();
      const page = await b.get(`/pay/${id}`);
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.body, /Test mode/);
      const res = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(page),
        pin: c.pin,
        password: c.password,
      });
      assert.equal(res.status, 402);
      assert.match(res.body, /A test card pays only test payments/);
      assert.equal(await balanceOf(c), 10000n);
    });

    test('cancel releases the holds and sends the holder back with status=canceled', async () => {
      const c = await card();
      const id = await createPayment({ amount: 15000, return_url: 'https://shop.example/return' });
      const b = browser();
      const page = await b.get(`/pay/${id}`);
      const part = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(page),
        pin: c.pin,
        password: c.password,
      });
      assert.equal(part.status, 200);
      assert.equal(await balanceOf(c), 0n);
      assert.match(part.body, /Canceling releases what your cards already hold/);

      const canceled = await b.post(`/pay/${id}/cancel`, { _csrf: csrfOf(part) });
      assert.equal(canceled.status, 303);
      assertSignedReturn(canceled.location, id, 'canceled');
      assert.equal(await balanceOf(c), 10000n, 'the hold is released');
      const p = await apiPayment(id);
      assert.equal(p.status, 'voided');
      const events = await listEvents(
        gw.app.db.kysely,
        { associateId: gw.associateId, livemode: false },
        { limit: 100, type: 'payment.voided' },
      );
      assert.ok(events.ok);
      assert.ok(events.value.data.some((e) => (e.data.object as { id: string }).id === id));

      // The payment now shows its state; paying or canceling again is refused.
      const state = await b.get(`/pay/${id}`);
      assert.match(state.body, /Canceled/);
      assert.match(state.body, /status=canceled/);
      const twice = await b.post(`/pay/${id}/cancel`, { _csrf: csrfOf(page) });
      assert.equal(twice.status, 409);
      assert.match(twice.body, /Canceled/);
      const pay = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(page),
        pin: c.pin,
        password: c.password,
      });
      assert.equal(pay.status, 409);
      assert.equal(await balanceOf(c), 10000n);
    });

    test('an unknown payment is a 404 page', async () => {
      const b = browser();
      for (const path of ['/pay/pay_doesnotexist0000000000', '/pay/%3Cscript%3E']) {
        const res = await b.get(path);
        assert.equal(res.status, 404);
        assert.match(res.headers['content-type'] as string, /text\/html/);
        assert.match(res.body, /Payment not found/);
        assert.doesNotMatch(res.body, /<script>/);
      }
      const real = await createPayment({ amount: 1000 });
      const page = await b.get(`/pay/${real}`);
      const res = await b.post('/pay/pay_doesnotexist0000000000', {
        _csrf: csrfOf(page),
        pin: unknownPin(),
        password: '2580',
      });
      assert.equal(res.status, 404);
    });

    test('Secure cookies when holders reach us over https', async () => {
      const https = await buildServer({
        db: gw.app.db,
        payments: { ...gw.app.payments, publicUrl: 'https://pay.onepin.example' },
        cards: gw.app.cards,
        logLevel: 'silent',
      });
      try {
        const id = await createPayment({ amount: 1000 });
        const res = await https.inject({ method: 'GET', url: `/pay/${id}` });
        assert.equal(res.statusCode, 200);
        assert.match(
          String(res.headers['set-cookie']),
          /onepin_csrf=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict/,
        );
      } finally {
        await https.close();
      }
    });

    test('POSTs are rate limited per IP', async () => {
      const id = await createPayment({ amount: 1000 });
      const b = browser();
      const page = await b.get(`/pay/${id}`);
      for (let i = 0; i < 10; i += 1) {
        const res = await b.post(`/pay/${id}`, { _csrf: csrfOf(page), pin: '1', password: '2' });
        assert.equal(res.status, 400);
      }
      const limited = await b.post(`/pay/${id}`, { _csrf: csrfOf(page), pin: '1', password: '2' });
      assert.equal(limited.status, 429);
      assert.ok(limited.headers['retry-after']);
      assert.match(limited.body, /Too many attempts/);
      const other = browser();
      const fresh = await other.get(`/pay/${id}`);
      const ok = await other.post(`/pay/${id}`, { _csrf: csrfOf(fresh), pin: '1', password: '2' });
      assert.equal(ok.status, 400, 'another address is not limited');
    });

    test('an expired payment shows its state and takes no card', async () => {
      const c = await card();
      const id = await createPayment({
        amount: 15000,
        return_url: 'https://shop.example/return',
        hold_lifetime_seconds: 60,
      });
      const b = browser();
      const page = await b.get(`/pay/${id}`);
      const part = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(page),
        pin: c.pin,
        password: c.password,
      });
      assert.equal(part.status, 200);
      gw.clock.advance(61_000n);
      const state = await b.get(`/pay/${id}`);
      assert.match(state.body, /Expired/);
      assert.doesNotMatch(state.body, /name="pin"/);
      const late = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(page),
        pin: c.pin,
        password: c.password,
      });
      assert.equal(late.status, 409);
    });

    test('no PIN or password reaches a response, a redirect, a cookie or a log line', async () => {
      // A card with a password long enough that finding it by chance is impossible.
      const c = await card();
      const changed = await changePassword(gw.app.cards, {
        pin: c.pin,
        password: c.password,
        newPassword: '73915286',
      });
      assert.ok(changed.ok);
      secrets.push('73915286');
      const id = await createPayment({ amount: 1000, return_url: 'https://shop.example/return' });
      const b = browser();
      const page = await b.get(`/pay/${id}`);
      await b.post(`/pay/${id}`, { _csrf: csrfOf(page), pin: c.pin, password: '73915287' });
      await b.post(`/pay/${id}`, { _csrf: csrfOf(page), pin: formatPin(c.pin), password: '' });
      const paid = await b.post(`/pay/${id}`, {
        _csrf: csrfOf(page),
        pin: c.pin,
        password: '73915286',
      });
      assert.equal(paid.status, 303);

      assert.ok(logLines.length > 20, 'the server logged');
      assert.ok(seen.length > 20, 'responses were recorded');
      for (const secret of secrets) {
        for (const text of seen) assert.ok(!text.includes(secret), 'a secret in a response');
        for (const line of logLines) assert.ok(!line.includes(secret), 'a secret in the log');
      }
      for (const line of logLines) {
        assert.doesNotMatch(line, /"(pin|password)":"[^[]/, 'no PIN or password field is logged');
      }
    });
  });
}
