// Foreign PIN exchange end to end on both databases: stock import, quotes, the switch-over
// (hold → PIN reserved → linked transfers → PIN shown once → e-mail), its refusals, races and
// crashes, low-stock alerts and provider settlement, with `ledger verify` after each.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemAccountId, TransferFlags } from '../../src/ledger/index.ts';
import {
  createQuote,
  fxPositionAccountId,
  importPins,
  inventoryAccountId,
  payableAccountId,
  releaseStaleSwitches,
  runSwitch,
  setProviderState,
  setRate,
  setStockThreshold,
  settleProvider,
  stockReport,
  switchIdOf,
  switchToForeign,
  switchTransfer,
  voidPoolPin,
  type SwitchResult,
} from '../../src/foreign/index.ts';
import { foreignTables } from '../../src/foreign/context.ts';
import { spend } from '../../src/cards/index.ts';
import { activeTestCard } from '../support/app.ts';
import { DATABASES } from '../support/databases.ts';
import {
  CONTACT,
  HOLDER_EMAIL,
  PRICE_10_USD,
  PRICE_25_USD,
  openForeignWorld,
  pinFile,
  show,
  totals,
  type ForeignWorld,
} from './support.ts';

const MINUTE = 60_000n;

/** The calendar day in KST of an instant: `2026-01-01`. */
function kstDay(ms: bigint): string {
  return new Date(Number(ms + 9n * 3_600_000n)).toISOString().slice(0, 10);
}

function completed(outcome: Awaited<ReturnType<typeof runSwitch>>): SwitchResult {
  assert.ok(outcome.ok, show(outcome));
  assert.ok(!('simulate' in outcome.value));
  return outcome.value;
}

async function quoteFor(w: ForeignWorld, cardId: string, face: bigint): Promise<string> {
  const q = await createQuote(w.foreign, {
    cardId,
    providerId: w.provider.id,
    faceValueMinor: face,
  });
  assert.ok(q.ok, show(q));
  return q.value.id;
}

for (const target of DATABASES) {
  describe(`foreign PIN exchange (${target.name})`, { skip: target.skip }, () => {
    describe('stock', () => {
      let w: ForeignWorld;
      before(async () => {
        w = await openForeignWorld(target);
      });
      after(async () => w.dispose());

      test('buying stock books what we owe the provider, in its currency', async () => {
        // 4 PINs: 3 × 10.00 + 25.00 = 55.00 USD at cost (= face value).
        assert.deepEqual(await totals(w.app, inventoryAccountId(w.provider.id)), [
          0n,
          5500n,
          0n,
          0n,
        ]);
        assert.deepEqual(await totals(w.app, payableAccountId(w.provider.id)), [0n, 0n, 0n, 5500n]);
        assert.deepEqual(await w.pool(), [
          '1000:0001:available',
          '1000:0002:available',
          '1000:0003:available',
          '2500:0001:available',
        ]);
        await w.verify();
      });

      test('a file with bad lines is reported by line and stores nothing; so is a dry run', async () => {
        const before = await w.snap();
        const bad = await importPins(w.foreign, {
          providerId: w.provider.id,
          text: 'pin,face_value\nGC-9-9-9-1,10.00\nGC-1000-0000-0001,10.00\nGC-9-9-9-2,10.001\ngc 9 9 9 1,5\n',
          fileName: 'bad.csv',
          importedBy: 'test',
        });
        assert.ok(bad.ok);
        assert.equal(bad.value.valid, false);
        assert.deepEqual(
          bad.value.errors.map((e) => `${e.line}:${e.field}:${e.reason}`),
          ['4:face_value:a positive amount in USD, like 10.00', '5:pin:the same PIN as line 2'],
        );
        assert.equal(await w.snap(), before, 'nothing stored');
        // The format is fine but a PIN is already in the pool: refused too, by line.
        const dup = await importPins(w.foreign, {
          providerId: w.provider.id,
          text: pinFile([
            ['GC-9999-0000-0001', '10.00'],
            ['gc 1000 0000 0002', '10.00'],
          ]),
          fileName: 'dup.csv',
          importedBy: 'test',
        });
        assert.ok(dup.ok);
        assert.deepEqual(dup.value.errors, [
          { line: 3, field: 'pin', reason: 'already in the pool' },
        ]);
        const dry = await importPins(w.foreign, {
          providerId: w.provider.id,
          text: pinFile([
            ['GC-9999-0000-0001', '10.00'],
            ['GC-9999-0000-0002', '25'],
          ]),
          fileName: 'new.csv',
          importedBy: 'test',
          dryRun: true,
        });
        assert.ok(dry.ok && dry.value.valid && dry.value.dryRun);
        assert.equal(dry.value.pinCount, 2);
        assert.equal(dry.value.costTotalMinor, 3500n);
        assert.equal(dry.value.batchId, null);
        assert.equal(await w.snap(), before, 'a dry run stores nothing');
      });

      test('PINs rest sealed: no clear PIN in the pool table', async () => {
        const rows = await foreignTables(w.app.db.kysely)
          .selectFrom('foreign_pin')
          .select(['pin_sealed', 'pin_digest', 'pin_last4'])
          .execute();
        assert.equal(rows.length, 4);
        for (const row of rows) {
          assert.match(row.pin_sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
          assert.ok(!row.pin_sealed.includes('GC-1000-0000'));
          assert.match(row.pin_digest, /^[0-9a-f]{64}$/);
        }
      });
    });

    describe('the switch', () => {
      let w: ForeignWorld;
      const seen: string[] = [];
      before(async () => {
        w = await openForeignWorld(target, {
          faults: {
            afterHold: async (switchId) => {
              const row = await foreignTables(w.app.db.kysely)
                .selectFrom('foreign_switch')
                .select(['card_id', 'state'])
                .where('id', '=', switchId)
                .executeTakeFirstOrThrow();
              const b = await w.balance(row.card_id);
              seen.push(`held:${row.state}:${b.held}`);
            },
            afterReserve: async () => {
              seen.push(
                `reserved:${(await w.pool()).filter((p) => p.endsWith(':reserved')).length}`,
              );
            },
          },
        });
      });
      after(async () => w.dispose());

      test('hold → PIN reserved → linked transfers → PIN shown once → e-mail', async () => {
        const card = await w.card(50_000n);
        const quote = await createQuote(w.foreign, {
          cardId: card.id,
          providerId: w.provider.id,
          faceValueMinor: 1000n,
        });
        assert.ok(quote.ok);
        assert.equal(quote.value.payMinor, PRICE_10_USD);
        assert.equal(quote.value.rateText, '1385.27');
        assert.equal(quote.value.expiresAtMs, w.clock.nowMs() + 2n * MINUTE);
        assert.equal(quote.value.state, 'open');

        const done = completed(
          await switchToForeign(w.foreign, {
            quoteId: quote.value.id,
            pin: card.pin,
            password: card.password,
            email: HOLDER_EMAIL,
            locale: 'ko',
          }),
        );
        assert.deepEqual(seen, [`held:held:${PRICE_10_USD}`, 'reserved:1']);
        assert.equal(done.state, 'completed');
        assert.equal(
          done.pin,
          'GC-1000-0000-0001',
          'the oldest PIN of the value, in the clear, once',
        );
        assert.equal(done.pinLast4, '0001');
        assert.equal(done.payMinor, PRICE_10_USD);
        assert.equal(done.balanceMinor, 50_000n - PRICE_10_USD);
        assert.equal(done.replayed, false);
        assert.deepEqual(await w.balance(card.id), { balance: 50_000n - PRICE_10_USD, held: 0n });

        // The ledger: the hold posted card → fx_position (KRW), linked with the USD leg
        // fx_position ← foreign_inventory at the PIN's cost.
        const id = done.switchId;
        const hold = await w.app.ledger.getPending(w.app.db.kysely, switchTransfer.hold(id));
        assert.equal(hold?.status, 'posted');
        assert.equal(hold.amountPostedMinor, PRICE_10_USD);
        const post = await w.app.ledger.getTransfer(w.app.db.kysely, switchTransfer.post(id));
        assert.equal(post?.flags, TransferFlags.postPending | TransferFlags.linked);
        const leg = await w.app.ledger.getTransfer(w.app.db.kysely, switchTransfer.leg(id));
        assert.equal(leg?.amountMinor, 1000n);
        assert.equal(leg.currency, 'USD');
        assert.deepEqual(await totals(w.app, fxPositionAccountId('KRW')), [
          0n,
          0n,
          0n,
          PRICE_10_USD,
        ]);
        assert.deepEqual(await totals(w.app, fxPositionAccountId('USD')), [0n, 1000n, 0n, 0n]);
        assert.deepEqual(await totals(w.app, inventoryAccountId(w.provider.id)), [
          0n,
          5500n,
          0n,
          1000n,
        ]);
        assert.ok((await w.pool()).includes('1000:0001:sold'));
        await w.verify();

        // The e-mail: to the address given, in Korean, the PIN in the (sealed) body only.
        const mails = await w.mails('foreign_pin');
        assert.equal(mails.length, 1);
        assert.equal(mails[0]?.to, HOLDER_EMAIL);
        assert.ok(mails[0]?.text.includes('GC-1000-0000-0001'));
        assert.ok(mails[0]?.text.includes('13,853 KRW'));
        assert.ok(!mails[0]?.subject.includes('GC-1000'));

        // Again with the same quote: answered, the PIN not shown again, nothing moves.
        const snap = await w.snap();
        const again = completed(
          await runSwitch(w.foreign, { quoteId: quote.value.id, cardId: card.id, locale: 'ko' }),
        );
        assert.equal(again.replayed, true);
        assert.equal(again.pin, null);
        assert.equal(again.pinLast4, '0001');
        assert.equal(await w.snap(), snap);
      });

      test('simulate shows the transfers and writes nothing', async () => {
        const card = await w.card(50_000n);
        const quoteId = await quoteFor(w, card.id, 1000n);
        const snap = await w.snap();
        const plan = await runSwitch(w.foreign, {
          quoteId,
          cardId: card.id,
          email: HOLDER_EMAIL,
          locale: 'en',
          simulate: true,
        });
        assert.ok(plan.ok && 'simulate' in plan.value);
        assert.equal(plan.value.refusal, null);
        assert.equal(plan.value.balanceAfterMinor, 50_000n - PRICE_10_USD);
        assert.deepEqual(
          plan.value.transfers.map((t) => `${t.kind}:${t.currency}:${t.amountMinor}`),
          [`hold:KRW:${PRICE_10_USD}`, `post:KRW:${PRICE_10_USD}`, 'leg:USD:1000'],
        );
        assert.equal(await w.snap(), snap);
      });

      test('an expired quote is refused and changes nothing', async () => {
        const card = await w.card(50_000n);
        const quoteId = await quoteFor(w, card.id, 1000n);
        w.clock.advance(2n * MINUTE);
        const snap = await w.snap();
        const refused = await runSwitch(w.foreign, {
          quoteId,
          cardId: card.id,
          email: HOLDER_EMAIL,
          locale: 'en',
        });
        assert.ok(!refused.ok);
        assert.equal(refused.error.code, 'fx_quote_expired');
        assert.equal(await w.snap(), snap, 'the card was never charged');
        assert.deepEqual(await w.balance(card.id), { balance: 50_000n, held: 0n });
      });

      test('refusals before a quote: empty value, poor, test card, no rate, suspended', async () => {
        const card = await w.card(20_000n);
        const testCard = await activeTestCard(w.app, { livemode: false });
        const snap = await w.snap();
        const q = (face: bigint, cardId = card.id) =>
          createQuote(w.foreign, { cardId, providerId: w.provider.id, faceValueMinor: face });
        const empty = await q(5000n);
        assert.ok(!empty.ok && empty.error.code === 'foreign_pool_empty');
        const poor = await q(2500n);
        assert.ok(!poor.ok && poor.error.code === 'insufficient_funds');
        const sandbox = await q(1000n, testCard.id);
        assert.ok(!sandbox.ok && sandbox.error.code === 'card_mode_mismatch', 'no real PIN');
        w.clock.advance(25n * 60n * MINUTE);
        const stale = await q(1000n);
        assert.ok(!stale.ok && stale.error.code === 'fx_rate_not_found');
        assert.equal(await w.snap(), snap, 'refused quotes store nothing');
        assert.ok(
          (await setRate(w.foreign, { pair: 'USD/KRW', rate: '1385.27', enteredBy: 't' })).ok,
        );
        assert.ok((await setProviderState(w.foreign, w.provider.id, 'suspended')).ok);
        const suspended = await q(1000n);
        assert.ok(!suspended.ok && suspended.error.code === 'foreign_provider_suspended');
        assert.ok((await setProviderState(w.foreign, w.provider.id, 'active')).ok);
        assert.deepEqual(await w.balance(card.id), { balance: 20_000n, held: 0n });
      });

      test('the balance spent elsewhere before confirming: refused, rolled back whole', async () => {
        const card = await w.card(20_000n);
        const quoteId = await quoteFor(w, card.id, 1000n);
        const spent = await spend(w.app.cards, {
          cardId: card.id,
          creditAccountId: systemAccountId('KRW', 'service_revenue'),
          amountMinor: 10_000n,
          currency: 'KRW',
          transferId: `elsewhere_${card.id}`,
          code: 'call',
        });
        assert.ok(spent.ok);
        const snap = await w.snap();
        const refused = await runSwitch(w.foreign, {
          quoteId,
          cardId: card.id,
          email: HOLDER_EMAIL,
          locale: 'en',
        });
        assert.ok(!refused.ok);
        assert.equal(refused.error.code, 'insufficient_funds');
        assert.equal(await w.snap(), snap, 'the quote stays open, no switch, no hold');
        assert.deepEqual(await w.balance(card.id), { balance: 10_000n, held: 0n });
      });

      test('an empty pool at confirmation: refused, the card never charged', async () => {
        // Two quotes for the one 25.00 USD PIN; the first switch takes it.
        const a = await w.card(50_000n);
        const b = await w.card(50_000n);
        const qa = await quoteFor(w, a.id, 2500n);
        const qb = await quoteFor(w, b.id, 2500n);
        completed(
          await runSwitch(w.foreign, {
            quoteId: qa,
            cardId: a.id,
            email: HOLDER_EMAIL,
            locale: 'en',
          }),
        );
        const snap = await w.snap();
        const refused = await runSwitch(w.foreign, {
          quoteId: qb,
          cardId: b.id,
          email: HOLDER_EMAIL,
          locale: 'en',
        });
        assert.ok(!refused.ok);
        assert.equal(refused.error.code, 'foreign_pool_empty');
        assert.equal(await w.snap(), snap);
        assert.deepEqual(await w.balance(b.id), { balance: 50_000n, held: 0n });
        assert.deepEqual(await w.balance(a.id), { balance: 50_000n - PRICE_25_USD, held: 0n });
        await w.verify();
      });
    });

    describe('races and crashes', () => {
      test('two switches for the last PIN: one wins, the other is refused and its hold released', async () => {
        let arrived = 0;
        let release: () => void = () => undefined;
        const bothHeld = new Promise<void>((resolve) => (release = resolve));
        const w = await openForeignWorld(target, {
          faults: {
            // Both holds are taken before either reserves: the race is on the PIN itself.
            afterHold: async () => {
              arrived += 1;
              if (arrived === 2) release();
              await bothHeld;
            },
          },
        });
        try {
          const a = await w.card(50_000n);
          const b = await w.card(50_000n);
          const qa = await quoteFor(w, a.id, 2500n);
          const qb = await quoteFor(w, b.id, 2500n);
          const [ra, rb] = await Promise.all([
            runSwitch(w.foreign, { quoteId: qa, cardId: a.id, email: HOLDER_EMAIL, locale: 'en' }),
            runSwitch(w.foreign, { quoteId: qb, cardId: b.id, email: HOLDER_EMAIL, locale: 'en' }),
          ]);
          const outcomes = [ra, rb];
          const winners = outcomes.filter((o) => o.ok);
          const losers = outcomes.filter((o) => !o.ok);
          assert.equal(winners.length, 1);
          assert.equal(losers.length, 1);
          const loser = losers[0];
          assert.ok(loser !== undefined && !loser.ok);
          assert.equal(loser.error.code, 'foreign_pool_empty');
          const loserCard = ra.ok ? b : a;
          const winnerCard = ra.ok ? a : b;
          assert.deepEqual(await w.balance(loserCard.id), { balance: 50_000n, held: 0n });
          assert.deepEqual(await w.balance(winnerCard.id), {
            balance: 50_000n - PRICE_25_USD,
            held: 0n,
          });
          const loserSwitch = switchIdOf(ra.ok ? qb : qa);
          const hold = await w.app.ledger.getPending(
            w.app.db.kysely,
            switchTransfer.hold(loserSwitch),
          );
          assert.equal(hold?.status, 'voided');
          assert.deepEqual(
            (await w.pool()).filter((p) => p.startsWith('2500:')),
            ['2500:0001:sold'],
          );
          await w.verify();
        } finally {
          await w.dispose();
        }
      });

      test('a crash between reserve and post: a re-run completes once; the PIN is not spent twice', async () => {
        let crash = true;
        const w = await openForeignWorld(target, {
          faults: {
            afterReserve: () => {
              if (crash) throw new Error('crash between reserve and post');
            },
          },
        });
        try {
          const card = await w.card(50_000n);
          const quoteId = await quoteFor(w, card.id, 1000n);
          await assert.rejects(
            runSwitch(w.foreign, { quoteId, cardId: card.id, email: HOLDER_EMAIL, locale: 'en' }),
            /crash between reserve and post/,
          );
          assert.deepEqual(await w.balance(card.id), {
            balance: 50_000n - PRICE_10_USD,
            held: PRICE_10_USD,
          });
          assert.ok((await w.pool()).includes('1000:0001:reserved'));
          assert.equal((await w.mails('foreign_pin')).length, 0);
          crash = false;
          const done = completed(
            await runSwitch(w.foreign, { quoteId, cardId: card.id, locale: 'en' }),
          );
          assert.equal(done.pin, 'GC-1000-0000-0001');
          assert.equal(done.replayed, false, 'the re-run is the one that completed it');
          assert.deepEqual(await w.balance(card.id), { balance: 50_000n - PRICE_10_USD, held: 0n });
          assert.equal((await w.mails('foreign_pin')).length, 1);
          const again = completed(
            await runSwitch(w.foreign, { quoteId, cardId: card.id, locale: 'en' }),
          );
          assert.equal(again.replayed, true);
          assert.deepEqual(await w.balance(card.id), { balance: 50_000n - PRICE_10_USD, held: 0n });
          await w.verify();
        } finally {
          await w.dispose();
        }
      });

      test('a crash after the hold, then the hold runs out: released, and the PIN sold once', async () => {
        let crash = true;
        const w = await openForeignWorld(target, {
          faults: {
            afterReserve: () => {
              if (crash) throw new Error('crash after reserve');
            },
          },
        });
        try {
          const card = await w.card(50_000n);
          const quoteId = await quoteFor(w, card.id, 1000n);
          await assert.rejects(
            runSwitch(w.foreign, { quoteId, cardId: card.id, email: HOLDER_EMAIL, locale: 'en' }),
          );
          crash = false;
          const switchId = switchIdOf(quoteId);
          // The hold runs out (5 minutes); the worker's pass expires it first.
          w.clock.advance(5n * MINUTE);
          const [expired] = await w.app.ledger.submit(
            [
              {
                id: switchTransfer.expire(switchTransfer.hold(switchId)),
                pendingId: switchTransfer.hold(switchId),
                code: 'expiry',
                flags: TransferFlags.expirePending,
              },
            ],
            w.clock.nowMs(),
          );
          assert.equal(expired, 'ok');
          const snap = await w.snap();
          const dry = await releaseStaleSwitches(w.foreign, { simulate: true });
          assert.deepEqual(
            dry.switches.map((s) => s.switchId),
            [switchId],
          );
          assert.equal(await w.snap(), snap, 'simulate writes nothing');
          const released = await releaseStaleSwitches(w.foreign);
          assert.deepEqual(
            released.switches.map((s) => s.switchId),
            [switchId],
          );
          assert.equal((await releaseStaleSwitches(w.foreign)).switches.length, 0, 'once');
          assert.deepEqual(await w.balance(card.id), { balance: 50_000n, held: 0n });
          assert.ok((await w.pool()).includes('1000:0001:available'));
          // The old quote cannot be revived; a new switch sells that PIN exactly once.
          const old = await runSwitch(w.foreign, { quoteId, cardId: card.id, locale: 'en' });
          assert.ok(!old.ok && old.error.code === 'fx_quote_expired');
          const fresh = completed(
            await runSwitch(w.foreign, {
              quoteId: await quoteFor(w, card.id, 1000n),
              cardId: card.id,
              email: HOLDER_EMAIL,
              locale: 'en',
            }),
          );
          assert.equal(fresh.pin, 'GC-1000-0000-0001');
          assert.deepEqual(await w.balance(card.id), { balance: 50_000n - PRICE_10_USD, held: 0n });
          assert.equal((await w.pool()).filter((p) => p.endsWith(':sold')).length, 1);
          await w.verify();
        } finally {
          await w.dispose();
        }
      });

      test('a crash right after the hold: the re-run past the deadline releases it', async () => {
        const w = await openForeignWorld(target, {
          faults: {
            afterHold: () => {
              throw new Error('crash after hold');
            },
          },
        });
        try {
          const card = await w.card(50_000n);
          const quoteId = await quoteFor(w, card.id, 1000n);
          await assert.rejects(
            runSwitch(w.foreign, { quoteId, cardId: card.id, email: HOLDER_EMAIL, locale: 'en' }),
          );
          assert.deepEqual(await w.balance(card.id), {
            balance: 50_000n - PRICE_10_USD,
            held: PRICE_10_USD,
          });
          w.clock.advance(6n * MINUTE);
          // The hook throws on every call, but a switch past its deadline never reaches it again.
          const released = await releaseStaleSwitches(w.foreign);
          assert.equal(released.switches.length, 1);
          assert.equal(released.quotesExpired, 0, 'the quote was used, not left open');
          assert.deepEqual(await w.balance(card.id), { balance: 50_000n, held: 0n });
          assert.ok(!(await w.pool()).some((p) => !p.endsWith(':available')));
          await w.verify();
        } finally {
          await w.dispose();
        }
      });
    });

    describe('low stock and settlement', () => {
      let w: ForeignWorld;
      before(async () => {
        w = await openForeignWorld(target, { lowStock: 2n });
      });
      after(async () => w.dispose());

      test('one alert per crossing below the threshold, re-armed by a restock', async () => {
        const card = await w.card(200_000n);
        const run = async () =>
          completed(
            await runSwitch(w.foreign, {
              quoteId: await quoteFor(w, card.id, 1000n),
              cardId: card.id,
              email: HOLDER_EMAIL,
              locale: 'en',
            }),
          );
        assert.equal((await run()).lowStock, null, '2 left: not below 2');
        const second = await run();
        assert.deepEqual(
          second.lowStock && [
            second.lowStock.available,
            second.lowStock.threshold,
            second.lowStock.to,
          ],
          [1n, 2n, CONTACT],
        );
        assert.equal((await run()).lowStock, null, '0 left: the same crossing');
        // (The 25.00 USD value was alerted at the first import already: 1 < 2.)
        const tenDollar = async () =>
          (await w.mails('foreign_low_stock')).filter((m) => m.subject.includes('10.00 USD'));
        let alerts = await tenDollar();
        assert.equal(alerts.length, 1);
        assert.equal(alerts[0]?.to, CONTACT);
        assert.match(alerts[0]?.subject ?? '', /Low stock: GlobalCall 10\.00 USD \(1 left\)/);
        const stock = await stockReport(w.foreign, w.provider.id);
        assert.deepEqual(
          stock.map((s) => [s.faceValueMinor, s.available, s.sold, s.low]),
          [
            [1000n, 0, 3, true],
            [2500n, 1, 0, true],
          ],
        );
        // Restock 3, then fall below again: a second alert.
        const restock = await importPins(w.foreign, {
          providerId: w.provider.id,
          text: pinFile([
            ['GC-1000-0000-0011', '10.00'],
            ['GC-1000-0000-0012', '10.00'],
            ['GC-1000-0000-0013', '10.00'],
          ]),
          fileName: 'restock.csv',
          importedBy: 'test',
        });
        assert.ok(restock.ok && restock.value.valid);
        assert.equal((await run()).lowStock, null);
        assert.notEqual((await run()).lowStock, null);
        alerts = await tenDollar();
        assert.equal(alerts.length, 2);
        // A per-value threshold overrides the provider's.
        assert.ok(
          (
            await setStockThreshold(w.foreign, {
              providerId: w.provider.id,
              faceValueMinor: 2500n,
              threshold: 0n,
            })
          ).ok,
        );
        assert.equal(
          (await stockReport(w.foreign, w.provider.id)).find((s) => s.faceValueMinor === 2500n)
            ?.low,
          false,
        );
        await w.verify();
      });

      test('settlement: simulate writes nothing; the period is paid once, voids deducted', async () => {
        // Owed so far: 55.00 (start) + 30.00 (restock) USD. Void one available PIN (-10.00).
        const available = (await w.pool()).find(
          (p) => p.startsWith('1000:') && p.endsWith(':available'),
        );
        assert.ok(available !== undefined);
        const pinRow = await foreignTables(w.app.db.kysely)
          .selectFrom('foreign_pin')
          .select('id')
          .where('state', '=', 'available')
          .where('face_value_minor', '=', 1000n)
          .executeTakeFirstOrThrow();
        const voided = await voidPoolPin(w.foreign, { pinId: pinRow.id });
        assert.ok(voided.ok);
        const again = await voidPoolPin(w.foreign, { pinId: pinRow.id });
        assert.ok(!again.ok && again.error.code === 'foreign_pin_state_invalid');

        const today = kstDay(w.clock.nowMs());
        const early = await settleProvider(w.foreign, { providerId: w.provider.id, until: today });
        assert.ok(!early.ok && early.error.code === 'parameter_invalid', 'the day has not ended');
        w.clock.advance(24n * 60n * MINUTE);
        const snap = await w.snap();
        const sim = await settleProvider(w.foreign, {
          providerId: w.provider.id,
          until: today,
          simulate: true,
        });
        assert.ok(sim.ok);
        assert.equal(sim.value.amountMinor, 7500n);
        assert.equal(sim.value.entryCount, 3);
        assert.equal(await w.snap(), snap, 'simulate writes nothing');

        const paid = await settleProvider(w.foreign, { providerId: w.provider.id, until: today });
        assert.ok(paid.ok);
        assert.equal(paid.value.amountMinor, 7500n);
        assert.equal(paid.value.replayed, false);
        assert.equal(paid.value.transferId, paid.value.settlementId);
        // 85.00 bought − 10.00 voided − 75.00 paid = nothing owed.
        assert.deepEqual(await totals(w.app, payableAccountId(w.provider.id)), [
          0n,
          8500n,
          0n,
          8500n,
        ]);
        assert.deepEqual(await totals(w.app, systemAccountId('USD', 'payout_clearing')), [
          0n,
          0n,
          0n,
          7500n,
        ]);
        const afterPay = await w.snap();
        const rerun = await settleProvider(w.foreign, { providerId: w.provider.id, until: today });
        assert.ok(rerun.ok);
        assert.equal(rerun.value.replayed, true);
        assert.equal(rerun.value.amountMinor, 7500n);
        assert.equal(await w.snap(), afterPay, 'a re-run pays nothing more');
        // The next day has nothing new to pay.
        const next = kstDay(w.clock.nowMs());
        assert.notEqual(next, today);
        w.clock.advance(24n * 60n * MINUTE);
        const nothing = await settleProvider(w.foreign, { providerId: w.provider.id, until: next });
        assert.ok(nothing.ok);
        assert.equal(nothing.value.amountMinor, 0n);
        assert.equal(nothing.value.transferId, null);
        await w.verify();
      });
    });
  });
}
