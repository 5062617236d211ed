import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  authenticate,
  cardBalance,
  cardStatement,
  rechargeCard,
  spend,
} from '../../src/cards/index.ts';
import { dammCheckDigit } from '../../src/cards/pin.ts';
import { buildServer } from '../../src/http/index.ts';
import { systemAccountId } from '../../src/ledger/index.ts';
import {
  createApiKey,
  createAssociate,
  listApiKeys,
  merchantAccountId,
  revokeApiKey,
  updateAssociate,
} from '../../src/payments/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { activeTestCard, openTestApp, type TestApp } from '../support/app.ts';
import { DATABASES } from '../support/databases.ts';
import type { TestCard } from '../support/gateway.ts';
import { Browser, csrfOf, type Page } from './pages-support.ts';

const DAY_MS = 86_400_000n;
/** 2026-03-01 00:00 UTC = 09:00 KST. */
const MARCH_1_MS = 1_772_323_200_000n;

/** The pages every visitor can open, signed in or not. */
const PUBLIC_PAGES = [
  '/',
  '/about',
  '/about/onepin',
  '/about/terms',
  '/news',
  '/associates',
  '/card',
];

function htmlLang(body: string): string | undefined {
  return /<html lang="([a-z]+)">/.exec(body)?.[1];
}

/** A fresh 20-digit PIN with a valid check digit that no card has. */
function unknownPin(): string {
  const digits = Array.from({ length: 19 }, () => String(randomInt(10))).join('');
  return `${digits}${dammCheckDigit(digits)}`;
}

/** The page without its per-response CSRF token, to compare two answers. */
function blankCsrf(html: string): string {
  return html.replace(/name="_csrf" value="[^"]+"/g, '');
}

for (const target of DATABASES) {
  describe(`holder site (${target.name})`, { skip: target.skip }, () => {
    let t: TestApp;
    let server: FastifyInstance;
    const seen: string[] = [];
    let ipCounter = 0;

    before(async () => {
      t = await openTestApp(target);
      server = await buildServer({
        db: t.app.db,
        payments: t.app.payments,
        cards: t.app.cards,
        logLevel: 'silent',
      });
    });

    after(async () => {
      await server.close();
      await t.dispose();
    });

    function browser(): Browser {
      ipCounter += 1;
      return new Browser(server, seen, `10.4.${Math.floor(ipCounter / 250)}.${ipCounter % 250}`);
    }

    async function signIn(b: Browser, c: TestCard): Promise<Page> {
      const form = await b.get('/card');
      assert.equal(form.status, 200);
      const res = await b.post('/card', { _csrf: csrfOf(form), pin: c.pin, password: c.password });
      assert.equal(res.status, 303, res.body);
      assert.equal(res.location, '/card');
      return res;
    }

    /** An associate with a live key (listed in the directory) and its merchant account. */
    async function associate(
      name: string,
      category: string,
      options: { readonly live?: boolean } = {},
    ): Promise<string> {
      return writeTransaction(t.app.db, async (tx) => {
        const a = await createAssociate(t.app.payments, tx, {
          name,
          category,
          commissionBps: 100n,
        });
        assert.ok(a.ok);
        const key = await createApiKey(t.app.payments, tx, {
          associateId: a.value.id,
          livemode: options.live ?? true,
        });
        assert.ok(key.ok);
        await t.app.ledger.createAccounts(
          tx,
          [
            {
              id: merchantAccountId(a.value.id, true, 'KRW'),
              currency: 'KRW',
              code: 'merchant_payable',
              flags: 1n,
              ownerRef: a.value.id,
            },
          ],
          t.clock.nowMs(),
        );
        return a.value.id;
      });
    }

    async function pay(
      c: TestCard,
      to: string,
      amountMinor: bigint,
      code: string,
      options: { readonly hold?: boolean } = {},
    ): Promise<void> {
      const res = await spend(t.app.cards, {
        cardId: c.id,
        creditAccountId: to,
        amountMinor,
        currency: 'KRW',
        transferId: `tr_${randomInt(1e9)}_${randomInt(1e9)}`,
        code,
        reference: `ref-${code}`,
        ...(options.hold === true ? { holdTimeoutMs: 7n * DAY_MS } : {}),
      });
      assert.ok(res.ok, res.ok ? '' : res.error.code);
    }

    /**
     * A card with a week of history, one entry a day from 1 March (09:00 KST): the sale
     * (+10,000), a shop (−3,000), a paid site (−2,000), voicemail (−500), a recharge (+5,000)
     * and a payment held at the shop (−1,000 held).
     */
    async function cardWithHistory(): Promise<{ card: TestCard; shop: string; site: string }> {
      t.clock.set(MARCH_1_MS);
      const shop = await associate('Books, Inc.', 'shopping');
      const site = await associate('=HYPERLINK("http://evil.example")', 'contents');
      const card = await activeTestCard(t.app);
      t.clock.advance(DAY_MS);
      await pay(card, merchantAccountId(shop, true, 'KRW'), 3_000n, 'payment');
      t.clock.advance(DAY_MS);
      await pay(card, merchantAccountId(site, true, 'KRW'), 2_000n, 'payment');
      t.clock.advance(DAY_MS);
      await pay(card, systemAccountId('KRW', 'service_revenue'), 500n, 'voicemail');
      t.clock.advance(DAY_MS);
      const recharged = await rechargeCard(t.app.cards, {
        cardId: card.id,
        amountMinor: 5_000n,
        currency: 'KRW',
        transferId: `rc_${randomInt(1e9)}`,
      });
      assert.ok(recharged.ok);
      t.clock.advance(DAY_MS);
      await pay(card, merchantAccountId(shop, true, 'KRW'), 1_000n, 'authorization', {
        hold: true,
      });
      return { card, shop, site };
    }

    async function statementOf(cardId: string) {
      const s = await cardStatement(t.app.cards, t.app.db.kysely, cardId, { limit: 500 });
      assert.ok(s.ok);
      return s.value;
    }

    test('the language follows ?lang, then the cookie, then Accept-Language', async () => {
      const ask = async (headers: Record<string, string>, url = '/') => {
        const res = await server.inject({ url, headers, remoteAddress: '10.9.0.1' });
        assert.equal(res.statusCode, 200);
        return res;
      };
      assert.equal(htmlLang((await ask({})).body), 'en');
      const korean = await ask({ 'accept-language': 'ko-KR,ko;q=0.9,en-US;q=0.8' });
      assert.equal(htmlLang(korean.body), 'ko');
      assert.equal(korean.headers['content-language'], 'ko');
      assert.match(korean.body, /본문 바로가기/);
      assert.equal(
        htmlLang((await ask({ 'accept-language': 'en-US,en;q=0.9,ko;q=0.8' })).body),
        'en',
      );
      assert.equal(htmlLang((await ask({ 'accept-language': 'fr-FR, ko;q=0.5' })).body), 'ko');
      assert.equal(htmlLang((await ask({ 'accept-language': 'fr-FR, de' })).body), 'en');
      assert.equal(htmlLang((await ask({ 'accept-language': 'en;q=0.4, ko;q=0.6' })).body), 'ko');

      // The switch answers in the chosen language at once and remembers it in a cookie.
      const switched = await ask({ 'accept-language': 'en' }, '/about?lang=ko');
      assert.equal(htmlLang(switched.body), 'ko');
      const langCookie = (res: { headers: Record<string, unknown> }): string | undefined => {
        const raw = res.headers['set-cookie'];
        const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
        return (lines as string[]).find((l) => l.startsWith('onepin_lang='));
      };
      const cookie = langCookie(switched) ?? '';
      assert.match(cookie, /^onepin_lang=ko;/);
      assert.match(cookie, /Path=\//);
      assert.match(cookie, /HttpOnly/);
      const remembered = await ask({ 'accept-language': 'en', cookie: 'onepin_lang=ko' });
      assert.equal(htmlLang(remembered.body), 'ko');
      const back = await ask({ cookie: 'onepin_lang=ko' }, '/news?lang=en');
      assert.equal(htmlLang(back.body), 'en');
      assert.match(langCookie(back) ?? '', /^onepin_lang=en;/);
      // Unknown values change nothing.
      const odd = await ask({ cookie: 'onepin_lang=fr', 'accept-language': 'ko' }, '/?lang=xx');
      assert.equal(htmlLang(odd.body), 'ko');
      assert.equal(langCookie(odd), undefined);

      // The switch links keep the page and its query.
      const query = await ask({}, '/about/terms?x=1#a');
      assert.match(query.body, /href="\/about\/terms\?x=1&amp;lang=ko"/);
      const links = await ask({}, '/news');
      assert.match(links.body, /href="\/news\?lang=ko" lang="ko" hreflang="ko">한국어</);
      assert.match(
        links.body,
        /href="\/news\?lang=en" lang="en" hreflang="en" aria-current="true">English</,
      );
    });

    test('every page renders in both languages, with the layout, nav and no missing words', async () => {
      const { card } = await cardWithHistory();
      const b = browser();
      await signIn(b, card);
      const pages = [
        ...PUBLIC_PAGES,
        '/card/statement',
        '/card/statement?kind=payment',
        '/card/password',
      ];
      for (const lang of ['en', 'ko'] as const) {
        for (const url of pages) {
          const res = await b.get(`${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
          assert.equal(res.status, 200, `${url} in ${lang}: ${res.body.slice(0, 300)}`);
          assert.equal(htmlLang(res.body), lang, url);
          assert.equal(res.headers['cache-control'], 'no-store', url);
          assert.match(String(res.headers['content-security-policy']), /script-src 'none'/);
          assert.match(res.body, /<a class="skip" href="#main">/, url);
          assert.match(res.body, /<main id="main"/, url);
          for (const href of [
            '/buy',
            '/recharge',
            '/card',
            '/verify',
            '/associates',
            '/about/onepin',
            '/about',
          ]) {
            assert.ok(res.body.includes(`href="${href}"`), `${url} links to ${href}`);
          }
          assert.ok(
            !/\{[a-zA-Z]+\}/.test(res.body.replace(/<svg[\s\S]*<\/svg>/, '')),
            `${url}: a placeholder left`,
          );
        }
        // Refusals render in both languages too.
        const form = await b.get(`/card?lang=${lang}`);
        const refused = await b.post('/card', { _csrf: csrfOf(form), pin: '123', password: '' });
        assert.equal(refused.status, 400);
        assert.equal(htmlLang(refused.body), lang);
        const bad = await b.get(`/card/statement?from=2026-13-01&kind=nope&lang=${lang}`);
        assert.equal(bad.status, 400);
        assert.equal(htmlLang(bad.body), lang);
      }
      const css = await b.get('/assets/site.css');
      assert.equal(css.status, 200);
      assert.match(String(css.headers['content-type']), /text\/css/);
      assert.match(css.body, /:focus-visible/);
    });

    test('the home page lists the denominations on sale with buy links', async () => {
      const res = await browser().get('/?lang=en');
      for (const [id, amount] of [
        ['den_krw_5000', '5,000 KRW'],
        ['den_krw_10000', '10,000 KRW'],
        ['den_krw_100000', '100,000 KRW'],
      ] as const) {
        assert.ok(res.body.includes(`href="/buy?denomination=${id}"`), id);
        assert.ok(res.body.includes(`Buy a ${amount} card`), amount);
      }
      assert.match(res.body, /Valid for 5 years after purchase/);
      const ko = await browser().get('/?lang=ko');
      assert.match(ko.body, /구매 후 5년간 사용 가능/);
    });

    test('the directory lists active live associates by category, names escaped', async () => {
      await associate('Mega Mall', 'shopping');
      await associate('Music <Box> & Co', 'contents');
      await associate('PC Link', 'pc_communication');
      await associate('Call Korea', 'calling');
      await associate('Voice Box', 'voicemail');
      await associate('Land Registry', 'public_inquiry');
      await associate('Still Testing', 'shopping', { live: false });
      const disabled = await associate('Closed Shop', 'shopping');
      const revoked = await associate('Revoked Shop', 'shopping');
      await writeTransaction(t.app.db, async (tx) => {
        assert.ok((await updateAssociate(t.app.payments, tx, disabled, { status: 'disabled' })).ok);
        for (const k of await listApiKeys(tx, revoked)) {
          assert.ok((await revokeApiKey(t.app.payments, tx, k.id)).ok);
        }
      });
      const res = await browser().get('/associates?lang=en');
      assert.equal(res.status, 200);
      const section = (id: string): string => {
        const match = new RegExp(
          `<section class="panel category" id="${id}"[\\s\\S]*?</section>`,
        ).exec(res.body);
        assert.ok(match, id);
        return match[0];
      };
      assert.match(section('shopping'), /<li>Mega Mall<\/li>/);
      assert.match(section('contents'), /<li>Music &lt;Box&gt; &amp; Co<\/li>/);
      assert.match(section('contents'), /<li>PC Link<\/li>/);
      assert.match(section('calling'), /<li>Call Korea<\/li>/);
      assert.match(section('calling'), /<li>Voice Box<\/li>/);
      assert.match(section('public_inquiry'), /<li>Land Registry<\/li>/);
      for (const hidden of ['Still Testing', 'Closed Shop', 'Revoked Shop', 'Music <Box>']) {
        assert.ok(!res.body.includes(hidden), hidden);
      }
      const ko = await browser().get('/associates?lang=ko');
      assert.match(ko.body, /<h2 id="public_inquiry-title">공공 조회<\/h2>/);
    });

    test('sign-in: a session for the card, uniform refusals, lockout, expiry and sign-out', async () => {
      t.clock.set(MARCH_1_MS + 60n * DAY_MS);
      const c = await activeTestCard(t.app);
      const b = browser();
      const form = await b.get('/card?lang=en');
      assert.match(form.body, /<label for="pin">PIN<\/label>/);
      assert.match(form.body, /aria-describedby="pin-hint"/);
      const token = csrfOf(form);

      const wrong = await b.post('/card', { _csrf: token, pin: c.pin, password: '9731' });
      assert.equal(wrong.status, 401);
      assert.match(wrong.body, /role="alert"><p>The PIN or the password is not correct\.<\/p>/);
      assert.match(
        wrong.body,
        /id="pin"[^>]*aria-describedby="pin-hint signin-error" aria-invalid="true"/,
      );
      assert.match(
        wrong.body,
        /id="password"[^>]*aria-describedby="password-hint signin-error" aria-invalid="true"/,
      );
      assert.ok(!wrong.body.includes('9731') && !wrong.body.includes(c.pin), 'no secret sent back');
      assert.equal(wrong.setCookies.filter((l) => l.startsWith('onepin_card=')).length, 0);
      const unknown = await b.post('/card', { _csrf: token, pin: unknownPin(), password: '9731' });
      assert.equal(unknown.status, 401);
      assert.equal(blankCsrf(unknown.body), blankCsrf(wrong.body), 'an unknown PIN reads the same');

      const malformed = await b.post('/card', { _csrf: token, pin: '1234', password: '9731' });
      assert.equal(malformed.status, 400);
      assert.match(malformed.body, /id="pin-error">A PIN is 20 digits/);
      assert.match(
        malformed.body,
        /id="pin"[^>]*aria-describedby="pin-hint pin-error" aria-invalid="true"/,
      );

      const ko = await b.post('/card', { _csrf: token, pin: c.pin, password: '9731' });
      assert.equal(ko.status, 401);
      b.jar.set('onepin_lang', 'ko');
      const koWrong = await b.post('/card', { _csrf: token, pin: c.pin, password: '9731' });
      assert.match(koWrong.body, /PIN 또는 비밀번호가 올바르지 않습니다/);
      b.jar.delete('onepin_lang');
      const fourth = await b.post('/card', { _csrf: token, pin: c.pin, password: '9731' });
      assert.equal(fourth.status, 401);
      // That was four wrong passwords; the fifth locks the card, and then even the right one fails.
      const fifth = await b.post('/card', { _csrf: token, pin: c.pin, password: '9731' });
      assert.equal(fifth.status, 423);
      const locked = await b.post('/card', { _csrf: token, pin: c.pin, password: c.password });
      assert.equal(locked.status, 423);
      assert.match(locked.body, /This card is locked/);
      assert.equal(b.jar.has('onepin_card'), false);

      const d = await activeTestCard(t.app);
      const holder = browser();
      const login = await signIn(holder, d);
      const session = login.setCookies.find((l) => l.startsWith('onepin_card='));
      assert.ok(session);
      assert.match(session, /; Max-Age=900/);
      assert.match(session, /; Path=\/;/);
      assert.match(session, /; HttpOnly/);
      assert.match(session, /; SameSite=Strict/);
      assert.ok(!session.includes('Secure'), 'plain http in tests');
      assert.ok(session.includes(d.id) && !session.includes(d.pin));
      const overview = await holder.get('/card?lang=en');
      assert.equal(overview.status, 200);
      assert.match(overview.body, /Card ending [0-9]{4}/);
      assert.ok(overview.body.includes(`ending ${d.pin.slice(-4)}`));
      assert.match(overview.body, /<dd data-state="active">Active<\/dd>/);
      assert.match(overview.body, /<dd id="balance">10,000 KRW<\/dd>/);
      assert.match(overview.body, /<dd id="held">0 KRW<\/dd>/);
      assert.match(overview.body, /Valid until<\/dt><dd>2031-/);
      for (const href of [
        '/card/statement',
        '/card/password',
        '/card/profile',
        '/card/refund',
        '/recharge',
      ]) {
        assert.ok(overview.body.includes(`href="${href}"`), href);
      }

      // A session cookie from another card's signature, or a forged one, is no session.
      const forged = browser();
      forged.jar.set('onepin_card', `${d.id}.99999999999999.bad`);
      assert.match((await forged.get('/card')).body, /action="\/card"/);

      // Sign-out needs the CSRF token; with it, the session ends.
      const noToken = await holder.post('/card/signout', {});
      assert.equal(noToken.status, 403);
      assert.match((await holder.get('/card')).body, /Card ending/);
      const out = await holder.post('/card/signout', { _csrf: csrfOf(overview) });
      assert.equal(out.status, 303);
      assert.equal(out.location, '/card?done=signedout');
      const after = await holder.get(out.location);
      assert.match(after.body, /You have signed out/);
      assert.match(after.body, /action="\/card"/);

      // Sessions last 15 minutes by our clock, whatever the browser keeps.
      const late = browser();
      await signIn(late, d);
      t.clock.advance(15n * 60_000n - 1n);
      assert.match((await late.get('/card')).body, /Card ending/);
      t.clock.advance(1n);
      const expired = await late.get('/card');
      assert.match(expired.body, /action="\/card"/);
      assert.equal((await late.get('/card/statement')).location, '/card');
    });

    test('a sign-in without the CSRF token is refused and starts no session', async () => {
      const c = await activeTestCard(t.app);
      const b = browser();
      await b.get('/card');
      const res = await b.post('/card', { pin: c.pin, password: c.password });
      assert.equal(res.status, 403);
      assert.match(res.body, /The form expired or did not come from this site/);
      assert.equal(b.jar.has('onepin_card'), false);
    });

    test('the statement: entries, filters, chart totals, pages and CSV', async () => {
      const { card } = await cardWithHistory();
      const b = browser();
      await signIn(b, card);
      const all = await b.get('/card/statement?lang=en');
      assert.equal(all.status, 200);
      assert.match(all.body, /<dd id="balance">8,500 KRW<\/dd>/);
      assert.match(all.body, /<dd id="held">1,000 KRW<\/dd>/);
      const rows = [...all.body.matchAll(/<tr data-seq="[0-9]+">([\s\S]*?)<\/tr>/g)].map((m) =>
        (m[1] ?? '')
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      );
      assert.deepEqual(rows, [
        '2026-03-06 09:00 Books, Inc. Shopping Payment held -1,000 KRW held +1,000 KRW 8,500 KRW',
        '2026-03-05 09:00 Recharge Purchases and recharges Recharge +5,000 KRW 9,500 KRW',
        '2026-03-04 09:00 OnePIN voicemail Voicemail Voicemail -500 KRW 4,500 KRW',
        '2026-03-03 09:00 =HYPERLINK(&quot;http://evil.example&quot;) Contents Payment -2,000 KRW 5,000 KRW',
        '2026-03-02 09:00 Books, Inc. Shopping Payment -3,000 KRW 7,000 KRW',
        '2026-03-01 09:00 Card purchase Purchases and recharges Purchase +10,000 KRW 10,000 KRW',
      ]);

      // The chart: SVG with a title and description, bars per service, and the table's totals.
      assert.match(all.body, /<svg [^>]*role="img" aria-labelledby="chart-title chart-desc"/);
      assert.match(all.body, /<title id="chart-title">Spending by service type<\/title>/);
      assert.match(
        all.body,
        /<desc id="chart-desc">Stacked bars per day from 2026-03-01 to 2026-03-06; 5,500 KRW spent/,
      );
      assert.match(
        all.body,
        /data-series="shopping" data-bucket="2026-03-02"><title>2026-03-02 · Shopping: 3,000 KRW<\/title>/,
      );
      assert.match(all.body, /data-series="contents" data-bucket="2026-03-03">/);
      assert.match(all.body, /data-series="voicemail" data-bucket="2026-03-04">/);
      assert.ok(!all.body.includes('data-bucket="2026-03-06"'), 'a hold is not spending yet');
      assert.match(all.body, /<td class="num" id="chart-total-spent">5,500 KRW<\/td>/);
      assert.match(all.body, /<td class="num" id="chart-total-in">15,000 KRW<\/td>/);
      assert.match(
        all.body,
        /<li><svg [^>]*><rect [^>]*fill="#0072B2"[^>]*\/><\/svg> Shopping: 3,000 KRW<\/li>/,
      );
      assert.match(
        all.body,
        /<th scope="row" class="nowrap">2026-03-02<\/th>\s*<td class="num">3,000 KRW<\/td>/,
      );

      // A period (inclusive days, Korean time) keeps the typed values in the form.
      const period = await b.get('/card/statement?from=2026-03-02&to=2026-03-03');
      assert.equal(period.status, 200);
      assert.equal((period.body.match(/<tr data-seq=/g) ?? []).length, 2);
      assert.match(period.body, /id="from" name="from" type="date" value="2026-03-02"/);
      assert.match(period.body, /id="to" name="to" type="date" value="2026-03-03"/);
      assert.match(period.body, /id="chart-total-spent">5,000 KRW</);
      assert.match(period.body, /id="chart-total-in">0 KRW</);
      assert.match(period.body, /href="\/card\/statement.csv\?from=2026-03-02&amp;to=2026-03-03"/);

      const kind = await b.get('/card/statement?kind=recharge');
      assert.equal((kind.body.match(/<tr data-seq=/g) ?? []).length, 1);
      assert.match(kind.body, /<option value="recharge" selected>Recharges<\/option>/);
      const payments = await b.get('/card/statement?kind=payment');
      assert.equal((payments.body.match(/<tr data-seq=/g) ?? []).length, 3);
      const services = await b.get('/card/statement?kind=service');
      assert.equal((services.body.match(/<tr data-seq=/g) ?? []).length, 1);

      // Bad filters: the fields say what is wrong, what was typed stays, nothing is listed.
      const before = await statementOf(card.id);
      const badDate = await b.get('/card/statement?from=2026-02-30&to=2026-03-01&kind=payment');
      assert.equal(badDate.status, 400);
      assert.match(badDate.body, /id="from-error">Type a date as YYYY-MM-DD/);
      assert.match(
        badDate.body,
        /id="from" name="from" type="date" value="2026-02-30"[^>]*aria-describedby="from-hint from-error" aria-invalid="true"/,
      );
      assert.match(badDate.body, /<option value="payment" selected>/);
      assert.equal((badDate.body.match(/<tr data-seq=/g) ?? []).length, 0);
      const backwards = await b.get('/card/statement?from=2026-03-05&to=2026-03-02');
      assert.equal(backwards.status, 400);
      assert.match(backwards.body, /id="from-error">The period is not valid/);
      const badKind = await b.get('/card/statement?kind=%3Cscript%3E');
      assert.equal(badKind.status, 400);
      assert.match(badKind.body, /id="kind-error">Choose a kind from the list/);
      assert.ok(!badKind.body.includes('<script>'));
      const badCursor = await b.get('/card/statement?cursor=abc');
      assert.equal(badCursor.status, 400);
      assert.match(badCursor.body, /This page link is not valid/);
      const badCsv = await b.get('/card/statement.csv?to=yesterday');
      assert.equal(badCsv.status, 400);
      assert.match(String(badCsv.headers['content-type']), /text\/html/);
      assert.deepEqual(await statementOf(card.id), before);

      // CSV: the same entries, RFC 4180, plain numbers, formula-safe text.
      const csv = await b.get('/card/statement.csv?lang=en');
      assert.equal(csv.status, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv; charset=utf-8/);
      assert.equal(
        csv.headers['content-disposition'],
        `attachment; filename="onepin-statement-${card.pin.slice(-4)}.csv"`,
      );
      assert.ok(csv.body.startsWith('\uFEFF'), 'a byte order mark for spreadsheets');
      const lines = csv.body.slice(1).split('\r\n');
      assert.equal(lines.at(-1), '', 'every line ends with CRLF');
      assert.match(
        lines[6] ?? '',
        /^2026-03-01 09:00,Card purchase,Purchases and recharges,Purchase,10000,0,10000,KRW,/,
      );
      assert.deepEqual(lines.slice(0, 6), [
        'Time (KST),Associate or service,Service type,Kind,Amount,Held change,Balance after,Currency,Reference,Destination,Number,Seconds or units used,Seconds or units billed',
        '2026-03-06 09:00,"Books, Inc.",Shopping,Payment held,-1000,1000,8500,KRW,ref-authorization,,,,',
        '2026-03-05 09:00,Recharge,Purchases and recharges,Recharge,5000,0,9500,KRW,,,,,',
        '2026-03-04 09:00,OnePIN voicemail,Voicemail,Voicemail,-500,0,4500,KRW,ref-voicemail,,,,',
        `2026-03-03 09:00,"'=HYPERLINK(""http://evil.example"")",Contents,Payment,-2000,0,5000,KRW,ref-payment,,,,`,
        '2026-03-02 09:00,"Books, Inc.",Shopping,Payment,-3000,0,7000,KRW,ref-payment,,,,',
      ]);
      assert.equal(lines.length, 8);
      const filtered = await b.get('/card/statement.csv?from=2026-03-02&to=2026-03-03&cursor=1');
      assert.equal(filtered.body.slice(1).split('\r\n').length - 2, 2);
      const korean = await b.get('/card/statement.csv?lang=ko');
      assert.ok(korean.body.startsWith('\uFEFF일시 (KST),가맹점·서비스,서비스 종류,종류,금액'));

      // Signed out, the statement and the file send the holder to sign in.
      const stranger = browser();
      assert.equal((await stranger.get('/card/statement')).location, '/card');
      assert.equal((await stranger.get('/card/statement.csv')).location, '/card');
    });

    test('statement pages follow a keyset cursor to older entries', async () => {
      t.clock.set(MARCH_1_MS + 200n * DAY_MS);
      const card = await activeTestCard(t.app);
      for (let i = 0; i < 26; i += 1) {
        t.clock.advance(60_000n);
        const r = await rechargeCard(t.app.cards, {
          cardId: card.id,
          amountMinor: 100n + BigInt(i),
          currency: 'KRW',
          transferId: `rc_page_${card.id}_${i}`,
        });
        assert.ok(r.ok);
      }
      const b = browser();
      await signIn(b, card);
      const first = await b.get('/card/statement?kind=&lang=en');
      const seqs = (page: Page) =>
        [...page.body.matchAll(/<tr data-seq="([0-9]+)">/g)].map((m) => m[1]);
      const firstSeqs = seqs(first);
      assert.equal(firstSeqs.length, 25);
      assert.doesNotMatch(first.body, /Newest entries/);
      const older =
        /href="(\/card\/statement\?kind=&amp;cursor=[0-9]+|\/card\/statement\?cursor=[0-9]+)" rel="next"/.exec(
          first.body,
        );
      assert.ok(older?.[1], 'an older link');
      const second = await b.get(older[1].replace(/&amp;/g, '&'));
      const secondSeqs = seqs(second);
      assert.equal(secondSeqs.length, 2, 'the sale and the first recharge');
      assert.match(second.body, /Newest entries/);
      assert.doesNotMatch(second.body, /rel="next"/);
      assert.equal(new Set([...firstSeqs, ...secondSeqs]).size, 27);
      assert.ok(Number(firstSeqs.at(-1)) > Number(secondSeqs[0]), 'older means smaller seq');
      // The chart covers the whole period on every page.
      assert.match(second.body, /id="chart-total-in">12,925 KRW</);
    });

    test('password change: success, refusals that change nothing, CSRF', async () => {
      t.clock.set(MARCH_1_MS + 300n * DAY_MS);
      const c = await activeTestCard(t.app);
      const other = await activeTestCard(t.app);
      const b = browser();
      await signIn(b, c);
      const form = await b.get('/card/password?lang=en');
      assert.equal(form.status, 200);
      assert.match(form.body, /<label for="new_password">New password<\/label>/);
      const token = csrfOf(form);
      const unchanged = async (card: TestCard): Promise<void> => {
        const still = await authenticate(t.app.cards, { pin: card.pin, password: card.password });
        assert.ok(still.ok, `the password of ${card.id} is unchanged`);
      };
      const attempt = (fields: Record<string, string>) =>
        b.post('/card/password', {
          _csrf: token,
          pin: c.pin,
          password: c.password,
          new_password: '93716482',
          confirm_password: '93716482',
          ...fields,
        });

      const weak = await attempt({ new_password: '1234', confirm_password: '1234' });
      assert.equal(weak.status, 400);
      assert.match(weak.body, /id="new_password-error">This password is too easy to guess/);
      assert.match(
        weak.body,
        /id="new_password"[^>]*aria-describedby="new_password-hint new_password-error" aria-invalid="true"/,
      );
      await unchanged(c);

      const mismatch = await attempt({ confirm_password: '93716483' });
      assert.equal(mismatch.status, 400);
      assert.match(
        mismatch.body,
        /id="confirm_password-error">The two new passwords are not the same/,
      );
      assert.ok(!mismatch.body.includes('93716482') && !mismatch.body.includes('93716483'));
      assert.ok(!mismatch.body.includes(c.pin));
      await unchanged(c);

      const wrongCurrent = await attempt({ password: '9731' });
      assert.equal(wrongCurrent.status, 401);
      assert.match(
        wrongCurrent.body,
        /id="password-form-error" role="alert"><p>The PIN or the password is not correct/,
      );
      assert.match(
        wrongCurrent.body,
        /id="password"[^>]*aria-describedby="password-form-error" aria-invalid="true"/,
      );
      await unchanged(c);

      // Another card's PIN and password: refused here, and that card keeps its password.
      const foreign = await attempt({ pin: other.pin, password: other.password });
      assert.equal(foreign.status, 400);
      assert.match(foreign.body, /id="pin-error">The PIN or the password is not correct/);
      await unchanged(other);

      const noCsrf = await b.post('/card/password', {
        pin: c.pin,
        password: c.password,
        new_password: '93716482',
        confirm_password: '93716482',
      });
      assert.equal(noCsrf.status, 403);
      await unchanged(c);

      const signedOut = browser();
      const outForm = await signedOut.get('/card');
      const noSession = await signedOut.post('/card/password', {
        _csrf: csrfOf(outForm),
        pin: c.pin,
        password: c.password,
        new_password: '93716482',
        confirm_password: '93716482',
      });
      assert.equal(noSession.status, 401);
      assert.match(noSession.body, /Your session has ended/);
      await unchanged(c);
      const balance = await cardBalance(t.app.cards, t.app.db.kysely, c.id);
      assert.ok(balance.ok);
      assert.equal(balance.value.balanceMinor, 10_000n);

      const done = await attempt({});
      assert.equal(done.status, 303);
      assert.equal(done.location, '/card?done=password');
      const confirmation = await b.get('/card?done=password&lang=ko');
      assert.match(confirmation.body, /role="status"><p>비밀번호가 변경되었습니다/);
      const changed = await authenticate(t.app.cards, { pin: c.pin, password: '93716482' });
      assert.ok(changed.ok);
      const old = await authenticate(t.app.cards, { pin: c.pin, password: c.password });
      assert.ok(!old.ok);
      await unchanged(other);
    });

    test('no page ever shows a PIN or a password that was typed', () => {
      for (const text of seen) {
        assert.ok(!text.includes('93716482'), 'the new password');
      }
    });
  });
}
