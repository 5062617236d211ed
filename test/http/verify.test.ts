import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { formatPin, getCard } from '../../src/cards/index.ts';
import { dammCheckDigit } from '../../src/cards/pin.ts';
import { buildServer } from '../../src/http/index.ts';
import { authorizeWithCard, listEvents } from '../../src/payments/index.ts';
import { DATABASES } from '../support/databases.ts';
import { openTestGateway, type TestCard, type TestGateway } from '../support/gateway.ts';

import { Browser, csrfOf, type Page } from './pages-support.ts';

for (const target of DATABASES) {
  describe(`holder verification page (${target.name})`, { skip: target.skip }, () => {
    let gw: TestGateway;
    let pages: FastifyInstance;
    const logLines: string[] = [];
    const seen: string[] = [];
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

    function browser(): Browser {
      ipCounter += 1;
      return new Browser(pages, seen, `10.1.0.${ipCounter}`);
    }

    /** A payment the card has paid (authorized) through the gateway. */
    async function paidWith(c: TestCard, amount: number, description: string): Promise<string> {
      orderCounter += 1;
      const res = await gw.call('POST', '/api/v1/payments', {
        body: { amount, currency: 'KRW', order_reference: `v-${orderCounter}`, description },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const id = String(res.body.id);
      const auth = await authorizeWithCard(gw.app.payments, {
        paymentId: id,
        pin: c.pin,
        password: c.password,
      });
      assert.ok(auth.ok);
      return id;
    }

    async function signIn(b: Browser, c: TestCard): Promise<Page> {
      const form = await b.get('/verify');
      assert.equal(form.status, 200);
      const res = await b.post('/verify', {
        _csrf: csrfOf(form),
        pin: c.pin,
        password: c.password,
      });
      assert.equal(res.status, 303);
      assert.equal(res.location, '/verify/activity');
      return res;
    }

    async function flagEvents(): Promise<string[]> {
      const events = await listEvents(
        gw.app.db.kysely,
        { associateId: gw.associateId, livemode: false },
        { limit: 100, type: 'payment.flagged' },
      );
      assert.ok(events.ok);
      return events.value.data.map((e) => (e.data.object as { id: string }).id);
    }

    test('sign in, see the activity, report a payment and suspend the card', async () => {
      const c = await gw.card();
      const socks = await paidWith(c, 5000, 'Blue socks');
      const hat = await paidWith(c, 2000, 'Green hat');
      const b = browser();

      const form = await b.get('/verify');
      assert.match(form.body, /<label for="pin">/);
      assert.match(form.body, /autocomplete="off"/);
      assert.match(String(form.headers['content-security-policy']), /default-src 'self'/);

      const login = await signIn(b, c);
      const session = login.setCookies.find((l) => l.startsWith('onepin_holder='));
      assert.ok(session);
      assert.match(session, /; Max-Age=600/);
      assert.match(session, /; Path=\/verify/);
      assert.match(session, /; HttpOnly/);
      assert.match(session, /; SameSite=Strict/);
      assert.ok(session.includes(c.id), 'the session names the card');
      assert.ok(!session.includes(c.pin) && !session.includes(c.pin.slice(-8)));

      const list = await b.get('/verify/activity');
      assert.equal(list.status, 200);
      assert.equal(list.headers['cache-control'], 'no-store');
      for (const text of ['Test Shop', 'Blue socks', 'Green hat', '5,000 KRW', '2,000 KRW']) {
        assert.ok(list.body.includes(text), text);
      }
      assert.match(list.body, /authorized · 승인/);
      assert.match(list.body, /2026-01-01 00:00 UTC/);
      assert.ok(list.body.includes(`ending ${c.pin.slice(-4)}`));
      assert.equal((list.body.match(/action="\/verify\/flag"/g) ?? []).length, 2);

      // Without the CSRF token nothing is recorded.
      const forged = await b.post('/verify/flag', { payment: socks, note: 'x', suspend: 'yes' });
      assert.equal(forged.status, 403);
      assert.deepEqual(await flagEvents(), []);

      const flagged = await b.post('/verify/flag', {
        _csrf: csrfOf(list),
        payment: socks,
        note: 'I never bought socks',
        suspend: 'yes',
      });
      assert.equal(flagged.status, 303);
      assert.equal(flagged.location, '/verify/activity?done=suspended');
      assert.deepEqual(await flagEvents(), [socks]);
      const stored = await getCard(gw.app.cards, gw.app.db.kysely, { id: c.id });
      assert.ok(stored.ok);
      assert.equal(stored.value.state, 'suspended');

      const after = await b.get(flagged.location);
      assert.match(after.body, /role="status"[\s\S]*suspended your card/);
      assert.match(after.body, /Reported as not mine/);
      assert.match(after.body, /suspended · 정지/);
      assert.equal((after.body.match(/action="\/verify\/flag"/g) ?? []).length, 1, 'hat only');
      assert.ok(after.body.includes(hat) && after.body.includes('Green hat'));
    });

    test('reporting without suspending keeps the card usable', async () => {
      const c = await gw.card();
      const id = await paidWith(c, 1000, 'Coffee');
      const b = browser();
      await signIn(b, c);
      const list = await b.get('/verify/activity');
      const res = await b.post('/verify/flag', { _csrf: csrfOf(list), payment: id, note: '' });
      assert.equal(res.location, '/verify/activity?done=flagged');
      assert.ok((await flagEvents()).includes(id));
      const stored = await getCard(gw.app.cards, gw.app.db.kysely, { id: c.id });
      assert.ok(stored.ok);
      assert.equal(stored.value.state, 'active');
    });

    test('a holder cannot report another card’s payment', async () => {
      const mine = await gw.card();
      const theirs = await gw.card();
      const other = await paidWith(theirs, 1000, 'Not yours');
      const b = browser();
      await signIn(b, mine);
      const list = await b.get('/verify/activity');
      assert.match(list.body, /has not paid anything online yet/);
      const res = await b.post('/verify/flag', {
        _csrf: csrfOf(list),
        payment: other,
        note: '',
        suspend: 'yes',
      });
      assert.equal(res.status, 404);
      assert.ok(!(await flagEvents()).includes(other));
      const stored = await getCard(gw.app.cards, gw.app.db.kysely, { id: mine.id });
      assert.ok(stored.ok);
      assert.equal(stored.value.state, 'active');
    });

    test('wrong credentials: the same answer for an unknown PIN, and the lockout applies', async () => {
      const c = await gw.card();
      const b = browser();
      const form = await b.get('/verify');
      const token = csrfOf(form);
      const digits = Array.from({ length: 19 }, () => String(randomInt(10))).join('');
      const unknownPin = `${digits}${dammCheckDigit(digits)}`;
      const wrong = await b.post('/verify', { _csrf: token, pin: c.pin, password: '9731' });
      assert.equal(wrong.status, 401);
      assert.match(wrong.body, /The PIN or the password is not correct/);
      assert.equal(wrong.setCookies.filter((l) => l.startsWith('onepin_holder=')).length, 0);
      const other = await b.post('/verify', { _csrf: token, pin: unknownPin, password: '9731' });
      assert.equal(other.status, 401);
      const blank = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, '');
      assert.equal(blank(other.body), blank(wrong.body));
      for (let i = 0; i < 4; i += 1) {
        await b.post('/verify', { _csrf: token, pin: c.pin, password: '9731' });
      }
      const locked = await b.post('/verify', { _csrf: token, pin: c.pin, password: c.password });
      assert.equal(locked.status, 423);
      assert.match(locked.body, /This card is locked/);
    });

    test('the session: forged or expired cookies are refused; logging out clears it', async () => {
      const c = await gw.card();
      await paidWith(c, 1000, 'Tea');
      const b = browser();
      await signIn(b, c);
      const value = b.jar.get('onepin_holder');
      assert.ok(value);

      // Another card's id under the same signature does not pass.
      const other = await gw.card();
      b.jar.set('onepin_holder', value.replace(c.id, other.id));
      const forged = await b.get('/verify/activity');
      assert.equal(forged.status, 303);
      assert.equal(forged.location, '/verify');

      await signIn(b, c);
      gw.clock.advance(11n * 60_000n);
      const late = await b.get('/verify/activity');
      assert.equal(late.status, 303);
      assert.equal(late.location, '/verify');
      const form = await b.get('/verify');
      const flag = await b.post('/verify/flag', {
        _csrf: csrfOf(form),
        payment: 'pay_x',
        note: '',
      });
      assert.equal(flag.status, 401);
      assert.match(flag.body, /Your session has ended/);

      await signIn(b, c);
      const list = await b.get('/verify/activity');
      assert.equal(list.status, 200);
      const out = await b.post('/verify/logout', { _csrf: csrfOf(list) });
      assert.equal(out.status, 303);
      assert.equal(out.location, '/verify');
      assert.ok(out.setCookies.some((l) => l.startsWith('onepin_holder=;')));
      assert.equal(b.jar.has('onepin_holder'), false);
      const gone = await b.get('/verify/activity');
      assert.equal(gone.status, 303);
    });

    test('no PIN or password in any response or log line', async () => {
      const c = await gw.card();
      const b = browser();
      const form = await b.get('/verify');
      await b.post('/verify', { _csrf: csrfOf(form), pin: formatPin(c.pin), password: '1' });
      await signIn(b, c);
      await b.get('/verify/activity');
      assert.ok(seen.length > 10 && logLines.length > 10);
      for (const text of [...seen, ...logLines]) {
        assert.ok(!text.includes(c.pin) && !text.includes(formatPin(c.pin)));
      }
      for (const line of logLines) assert.doesNotMatch(line, /"(pin|password)":"[^[]/);
    });
  });
}
