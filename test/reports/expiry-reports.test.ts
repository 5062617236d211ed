import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import {
  activateCard,
  expireDueCards,
  issueCards,
  previewExpiry,
  sellCard,
  spend,
  upsertDenomination,
  type SaleChannel,
} from '../../src/cards/index.ts';
import { runWorkerPass } from '../../src/jobs/index.ts';
import { MS_PER_DAY } from '../../src/kernel/index.ts';
import { systemAccountId, verifyLedger } from '../../src/ledger/index.ts';
import {
  breakageCsv,
  breakageReport,
  expiringReport,
  liabilityCsv,
  liabilityReport,
} from '../../src/reports/index.ts';
import { sendExpiryNotices } from '../../src/sales/index.ts';
import { upsertHolder } from '../../src/sales/holders.ts';
import { tablesOf, writeTransaction, type Database } from '../../src/storage/index.ts';
import { openTestApp, type TestApp } from '../support/app.ts';
import { DATABASES } from '../support/databases.ts';
import { snapshot } from '../support/snapshot.ts';
import { childEnv, runCli } from '../main/helpers.ts';

const DAY = MS_PER_DAY;
/** 100 days after sale; 10,000 won. */
const SHORT = 'den_test_100d';

async function count(db: Database, table: string): Promise<number> {
  const rows = await tablesOf<Record<string, Record<string, unknown>>>(db.kysely)
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string | number | bigint>().as('n'))
    .execute();
  return Number(rows[0]?.n ?? 0);
}

/** What the notices wrote: notice rows, e-mails and SMS, plus the whole snapshot. */
async function written(db: Database): Promise<string> {
  const counts = [
    await count(db, 'sales_expiry_notice'),
    await count(db, 'notify_email'),
    await count(db, 'notify_sms'),
  ];
  return `${counts.join(',')}\n${await snapshot(db)}`;
}

for (const target of DATABASES) {
  describe(
    `expiry notices, expiry and finance reports (${target.name})`,
    { skip: target.skip },
    () => {
      let t: TestApp;
      let n = 0;

      beforeEach(async () => {
        t = await openTestApp(target);
        await writeTransaction(t.app.db, (tx) =>
          upsertDenomination(
            tx,
            {
              id: SHORT,
              amountMinor: 10_000n,
              currency: 'KRW',
              name: '10,000 won, 100 days',
              design: 'classic-green',
              validity: { kind: 'days_after_sale', days: 100n },
              onSale: true,
            },
            t.clock.nowMs(),
          ),
        );
      });
      afterEach(async () => {
        await t.dispose();
      });

      /** Issues and sells one card; spends `spent` of it. */
      async function sold(
        denominationId: string,
        channel: SaleChannel,
        spent = 0n,
      ): Promise<{ id: string }> {
        const issued = await issueCards(t.app.cards, { denominationId, count: 1 });
        assert.ok(issued.ok);
        const card = issued.value.cards[0];
        assert.ok(card);
        const sale = await sellCard(t.app.cards, {
          serial: card.serial,
          channel,
          activationKind: 'otp',
        });
        assert.ok(sale.ok);
        const active = await activateCard(t.app.cards, {
          pin: card.pin,
          activationSecret: sale.value.activationSecret,
          password: '2580',
        });
        assert.ok(active.ok);
        if (spent > 0n) {
          n += 1;
          const s = await spend(t.app.cards, {
            cardId: card.cardId,
            creditAccountId: systemAccountId('KRW', 'fee_revenue'),
            amountMinor: spent,
            currency: 'KRW',
            transferId: `test_rep_${n}_${card.cardId}`,
            code: 'test_spend',
          });
          assert.ok(s.ok, s.ok ? '' : s.error.code);
        }
        return { id: card.cardId };
      }

      async function holder(cardId: string, locale: 'ko' | 'en', phone: string | null) {
        await writeTransaction(t.app.db, (tx) =>
          upsertHolder(t.app.sales, tx, {
            cardId,
            name: 'Kim Minji',
            email: `${cardId}@example.com`,
            phone,
            locale,
          }),
        );
      }

      test('notices at 30 and 7 days: once each, in the holder language, SMS only with a phone', async () => {
        const t0 = t.clock.nowMs();
        const ko = await sold(SHORT, 'web');
        const en = await sold(SHORT, 'web', 4_000n);
        const nobody = await sold(SHORT, 'agent');
        const empty = await sold(SHORT, 'web', 10_000n);
        await holder(ko.id, 'ko', '01012345678');
        await holder(en.id, 'en', null);
        await holder(empty.id, 'en', '+821099998888');

        // 31 days before expiry: no window yet.
        t.clock.set(t0 + 69n * DAY);
        const early = await sendExpiryNotices(t.app.sales);
        assert.deepEqual([early.sent, early.lines.length], [0, 0]);

        // Simulate inside the 30-day window: the lines, and nothing written.
        t.clock.set(t0 + 70n * DAY + 3_600_000n);
        const before = await written(t.app.db);
        const sim = await sendExpiryNotices(t.app.sales, { simulate: true });
        assert.equal(sim.sent, 0);
        assert.deepEqual(
          sim.lines.map((l) => [l.cardId, l.windowDays, l.status, l.balanceMinor, l.sms]).sort(),
          [
            [en.id, 30, 'would_send', 6_000n, false],
            [ko.id, 30, 'would_send', 10_000n, true],
            [nobody.id, 30, 'no_contact', 10_000n, false],
          ].sort(),
        );
        assert.equal(await written(t.app.db), before);

        const first = await sendExpiryNotices(t.app.sales);
        assert.equal(first.sent, 2);
        const again = await sendExpiryNotices(t.app.sales);
        assert.equal(again.sent, 0);
        assert.deepEqual(
          again.lines
            .filter((l) => l.status === 'already_sent')
            .map((l) => l.cardId)
            .sort(),
          [en.id, ko.id].sort(),
        );
        const mails = await tablesOf<Record<string, Record<string, unknown>>>(t.app.db.kysely)
          .selectFrom('notify_email')
          .select(['to_address', 'locale', 'template', 'subject'])
          .orderBy('to_address')
          .execute();
        assert.deepEqual(
          mails.map((m) => [m.to_address, m.locale, m.template]),
          [
            [`${en.id}@example.com`, 'en', 'card_expiring'],
            [`${ko.id}@example.com`, 'ko', 'card_expiring'],
          ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        );
        const subjects = mails.map((m) => String(m.subject));
        assert.ok(
          subjects.some((s) => s.includes('6,000 KRW expires in 30 days')),
          subjects.join(),
        );
        assert.ok(subjects.some((s) => s.includes('10,000 KRW') && s.includes('소멸')));
        const sms = await tablesOf<Record<string, Record<string, unknown>>>(t.app.db.kysely)
          .selectFrom('notify_sms')
          .select(['to_number', 'purpose'])
          .execute();
        assert.deepEqual(
          sms.map((s) => [s.to_number, s.purpose]),
          [['+821012345678', 'card_expiring']],
        );

        // The 7-day window: two runs at the same time still send one notice per card.
        t.clock.set(t0 + 93n * DAY + 3_600_000n);
        const [a, b] = await Promise.all([
          sendExpiryNotices(t.app.sales),
          sendExpiryNotices(t.app.sales),
        ]);
        assert.equal(a.sent + b.sent, 2);
        assert.deepEqual(
          [
            await count(t.app.db, 'sales_expiry_notice'),
            await count(t.app.db, 'notify_email'),
            await count(t.app.db, 'notify_sms'),
          ],
          [4, 4, 2],
        );
        const report = await verifyLedger(t.app.db);
        assert.ok(report.ok, report.problems.join('; '));
      });

      test('the worker sends the notices before it expires cards, once', async () => {
        const t0 = t.clock.nowMs();
        const card = await sold(SHORT, 'web', 1_000n);
        await holder(card.id, 'en', '+821055556666');
        t.clock.set(t0 + 95n * DAY);
        const log = { info: () => undefined, error: () => undefined };
        const first = await runWorkerPass({ ...t.app, log });
        assert.deepEqual([first.expiryNoticesSent, first.cardsExpired], [1, 0]);
        const second = await runWorkerPass({ ...t.app, log });
        assert.equal(second.expiryNoticesSent, 0);
        t.clock.set(t0 + 100n * DAY);
        const third = await runWorkerPass({ ...t.app, log });
        assert.deepEqual(
          [third.expiryNoticesSent, third.cardsExpired, third.breakageMinor],
          [0, 1, 9_000n],
        );
        assert.equal(await count(t.app.db, 'notify_sms'), 1);
      });

      test('liability per channel, denomination and age ties to the ledger; expiry moves balances to breakage once', async () => {
        const t0 = t.clock.nowMs();
        await sold('den_krw_10000', 'web', 2_500n); // 7,500 left, 5 years
        t.clock.set(t0 + 40n * DAY);
        await sold('den_krw_5000', 'agent'); // 5,000
        const short = await sold(SHORT, 'carrier', 3_000n); // 7,000, expires t0 + 140 days
        t.clock.set(t0 + 100n * DAY);

        const now = await liabilityReport({ db: t.app.db, clock: t.clock });
        assert.equal(now.ok, true);
        assert.equal(now.ledgerSource, 'accounts');
        assert.deepEqual(
          now.rows.map((r) => [r.channel, r.denominationId, r.age, r.cards, r.liabilityMinor]),
          [
            ['agent', 'den_krw_5000', '31-90', 1n, 5_000n],
            ['carrier', SHORT, '31-90', 1n, 7_000n],
            ['web', 'den_krw_10000', '91-180', 1n, 7_500n],
          ],
        );
        assert.deepEqual(now.checks, [
          { currency: 'KRW', reportMinor: 19_500n, ledgerMinor: 19_500n, ties: true },
        ]);
        assert.match(
          liabilityCsv(now),
          /^currency,channel,denomination_id,.*\nKRW,agent,den_krw_5000,5000,live,31-90,1,5000,0\n/,
        );

        // As at day 39, only the first card was sold.
        const past = await liabilityReport(
          { db: t.app.db, clock: t.clock },
          { atMs: t0 + 39n * DAY },
        );
        assert.equal(past.ledgerSource, 'journal');
        assert.deepEqual(
          past.rows.map((r) => [r.channel, r.age, r.liabilityMinor]),
          [['web', '31-90', 7_500n]],
        );
        assert.equal(past.ok, true);

        // Expiring in the next 30 and 90 days.
        const soon = await expiringReport({ db: t.app.db, clock: t.clock }, { days: 90 });
        assert.equal(soon.ok, true);
        assert.deepEqual(
          soon.lines.map((l) => [l.cardId, l.balanceMinor, l.expiresAtMs]),
          [[short.id, 7_000n, t0 + 140n * DAY]],
        );
        assert.deepEqual(
          soon.summary.map((s) => [s.withinDays, s.cards, s.balanceMinor]),
          [
            [7, 0n, 0n],
            [30, 0n, 0n],
            [90, 1n, 7_000n],
          ],
        );

        // Simulated expiry at day 141 lists the breakage and writes nothing.
        t.clock.set(t0 + 141n * DAY);
        const before = await snapshot(t.app.db);
        const preview = await previewExpiry(t.app.cards, t.clock.nowMs(), 100);
        assert.deepEqual(
          preview.lines.map((l) => [l.cardId, l.breakageMinor, l.heldMinor]),
          [[short.id, 7_000n, 0n]],
        );
        assert.equal(preview.breakageByCurrency.get('KRW'), 7_000n);
        assert.equal(await snapshot(t.app.db), before);

        const run = await expireDueCards(t.app.cards, 100);
        assert.deepEqual([run.expired, run.sweptMinor], [1, 7_000n]);
        const rerun = await expireDueCards(t.app.cards, 100);
        assert.deepEqual([rerun.expired, rerun.sweptMinor], [0, 0n]);
        const afterExpiry = await snapshot(t.app.db);
        assert.deepEqual((await previewExpiry(t.app.cards, t.clock.nowMs(), 100)).lines, []);
        assert.equal(await snapshot(t.app.db), afterExpiry);

        const left = await liabilityReport({ db: t.app.db, clock: t.clock });
        assert.deepEqual(left.checks, [
          { currency: 'KRW', reportMinor: 12_500n, ledgerMinor: 12_500n, ties: true },
        ]);
        const breakage = await breakageReport(
          { db: t.app.db, clock: t.clock },
          { fromMs: t0, toMs: t0 + 400n * DAY },
        );
        // t0 = 2026-01-01T00:00Z; +141 days = 2026-05-22 (Seoul).
        assert.deepEqual(
          breakage.rows.map((r) => [r.month, r.currency, r.transfers, r.amountMinor]),
          [['2026-05', 'KRW', 1n, 7_000n]],
        );
        assert.deepEqual(breakage.checks, [
          { currency: 'KRW', reportMinor: 7_000n, ledgerMinor: 7_000n, ties: true },
        ]);
        assert.equal(
          breakageCsv(breakage),
          'month,currency,cards,breakage_minor\n2026-05,KRW,1,7000\n',
        );
        const none = await breakageReport(
          { db: t.app.db, clock: t.clock },
          { fromMs: t0, toMs: t0 + 140n * DAY },
        );
        assert.deepEqual([none.rows, none.ok], [[], true]);
        const verify = await verifyLedger(t.app.db);
        assert.ok(verify.ok, verify.problems.join('; '));
        assert.equal(
          verify.currencies.find((c) => c.currency === 'KRW')?.creditsPosted,
          verify.currencies.find((c) => c.currency === 'KRW')?.debitsPosted,
        );
      });
    },
  );
}

describe('CLI: reports and the expiry job (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onepin-reports-'));
  const env = childEnv({ ONEPIN_DATA_DIR: dir });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('liability, breakage, expiring, cards expire --simulate, expiry-notices --simulate', async () => {
    const seeded = await runCli(['demo', 'seed'], env);
    assert.equal(seeded.code, 0, seeded.stderr);
    const liability = await runCli(['reports', 'liability', '--csv'], env);
    assert.equal(liability.code, 0, liability.stderr);
    assert.match(liability.stdout, /^currency,channel,denomination_id,face_value_minor,/);
    assert.match(liability.stderr, /^liability KRW: report .* ledger .* — ties$/m);
    const json = await runCli(['reports', 'liability', '--at', '2020-01-01'], env);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual((JSON.parse(json.stdout) as { rows: unknown[] }).rows, []);
    const breakage = await runCli(
      ['reports', 'breakage', '--from', '2026-01-01', '--to', '2026-12-31', '--csv'],
      env,
    );
    assert.equal(breakage.code, 0, breakage.stderr);
    assert.equal(breakage.stdout, 'month,currency,cards,breakage_minor\n');
    const expiring = await runCli(['reports', 'expiring', '--days', '30'], env);
    assert.equal(expiring.code, 0, expiring.stderr);
    assert.equal((JSON.parse(expiring.stdout) as { days: number }).days, 30);
    const bad = await runCli(['reports', 'expiring', '--days', '0'], env);
    assert.equal(bad.code, 2);
    const sim = await runCli(['cards', 'expire', '--simulate', '--now', '2099-01-01'], env);
    assert.equal(sim.code, 0, sim.stderr);
    assert.match(
      sim.stdout,
      /simulate: \d+ cards would expire or be swept; breakage .*KRW; nothing was written/,
    );
    const after = await runCli(['reports', 'liability', '--csv'], env);
    assert.equal(after.stdout, liability.stdout);
    const refused = await runCli(['cards', 'expire', '--now', '2099-01-01'], env);
    assert.equal(refused.code, 2);
    const notices = await runCli(['cards', 'expiry-notices', '--simulate'], env);
    assert.equal(notices.code, 0, notices.stderr);
    assert.match(notices.stdout, /simulate: 0 notices would be sent; nothing was written/);
    const real = await runCli(['cards', 'expire'], env);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /^expired 0 cards; 0 minor units moved to breakage$/m);
  });
});
