import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getCard, spend, activateCard } from '../../src/cards/index.ts';
import {
  addCarrier,
  completeRegistration,
  importBilling,
  provisionPins,
  reconciliationOf,
  remittanceTransferIds,
  reportSale,
  requestRegistrationCode,
  newCarrierKey,
  type Carrier,
} from '../../src/carriers/index.ts';
import { buildServer } from '../../src/http/index.ts';
import { signatureHeader } from '../../src/payments/index.ts';
import { Browser, csrfOf } from '../http/pages-support.ts';
import { runWorkerPass } from '../../src/jobs/index.ts';
import { recordSmsReceipt } from '../../src/notify/index.ts';
import { systemAccountId, verifyLedger } from '../../src/ledger/index.ts';
import { createSmppGateway } from '../../src/protocols/smpp/index.ts';
import { openPin } from '../../src/carriers/context.ts';
import { carrierTables } from '../../src/carriers/context.ts';
import { openSmsText } from '../../src/notify/sms-seal.ts';
import { smsTables } from '../../src/notify/sms-tables.ts';
import { DATABASES } from '../support/databases.ts';
import { openTestApp, type TestApp } from '../support/app.ts';
import { startSmsc, type TestSmsc } from '../protocols/smpp/support/smsc.ts';

const NOV = (day: number): bigint => BigInt(Date.UTC(2026, 10, day, 12));
const BUYER = '+821012345678';
const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

for (const target of DATABASES) {
  describe(`mobile carrier channel (${target.name})`, { skip: target.skip }, () => {
    let t: TestApp;
    let smsc: TestSmsc;
    let carrier: Carrier;
    /** serial → PIN, read back from the sealed pool (the test stands in for the SMS reader). */
    const pins = new Map<string, string>();
    let serials: string[] = [];
    const sn = (i: number): string => serials[i] ?? '';

    const balance = async (accountId: string): Promise<bigint> => {
      const a = await t.app.ledger.getAccount(t.app.db.kysely, accountId);
      assert.ok(a !== undefined, accountId);
      return a.debitsPosted - a.creditsPosted;
    };
    const verify = async (): Promise<void> => {
      const report = await verifyLedger(t.app.db);
      assert.ok(report.ok, report.problems.join('; '));
    };
    const smsCount = async (): Promise<number> =>
      (
        await t.app.db.kysely
          .selectFrom('notify_sms' as never)
          .selectAll()
          .execute()
      ).length;

    before(async () => {
      t = await openTestApp(target);
      smsc = await startSmsc();
      const added = await addCarrier(t.app.carriers, { name: 'KT', commissionBps: 500n });
      assert.ok(added.ok);
      carrier = added.value;
    });
    after(async () => {
      await smsc.close();
      await t.dispose();
    });

    test('provision: a pool without value that cannot be spent or activated', async () => {
      const p = await provisionPins(t.app.carriers, {
        carrierId: 'KT',
        denominationId: 'den_krw_10000',
        count: 5,
      });
      assert.ok(p.ok, show(p));
      assert.equal(p.value.count, 5);
      const rows = await carrierTables(t.app.db.kysely)
        .selectFrom('carrier_pin')
        .selectAll()
        .orderBy('serial')
        .execute();
      assert.equal(rows.length, 5);
      serials = rows.map((r) => r.serial);
      for (const r of rows) {
        assert.equal(r.face_value_minor, 10_000n);
        pins.set(
          r.serial,
          openPin(t.app.carriers.pinKey, r.card_id, { nonce: r.pin_nonce, sealed: r.pin_sealed }),
        );
        const card = await getCard(t.app.cards, t.app.db.kysely, { id: r.card_id });
        assert.ok(card.ok);
        assert.equal(card.value.state, 'consigned');
        assert.equal(card.value.accountId, null);
      }
      const pin = pins.get(serials[0] ?? '') ?? '';
      const activated = await activateCard(t.app.cards, {
        pin,
        activationSecret: '000000',
        password: '2580',
      });
      assert.equal(activated.ok ? 'ok' : activated.error.code, 'activation_secret_invalid');
      const spent = await spend(t.app.cards, {
        cardId: rows[0]?.card_id ?? '',
        creditAccountId: systemAccountId('KRW', 'service_revenue'),
        amountMinor: 1n,
        currency: 'KRW',
        transferId: 'tr_carrier_pool_spend',
        code: 'call',
      });
      assert.equal(spent.ok ? 'ok' : spent.error.code, 'card_not_active');
      assert.equal(await balance(carrier.accountId), 0n);
      await verify();
    });

    test('a sale report loads the card once and queues the PIN SMS; a duplicate changes nothing', async () => {
      const serial = serials[0] ?? '';
      const input = {
        carrierId: carrier.id,
        reportId: 'kt-1',
        serial,
        phone: '010-1234-5678',
        priceMinor: 10_000n,
        soldAtMs: NOV(3),
      };
      const first = await reportSale(t.app.carriers, input);
      assert.ok(first.ok, show(first));
      assert.equal(first.value.state, 'loaded');
      assert.equal(first.value.replayed, false);
      assert.equal(first.value.phone, BUYER);
      assert.equal(await balance(carrier.accountId), 10_000n);
      const card = await getCard(t.app.cards, t.app.db.kysely, { serial });
      assert.ok(card.ok);
      assert.equal(card.value.state, 'sold');
      assert.equal(card.value.channel, 'carrier');
      assert.equal(await smsCount(), 1);

      const again = await reportSale(t.app.carriers, input);
      assert.ok(again.ok);
      assert.equal(again.value.replayed, true);
      assert.equal(again.value.id, first.value.id);
      assert.equal(again.value.smsId, first.value.smsId);
      assert.equal(await balance(carrier.accountId), 10_000n);
      assert.equal(await smsCount(), 1);

      const conflict = await reportSale(t.app.carriers, { ...input, phone: '+821099998888' });
      assert.equal(conflict.ok ? 'ok' : conflict.error.code, 'carrier_sale_conflict');
      const twice = await reportSale(t.app.carriers, { ...input, reportId: 'kt-1b' });
      assert.equal(twice.ok ? 'ok' : twice.error.code, 'carrier_pin_sold');
      const stranger = await reportSale(t.app.carriers, {
        ...input,
        reportId: 'kt-x',
        serial: '999999999999',
      });
      assert.equal(stranger.ok ? 'ok' : stranger.error.code, 'carrier_pin_not_in_pool');
      const price = await reportSale(t.app.carriers, {
        ...input,
        reportId: 'kt-p',
        serial: serials[1] ?? '',
        priceMinor: 9_000n,
      });
      assert.equal(price.ok ? 'ok' : price.error.code, 'carrier_sale_price_mismatch');
      assert.equal(await balance(carrier.accountId), 10_000n);
      assert.equal(await smsCount(), 1);
      await verify();
    });

    test('SMPP round trip: the worker delivers the PIN text to the buyer at a real SMSC', async () => {
      const gateway = createSmppGateway({
        url: smsc.url(),
        sourceAddr: 'OnePIN',
        onReceipt: (r) => recordSmsReceipt(t.app.notify, r),
      });
      gateway.start();
      try {
        const log = { info: () => undefined, error: () => undefined };
        const pass = await runWorkerPass({ ...t.app, log, smsTransport: gateway.transport });
        assert.equal(pass.sms?.submitted, 1);
      } finally {
        await gateway.close();
      }
      // Korean text goes as UCS-2: two concatenated parts of one message, both to the buyer.
      assert.deepEqual(
        smsc.submits.map((p) => [p.destination, p.dataCoding, p.concat?.total, p.concat?.seq]),
        [
          [BUYER.slice(1), 8, 2, 1],
          [BUYER.slice(1), 8, 2, 2],
        ],
      );
      const pin = pins.get(serials[0] ?? '') ?? '';
      const grouped = pin.match(/.{1,4}/g)?.join('-') ?? '';
      assert.equal(
        smsc.submits.map((p) => p.text).join(''),
        `[OnePIN] 10000원 PIN ${grouped}\n비밀번호 등록: http://127.0.0.1:3000/carrier/register`,
      );
    });

    test('registration: a code to the sale’s phone only; wrong, expired, then right', async () => {
      const pin = pins.get(serials[0] ?? '') ?? '';
      const other = await requestRegistrationCode(t.app.carriers, {
        pin,
        phone: '+821099998888',
        ip: '203.0.113.1',
      });
      assert.equal(other.ok ? 'ok' : other.error.code, 'carrier_registration_refused');
      const unknown = await requestRegistrationCode(t.app.carriers, {
        pin: '1234-5678-9012-3456',
        phone: BUYER,
        ip: '203.0.113.1',
      });
      assert.equal(unknown.ok ? 'ok' : unknown.error.code, 'carrier_registration_refused');
      const before = await smsCount();

      const sent = await requestRegistrationCode(t.app.carriers, {
        pin,
        phone: '010-1234-5678',
        ip: '203.0.113.1',
      });
      assert.ok(sent.ok, show(sent));
      assert.equal(await smsCount(), before + 1);
      const code = await codeOf(sent.value.smsId);
      const wrong = code === '000000' ? '000001' : '000000';
      const bad = await completeRegistration(t.app.carriers, {
        pin,
        code: wrong,
        password: '2580',
      });
      assert.equal(bad.ok ? 'ok' : bad.error.code, 'activation_secret_invalid');
      t.clock.advance(t.app.carriers.codeTtlMs);
      const late = await completeRegistration(t.app.carriers, { pin, code, password: '2580' });
      assert.equal(late.ok ? 'ok' : late.error.code, 'activation_secret_invalid');

      const fresh = await requestRegistrationCode(t.app.carriers, {
        pin,
        phone: BUYER,
        ip: '203.0.113.1',
      });
      assert.ok(fresh.ok);
      const good = await completeRegistration(t.app.carriers, {
        pin,
        code: await codeOf(fresh.value.smsId),
        password: '2580',
      });
      assert.ok(good.ok, show(good));
      const card = await getCard(t.app.cards, t.app.db.kysely, { serial: serials[0] ?? '' });
      assert.ok(card.ok);
      assert.equal(card.value.state, 'active');
      const sale = await carrierTables(t.app.db.kysely)
        .selectFrom('carrier_sale')
        .select('state')
        .where('report_id', '=', 'kt-1')
        .executeTakeFirstOrThrow();
      assert.equal(sale.state, 'registered');
      await verify();
    });

    test('SMS limits: per number, per prefix and per IP; refused sends nothing', async () => {
      t.clock.advance(2n * 3_600_000n);
      // Two more sales to two numbers of one prefix.
      const s2 = await reportSale(t.app.carriers, {
        carrierId: carrier.id,
        reportId: 'kt-2',
        serial: serials[1] ?? '',
        phone: '+821055550001',
        priceMinor: 10_000n,
        soldAtMs: NOV(10),
      });
      assert.ok(s2.ok);
      const pin = pins.get(serials[1] ?? '') ?? '';
      for (let i = 0; i < 3; i += 1) {
        const r = await requestRegistrationCode(t.app.carriers, {
          pin,
          phone: '+821055550001',
          ip: `198.51.100.${i}`,
        });
        assert.ok(r.ok, `code ${i}`);
      }
      const before = await smsCount();
      const fourth = await requestRegistrationCode(t.app.carriers, {
        pin,
        phone: '+821055550001',
        ip: '198.51.100.9',
      });
      assert.equal(
        fourth.ok ? 'ok' : `${fourth.error.code}:${fourth.error.param ?? ''}`,
        'sms_limit_exceeded:phone',
      );
      assert.equal(await smsCount(), before);

      const limited = {
        ...t.app.carriers,
        smsLimits: { perNumber: 3, perPrefix: 3, perIp: 10, windowMs: 3_600_000n },
      };
      const prefix = await requestRegistrationCode(limited, {
        pin,
        phone: '+821055550002',
        ip: '198.51.100.10',
      });
      assert.equal(
        prefix.ok ? 'ok' : `${prefix.error.code}:${prefix.error.param ?? ''}`,
        'sms_limit_exceeded:prefix',
      );
      const byIp = {
        ...t.app.carriers,
        smsLimits: { perNumber: 9, perPrefix: 99, perIp: 1, windowMs: 3_600_000n },
      };
      const ip = await requestRegistrationCode(byIp, {
        pin,
        phone: '+821055550001',
        ip: '198.51.100.1',
      });
      assert.equal(
        ip.ok ? 'ok' : `${ip.error.code}:${ip.error.param ?? ''}`,
        'sms_limit_exceeded:ip',
      );
      assert.equal(await smsCount(), before);
    });

    test('monthly billing: planted differences, the exact remittance, re-run books nothing', async () => {
      // Ours in November: serial 0 (10000, kt-1) and 1 (10000, kt-2); serial 2 sold in November too.
      const s3 = await reportSale(t.app.carriers, {
        carrierId: carrier.id,
        reportId: 'kt-3',
        serial: serials[2] ?? '',
        phone: BUYER,
        priceMinor: 10_000n,
        soldAtMs: NOV(20),
      });
      assert.ok(s3.ok);
      const s4 = await reportSale(t.app.carriers, {
        carrierId: carrier.id,
        reportId: 'kt-4',
        serial: serials[3] ?? '',
        phone: BUYER,
        priceMinor: 10_000n,
        soldAtMs: BigInt(Date.UTC(2026, 11, 1, 0, 0, 1)),
      });
      assert.ok(s4.ok); // December: not in the November file
      const receivable = await balance(carrier.accountId);
      assert.equal(receivable, 40_000n);
      const file = [
        'serial,sold_at,amount_minor',
        `${sn(0)},2026-11-03T12:00:00Z,10000`, // matched
        `${sn(1)},2026-11-10T12:00:00Z,10000`, // matched
        `${sn(2)},2026-11-20T12:00:00Z,9000`, // amount differs
        `${sn(4)},2026-11-21T12:00:00Z,10000`, // theirs, never reported to us
        '000000999999,2026-11-22T12:00:00Z,10000', // not a PIN of theirs
        'TOTAL,5,50000', // the lines add up to 49000
      ].join('\n');
      const sim = await importBilling(t.app.carriers, {
        carrierId: 'KT',
        period: '2026-11',
        fileName: 'kt-2026-11.csv',
        text: file,
        simulate: true,
      });
      assert.ok(sim.ok, show(sim));
      assert.equal(sim.value.outcome, 'simulated');
      assert.equal(await balance(carrier.accountId), 40_000n);
      assert.equal(
        (await reconciliationOf(t.app.carriers, { carrierId: 'KT', period: '2026-11' })).ok,
        false,
      );

      const run = await importBilling(t.app.carriers, {
        carrierId: 'KT',
        period: '2026-11',
        fileName: 'kt-2026-11.csv',
        text: file,
        simulate: false,
      });
      assert.ok(run.ok, show(run));
      assert.equal(run.value.outcome, 'booked');
      assert.deepEqual(
        run.value.lines.map((l) => [l.kind, l.serial, l.oursMinor, l.theirsMinor]),
        [
          ['matched', serials[0], 10_000n, 10_000n],
          ['matched', serials[1], 10_000n, 10_000n],
          ['amount_mismatch', serials[2], 10_000n, 9_000n],
          ['missing_in_ours', serials[4], null, 10_000n],
          ['unknown_pin', '000000999999', null, 10_000n],
          ['totals_mismatch', null, 49_000n, 50_000n],
        ],
      );
      assert.deepEqual(
        [run.value.grossMinor, run.value.commissionMinor, run.value.netMinor],
        [20_000n, 1_000n, 19_000n],
      );
      const ids = remittanceTransferIds(carrier.id, '2026-11');
      const net = await t.app.ledger.getTransfer(t.app.db.kysely, ids.net);
      const com = await t.app.ledger.getTransfer(t.app.db.kysely, ids.commission);
      assert.deepEqual(
        [net?.debitAccountId, net?.creditAccountId, net?.amountMinor, net?.code],
        [
          systemAccountId('KRW', 'funding_clearing'),
          carrier.accountId,
          19_000n,
          'carrier_remittance',
        ],
      );
      assert.deepEqual(
        [com?.debitAccountId, com?.creditAccountId, com?.amountMinor, com?.code],
        [
          systemAccountId('KRW', 'commission_expense'),
          carrier.accountId,
          1_000n,
          'carrier_commission',
        ],
      );
      // What stays open: the disputed November sale and the December one.
      assert.equal(await balance(carrier.accountId), 20_000n);
      await verify();

      const rerun = await importBilling(t.app.carriers, {
        carrierId: 'KT',
        period: '2026-11',
        fileName: 'again.csv',
        text: file,
        simulate: false,
      });
      assert.ok(rerun.ok);
      assert.equal(rerun.value.outcome, 'replayed');
      assert.deepEqual(rerun.value.lines, run.value.lines);
      assert.equal(await balance(carrier.accountId), 20_000n);
      const other = await importBilling(t.app.carriers, {
        carrierId: 'KT',
        period: '2026-11',
        fileName: 'v2.csv',
        text: `${file}\n`,
        simulate: false,
      });
      assert.equal(other.ok ? 'ok' : other.error.code, 'carrier_billing_period_imported');
      const broken = await importBilling(t.app.carriers, {
        carrierId: 'KT',
        period: '2026-10',
        fileName: 'b.csv',
        text: 'serial,sold_at,amount_minor\nx,y,z\nTOTAL,1,1\n',
        simulate: false,
      });
      assert.equal(broken.ok ? 'ok' : broken.error.code, 'carrier_billing_invalid');
      assert.equal(await balance(carrier.accountId), 20_000n);
      const shown = await reconciliationOf(t.app.carriers, { carrierId: 'KT', period: '2026-11' });
      assert.ok(shown.ok);
      assert.equal(shown.value.lines.length, 6);
      await verify();
    });

    test('the sale-report API: key, signature, one load under retries', async () => {
      const key = await newCarrierKey(t.app.carriers, carrier.id);
      assert.ok(key.ok);
      const server = await buildServer({
        db: t.app.db,
        payments: t.app.payments,
        cards: t.app.cards,
        carriers: t.app.carriers,
        logLevel: 'silent',
      });
      let nonce = 0;
      const post = async (body: unknown, k = key.value.key, sign = true) => {
        const text = JSON.stringify(body);
        nonce += 1;
        const headers: Record<string, string> = {
          authorization: `Bearer ${k}`,
          'content-type': 'application/json',
        };
        if (sign)
          headers['onepin-signature'] = signatureHeader({
            secret: key.ok ? key.value.signingSecret : '',
            timestamp: Math.floor(Number(t.clock.nowMs()) / 1000),
            nonce: `n${nonce}`,
            method: 'POST',
            path: '/carrier/v1/sales',
            body: text,
          });
        const res = await server.inject({
          method: 'POST',
          url: '/carrier/v1/sales',
          headers,
          payload: text,
        });
        return { status: res.statusCode, json: res.json<Record<string, unknown>>() };
      };
      try {
        const body = {
          report_id: 'api-1',
          serial: serials[4] ?? '',
          phone: '+821077776666',
          price: 10_000,
          sold_at: '2026-12-02T09:00:00+09:00',
        };
        const before = await balance(carrier.accountId);
        assert.equal((await post(body, key.value.key, false)).status, 401);
        assert.equal((await post(body, 'ck_000000000000.' + 'A'.repeat(32))).status, 401);
        const first = await post(body);
        assert.equal(first.status, 201, show(first.json));
        assert.deepEqual(
          [first.json.state, first.json.phone, first.json.replayed],
          ['loaded', '+821077776666', false],
        );
        const again = await post(body);
        assert.equal(again.status, 200);
        assert.deepEqual([again.json.sale, again.json.replayed], [first.json.sale, true]);
        const conflict = await post({ ...body, phone: '+821011112222' });
        assert.deepEqual(
          [conflict.status, (conflict.json.error as { code?: string } | undefined)?.code],
          [409, 'carrier_sale_conflict'],
        );
        assert.equal(await balance(carrier.accountId), before + 10_000n);
      } finally {
        await server.close();
      }
      await verify();
    });

    test('the /carrier/register page: code to the sale’s phone, then a password', async () => {
      const more = await provisionPins(t.app.carriers, {
        carrierId: carrier.id,
        denominationId: 'den_krw_10000',
        count: 1,
      });
      assert.ok(more.ok);
      const serial = more.value.serialFirst;
      const row = await carrierTables(t.app.db.kysely)
        .selectFrom('carrier_pin')
        .selectAll()
        .where('serial', '=', serial)
        .executeTakeFirstOrThrow();
      const pin = openPin(t.app.carriers.pinKey, row.card_id, {
        nonce: row.pin_nonce,
        sealed: row.pin_sealed,
      });
      const sold = await reportSale(t.app.carriers, {
        carrierId: carrier.id,
        reportId: 'web-1',
        serial,
        phone: '+821033334444',
        priceMinor: 10_000n,
        soldAtMs: NOV(25),
      });
      assert.ok(sold.ok);
      const server = await buildServer({
        db: t.app.db,
        payments: t.app.payments,
        cards: t.app.cards,
        carriers: t.app.carriers,
        logLevel: 'silent',
      });
      try {
        const browser = new Browser(server, [], '192.0.2.7');
        const submit = async (action: string, fields: Record<string, string>) => {
          const page = await browser.get('/carrier/register');
          assert.equal(page.status, 200);
          return browser.post(action, { _csrf: csrfOf(page), ...fields });
        };
        const wrongPhone = await submit('/carrier/register', { pin, phone: '010-9999-0000' });
        assert.equal(wrongPhone.status, 400);
        assert.match(wrongPhone.body, /PIN을 받은 휴대폰 번호|phone number the PIN was sent to/);
        const asked = await submit('/carrier/register', { pin, phone: '010-3333-4444' });
        assert.equal(asked.status, 200, asked.body.slice(0, 500));
        const request = await carrierTables(t.app.db.kysely)
          .selectFrom('carrier_code_request')
          .selectAll()
          .where('card_id', '=', row.card_id)
          .executeTakeFirstOrThrow();
        assert.equal(request.ip, '192.0.2.7');
        const code = await codeOf(request.sms_id);
        const done = await submit('/carrier/register/confirm', { pin, code, new_password: '4826' });
        assert.equal(done.status, 200);
        assert.match(done.body, new RegExp(pin.slice(-4)));
        const card = await getCard(t.app.cards, t.app.db.kysely, { serial });
        assert.ok(card.ok);
        assert.equal(card.value.state, 'active');
      } finally {
        await server.close();
      }
    });

    /** The code in a queued SMS, read back through the outbox's sealed text. */
    async function codeOf(smsId: string): Promise<string> {
      const row = await smsTables(t.app.db.kysely)
        .selectFrom('notify_sms')
        .selectAll()
        .where('id', '=', smsId)
        .executeTakeFirstOrThrow();
      const text = openSmsText(t.app.notify.bodyKey, row.id, {
        nonce: row.text_nonce,
        sealed: row.text_sealed,
      });
      const m = /인증번호 ([0-9]{6})/.exec(text);
      assert.ok(m !== null, text);
      return m[1] ?? '';
    }
  });
}
