// The holder's statement with usage records (issue #5 item 7): one line per call with its
// destination, number and duration; holds only while a call is in progress; refunds; the CSV's
// destination and seconds columns; pages that skip a call's hidden ledger entries.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { spend } from '../../src/cards/index.ts';
import {
  createSessionsContext,
  debitEvent,
  expireSilentSessions,
  importTariff,
  refundCharge,
  startSession,
  terminateSession,
  updateSession,
  type ChargingAnswer,
  type SessionsContext,
  type UsageRecord,
} from '../../src/charging/index.ts';
import { buildServer } from '../../src/http/index.ts';
import {
  chargedServiceType,
  displayNumber,
  formatDuration,
  serviceTypeOf,
  statementLine,
} from '../../src/http/site/statement-services.ts';
import type { Outcome } from '../../src/kernel/index.ts';
import { systemAccountId } from '../../src/ledger/index.ts';
import { activeTestCard, openTestApp, type TestApp } from '../support/app.ts';
import { DATABASES } from '../support/databases.ts';
import type { TestCard } from '../support/gateway.ts';
import { SESSION_TARIFF } from '../charging/session-support.ts';
import { Browser, csrfOf, type Page } from './pages-support.ts';

const SECOND = 1_000n;
const MINUTE = 60_000n;
const DAY = 86_400_000n;
/** 2026-03-05T05:00:00Z = 14:00 KST. */
const MARCH_5_1400_KST = 1_772_686_800_000n;
/** Korean mobiles at 108 won a minute, billed 60/6, no connection fee: 95 s cost 173 won. */
const TARIFF = SESSION_TARIFF.replace(
  'rate,RT_MOBILE,50,60,6,108,60,0',
  'rate,RT_MOBILE,0,60,6,108,60,0',
);

function value(outcome: Outcome<ChargingAnswer>): ChargingAnswer {
  if (!outcome.ok) assert.fail(`expected an answer, got ${JSON.stringify(outcome.error)}`);
  return outcome.value;
}

/** The statement's lines as text, newest first. */
function rowsOf(page: Page): string[] {
  return [...page.body.matchAll(/<tr data-seq="[0-9]+">([\s\S]*?)<\/tr>/g)].map((m) =>
    (m[1] ?? '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

let counter = 0;
const key = () => ({ origin: 'test', clientSessionId: `site-usage-${++counter}` });

for (const target of DATABASES) {
  describe(`holder statement with calls (${target.name})`, { skip: target.skip }, () => {
    let t: TestApp;
    let charging: SessionsContext;
    let server: FastifyInstance;
    let ipCounter = 0;

    before(async () => {
      t = await openTestApp(target);
      charging = createSessionsContext({
        cards: t.app.cards,
        policy: { defaultRequestSeconds: 60, grantCapSeconds: 120 },
      });
      const report = await importTariff(charging, { text: TARIFF, sourceName: 'site.csv' });
      assert.ok(report.stored, JSON.stringify(report.errors));
      server = await buildServer({
        db: t.app.db,
        payments: t.app.payments,
        cards: t.app.cards,
        charging,
        logLevel: 'silent',
      });
    });

    after(async () => {
      await server.close();
      await t.dispose();
    });

    function browser(): Browser {
      ipCounter += 1;
      return new Browser(server, [], `10.7.${Math.floor(ipCounter / 250)}.${ipCounter % 250}`);
    }

    async function signIn(c: TestCard): Promise<Browser> {
      const b = browser();
      const form = await b.get('/card');
      const res = await b.post('/card', { _csrf: csrfOf(form), pin: c.pin, password: c.password });
      assert.equal(res.status, 303, res.body);
      return b;
    }

    test('a call in progress, then one line with its destination, number and duration', async () => {
      t.clock.set(MARCH_5_1400_KST);
      const card = await activeTestCard(t.app);
      const b = await signIn(card);
      t.clock.advance(2n * MINUTE);
      const call = key();
      const started = value(
        await startSession(charging, {
          ...call,
          requestNumber: 0,
          subscriber: { cardId: card.id },
          service: 'call',
          number: '01012345678',
          requestedSeconds: 60,
        }),
      );
      const purchase =
        '2026-03-05 14:00 Card purchase Purchases and recharges Purchase +10,000 KRW 10,000 KRW';

      // While the call goes on, its hold shows, as one line.
      const ringing = await b.get('/card/statement?lang=en');
      assert.equal(ringing.status, 200);
      assert.deepEqual(rowsOf(ringing), [
        '2026-03-05 14:02 Call to Korea mobile (010-1234-5678) in progress (0:00 so far) Calling Held for a call in progress -108 KRW held +108 KRW 9,892 KRW',
        purchase,
      ]);
      assert.match(ringing.body, /<dd id="held">108 KRW<\/dd>/);
      assert.match(ringing.body, /<dt>Held for payments and calls<\/dt>/);

      t.clock.advance(60n * SECOND);
      value(
        await updateSession(charging, {
          ...call,
          requestNumber: 1,
          usedSeconds: 60,
          requestedSeconds: 60,
        }),
      );
      assert.deepEqual(rowsOf(await b.get('/card/statement?lang=en')), [
        '2026-03-05 14:02 Call to Korea mobile (010-1234-5678) in progress (1:00 so far) Calling Held for a call in progress -216 KRW held +108 KRW 9,784 KRW',
        purchase,
      ]);

      t.clock.advance(35n * SECOND);
      value(await terminateSession(charging, { ...call, requestNumber: 2, usedSeconds: 35 }));
      // Content bought at 14:10 and refunded at 14:11.
      t.clock.set(MARCH_5_1400_KST + 10n * MINUTE);
      const item = key();
      const content = value(
        await debitEvent(charging, {
          ...item,
          requestNumber: 0,
          subscriber: { cardId: card.id },
          service: 'content',
          units: 1,
        }),
      );
      t.clock.advance(MINUTE);
      value(await refundCharge(charging, { ...item, requestNumber: 1 }));

      const done = await b.get('/card/statement?lang=en');
      assert.deepEqual(rowsOf(done), [
        '2026-03-05 14:11 Refund: OnePIN content 1 item Contents Refund of a charge +500 KRW 9,827 KRW',
        '2026-03-05 14:10 OnePIN content 1 item Contents Content -500 KRW 9,327 KRW',
        '2026-03-05 14:02 Call to Korea mobile (010-1234-5678) 1:35 (billed 1:36) Calling Call -173 KRW 9,827 KRW',
        purchase,
      ]);
      assert.match(done.body, /<dd id="balance">9,827 KRW<\/dd>/);
      assert.match(done.body, /<dd id="held">0 KRW<\/dd>/);
      // The chart counts what left the card: the call's two postings and the content.
      assert.match(done.body, /<td class="num" id="chart-total-spent">673 KRW<\/td>/);
      assert.match(done.body, /<td class="num" id="chart-total-in">10,500 KRW<\/td>/);
      assert.match(done.body, /<li><svg [^>]*><rect [^>]*\/><\/svg> Calling: 173 KRW<\/li>/);

      // Korean: the same line in the holder's language.
      const korean = rowsOf(await b.get('/card/statement?lang=ko'));
      assert.equal(
        korean[2],
        '2026-03-05 14:02 Korea mobile 통화 (010-1234-5678) 1:35 (과금 1:36) 전화 통화 -173 KRW 9,827 KRW',
      );
      assert.equal(
        korean[0],
        '2026-03-05 14:11 환불: OnePIN 콘텐츠 1건 콘텐츠 이용 요금 환불 +500 KRW 9,827 KRW',
      );

      // "Calls and services" lists the call (whose line stands on its first hold) and content.
      const services = rowsOf(await b.get('/card/statement?kind=service&lang=en'));
      assert.deepEqual(services, rowsOf(done).slice(0, 3));

      // The CSV: the same lines, with destination, number and seconds columns.
      const csv = await b.get('/card/statement.csv?lang=en');
      assert.equal(csv.status, 200);
      const lines = csv.body.slice(1).split('\r\n');
      assert.deepEqual(lines.slice(0, 4), [
        'Time (KST),Associate or service,Service type,Kind,Amount,Held change,Balance after,Currency,Reference,Destination,Number,Seconds or units used,Seconds or units billed',
        `2026-03-05 14:11,Refund: OnePIN content,Contents,Refund of a charge,500,0,9827,KRW,${content.sessionId},Anywhere,,1,1`,
        `2026-03-05 14:10,OnePIN content,Contents,Content,-500,0,9327,KRW,${content.sessionId},Anywhere,,1,1`,
        `2026-03-05 14:02,Call to Korea mobile (010-1234-5678),Calling,Call,-173,0,9827,KRW,${started.sessionId},Korea mobile,010-1234-5678,95,96`,
      ]);
      assert.match(
        lines[4] ?? '',
        /^2026-03-05 14:00,Card purchase,Purchases and recharges,Purchase,10000,0,10000,KRW,[^,]*,,,,$/,
      );
      assert.deepEqual(lines.slice(5), ['']);
      const koreanCsv = await b.get('/card/statement.csv?lang=ko');
      assert.ok(
        koreanCsv.body.startsWith(
          '\uFEFF일시 (KST),가맹점·서비스,서비스 종류,종류,금액,대기 금액 변동,거래 후 잔액,통화,참조,착신지,전화번호,사용 시간(초)·건수,과금 시간(초)·건수\r\n',
        ),
      );
      assert.match(
        koreanCsv.body,
        /\r\n2026-03-05 14:02,Korea mobile 통화 \(010-1234-5678\),전화,통화,-173,0,9827,KRW,cs_[a-z0-9]+,Korea mobile,010-1234-5678,95,96\r\n/,
      );
    });

    test('a call the timer ended, voicemail and a foreign number', async () => {
      t.clock.set(MARCH_5_1400_KST + DAY);
      const card = await activeTestCard(t.app);
      value(
        await startSession(charging, {
          ...key(),
          requestNumber: 0,
          subscriber: { cardId: card.id },
          service: 'call',
          number: '+1 212 555 0100',
          requestedSeconds: 30,
        }),
      );
      t.clock.advance(BigInt(charging.policy.sessionTimeoutSeconds) * SECOND);
      assert.ok((await expireSilentSessions(charging, 100)) >= 1);
      t.clock.set(MARCH_5_1400_KST + DAY + 40n * MINUTE);
      const vm = key();
      value(
        await startSession(charging, {
          ...vm,
          requestNumber: 0,
          subscriber: { cardId: card.id },
          service: 'voicemail',
          number: '02-123-4567',
          requestedSeconds: 120,
        }),
      );
      t.clock.advance(45n * SECOND);
      value(await terminateSession(charging, { ...vm, requestNumber: 1, usedSeconds: 45 }));
      const b = await signIn(card);
      const rows = rowsOf(await b.get('/card/statement?lang=en'));
      assert.deepEqual(rows.slice(0, 2), [
        // Voicemail at 30 won a minute, per second: 45 s cost 23 won.
        '2026-03-06 14:40 Voicemail (02-123-4567) 0:45 Voicemail Voicemail -23 KRW 9,977 KRW',
        // Nothing was reported before the timer ended it: nothing taken.
        '2026-03-06 14:00 Call to Anywhere (+12125550100) 0:00 · ended by time-out Calling Call 0 KRW 10,000 KRW',
      ]);
      assert.equal(rows.length, 3);
    });

    test('a reference to another card’s session shows nothing of that session', async () => {
      t.clock.set(MARCH_5_1400_KST + 2n * DAY);
      const owner = await activeTestCard(t.app);
      const other = await activeTestCard(t.app);
      const theirs = value(
        await debitEvent(charging, {
          ...key(),
          requestNumber: 0,
          subscriber: { cardId: owner.id },
          service: 'call',
          number: '010-9876-5432',
          units: 60,
        }),
      );
      // A charge on the other card that names the owner's session in its reference.
      const spent = await spend(t.app.cards, {
        cardId: other.id,
        creditAccountId: systemAccountId('KRW', 'service_revenue'),
        amountMinor: 100n,
        currency: 'KRW',
        transferId: `tr_foreign_${other.id}`,
        code: 'call',
        reference: theirs.sessionId,
      });
      assert.ok(spent.ok);
      const b = await signIn(other);
      const page = await b.get('/card/statement?lang=en');
      assert.equal(
        rowsOf(page)[0],
        '2026-03-07 14:00 OnePIN calling Calling Call -100 KRW 9,900 KRW',
      );
      assert.doesNotMatch(page.body, /9876|Korea mobile/);
      const csv = await b.get('/card/statement.csv?lang=en');
      assert.doesNotMatch(csv.body, /9876|Korea mobile/);
    });

    test('pages of 25 lines skip each call’s hidden entries exactly', async () => {
      t.clock.set(MARCH_5_1400_KST + 3n * DAY);
      const card = await activeTestCard(t.app);
      const calls = 30;
      for (let i = 0; i < calls; i += 1) {
        t.clock.advance(MINUTE);
        const call = key();
        value(
          await startSession(charging, {
            ...call,
            requestNumber: 0,
            subscriber: { cardId: card.id },
            service: 'call',
            number: '02-123-4567',
            requestedSeconds: 30,
          }),
        );
        value(
          await updateSession(charging, {
            ...call,
            requestNumber: 1,
            usedSeconds: 30,
            requestedSeconds: 30,
          }),
        );
        // One second over the grant: an overrun taken directly, a fifth ledger entry.
        value(await terminateSession(charging, { ...call, requestNumber: 2, usedSeconds: 31 }));
      }
      const b = await signIn(card);
      const first = await b.get('/card/statement?lang=en');
      const firstRows = rowsOf(first);
      assert.equal(firstRows.length, 25);
      const older = /href="(\/card\/statement\?cursor=[0-9]+)" rel="next"/.exec(first.body)?.[1];
      assert.ok(older, 'an older link');
      const second = await b.get(older);
      const secondRows = rowsOf(second);
      assert.equal(secondRows.length, 6, 'five calls and the purchase');
      assert.doesNotMatch(second.body, /rel="next"/);
      const all = [...firstRows, ...secondRows];
      assert.equal(all.filter((r) => r.includes('Call to Anywhere (02-123-4567) 1:01')).length, 30);
      assert.equal(new Set(all).size, 31, 'no line twice');
      // Each call took 61 won: the balances step down by 61 from the purchase.
      const balances = all.map((r) => /([0-9,]+) KRW$/.exec(r)?.[1]?.replace(/,/g, ''));
      assert.deepEqual(
        balances,
        Array.from({ length: 31 }, (_, i) => String(10_000 - 61 * (30 - i))),
      );
    });
  });
}

describe('statement lines (pure)', () => {
  test('Korean numbers in national form, others in +E.164', () => {
    assert.equal(displayNumber('821012345678'), '010-1234-5678');
    assert.equal(displayNumber('82161234567'), '016-123-4567');
    assert.equal(displayNumber('8221234567'), '02-123-4567');
    assert.equal(displayNumber('82212345678'), '02-1234-5678');
    assert.equal(displayNumber('82311234567'), '031-123-4567');
    assert.equal(displayNumber('827012345678'), '070-1234-5678');
    assert.equal(displayNumber('8215881234'), '1588-1234');
    assert.equal(displayNumber('82114'), '0114', 'too short to group');
    assert.equal(displayNumber('12125550100'), '+12125550100');
    assert.equal(displayNumber(''), '');
  });

  test('durations as m:ss and h:mm:ss', () => {
    assert.deepEqual([0, 5, 59, 60, 95, 3_599, 3_600, 3_661, 86_400].map(formatDuration), [
      '0:00',
      '0:05',
      '0:59',
      '1:00',
      '1:35',
      '59:59',
      '1:00:00',
      '1:01:01',
      '24:00:00',
    ]);
  });

  test('service types of our charged services', () => {
    assert.deepEqual(
      ['call', 'sms', 'voicemail', 'content', 'voicemail_fee', 'reservation'].map(
        chargedServiceType,
      ),
      ['calling', 'calling', 'voicemail', 'contents', 'voicemail', 'calling'],
    );
    const categoryOf = () => undefined;
    const hold = { kind: 'reservation', counterparty: { code: 'service_revenue', ownerRef: null } };
    assert.equal(serviceTypeOf(hold, categoryOf), 'calling');
    assert.equal(serviceTypeOf(hold, categoryOf, 'voicemail'), 'voicemail');
    assert.equal(serviceTypeOf(hold, categoryOf, 'content'), 'contents');
  });

  test('one line per session: the anchor shows, the other entries hide, refunds stay', () => {
    const entry = (
      transferId: string,
      kind: string,
      reference = 'cs_abc',
      code = 'service_revenue',
    ) => ({
      seq: 1n,
      atMs: 0n,
      kind,
      amountMinor: -1n,
      heldChangeMinor: 0n,
      balanceAfterMinor: 0n,
      heldAfterMinor: 0n,
      reference,
      transferId,
      counterparty: { code, ownerRef: null },
    });
    const session = { sessionId: 'cs_abc', kind: 'session' } as UsageRecord;
    const event = { sessionId: 'cs_abc', kind: 'event' } as UsageRecord;
    const of = (record: UsageRecord) => (ref: string) => (ref === 'cs_abc' ? record : undefined);
    assert.equal(statementLine(entry('cs_abc.h1', 'reservation'), of(session))?.type, 'usage');
    assert.equal(statementLine(entry('cs_abc.h1.p', 'call'), of(session)), null);
    assert.equal(statementLine(entry('cs_abc.h2', 'reservation'), of(session)), null);
    assert.equal(statementLine(entry('cs_abc.h2.v', 'reservation_release'), of(session)), null);
    assert.equal(statementLine(entry('ovr_cs_abc.3', 'call'), of(session)), null);
    assert.equal(statementLine(entry('cs_abc.r4', 'charging_refund'), of(session))?.type, 'refund');
    assert.equal(statementLine(entry('cs_abc.d', 'sms'), of(event))?.type, 'usage');
    assert.equal(statementLine(entry('cs_abc.h1', 'reservation'), of(event)), null);
    // Not ours: no record, or the other side is not our service revenue.
    assert.equal(statementLine(entry('x', 'call', 'cs_zzz'), of(session))?.type, 'entry');
    assert.equal(
      statementLine(entry('cs_abc.h1', 'capture', 'cs_abc', 'merchant_payable'), of(session))?.type,
      'entry',
    );
  });
});
