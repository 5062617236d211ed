// The holder's foreign PIN pages (/card/foreign), in Korean and English, through inject: choose a
// PIN, see the quote, confirm with PIN and password, see the PIN once; refusals charge nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/http/index.ts';
import { Browser, csrfOf, type Page } from '../http/pages-support.ts';
import { DATABASES } from '../support/databases.ts';
import { HOLDER_EMAIL, PRICE_10_USD, openForeignWorld, type ForeignWorld } from './support.ts';

const COPY = {
  ko: {
    title: '해외 PIN 전환',
    offer: 'GlobalCall: 10.00 USD',
    about: '약 13,853 KRW',
    quote: '전환 확인',
    done: '해외 PIN 발급 완료',
    replayed: '이미 완료된 전환입니다',
    expired: '가격 유효 시간(2분)이 지났습니다. 결제되지 않았으니 새 가격을 확인하세요.',
    wrong: 'PIN',
  },
  en: {
    title: 'Foreign PIN',
    offer: 'GlobalCall: 10.00 USD',
    about: 'about 13,853 KRW',
    quote: 'Confirm the switch',
    done: 'Your foreign PIN',
    replayed: 'This switch was already done',
    expired:
      'The price was held for 2 minutes and has expired. Nothing was charged; see the new price.',
    wrong: 'PIN',
  },
} as const;

function field(page: Page, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(page.body)?.[1];
  assert.ok(value !== undefined, `the page has a ${name} field`);
  return value;
}

function pinsOn(page: Page): string[] {
  return [...page.body.matchAll(/class="mono pin-digits">([^<]+)</g)].map((m) => m[1] ?? '');
}

for (const target of DATABASES) {
  describe(`holder site: foreign PIN (${target.name})`, { skip: target.skip }, () => {
    let w: ForeignWorld;
    let server: FastifyInstance;
    let ips = 0;

    before(async () => {
      w = await openForeignWorld(target);
      server = await buildServer({
        db: w.app.db,
        payments: w.app.payments,
        cards: w.app.cards,
        foreign: w.foreign,
        logLevel: 'silent',
      });
    });
    after(async () => {
      await server.close();
      await w.dispose();
    });

    async function signedIn(
      locale: 'ko' | 'en',
      card: { pin: string; password: string },
    ): Promise<Browser> {
      ips += 1;
      const b = new Browser(server, [], `10.9.0.${ips}`);
      const form = await b.get(`/card?lang=${locale}`);
      const res = await b.post('/card', {
        _csrf: csrfOf(form),
        pin: card.pin,
        password: card.password,
      });
      assert.equal(res.status, 303, res.body);
      return b;
    }

    for (const locale of ['ko', 'en'] as const) {
      test(`${locale}: choose, quote, confirm, the PIN once`, async () => {
        const copy = COPY[locale];
        const card = await w.card(50_000n);
        const b = await signedIn(locale, card);

        const offers = await b.get('/card/foreign');
        assert.equal(offers.status, 200);
        assert.match(offers.body, new RegExp(`<html lang="${locale}">`));
        assert.ok(offers.body.includes(copy.title));
        assert.ok(offers.body.includes(copy.offer));
        assert.ok(offers.body.includes(copy.about), 'the indicative price');
        const offer = `${w.provider.id}:1000`;
        assert.ok(offers.body.includes(`value="${offer}"`));

        const quote = await b.post('/card/foreign/quote', { _csrf: csrfOf(offers), offer });
        assert.equal(quote.status, 200, quote.body);
        assert.ok(quote.body.includes(copy.quote));
        assert.ok(quote.body.includes('<dd id="quote-pay">13,853 KRW</dd>'));
        assert.ok(quote.body.includes('<dd id="quote-rate">1 USD = 1,385.27 KRW</dd>'));
        assert.ok(quote.body.includes('<dd id="quote-value">10.00 USD</dd>'));
        const quoteId = field(quote, 'quote_id');
        assert.match(quoteId, /^fxq_/);

        const form = {
          _csrf: csrfOf(quote),
          quote_id: quoteId,
          pin: card.pin,
          password: card.password,
          email: HOLDER_EMAIL,
        };
        const done = await b.post('/card/foreign/switch', form);
        assert.equal(done.status, 200, done.body);
        assert.ok(done.body.includes(copy.done));
        const shown = pinsOn(done);
        assert.equal(shown.length, 1);
        assert.match(shown[0] ?? '', /^GC-1000-0000-000[1-3]$/);
        assert.ok(done.body.includes(HOLDER_EMAIL));
        assert.deepEqual(await w.balance(card.id), { balance: 50_000n - PRICE_10_USD, held: 0n });

        // The same form again (a reload): no second charge, the PIN is not shown again.
        const again = await b.post('/card/foreign/switch', { ...form, _csrf: csrfOf(done) });
        assert.equal(again.status, 200);
        assert.ok(again.body.includes(copy.replayed));
        assert.deepEqual(pinsOn(again), []);
        assert.ok(!again.body.includes(shown[0] ?? 'x'));
        assert.deepEqual(await w.balance(card.id), { balance: 50_000n - PRICE_10_USD, held: 0n });
        await w.verify();
      });

      test(`${locale}: an expired quote and a wrong password charge nothing`, async () => {
        const copy = COPY[locale];
        const card = await w.card(50_000n);
        const b = await signedIn(locale, card);
        const offers = await b.get('/card/foreign');
        const quote = await b.post('/card/foreign/quote', {
          _csrf: csrfOf(offers),
          offer: `${w.provider.id}:2500`,
        });
        assert.equal(quote.status, 200, quote.body);
        const base = {
          quote_id: field(quote, 'quote_id'),
          pin: card.pin,
          email: HOLDER_EMAIL,
        };
        const wrong = await b.post('/card/foreign/switch', {
          ...base,
          _csrf: csrfOf(quote),
          password: card.password === '2580' ? '1357' : '2580',
        });
        assert.equal(wrong.status, 401);
        assert.ok(wrong.body.includes(copy.quote), 'back on the quote page');
        assert.deepEqual(pinsOn(wrong), []);

        w.clock.advance(120_000n);
        const expired = await b.post('/card/foreign/switch', {
          ...base,
          _csrf: csrfOf(wrong),
          password: card.password,
        });
        assert.equal(expired.status, 409);
        assert.ok(expired.body.includes(copy.expired), expired.body);
        assert.ok(expired.body.includes(copy.title), 'back to choosing');
        assert.deepEqual(pinsOn(expired), []);
        assert.deepEqual(await w.balance(card.id), { balance: 50_000n, held: 0n });
      });
    }

    test('signed out: the pages send the holder to sign in', async () => {
      const b = new Browser(server, [], '10.9.1.1');
      const page = await b.get('/card/foreign');
      assert.equal(page.status, 303);
      assert.equal(page.location, '/card');
    });
  });
}
